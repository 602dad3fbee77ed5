// SqliteStore's welfare tables without the models: constraints and their error codes,
// versions, pseudonymisation of exact ids, and the sealed unknown-face templates.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "sqlite/store_fixture.h"

namespace menjin {
namespace {

using ::menjin::testing::IsOk;
using ::testing::HasSubstr;

class SqliteWelfareTest : public ::menjin::testing::SqliteStoreTest {
  protected:
    void SetUp() override {
        SqliteStoreTest::SetUp();
        if (HasFatalFailure())
            return;
        CreateResidentFixture();
    }

    static WelfareAlert OpenAlert(const std::string& person_id) {
        WelfareAlert alert;
        alert.estate_id = "e1";
        alert.person_id = person_id;
        alert.days_required = 3;
        alert.days_since_seen = 4;
        alert.last_seen_at = 1000;
        alert.raised_at = 5000;
        return alert;
    }

    static Lead OpenLead(const std::string& subject, const std::string& evidence) {
        Lead lead;
        lead.kind = LeadKind::kTenantAbsentUnitInUse;
        lead.estate_id = "e1";
        lead.subject = subject;
        lead.evidence = evidence;
        lead.raised_at = 5000;
        lead.updated_at = 5000;
        return lead;
    }

    static UnknownFaceAttempt Attempt(const std::string& gate_id, UnixSeconds at) {
        UnknownFaceAttempt attempt;
        attempt.estate_id = "e1";
        attempt.gate_id = gate_id;
        attempt.passage_id = 1;
        attempt.at = at;
        attempt.values = {0.25f, -0.5f, 0.75f, 0.125f};
        return attempt;
    }
};

TEST_F(SqliteWelfareTest, SecondUnresolvedAlertIsAlreadyExists) {
    ASSERT_TRUE(IsOk(store_->CreateWelfareAlert(OpenAlert("p1"))));

    Result<WelfareAlert> second = store_->CreateWelfareAlert(OpenAlert("p1"));

    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), ErrorCode::kAlreadyExists);
    EXPECT_THAT(second.status().message(),
                HasSubstr("person 'p1' already has an unresolved welfare alert"));
}

TEST_F(SqliteWelfareTest, ResolvedAlertAllowsNewOne) {
    Result<WelfareAlert> first = store_->CreateWelfareAlert(OpenAlert("p1"));
    ASSERT_TRUE(IsOk(first));
    WelfareAlert resolved = *first;
    resolved.status = AlertStatus::kResolved;
    resolved.resolved_at = 6000;
    resolved.outcome = AlertOutcome::kVisitedWell;
    ASSERT_TRUE(IsOk(store_->UpdateWelfareAlert(resolved)));

    Result<WelfareAlert> second = store_->CreateWelfareAlert(OpenAlert("p1"));
    ASSERT_TRUE(IsOk(second));
    EXPECT_GT(second->id, first->id);

    // Reopening the first while the second is unresolved breaks the one-alert rule.
    Result<WelfareAlert> stored = store_->GetWelfareAlert(first->id);
    ASSERT_TRUE(IsOk(stored));
    WelfareAlert reopened = *stored;
    reopened.status = AlertStatus::kOpen;
    reopened.resolved_at.reset();
    reopened.outcome.reset();
    EXPECT_EQ(store_->UpdateWelfareAlert(reopened).status().code(), ErrorCode::kAlreadyExists);
}

TEST_F(SqliteWelfareTest, AlertOfUnknownEstateIsFailedPrecondition) {
    WelfareAlert alert = OpenAlert("p1");
    alert.estate_id = "e9";

    Result<WelfareAlert> created = store_->CreateWelfareAlert(alert);

    ASSERT_FALSE(created.ok());
    EXPECT_EQ(created.status().code(), ErrorCode::kFailedPrecondition);
    EXPECT_THAT(created.status().message(), HasSubstr("estate 'e9' not found"));
}

TEST_F(SqliteWelfareTest, InconsistentLifecycleIsRejected) {
    WelfareAlert resolved_without_outcome = OpenAlert("p1");
    resolved_without_outcome.status = AlertStatus::kResolved;
    resolved_without_outcome.resolved_at = 6000;
    EXPECT_EQ(store_->CreateWelfareAlert(resolved_without_outcome).status().code(),
              ErrorCode::kInvalidArgument);

    WelfareAlert acknowledged_without_time = OpenAlert("p1");
    acknowledged_without_time.status = AlertStatus::kAcknowledged;
    EXPECT_EQ(store_->CreateWelfareAlert(acknowledged_without_time).status().code(),
              ErrorCode::kInvalidArgument);

    Lead closed_without_outcome = OpenLead("p1", "{}");
    closed_without_outcome.status = LeadStatus::kClosed;
    closed_without_outcome.closed_at = 6000;
    EXPECT_EQ(store_->CreateLead(closed_without_outcome).status().code(),
              ErrorCode::kInvalidArgument);

    AlertQuery every;
    Result<std::vector<WelfareAlert>> alerts = store_->ListWelfareAlerts(every);
    ASSERT_TRUE(IsOk(alerts));
    EXPECT_TRUE(alerts->empty());
}

