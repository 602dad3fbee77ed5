#include "domain/records.h"

#include <algorithm>
#include <cstddef>
#include <utility>

namespace menjin {

namespace {

constexpr std::size_t kMaxIdLength = 64;
constexpr int kMinutesPerDay = 24 * 60;

bool IsIdCharacter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

// Looks `text` up in a table of (value, name) pairs.
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

constexpr std::pair<GateDirection, const char*> kGateDirectionNames[] = {
    {GateDirection::kEntry, "entry"},
    {GateDirection::kExit, "exit"},
    {GateDirection::kBoth, "both"},
};

constexpr std::pair<PersonRole, const char*> kPersonRoleNames[] = {
    {PersonRole::kTenant, "tenant"},
    {PersonRole::kFamilyMember, "family_member"},
    {PersonRole::kServiceStaff, "service_staff"},
};

constexpr std::pair<CompanyKind, const char*> kCompanyKindNames[] = {
    {CompanyKind::kCourier, "courier"},
    {CompanyKind::kFoodDelivery, "food_delivery"},
    {CompanyKind::kOther, "other"},
};

constexpr std::pair<CredentialKind, const char*> kCredentialKindNames[] = {
    {CredentialKind::kCard, "card"},
    {CredentialKind::kPin, "pin"},
    {CredentialKind::kQrToken, "qr"},
};

constexpr std::pair<DecisionBand, const char*> kDecisionBandNames[] = {
    {DecisionBand::kGrant, "grant"},
    {DecisionBand::kDeny, "deny"},
    {DecisionBand::kRetry, "retry"},
};

}  // namespace

bool IsValidId(const std::string& id) {
    if (id.empty() || id.size() > kMaxIdLength)
        return false;
    return std::all_of(id.begin(), id.end(), IsIdCharacter);
}

const char* GateDirectionName(GateDirection direction) {
    return NameOf(kGateDirectionNames, direction);
}

std::optional<GateDirection> ParseGateDirection(const std::string& text) {
    return ParseName(kGateDirectionNames, text);
}

const char* PersonRoleName(PersonRole role) {
    return NameOf(kPersonRoleNames, role);
}

std::optional<PersonRole> ParsePersonRole(const std::string& text) {
    return ParseName(kPersonRoleNames, text);
}

const char* CompanyKindName(CompanyKind kind) {
    return NameOf(kCompanyKindNames, kind);
}

std::optional<CompanyKind> ParseCompanyKind(const std::string& text) {
    return ParseName(kCompanyKindNames, text);
}

const char* CredentialKindName(CredentialKind kind) {
    return NameOf(kCredentialKindNames, kind);
}

std::optional<CredentialKind> ParseCredentialKind(const std::string& text) {
    return ParseName(kCredentialKindNames, text);
}

const char* DecisionBandName(DecisionBand band) {
    return NameOf(kDecisionBandNames, band);
}

bool WeeklySchedule::IsAlways() const {
    return std::all_of(days.begin(), days.end(),
                       [](const std::vector<Range>& ranges) { return ranges.empty(); });
}

bool WeeklySchedule::Allows(int weekday, int minute_of_day) const {
    if (IsAlways())
        return true;
    if (weekday < 0 || weekday >= static_cast<int>(days.size()))
        return false;
    if (minute_of_day < 0 || minute_of_day >= kMinutesPerDay)
        return false;
    const std::vector<Range>& ranges = days[static_cast<std::size_t>(weekday)];
    return std::any_of(ranges.begin(), ranges.end(), [minute_of_day](const Range& range) {
        return range.start_minute <= minute_of_day && minute_of_day < range.end_minute;
    });
}

}  // namespace menjin
