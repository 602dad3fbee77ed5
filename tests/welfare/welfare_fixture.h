#pragma once

// Shared set-up for the store-backed welfare and lead tests: an AccessCore on a fresh data
// folder (see service/core_fixture.h) with estates e1 and e2 in Asia/Shanghai, and helpers
// that write synthetic passage histories straight into the passage log.

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/local_time.h"
#include "service/core_fixture.h"

namespace menjin::testing {

// Returns the Unix time of "YYYY-MM-DDTHH:MM:SSZ"; fails the test on bad text.
inline UnixSeconds At(const std::string& utc) {
    Result<UnixSeconds> parsed = ParseUtc(utc);
    EXPECT_TRUE(parsed.ok()) << utc;
    return parsed.ok() ? *parsed : 0;
}

class WelfareTest : public AccessCoreTest {
  protected:
    void SetUp() override {
        AccessCoreTest::SetUp();
        if (IsSkipped() || HasFatalFailure())
            return;
        AddEstatesAndUnit();
    }

    // Adds an estate in `time_zone` with gate "g-<id>" and unit and household "u-<id>".
    void AddEstateIn(const std::string& id, const std::string& time_zone) {
        Estate estate;
        estate.id = id;
        estate.name = "Estate " + id;
        estate.timezone = time_zone;
        ASSERT_TRUE(IsOk(core_->AddEstate(estate)));
        Gate gate;
        gate.id = "g-" + id;
        gate.estate_id = id;
        gate.name = "Main entrance";
        gate.direction = GateDirection::kBoth;
        ASSERT_TRUE(IsOk(core_->AddGate(gate)));
        AddUnit("u-" + id, id);
    }

    // Adds a tenant or family member of `household` born in `birth_year`, added (created_at)
    // at the clock's current time, with a grant for a year.
    void AddPersonBorn(const std::string& id, int birth_year, const std::string& household = "u1",
                       PersonRole role = PersonRole::kTenant,
                       std::optional<int> watch_days = std::nullopt) {
        Person person = MakeResident(id, "Resident " + id, household);
        person.birth_year = birth_year;
        person.role = role;
        person.welfare_days = watch_days;
        ASSERT_TRUE(IsOk(core_->AddResident(person, 365)));
    }

    // Appends a passage of `person_id` at `gate_id` (estate from the gate) at `at`.
    std::int64_t Pass(const std::string& person_id, UnixSeconds at,
                      const std::string& credential = "face", const std::string& gate_id = "g1",
                      DecisionBand band = DecisionBand::kGrant) {
        Result<Gate> gate = core_->store().GetGate(gate_id);
        EXPECT_TRUE(IsOk(gate));
        Passage passage;
        passage.gate_id = gate_id;
        passage.estate_id = gate.ok() ? gate->estate_id : "";
        passage.at = at;
        passage.direction = GateDirection::kEntry;
        passage.person_id = person_id;
        passage.band = band;
        passage.reason = band == DecisionBand::kGrant ? "granted" : "grant_expired";
        passage.score = credential == "face" ? 0.8 : 0;
        passage.credential = credential;
        Result<std::int64_t> id = core_->store().AppendPassage(passage);
        EXPECT_TRUE(IsOk(id));
        return id.ok() ? *id : 0;
    }

    // Stores `change` applied to the estate's current welfare settings.
    template <typename Change>
    void ChangeSettings(const std::string& estate_id, Change change) {
        Result<EstateWelfareSettings> settings = core_->store().GetWelfareSettings(estate_id);
        ASSERT_TRUE(IsOk(settings));
        change(*settings);
        ASSERT_TRUE(IsOk(core_->store().UpdateWelfareSettings(*settings)));
    }

    // Returns every alert of the estate, newest first.
    std::vector<WelfareAlert> Alerts(const std::string& estate_id = "e1") {
        AlertQuery query;
        query.estate_id = estate_id;
        Result<std::vector<WelfareAlert>> alerts = core_->store().ListWelfareAlerts(query);
        EXPECT_TRUE(IsOk(alerts));
        return alerts.ok() ? *alerts : std::vector<WelfareAlert>{};
    }

    // Returns every lead of `kind`, newest first.
    std::vector<Lead> Leads(LeadKind kind) {
        LeadQuery query;
        query.kind = kind;
        Result<std::vector<Lead>> leads = core_->store().ListLeads(query);
        EXPECT_TRUE(IsOk(leads));
        return leads.ok() ? *leads : std::vector<Lead>{};
    }

    // Returns every message in the webhook outbox that is due by `now`.
    std::vector<WebhookMessage> Outbox(UnixSeconds now) {
        Result<std::vector<WebhookMessage>> due = core_->store().ListDueWebhooks(now, 1000);
        EXPECT_TRUE(IsOk(due));
        return due.ok() ? *due : std::vector<WebhookMessage>{};
    }
};

}  // namespace menjin::testing