TEST_F(SqliteWelfareTest, StaleVersionIsConflict) {
    Result<WelfareAlert> alert = store_->CreateWelfareAlert(OpenAlert("p1"));
    ASSERT_TRUE(IsOk(alert));
    ASSERT_TRUE(IsOk(store_->UpdateWelfareAlert(*alert)));

    Result<WelfareAlert> stale = store_->UpdateWelfareAlert(*alert);
    EXPECT_EQ(stale.status().code(), ErrorCode::kConflict);

    Result<Lead> lead = store_->CreateLead(OpenLead("p1", "{}"));
    ASSERT_TRUE(IsOk(lead));
    ASSERT_TRUE(IsOk(store_->UpdateLead(*lead)));
    EXPECT_EQ(store_->UpdateLead(*lead).status().code(), ErrorCode::kConflict);
    Lead missing = *lead;
    missing.id = 999;
    EXPECT_EQ(store_->UpdateLead(missing).status().code(), ErrorCode::kNotFound);
}

TEST_F(SqliteWelfareTest, LeadOfUnknownEstateIsFailedPrecondition) {
    Lead lead = OpenLead("p1", "{}");
    lead.estate_id = "e9";

    EXPECT_EQ(store_->CreateLead(lead).status().code(), ErrorCode::kFailedPrecondition);
}

TEST_F(SqliteWelfareTest, LeadWithoutEstateIsStored) {
    Lead lead = OpenLead("p1|p2", R"({"person_ids":["p1","p2"]})");
    lead.kind = LeadKind::kDuplicateIdentity;
    lead.estate_id = "";

    Result<Lead> created = store_->CreateLead(lead);

    ASSERT_TRUE(IsOk(created));
    EXPECT_EQ(created->estate_id, "");
    LeadQuery query;
    query.estate_id = "e1";
    Result<std::vector<Lead>> of_e1 = store_->ListLeads(query);
    ASSERT_TRUE(IsOk(of_e1));
    EXPECT_TRUE(of_e1->empty());
}

TEST_F(SqliteWelfareTest, SettingsOutOfRangeAreRejected) {
    Result<EstateWelfareSettings> defaults = store_->GetWelfareSettings("e1");
    ASSERT_TRUE(IsOk(defaults));
    EXPECT_EQ(defaults->version, 0);
    EXPECT_EQ(defaults->unknown_face_retention_days, 14);
    EXPECT_EQ(defaults->min_age, 70);

    EstateWelfareSettings bad = *defaults;
    bad.unknown_face_min_attempts = 1;
    EXPECT_EQ(store_->UpdateWelfareSettings(bad).status().code(), ErrorCode::kInvalidArgument);
    bad = *defaults;
    bad.unknown_face_retention_days = -1;
    EXPECT_EQ(store_->UpdateWelfareSettings(bad).status().code(), ErrorCode::kInvalidArgument);

    Result<EstateWelfareSettings> stored = store_->UpdateWelfareSettings(*defaults);
    ASSERT_TRUE(IsOk(stored));
    EXPECT_EQ(stored->version, 1);
    // A second first write (version 0) and a stale version are conflicts.
    EXPECT_EQ(store_->UpdateWelfareSettings(*defaults).status().code(), ErrorCode::kConflict);
    ASSERT_TRUE(IsOk(store_->UpdateWelfareSettings(*stored)));
    EXPECT_EQ(store_->UpdateWelfareSettings(*stored).status().code(), ErrorCode::kConflict);
    EXPECT_EQ(store_->GetWelfareSettings("e9").status().code(), ErrorCode::kNotFound);
}

