#include "server/caller.h"

namespace menjin {

std::string Caller::AuditActor() const {
    switch (kind) {
        case CallerKind::kOperator:
            return operator_id;
        case CallerKind::kGateDevice:
            return "gate:" + gate_id;
        case CallerKind::kAnonymous:
            break;
    }
    return "anonymous";
}

std::string Caller::AuditRole() const {
    switch (kind) {
        case CallerKind::kOperator:
            return OperatorRoleName(role);
        case CallerKind::kGateDevice:
            return "gate_device";
        case CallerKind::kAnonymous:
            break;
    }
    return "anonymous";
}

}  // namespace menjin
