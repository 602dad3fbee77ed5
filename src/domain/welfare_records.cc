#include "domain/welfare_records.h"

#include <cstddef>
#include <utility>

namespace menjin {

namespace {

template <typename Enum, std::size_t N>
std::optional<Enum> ParseName(const std::pair<Enum, const char*> (&names)[N],
                              const std::string& text) {
    for (const auto& [value, name] : names) {
        if (text == name)
            return value;
    }
    return std::nullopt;
}

template <typename Enum, std::size_t N>
const char* NameOf(const std::pair<Enum, const char*> (&names)[N], Enum value) {
    for (const auto& [candidate, name] : names) {
        if (candidate == value)
            return name;
    }
    return "unknown";
}

constexpr std::pair<AlertStatus, const char*> kAlertStatusNames[] = {
    {AlertStatus::kOpen, "open"},
    {AlertStatus::kAcknowledged, "acknowledged"},
    {AlertStatus::kResolved, "resolved"},
};

constexpr std::pair<AlertOutcome, const char*> kAlertOutcomeNames[] = {
    {AlertOutcome::kVisitedWell, "visited_well"},
    {AlertOutcome::kInHospital, "in_hospital"},
    {AlertOutcome::kAwayWithFamily, "away_with_family"},
    {AlertOutcome::kOther, "other"},
};

constexpr std::pair<LeadKind, const char*> kLeadKindNames[] = {
    {LeadKind::kTenantAbsentUnitInUse, "tenant_absent_unit_in_use"},
    {LeadKind::kRecurringUnknownFace, "recurring_unknown_face"},
    {LeadKind::kDuplicateIdentity, "duplicate_identity"},
};

constexpr std::pair<LeadStatus, const char*> kLeadStatusNames[] = {
    {LeadStatus::kOpen, "open"},
    {LeadStatus::kClosed, "closed"},
};

constexpr std::pair<LeadOutcome, const char*> kLeadOutcomeNames[] = {
    {LeadOutcome::kConfirmed, "confirmed"},
    {LeadOutcome::kNoIssue, "no_issue"},
    {LeadOutcome::kRecognitionError, "recognition_error"},
    {LeadOutcome::kOther, "other"},
};

}  // namespace

const char* AlertStatusName(AlertStatus status) {
    return NameOf(kAlertStatusNames, status);
}

std::optional<AlertStatus> ParseAlertStatus(const std::string& text) {
    return ParseName(kAlertStatusNames, text);
}

const char* AlertOutcomeName(AlertOutcome outcome) {
    return NameOf(kAlertOutcomeNames, outcome);
}

std::optional<AlertOutcome> ParseAlertOutcome(const std::string& text) {
    return ParseName(kAlertOutcomeNames, text);
}

const char* LeadKindName(LeadKind kind) {
    return NameOf(kLeadKindNames, kind);
}

std::optional<LeadKind> ParseLeadKind(const std::string& text) {
    return ParseName(kLeadKindNames, text);
}

const char* LeadStatusName(LeadStatus status) {
    return NameOf(kLeadStatusNames, status);
}

std::optional<LeadStatus> ParseLeadStatus(const std::string& text) {
    return ParseName(kLeadStatusNames, text);
}

const char* LeadOutcomeName(LeadOutcome outcome) {
    return NameOf(kLeadOutcomeNames, outcome);
}

std::optional<LeadOutcome> ParseLeadOutcome(const std::string& text) {
    return ParseName(kLeadOutcomeNames, text);
}

}  // namespace menjin