TEST_F(SqliteWelfareTest, ListLimitsAreChecked) {
    AlertQuery alerts;
    alerts.limit = 0;
    EXPECT_EQ(store_->ListWelfareAlerts(alerts).status().code(), ErrorCode::kInvalidArgument);
    LeadQuery leads;
    leads.limit = 1001;
    EXPECT_EQ(store_->ListLeads(leads).status().code(), ErrorCode::kInvalidArgument);
    leads.limit = 10;
    leads.before_id = -1;
    EXPECT_EQ(store_->ListLeads(leads).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(SqliteWelfareTest, AlertStatusFilterAndPaging) {
    for (const char* person : {"p1", "p2", "p3"}) {
        if (std::string(person) != "p1") {
            ASSERT_TRUE(IsOk(store_->CreatePerson(::menjin::testing::MakePerson(person, "h1"))));
        }
        ASSERT_TRUE(IsOk(store_->CreateWelfareAlert(OpenAlert(person))));
    }
    Result<WelfareAlert> second = store_->GetWelfareAlert(2);
    ASSERT_TRUE(IsOk(second));
    second->status = AlertStatus::kAcknowledged;
    second->acknowledged_at = 5500;
    ASSERT_TRUE(IsOk(store_->UpdateWelfareAlert(*second)));

    AlertQuery open;
    open.statuses = {AlertStatus::kOpen};
    Result<std::vector<WelfareAlert>> listed = store_->ListWelfareAlerts(open);
    ASSERT_TRUE(IsOk(listed));
    ASSERT_EQ(listed->size(), 2u);
    EXPECT_EQ((*listed)[0].person_id, "p3");
    EXPECT_EQ((*listed)[1].person_id, "p1");

    AlertQuery page;
    page.limit = 1;
    page.before_id = 3;
    Result<std::vector<WelfareAlert>> paged = store_->ListWelfareAlerts(page);
    ASSERT_TRUE(IsOk(paged));
    ASSERT_EQ(paged->size(), 1u);
    EXPECT_EQ((*paged)[0].id, 2);
}

TEST_F(SqliteWelfareTest, PseudonymiseMatchesWholeIdsOnly) {
    ASSERT_TRUE(IsOk(store_->CreatePerson(::menjin::testing::MakePerson("p10", "h1"))));
    ASSERT_TRUE(IsOk(store_->CreateWelfareAlert(OpenAlert("p1"))));
    ASSERT_TRUE(IsOk(store_->CreateWelfareAlert(OpenAlert("p10"))));
    Lead duplicate = OpenLead("p1|p10", R"({"person_ids":["p1","p10"],"note":"p1x"})");
    duplicate.kind = LeadKind::kDuplicateIdentity;
    Result<Lead> lead = store_->CreateLead(duplicate);
    ASSERT_TRUE(IsOk(lead));
    Result<Lead> other = store_->CreateLead(OpenLead("p10", R"({"users":["p10"]})"));
    ASSERT_TRUE(IsOk(other));

    Result<int> changed = store_->PseudonymiseWelfareRecords("p1", "ps-abc");

    ASSERT_TRUE(IsOk(changed));
    EXPECT_EQ(*changed, 2);
    Result<Lead> stored = store_->GetLead(lead->id);
    ASSERT_TRUE(IsOk(stored));
    EXPECT_EQ(stored->subject, "ps-abc|p10");
    EXPECT_EQ(nlohmann::json::parse(stored->evidence),
              nlohmann::json::parse(R"({"person_ids":["ps-abc","p10"],"note":"p1x"})"));
    Result<Lead> untouched = store_->GetLead(other->id);
    ASSERT_TRUE(IsOk(untouched));
    EXPECT_EQ(untouched->subject, "p10");
    EXPECT_EQ(untouched->version, 1);
    AlertQuery query;
    query.person_id = "p10";
    Result<std::vector<WelfareAlert>> p10 = store_->ListWelfareAlerts(query);
    ASSERT_TRUE(IsOk(p10));
    EXPECT_EQ(p10->size(), 1u);
    EXPECT_EQ(store_->PseudonymiseWelfareRecords("", "x").status().code(),
              ErrorCode::kInvalidArgument);
}

TEST_F(SqliteWelfareTest, PseudonymiseRewritesWaitingWebhookMessages) {
    WebhookMessage alert;
    alert.estate_id = "e1";
    alert.event = "alert.raised";
    alert.payload = R"({"event":"alert.raised","person_id":"p1","alert_id":7})";
    WebhookMessage lead = alert;
    lead.event = "lead.raised";
    lead.payload = R"({"event":"lead.raised","person_ids":["p1","p10"]})";
    WebhookMessage other = alert;
    other.payload = R"({"event":"alert.raised","person_id":"p10"})";
    for (const WebhookMessage& message : {alert, lead, other})
        ASSERT_TRUE(IsOk(store_->EnqueueWebhook(message)));

    Result<int> changed = store_->PseudonymiseWelfareRecords("p1", "ps-abc");

    ASSERT_TRUE(IsOk(changed));
    EXPECT_EQ(*changed, 2);
    Result<std::vector<WebhookMessage>> due = store_->ListDueWebhooks(INT64_MAX, 10);
    ASSERT_TRUE(IsOk(due));
    ASSERT_EQ(due->size(), 3u);
    EXPECT_EQ(nlohmann::json::parse((*due)[0].payload)["person_id"], "ps-abc");
    EXPECT_EQ(nlohmann::json::parse((*due)[1].payload)["person_ids"],
              nlohmann::json::parse(R"(["ps-abc","p10"])"));
    EXPECT_EQ(nlohmann::json::parse((*due)[2].payload)["person_id"], "p10");
}

TEST_F(SqliteWelfareTest, PseudonymiseKeepsOtherIdsEqualToPerson) {
    // Ids of different kinds may be equal: here the tenant, the unit and the household are
    // all "u1". Only the person fields change.
    const std::string evidence =
        R"({"household_id":"u1","tenant_person_id":"u1","unit_id":"u1","users":["f1","u1"]})";
    Result<Lead> lead = store_->CreateLead(OpenLead("u1", evidence));
    ASSERT_TRUE(IsOk(lead));

    ASSERT_TRUE(IsOk(store_->PseudonymiseWelfareRecords("u1", "ps-abc")));

    Result<Lead> stored = store_->GetLead(lead->id);
    ASSERT_TRUE(IsOk(stored));
    EXPECT_EQ(stored->subject, "ps-abc");
    const nlohmann::json fields = nlohmann::json::parse(stored->evidence);
    EXPECT_EQ(fields["tenant_person_id"], "ps-abc");
    EXPECT_EQ(fields["users"], nlohmann::json::parse(R"(["f1","ps-abc"])"));
    EXPECT_EQ(fields["unit_id"], "u1");
    EXPECT_EQ(fields["household_id"], "u1");
}

TEST_F(SqliteWelfareTest, AttemptOfUnknownGateIsFailedPrecondition) {
    Result<std::int64_t> added = store_->AddUnknownAttempt(Attempt("g9", 100));

    ASSERT_FALSE(added.ok());
    EXPECT_EQ(added.status().code(), ErrorCode::kFailedPrecondition);
    EXPECT_THAT(added.status().message(), HasSubstr("gate 'g9' not found"));
    UnknownFaceAttempt empty = Attempt("g1", 100);
    empty.values.clear();
    EXPECT_EQ(store_->AddUnknownAttempt(empty).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(SqliteWelfareTest, AttemptsAreSealedAndPurged) {
    Result<std::int64_t> old = store_->AddUnknownAttempt(Attempt("g1", 100));
    Result<std::int64_t> recent = store_->AddUnknownAttempt(Attempt("g1", 200));
    ASSERT_TRUE(IsOk(old));
    ASSERT_TRUE(IsOk(recent));

    Result<std::vector<UnknownFaceAttempt>> listed = store_->ListUnknownAttempts("e1", 150);
    ASSERT_TRUE(IsOk(listed));
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ(listed->front().id, *recent);
    EXPECT_EQ(listed->front().values, Attempt("g1", 0).values);

    Result<int> purged = store_->PurgeUnknownAttemptsBefore("e1", 150);
    ASSERT_TRUE(IsOk(purged));
    EXPECT_EQ(*purged, 1);
    Result<std::vector<UnknownFaceAttempt>> rest = store_->ListUnknownAttempts("e1", 0);
    ASSERT_TRUE(IsOk(rest));
    ASSERT_EQ(rest->size(), 1u);
    EXPECT_EQ(rest->front().id, *recent);
    EXPECT_EQ(store_->PurgeUnknownAttemptsBefore("e9", 150).status().code(), ErrorCode::kNotFound);
}

TEST_F(SqliteWelfareTest, MovedAttemptFailsToOpen) {
    // The sealed template is bound to its row id and estate: copied into another row, it does
    // not decrypt.
    ASSERT_TRUE(IsOk(store_->AddUnknownAttempt(Attempt("g1", 100))));
    ASSERT_TRUE(IsOk(store_->AddUnknownAttempt(Attempt("g1", 200))));
    SqliteConnection raw = RawConnection();
    ASSERT_TRUE(
        IsOk(raw.Execute("UPDATE unknown_face_attempts SET sealed = (SELECT sealed FROM "
                         "unknown_face_attempts WHERE id = 1) WHERE id = 2")));

    Result<std::vector<UnknownFaceAttempt>> listed = store_->ListUnknownAttempts("e1", 0);

    ASSERT_FALSE(listed.ok());
    EXPECT_EQ(listed.status().code(), ErrorCode::kDataLoss);
}

}  // namespace
}  // namespace menjin
