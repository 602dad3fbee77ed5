#include "access/grant_check.h"

#include <algorithm>

namespace menjin {

namespace {

std::optional<std::string> StaffProblem(const ServiceStaff& staff, const std::string& estate_id,
                                        UnixSeconds now) {
    if (staff.verified_by.empty() || staff.verified_at <= 0)
        return "staff_not_verified";
    if (now < staff.valid_from)
        return "staff_not_yet_valid";
    if (now >= staff.valid_to)
        return "staff_validity_ended";
    const auto& served = staff.estate_ids;
    if (std::find(served.begin(), served.end(), estate_id) == served.end()) {
        return "staff_estate_not_served";
    }
    return std::nullopt;
}

}  // namespace

GrantCheck CheckGrants(const std::vector<AccessGrant>& grants, const std::string& estate_id,
                       UnixSeconds now, const LocalTime& local, const ServiceStaff* staff) {
    if (staff != nullptr) {
        if (auto problem = StaffProblem(*staff, estate_id, now))
            return {false, *problem};
    }
    // Report the most helpful reason when no grant allows the passage: a grant for this
    // estate that is outside its schedule beats one that has expired, which beats none.
    std::string reason = "no_grant";
    auto rank = [](const std::string& r) {
        if (r == "outside_schedule")
            return 3;
        if (r == "grant_not_started")
            return 2;
        if (r == "grant_expired")
            return 1;
        return 0;
    };
    for (const AccessGrant& grant : grants) {
        if (grant.estate_id != estate_id)
            continue;
        std::string problem;
        if (now < grant.valid_from) {
            problem = "grant_not_started";
        } else if (now >= grant.valid_to) {
            problem = "grant_expired";
        } else if (!grant.schedule.Allows(local.weekday, local.minute_of_day)) {
            problem = "outside_schedule";
        } else {
            return {true, ""};
        }
        if (rank(problem) > rank(reason))
            reason = problem;
    }
    return {false, reason};
}

}  // namespace menjin
