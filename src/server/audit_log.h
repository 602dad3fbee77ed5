#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "server/caller.h"
#include "storage/store.h"

namespace menjin {

// The content of one audit entry before the store numbers and chains it.
struct AuditEvent {
    std::string actor;
    std::string actor_role;
    std::string action;
    std::string record_type;
    std::string record_id;
    std::string remote_address;
    std::string outcome = "ok";
};

// Writes audited actions to the store's hash-chained audit log (Store::AppendAuditEntry).
// Record ids are ids only: callers never pass names, phone numbers or addresses. Holds
// references to `store` and `clock`, which must outlive it. Thread-safe.
class AuditLog {
  public:
    AuditLog(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

    // Appends `event` at the clock's current time. Text fields are cut to 200 bytes and
    // control characters replaced by '?', so a hostile path cannot forge log structure.
    // Returns the store's error when the entry could not be written.
    Status Record(AuditEvent event);
    // Records an action of `caller` on one record.
    Status Record(const Caller& caller, const std::string& action, const std::string& record_type,
                  const std::string& record_id, const std::string& outcome = "ok");

  private:
    Store& store_;
    const Clock& clock_;
};

// Result of checking the whole audit chain.
struct AuditVerification {
    bool ok = false;
    std::int64_t entries = 0;
    std::int64_t last_seq = 0;
    std::string head_hash;
    // The first seq found edited, deleted or out of chain, when not ok.
    std::optional<std::int64_t> first_bad_seq;
    std::string problem;
};

// Reads the audit log in pages and checks its chain (AuditChainVerifier). A broken chain is a
// result with ok false; the Status is an error only when the store cannot be read.
Result<AuditVerification> VerifyAuditLog(Store& store);

}  // namespace menjin
