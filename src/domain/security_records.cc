#include "domain/security_records.h"

#include <utility>

namespace menjin {

namespace {

constexpr std::pair<OperatorRole, const char*> kOperatorRoleNames[] = {
    {OperatorRole::kCentreAdmin, "centre_admin"},
    {OperatorRole::kEstateStaff, "estate_staff"},
    {OperatorRole::kAuditor, "auditor"},
};

}  // namespace

const char* OperatorRoleName(OperatorRole role) {
    for (const auto& [value, name] : kOperatorRoleNames) {
        if (value == role)
            return name;
    }
    return "unknown";
}

std::optional<OperatorRole> ParseOperatorRole(const std::string& text) {
    for (const auto& [value, name] : kOperatorRoleNames) {
        if (text == name)
            return value;
    }
    return std::nullopt;
}

}  // namespace menjin
