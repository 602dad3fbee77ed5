#include "server/audit_log.h"

#include "domain/audit_chain.h"

namespace menjin {

namespace {

constexpr std::size_t kMaxFieldBytes = 200;
constexpr int kVerifyPage = 1000;

std::string Clean(std::string text) {
    if (text.size() > kMaxFieldBytes)
        text.resize(kMaxFieldBytes);
    for (char& c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f || byte >= 0x80)
            c = '?';
    }
    return text;
}

}  // namespace

Status AuditLog::Record(AuditEvent event) {
    AuditEntry entry;
    entry.at = clock_.Now();
    entry.actor = Clean(std::move(event.actor));
    entry.actor_role = Clean(std::move(event.actor_role));
    entry.action = Clean(std::move(event.action));
    entry.record_type = Clean(std::move(event.record_type));
    entry.record_id = Clean(std::move(event.record_id));
    entry.remote_address = Clean(std::move(event.remote_address));
    entry.outcome = Clean(std::move(event.outcome));
    return store_.AppendAuditEntry(entry).status();
}

Status AuditLog::Record(const Caller& caller, const std::string& action,
                        const std::string& record_type, const std::string& record_id,
                        const std::string& outcome) {
    return Record(AuditEvent{caller.AuditActor(), caller.AuditRole(), action, record_type,
                             record_id, caller.remote_address, outcome});
}

Result<AuditVerification> VerifyAuditLog(Store& store) {
    AuditChainVerifier verifier;
    AuditQuery query;
    query.limit = kVerifyPage;
    AuditVerification result;
    Status chain;
    while (chain.ok()) {
        MENJIN_ASSIGN_OR_RETURN(std::vector<AuditEntry> page, store.ListAuditEntries(query));
        for (const AuditEntry& entry : page) {
            chain = verifier.Add(entry);
            if (!chain.ok())
                break;
        }
        if (page.size() < static_cast<std::size_t>(kVerifyPage))
            break;
        query.after_seq = page.back().seq;
    }
    MENJIN_ASSIGN_OR_RETURN(std::int64_t issued, store.LastAuditSeq());
    if (chain.ok())
        chain = verifier.Finish(issued);
    result.ok = chain.ok();
    result.entries = verifier.entries_checked();
    result.last_seq = verifier.last_seq();
    result.head_hash = verifier.head_hash();
    result.first_bad_seq = verifier.first_bad_seq();
    result.problem = chain.ok() ? "" : chain.message();
    return result;
}

}  // namespace menjin
