#include "domain/audit_chain.h"

#include <span>

#include <fmt/format.h>

#include "common/sha256.h"

namespace menjin {

namespace {

void AppendField(std::string& out, const std::string& field) {
    out += std::to_string(field.size());
    out += ':';
    out += field;
    out += ',';
}

}  // namespace

const std::string& AuditGenesisHash() {
    static const std::string kGenesis(64, '0');
    return kGenesis;
}

std::string AuditCanonicalText(const AuditEntry& entry) {
    std::string out;
    AppendField(out, std::to_string(entry.seq));
    AppendField(out, std::to_string(entry.at));
    AppendField(out, entry.actor);
    AppendField(out, entry.actor_role);
    AppendField(out, entry.action);
    AppendField(out, entry.record_type);
    AppendField(out, entry.record_id);
    AppendField(out, entry.remote_address);
    AppendField(out, entry.outcome);
    return out;
}

std::string AuditEntryHash(const std::string& prev_hash, const AuditEntry& entry) {
    const std::string text = prev_hash + AuditCanonicalText(entry);
    return Sha256Hex(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

Status AuditChainVerifier::Fail(std::int64_t seq, std::string message) {
    first_bad_seq_ = seq;
    failure_ = Status(ErrorCode::kDataLoss, std::move(message));
    return failure_;
}

Status AuditChainVerifier::Add(const AuditEntry& entry) {
    if (first_bad_seq_)
        return failure_;
    const std::int64_t expected = last_seq_ + 1;
    if (entry.seq != expected) {
        return Fail(expected,
                    fmt::format("audit: entry {} is missing (the next stored entry is {})",
                                expected, entry.seq));
    }
    if (entry.prev_hash != head_hash_) {
        return Fail(entry.seq,
                    fmt::format("audit: entry {} does not link to the entry before it", entry.seq));
    }
    const std::string hash = AuditEntryHash(head_hash_, entry);
    if (hash != entry.hash) {
        return Fail(entry.seq,
                    fmt::format("audit: entry {} was altered (its hash does not match its content)",
                                entry.seq));
    }
    ++entries_checked_;
    last_seq_ = entry.seq;
    head_hash_ = hash;
    return Status::Ok();
}

Status AuditChainVerifier::Finish(std::int64_t last_issued_seq) {
    if (first_bad_seq_)
        return failure_;
    if (last_issued_seq > last_seq_) {
        return Fail(last_seq_ + 1,
                    fmt::format("audit: entries {} to {} are missing from the end of the log",
                                last_seq_ + 1, last_issued_seq));
    }
    return Status::Ok();
}

}  // namespace menjin
