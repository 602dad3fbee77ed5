#pragma once

#include <string>

#include "domain/security_records.h"

namespace menjin {

// Kind of request sender: anonymous, a signed-in operator or a gate device.
enum class CallerKind { kAnonymous, kOperator, kGateDevice };

// The authenticated sender of one request, made by the Authenticator. Plain data; each
// request has its own.
struct Caller {
    CallerKind kind = CallerKind::kAnonymous;
    // For operators: id, role, display name and (estate staff) estate.
    std::string operator_id;
    OperatorRole role = OperatorRole::kAuditor;
    std::string display_name;
    std::string estate_id;
    // Hash of the session token that authenticated an operator, for logout.
    std::string session_token_hash;
    // For gate devices: the gate and the credential id.
    std::string gate_id;
    std::string device_credential_id;
    // Peer address of the connection.
    std::string remote_address;

    bool IsOperator(OperatorRole r) const { return kind == CallerKind::kOperator && role == r; }

    // The actor and actor role recorded in the audit log: the operator id and role name,
    // "gate:<gate id>" and "gate_device", or "anonymous" twice.
    std::string AuditActor() const;
    std::string AuditRole() const;
};

}  // namespace menjin
