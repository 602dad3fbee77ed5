// WelfareMonitor on a real store: synthetic passage histories with a ManualClock drive the
// absence rule, the alert lifecycle, the webhook outbox and the move-out.

#include "welfare/welfare_monitor.h"

#include <sqlite3.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "welfare/welfare_fixture.h"

namespace menjin::testing {
namespace {

using ::testing::HasSubstr;

constexpr UnixSeconds kHour = 3600;
// Sunday 2025-03-09 00:00 in Shanghai: the start of the fourth whole day after a passage on
// Wednesday 2025-03-05 (kStartTime, 10:00 local).
constexpr UnixSeconds kSundayMidnight = kStartTime + 3 * kDay + 14 * kHour;

// Runs `sql` on the database file through a connection of the test's own.
void ExecuteSql(const std::filesystem::path& db_file, const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_file.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "") << " in " << sql;
    sqlite3_free(error);
    sqlite3_close(db);
}

class WelfareMonitorTest : public WelfareTest {
  protected:
    Result<WelfareEvaluation> EvaluateAt(UnixSeconds now, const std::string& estate = "e1") {
        clock_->Set(now);
        return WelfareMonitor(core_->store(), *clock_).EvaluateEstate(estate);
    }

    WelfareMonitor Monitor() { return WelfareMonitor(core_->store(), *clock_); }
};

TEST_F(WelfareMonitorTest, AlertDueAtLocalMidnightAfterThreeDays) {
    AddPersonBorn("p1", 1940);
    const std::int64_t passage = Pass("p1", kStartTime);

    Result<WelfareEvaluation> before = EvaluateAt(kSundayMidnight - 1);
    ASSERT_TRUE(IsOk(before));
    EXPECT_EQ(before->residents, 1);
    EXPECT_EQ(before->watched, 1);
    EXPECT_EQ(before->absent, 0);
    EXPECT_TRUE(before->raised.empty());

    Result<WelfareEvaluation> due = EvaluateAt(kSundayMidnight);
    ASSERT_TRUE(IsOk(due));
    EXPECT_EQ(due->absent, 1);
    ASSERT_EQ(due->raised.size(), 1u);
    Result<WelfareAlert> alert = core_->store().GetWelfareAlert(due->raised[0]);
    ASSERT_TRUE(IsOk(alert));
    EXPECT_EQ(alert->estate_id, "e1");
    EXPECT_EQ(alert->person_id, "p1");
    EXPECT_EQ(alert->status, AlertStatus::kOpen);
    EXPECT_EQ(alert->days_required, 3);
    EXPECT_EQ(alert->days_since_seen, 4);
    EXPECT_EQ(alert->last_seen_at, kStartTime);
    EXPECT_EQ(alert->last_passage_id, passage);
    EXPECT_EQ(alert->raised_at, kSundayMidnight);
}

TEST_F(WelfareMonitorTest, NeverSeenCountsFromWhenAdded) {
    AddPersonBorn("p1", 1940);

    Result<WelfareEvaluation> due = EvaluateAt(kSundayMidnight);

    ASSERT_TRUE(IsOk(due));
    ASSERT_EQ(due->raised.size(), 1u);
    Result<WelfareAlert> alert = core_->store().GetWelfareAlert(due->raised[0]);
    ASSERT_TRUE(IsOk(alert));
    EXPECT_EQ(alert->last_seen_at, kStartTime);
    EXPECT_FALSE(alert->last_passage_id.has_value());
}

TEST_F(WelfareMonitorTest, EstateDaysAndMinAgeApply) {
    AddPersonBorn("p-old", 1940);
    AddPersonBorn("p-young", 1990, "u1", PersonRole::kFamilyMember);
    Result<Estate> estate = core_->store().GetEstate("e1");
    ASSERT_TRUE(IsOk(estate));
    estate->welfare_days = 5;
    ASSERT_TRUE(IsOk(core_->UpdateEstate(*estate)));

    // Four whole days are not five.
    Result<WelfareEvaluation> four_days = EvaluateAt(kSundayMidnight);
    ASSERT_TRUE(IsOk(four_days));
    EXPECT_EQ(four_days->residents, 2);
    EXPECT_EQ(four_days->watched, 1);
    EXPECT_TRUE(four_days->raised.empty());

    // With min_age 0 every resident is watched.
    ChangeSettings("e1", [](EstateWelfareSettings& s) { s.min_age = 0; });
    Result<WelfareEvaluation> six_days = EvaluateAt(kSundayMidnight + 2 * kDay);
    ASSERT_TRUE(IsOk(six_days));
    EXPECT_EQ(six_days->watched, 2);
    EXPECT_EQ(six_days->raised.size(), 2u);
}

TEST_F(WelfareMonitorTest, WatchFlagUsesOwnDays) {
    AddPersonBorn("p-flagged", 1990, "u1", PersonRole::kTenant, 1);
    AddPersonBorn("p-other", 1990, "u1", PersonRole::kFamilyMember);
    Pass("p-flagged", kStartTime);

    // Thursday 23:59 local: Thursday is not over.
    Result<WelfareEvaluation> thursday = EvaluateAt(kStartTime + kDay + 14 * kHour - 1);
    ASSERT_TRUE(IsOk(thursday));
    EXPECT_EQ(thursday->watched, 1);
    EXPECT_TRUE(thursday->raised.empty());

    // Friday 00:00 local: Thursday was a whole day without a passage.
    Result<WelfareEvaluation> friday = EvaluateAt(kStartTime + kDay + 14 * kHour);
    ASSERT_TRUE(IsOk(friday));
    ASSERT_EQ(friday->raised.size(), 1u);
    Result<WelfareAlert> alert = core_->store().GetWelfareAlert(friday->raised[0]);
    ASSERT_TRUE(IsOk(alert));
    EXPECT_EQ(alert->person_id, "p-flagged");
    EXPECT_EQ(alert->days_required, 1);
}

TEST_F(WelfareMonitorTest, AlternativeCredentialIsSignOfLife) {
    AddPersonBorn("p1", 1940);
    Pass("p1", kStartTime);
    Pass("p1", kStartTime + 2 * kDay, "card");

    Result<WelfareEvaluation> evaluation = EvaluateAt(kSundayMidnight);

    ASSERT_TRUE(IsOk(evaluation));
    EXPECT_EQ(evaluation->absent, 0);
    EXPECT_TRUE(evaluation->raised.empty());
}

TEST_F(WelfareMonitorTest, DeniedPassageElsewhereIsSignOfLife) {
    AddPersonBorn("p1", 1940);
    Pass("p1", kStartTime);
    // A PIN refused at the other estate's gate still shows the person is about.
    Pass("p1", kStartTime + 2 * kDay, "pin", "g2", DecisionBand::kDeny);

    Result<WelfareEvaluation> evaluation = EvaluateAt(kSundayMidnight);

    ASSERT_TRUE(IsOk(evaluation));
    EXPECT_TRUE(evaluation->raised.empty());
}

TEST_F(WelfareMonitorTest, ServiceStaffAreNotResidents) {
    AddCompany();
    Person courier = MakeResident("s1", "Courier", "u1");
    courier.household_id.reset();
    courier.role = PersonRole::kServiceStaff;
    courier.birth_year = 1940;
    ASSERT_TRUE(IsOk(core_->AddServiceStaffPerson(courier, MakeStaff("s1", {"e1"}))));

    Result<WelfareEvaluation> evaluation = EvaluateAt(kSundayMidnight + 10 * kDay);

    ASSERT_TRUE(IsOk(evaluation));
    EXPECT_EQ(evaluation->residents, 0);
    EXPECT_TRUE(evaluation->raised.empty());
}

TEST_F(WelfareMonitorTest, OneUnresolvedAlertPerPerson) {
    AddPersonBorn("p1", 1940);
    ASSERT_TRUE(IsOk(EvaluateAt(kSundayMidnight)));

    Result<WelfareEvaluation> again = EvaluateAt(kSundayMidnight + 2 * kDay);

    ASSERT_TRUE(IsOk(again));
    EXPECT_EQ(again->absent, 1);
    EXPECT_TRUE(again->raised.empty());
    EXPECT_EQ(Alerts().size(), 1u);
}

TEST_F(WelfareMonitorTest, AcknowledgeThenResolve) {
    AddPersonBorn("p1", 1940);
    Result<WelfareEvaluation> due = EvaluateAt(kSundayMidnight);
    ASSERT_TRUE(IsOk(due));
    ASSERT_EQ(due->raised.size(), 1u);
    const std::int64_t id = due->raised[0];

    clock_->Set(kSundayMidnight + kHour);
    Result<WelfareAlert> acknowledged = Monitor().Acknowledge(id, 1, "op-1", "calling daughter");
    ASSERT_TRUE(IsOk(acknowledged));
    EXPECT_EQ(acknowledged->status, AlertStatus::kAcknowledged);
    EXPECT_EQ(acknowledged->acknowledged_by, "op-1");
    EXPECT_EQ(acknowledged->acknowledged_at, kSundayMidnight + kHour);
    EXPECT_EQ(acknowledged->acknowledge_note, "calling daughter");
    EXPECT_EQ(acknowledged->version, 2);

    // A stale version and a second acknowledgement are rejected.
    EXPECT_EQ(Monitor().Resolve(id, 1, "op-2", AlertOutcome::kVisitedWell, "").status().code(),
              ErrorCode::kConflict);
    EXPECT_EQ(Monitor().Acknowledge(id, 2, "op-2", "").status().code(),
              ErrorCode::kFailedPrecondition);

    clock_->Set(kSundayMidnight + 3 * kHour);
    Result<WelfareAlert> resolved =
        Monitor().Resolve(id, 2, "op-2", AlertOutcome::kInHospital, "admitted on Friday");
    ASSERT_TRUE(IsOk(resolved));
    EXPECT_EQ(resolved->status, AlertStatus::kResolved);
    EXPECT_EQ(resolved->resolved_by, "op-2");
    EXPECT_EQ(resolved->resolved_at, kSundayMidnight + 3 * kHour);
    EXPECT_EQ(resolved->outcome, AlertOutcome::kInHospital);
    EXPECT_EQ(resolved->resolve_note, "admitted on Friday");
    EXPECT_EQ(resolved->acknowledged_by, "op-1");

    EXPECT_EQ(Monitor().Resolve(id, 3, "op-2", AlertOutcome::kOther, "").status().code(),
              ErrorCode::kFailedPrecondition);
    EXPECT_EQ(Monitor().Acknowledge(999, 1, "op-2", "").status().code(), ErrorCode::kNotFound);
}

TEST_F(WelfareMonitorTest, OpenAlertCanBeResolvedDirectly) {
    AddPersonBorn("p1", 1940);
    Result<WelfareEvaluation> due = EvaluateAt(kSundayMidnight);
    ASSERT_TRUE(IsOk(due));
    ASSERT_EQ(due->raised.size(), 1u);

    Result<WelfareAlert> resolved =
        Monitor().Resolve(due->raised[0], 1, "op-1", AlertOutcome::kVisitedWell, "");

    ASSERT_TRUE(IsOk(resolved));
    EXPECT_EQ(resolved->status, AlertStatus::kResolved);
    EXPECT_FALSE(resolved->acknowledged_at.has_value());
}

TEST_F(WelfareMonitorTest, ResolvedAlertWaitsForNewPassage) {
    AddPersonBorn("p1", 1940);
    Pass("p1", kStartTime);
    Result<WelfareEvaluation> first = EvaluateAt(kSundayMidnight);
    ASSERT_TRUE(IsOk(first));
    ASSERT_EQ(first->raised.size(), 1u);
    clock_->Set(kSundayMidnight + kHour);
    ASSERT_TRUE(
        IsOk(Monitor().Resolve(first->raised[0], 1, "op-1", AlertOutcome::kAwayWithFamily, "")));

    // Still away twenty days later: no new alert without a passage after the resolution.
    Result<WelfareEvaluation> away = EvaluateAt(kSundayMidnight + 20 * kDay);
    ASSERT_TRUE(IsOk(away));
    EXPECT_TRUE(away->raised.empty());

    // Back on day 21, then away again for four whole days: a new alert.
    const UnixSeconds back = kSundayMidnight + 21 * kDay + 10 * kHour;
    Pass("p1", back);
    Result<WelfareEvaluation> seen = EvaluateAt(back + kDay);
    ASSERT_TRUE(IsOk(seen));
    EXPECT_TRUE(seen->raised.empty());
    Result<WelfareEvaluation> again = EvaluateAt(kSundayMidnight + 25 * kDay);
    ASSERT_TRUE(IsOk(again));
    ASSERT_EQ(again->raised.size(), 1u);
    EXPECT_NE(again->raised[0], first->raised[0]);
    EXPECT_EQ(Alerts().size(), 2u);
}

TEST_F(WelfareMonitorTest, PassageAfterAlertIsNotedOnce) {
    AddPersonBorn("p1", 1940);
    Result<WelfareEvaluation> due = EvaluateAt(kSundayMidnight);
    ASSERT_TRUE(IsOk(due));
    ASSERT_EQ(due->raised.size(), 1u);
    Pass("p1", kSundayMidnight + 8 * kHour, "qr");

    Result<WelfareEvaluation> seen = EvaluateAt(kSundayMidnight + 9 * kHour);
    ASSERT_TRUE(IsOk(seen));
    EXPECT_EQ(seen->seen_again, 1);
    Result<WelfareEvaluation> later = EvaluateAt(kSundayMidnight + 10 * kHour);
    ASSERT_TRUE(IsOk(later));
    EXPECT_EQ(later->seen_again, 0);

    Result<WelfareAlert> alert = core_->store().GetWelfareAlert(due->raised[0]);
    ASSERT_TRUE(IsOk(alert));
    EXPECT_EQ(alert->seen_again_at, kSundayMidnight + 8 * kHour);
    // Staff still close the alert; a passage does not resolve it.
    EXPECT_EQ(alert->status, AlertStatus::kOpen);
}

TEST_F(WelfareMonitorTest, AlertAndWebhookMessageTogether) {
    ChangeSettings("e1", [](EstateWelfareSettings& s) {
        s.webhook_url = "https://hooks.example.invalid/menjin?token=secret";
    });
    AddPersonBorn("p1", 1940);

    Result<WelfareEvaluation> due = EvaluateAt(kSundayMidnight);

    ASSERT_TRUE(IsOk(due));
    ASSERT_EQ(due->raised.size(), 1u);
    const std::vector<WebhookMessage> outbox = Outbox(kSundayMidnight);
    ASSERT_EQ(outbox.size(), 1u);
    EXPECT_EQ(outbox[0].estate_id, "e1");
    EXPECT_EQ(outbox[0].event, "alert.raised");
    EXPECT_EQ(outbox[0].next_attempt_at, kSundayMidnight);
    const nlohmann::json payload = nlohmann::json::parse(outbox[0].payload);
    EXPECT_EQ(payload["alert_id"], due->raised[0]);
    EXPECT_EQ(payload["person_id"], "p1");
    EXPECT_EQ(payload["raised_at"], FormatUtc(kSundayMidnight));
    // Ids only: no name, phone or address.
    EXPECT_THAT(outbox[0].payload, ::testing::Not(HasSubstr("Resident")));
    EXPECT_THAT(outbox[0].payload, ::testing::Not(HasSubstr("13800000000")));
    EXPECT_THAT(outbox[0].payload, ::testing::Not(HasSubstr("Room")));
}

TEST_F(WelfareMonitorTest, FailedWebhookInsertKeepsNoAlert) {
    ChangeSettings("e1", [](EstateWelfareSettings& s) { s.webhook_url = "http://127.0.0.1:9/"; });
    AddPersonBorn("p1", 1940);
    ExecuteSql(db_file(),
               "CREATE TRIGGER reject_webhook BEFORE INSERT ON webhook_outbox "
               "BEGIN SELECT RAISE(ABORT, 'outbox rejected by test'); END");

    Result<WelfareEvaluation> failed = EvaluateAt(kSundayMidnight);

    ASSERT_FALSE(failed.ok());
    EXPECT_THAT(failed.status().message(), HasSubstr("outbox rejected by test"));
    EXPECT_TRUE(Alerts().empty());
    EXPECT_EQ(TableRowCounts(db_file())["welfare_alerts"], 0);

    ExecuteSql(db_file(), "DROP TRIGGER reject_webhook");
    Result<WelfareEvaluation> retried = EvaluateAt(kSundayMidnight + kHour);
    ASSERT_TRUE(IsOk(retried));
    EXPECT_EQ(retried->raised.size(), 1u);
    EXPECT_EQ(Outbox(kSundayMidnight + kHour).size(), 1u);
}

TEST_F(WelfareMonitorTest, NoWebhookUrlNoMessage) {
    AddPersonBorn("p1", 1940);

    ASSERT_TRUE(IsOk(EvaluateAt(kSundayMidnight)));

    EXPECT_EQ(Alerts().size(), 1u);
    EXPECT_TRUE(Outbox(kSundayMidnight).empty());
}

TEST_F(WelfareMonitorTest, SpringForwardInBerlin) {
    // Berlin moves from 02:00 to 03:00 on Sunday 2025-03-30. Seen Saturday 2025-03-29 at
    // 12:00 CET: Sunday (23 hours), Monday and Tuesday are the three whole days, so the alert
    // is due at Wednesday 00:00 CEST, which is 22:00 UTC on Tuesday.
    AddEstateIn("berlin", "Europe/Berlin");
    clock_->Set(At("2025-03-20T10:00:00Z"));
    AddPersonBorn("p1", 1940, "u-berlin");
    Pass("p1", At("2025-03-29T11:00:00Z"), "face", "g-berlin");

    Result<WelfareEvaluation> tuesday = EvaluateAt(At("2025-04-01T21:59:59Z"), "berlin");
    ASSERT_TRUE(IsOk(tuesday));
    EXPECT_TRUE(tuesday->raised.empty());

    Result<WelfareEvaluation> wednesday = EvaluateAt(At("2025-04-01T22:00:00Z"), "berlin");
    ASSERT_TRUE(IsOk(wednesday));
    ASSERT_EQ(wednesday->raised.size(), 1u);
    Result<WelfareAlert> alert = core_->store().GetWelfareAlert(wednesday->raised[0]);
    ASSERT_TRUE(IsOk(alert));
    EXPECT_EQ(alert->days_since_seen, 4);
}

TEST_F(WelfareMonitorTest, FallBackInNewYork) {
    // New York moves from 02:00 back to 01:00 on Sunday 2025-11-02. Seen Saturday
    // 2025-11-01 at 12:00 EDT: Sunday (25 hours), Monday and Tuesday are the three whole
    // days, so the alert is due at Wednesday 00:00 EST, which is 05:00 UTC.
    AddEstateIn("nyc", "America/New_York");
    clock_->Set(At("2025-10-20T10:00:00Z"));
    AddPersonBorn("p1", 1940, "u-nyc");
    Pass("p1", At("2025-11-01T16:00:00Z"), "face", "g-nyc");

    Result<WelfareEvaluation> tuesday = EvaluateAt(At("2025-11-05T04:59:59Z"), "nyc");
    ASSERT_TRUE(IsOk(tuesday));
    EXPECT_TRUE(tuesday->raised.empty());

    Result<WelfareEvaluation> wednesday = EvaluateAt(At("2025-11-05T05:00:00Z"), "nyc");
    ASSERT_TRUE(IsOk(wednesday));
    EXPECT_EQ(wednesday->raised.size(), 1u);
}

TEST_F(WelfareMonitorTest, EstateTimeZoneDecidesTheDay) {
    // The same history in Shanghai (UTC+8) and in UTC: at 16:00 UTC on Saturday it is
    // already Sunday in Shanghai, so only the Shanghai estate raises.
    AddEstateIn("utc", "UTC");
    AddPersonBorn("p-shanghai", 1940);
    AddPersonBorn("p-utc", 1940, "u-utc");
    Pass("p-shanghai", kStartTime);
    Pass("p-utc", kStartTime, "face", "g-utc");

    Result<WelfareEvaluation> shanghai = EvaluateAt(kSundayMidnight, "e1");
    Result<WelfareEvaluation> utc = EvaluateAt(kSundayMidnight, "utc");

    ASSERT_TRUE(IsOk(shanghai));
    ASSERT_TRUE(IsOk(utc));
    EXPECT_EQ(shanghai->raised.size(), 1u);
    EXPECT_TRUE(utc->raised.empty());
}

TEST_F(WelfareMonitorTest, WatchedResidentsListsState) {
    AddPersonBorn("p1", 1940);
    AddPersonBorn("p2", 1990, "u1", PersonRole::kFamilyMember);
    const std::int64_t passage = Pass("p1", kStartTime);
    ASSERT_TRUE(IsOk(EvaluateAt(kSundayMidnight)));

    Result<std::vector<ResidentWelfare>> watched = Monitor().WatchedResidents("e1");

    ASSERT_TRUE(IsOk(watched));
    ASSERT_EQ(watched->size(), 1u);
    EXPECT_EQ((*watched)[0].person.id, "p1");
    EXPECT_TRUE((*watched)[0].check.absent);
    ASSERT_TRUE((*watched)[0].last_passage.has_value());
    EXPECT_EQ((*watched)[0].last_passage->id, passage);
    ASSERT_TRUE((*watched)[0].alert.has_value());
    EXPECT_EQ((*watched)[0].alert->status, AlertStatus::kOpen);
}

TEST_F(WelfareMonitorTest, EvaluateAllCoversEveryEstate) {
    AddPersonBorn("p1", 1940);
    AddUnit("u2", "e2");
    AddPersonBorn("p2", 1940, "u2");
    clock_->Set(kSundayMidnight);

    Result<std::vector<WelfareEvaluation>> all = Monitor().EvaluateAll();

    ASSERT_TRUE(IsOk(all));
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ((*all)[0].raised.size(), 1u);
    EXPECT_EQ((*all)[1].raised.size(), 1u);
}

TEST_F(WelfareMonitorTest, UnknownEstateIsNotFound) {
    Result<WelfareEvaluation> evaluation = EvaluateAt(kSundayMidnight, "e9");

    ASSERT_FALSE(evaluation.ok());
    EXPECT_EQ(evaluation.status().code(), ErrorCode::kNotFound);
    EXPECT_THAT(evaluation.status().message(), HasSubstr("e9"));
}

TEST_F(WelfareMonitorTest, MoveOutResolvesAndPseudonymisesAlerts) {
    AddPersonBorn("p-leaving", 1940);
    AddPersonBorn("p-staying", 1941, "u1", PersonRole::kFamilyMember);
    Result<WelfareEvaluation> due = EvaluateAt(kSundayMidnight);
    ASSERT_TRUE(IsOk(due));
    ASSERT_EQ(due->raised.size(), 2u);
    clock_->Set(kSundayMidnight + kHour);

    Result<DeletionReceipt> receipt = core_->MoveOut("p-leaving", "op-7");

    ASSERT_TRUE(IsOk(receipt));
    AlertQuery query;
    query.person_id = receipt->person_pseudonym;
    Result<std::vector<WelfareAlert>> moved = core_->store().ListWelfareAlerts(query);
    ASSERT_TRUE(IsOk(moved));
    ASSERT_EQ(moved->size(), 1u);
    EXPECT_EQ((*moved)[0].status, AlertStatus::kResolved);
    EXPECT_EQ((*moved)[0].outcome, AlertOutcome::kOther);
    EXPECT_EQ((*moved)[0].resolved_by, "op-7");
    EXPECT_EQ((*moved)[0].resolved_at, kSundayMidnight + kHour);
    for (const auto& [table, rows] : RowsMentioning(db_file(), "p-leaving"))
        EXPECT_EQ(rows, 0) << table;
    // The neighbour's alert stays open and named.
    query.person_id = "p-staying";
    Result<std::vector<WelfareAlert>> staying = core_->store().ListWelfareAlerts(query);
    ASSERT_TRUE(IsOk(staying));
    ASSERT_EQ(staying->size(), 1u);
    EXPECT_EQ((*staying)[0].status, AlertStatus::kOpen);
}

}  // namespace
}  // namespace menjin::testing
