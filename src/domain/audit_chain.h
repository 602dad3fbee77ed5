#pragma once

// The hash chain of the audit log. Each entry's hash covers the previous entry's hash and the
// entry's own fields, so editing or deleting a stored entry breaks the chain from that entry on.
//
// The chain makes tampering detectable, not impossible: the hash is unkeyed, so someone who can
// write the database and rewrites every entry after an edit produces a valid chain again. Keep
// a copy of the head hash elsewhere (`menjin audit verify` prints it) to detect that too.

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "domain/security_records.h"

namespace menjin {

// The prev_hash of the first entry: 64 '0' characters.
const std::string& AuditGenesisHash();

// Returns the canonical serialisation of the entry's content fields (seq, at, actor,
// actor_role, action, record_type, record_id, remote_address, outcome, in that order). Each
// field is written as its byte length in decimal, ':', the bytes and ',' (a netstring), so no
// choice of field text can make two different entries serialise alike.
std::string AuditCanonicalText(const AuditEntry& entry);

// Returns the lower-case hex SHA-256 of prev_hash followed by AuditCanonicalText(entry).
// `entry.prev_hash` and `entry.hash` are not read.
std::string AuditEntryHash(const std::string& prev_hash, const AuditEntry& entry);

// Checks a chain entry by entry, in ascending seq order, without holding the entries.
// Not thread-safe; use one verifier per pass.
class AuditChainVerifier {
  public:
    // Checks the next entry. Returns kDataLoss naming the seq when an entry is missing before
    // it (seq is not the previous seq + 1), when its prev_hash is not the previous entry's hash
    // or when its hash does not match its content. After the first failure every call returns
    // that failure again.
    Status Add(const AuditEntry& entry);

    // Checks that the chain ends at `last_issued_seq`, the highest seq the store ever assigned,
    // so that entries deleted from the end are found too. Returns kDataLoss otherwise.
    Status Finish(std::int64_t last_issued_seq);

    std::int64_t entries_checked() const { return entries_checked_; }
    std::int64_t last_seq() const { return last_seq_; }
    // Hash of the last entry checked, or AuditGenesisHash() when none was.
    const std::string& head_hash() const { return head_hash_; }
    // The first seq found to be bad (edited, deleted or out of chain), once a check failed.
    std::optional<std::int64_t> first_bad_seq() const { return first_bad_seq_; }

  private:
    Status Fail(std::int64_t seq, std::string message);

    std::int64_t entries_checked_ = 0;
    std::int64_t last_seq_ = 0;
    std::string head_hash_ = AuditGenesisHash();
    std::optional<std::int64_t> first_bad_seq_;
    Status failure_;
};

}  // namespace menjin
