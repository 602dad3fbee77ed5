#pragma once

// Records of who may use the HTTP service and what they did: operator accounts, their
// sessions, gate device credentials and audit log entries. Like records.h they are plain data
// without I/O. Secrets are never held here, only their hashes.

#include <cstdint>
#include <optional>
#include <string>

#include "domain/records.h"

namespace menjin {

// Role of an operator. A centre admin works on every estate, estate staff only on their own
// estate, and an auditor reads the audit log and aggregate reports but never faces, thumbnails
// or contact data.
enum class OperatorRole { kCentreAdmin, kEstateStaff, kAuditor };
const char* OperatorRoleName(OperatorRole role);
std::optional<OperatorRole> ParseOperatorRole(const std::string& text);

// A person who signs in to the console or runs scripts. The id is the login name.
struct Operator {
    std::string id;
    std::string display_name;
    OperatorRole role = OperatorRole::kEstateStaff;
    // The estate of an estate staff member; empty for the other roles.
    std::string estate_id;
    // Argon2id hash in libsodium's crypto_pwhash_str format; never the password.
    std::string password_hash;
    // Consecutive failed logins since the last success; reset by a successful login.
    int failed_logins = 0;
    // Logins are refused until this instant after too many failures; 0 when not locked.
    UnixSeconds locked_until = 0;
    bool disabled = false;
    UnixSeconds created_at = 0;
    std::int64_t version = 1;
};

// A signed-in operator. The session token itself is only given to the client; the store keeps
// its SHA-256 (hex) as the key.
struct OperatorSession {
    std::string token_hash;
    std::string operator_id;
    UnixSeconds created_at = 0;
    UnixSeconds expires_at = 0;  // exclusive
    std::string remote_address;  // where the login came from
};

// A credential that one gate's device presents as a bearer token. Only the SHA-256 (hex) of
// the token is stored.
struct DeviceCredential {
    std::string id;
    std::string gate_id;
    std::string token_hash;
    UnixSeconds created_at = 0;
    std::string created_by;  // operator id, or "cli"
    // Set when the credential was revoked; a revoked credential authenticates nothing.
    std::optional<UnixSeconds> revoked_at;
};

// One entry of the append-only, hash-chained audit log. `hash` is
// SHA-256(prev_hash || AuditCanonicalText(entry)) in hex, see audit_chain.h.
struct AuditEntry {
    std::int64_t seq = 0;  // 1, 2, 3, ... without gaps
    UnixSeconds at = 0;
    // Operator id, "gate:<gate id>" for a gate device, "cli" for the command line, or
    // "anonymous" for a failed login of an unknown account.
    std::string actor;
    std::string actor_role;  // operator role name, "gate_device", "cli" or "anonymous"
    std::string action;      // e.g. "person.read", "login.failed", "person.move_out"
    std::string record_type;
    std::string record_id;  // ids only: never names, phone numbers or addresses
    std::string remote_address;
    std::string outcome;  // "ok" or the ErrorCodeName of the failure
    std::string prev_hash;
    std::string hash;
};

}  // namespace menjin
