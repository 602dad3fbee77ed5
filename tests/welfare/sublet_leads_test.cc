// LeadFinder's "tenant absent, unit in use" signal on a real store: synthetic passage
// histories with a ManualClock, the evidence, the lead lifecycle and the move-out.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "welfare/lead_finder.h"
#include "welfare/welfare_fixture.h"

namespace menjin::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr UnixSeconds kHour = 3600;

class SubletLeadsTest : public WelfareTest {
  protected:
    void SetUp() override {
        WelfareTest::SetUp();
        if (IsSkipped() || HasFatalFailure())
            return;
        // Tenant t1 with an enrolled face, and family member f1 without one.
        AddEnrolledResident("t1", "张三明");
        AddPersonBorn("f1", 1990, "u1", PersonRole::kFamilyMember);
    }

    // The tenant passes by face at kStartTime. Then f1 passes every day from day 1 to day
    // `days` at 09:00 local, and the tenant's card is used on days 2, 4 and 6 at 20:00 local.
    void TenantLeavesUnitInUse(int days) {
        Pass("t1", kStartTime);
        for (int day = 1; day <= days; ++day)
            Pass("f1", kStartTime + day * kDay - kHour);
        for (int day : {2, 4, 6})
            Pass("t1", kStartTime + day * kDay + 10 * kHour, "card");
    }

    Result<LeadEvaluation> EvaluateAt(UnixSeconds now) {
        clock_->Set(now);
        return LeadFinder(*core_).EvaluateEstate("e1");
    }

    // Returns the evidence of the only sublet lead; fails the test unless there is one.
    nlohmann::json OnlyEvidence() {
        const std::vector<Lead> leads = Leads(LeadKind::kTenantAbsentUnitInUse);
        EXPECT_EQ(leads.size(), 1u);
        if (leads.empty())
            return nlohmann::json::object();
        return nlohmann::json::parse(leads.front().evidence);
    }
};

TEST_F(SubletLeadsTest, RaisedAfterThirtyWholeDaysWithEvidence) {
    TenantLeavesUnitInUse(10);

    // Day 30 at 23:59 local: 29 whole days without the tenant, and day 30 is not over.
    Result<LeadEvaluation> day30 = EvaluateAt(kStartTime + 31 * kDay - 10 * kHour - 1);
    ASSERT_TRUE(IsOk(day30));
    EXPECT_EQ(day30->households, 1);
    EXPECT_TRUE(day30->raised.empty());

    // Day 31 at 00:00 local: days 1 to 30 were whole days without the tenant.
    Result<LeadEvaluation> day31 = EvaluateAt(kStartTime + 31 * kDay - 10 * kHour);
    ASSERT_TRUE(IsOk(day31));
    ASSERT_EQ(day31->raised.size(), 1u);
    Result<Lead> lead = core_->store().GetLead(day31->raised[0]);
    ASSERT_TRUE(IsOk(lead));
    EXPECT_EQ(lead->kind, LeadKind::kTenantAbsentUnitInUse);
    EXPECT_EQ(lead->estate_id, "e1");
    EXPECT_EQ(lead->subject, "t1");
    EXPECT_EQ(lead->status, LeadStatus::kOpen);
    EXPECT_EQ(lead->raised_at, kStartTime + 31 * kDay - 10 * kHour);
    const nlohmann::json evidence = nlohmann::json::parse(lead->evidence);
    EXPECT_EQ(evidence["household_id"], "u1");
    EXPECT_EQ(evidence["unit_id"], "u1");
    EXPECT_EQ(evidence["tenant_person_id"], "t1");
    EXPECT_EQ(evidence["tenant_last_seen"], FormatUtc(kStartTime));
    EXPECT_EQ(evidence["tenant_absent_days"], 31);
    EXPECT_EQ(evidence["use_passages"], 13);
    EXPECT_EQ(evidence["use_days"], 10);
    EXPECT_THAT(evidence["users"].get<std::vector<std::string>>(), ElementsAre("f1", "t1"));
    EXPECT_EQ(evidence["credentials"]["face"], 10);
    EXPECT_EQ(evidence["credentials"]["card"], 3);
    EXPECT_EQ(evidence["first_use"], FormatUtc(kStartTime + kDay - kHour));
    EXPECT_EQ(evidence["last_use"], FormatUtc(kStartTime + 10 * kDay - kHour));
    EXPECT_EQ(evidence["passage_ids"].size(), 13u);
    // Ids, counts and times only: no name, phone or address.
    EXPECT_THAT(lead->evidence, Not(HasSubstr("张三明")));
    EXPECT_THAT(lead->evidence, Not(HasSubstr("Room")));
}

TEST_F(SubletLeadsTest, OccasionalUseRaisesNothing) {
    // Six days of use are fewer than the seven required.
    TenantLeavesUnitInUse(6);

    Result<LeadEvaluation> evaluation = EvaluateAt(kStartTime + 40 * kDay);

    ASSERT_TRUE(IsOk(evaluation));
    EXPECT_TRUE(evaluation->raised.empty());
}

TEST_F(SubletLeadsTest, EstateThresholdsApply) {
    TenantLeavesUnitInUse(6);
    ChangeSettings("e1", [](EstateWelfareSettings& s) {
        s.sublet_days = 10;
        s.sublet_min_use_days = 5;
        s.sublet_min_use_passages = 9;
    });

    Result<LeadEvaluation> evaluation = EvaluateAt(kStartTime + 11 * kDay);

    ASSERT_TRUE(IsOk(evaluation));
    EXPECT_EQ(evaluation->raised.size(), 1u);
    EXPECT_EQ(OnlyEvidence()["use_passages"], 9);
}

TEST_F(SubletLeadsTest, TenantFaceKeepsTenantPresent) {
    TenantLeavesUnitInUse(10);
    Pass("t1", kStartTime + 12 * kDay);

    Result<LeadEvaluation> evaluation = EvaluateAt(kStartTime + 35 * kDay);

    ASSERT_TRUE(IsOk(evaluation));
    EXPECT_TRUE(evaluation->raised.empty());
}

TEST_F(SubletLeadsTest, TenantWithoutFaceSeenByCard) {
    // A tenant without an enrolled face can only be seen through their credentials, so their
    // card passages count as presence.
    AddUnit("u2", "e1");
    AddPersonBorn("t2", 1980, "u2");
    AddPersonBorn("f2", 1990, "u2", PersonRole::kFamilyMember);
    for (int day = 1; day <= 10; ++day) {
        Pass("f2", kStartTime + day * kDay);
        Pass("t2", kStartTime + day * kDay + kHour, "card");
    }

    Result<LeadEvaluation> evaluation = EvaluateAt(kStartTime + 35 * kDay);

    ASSERT_TRUE(IsOk(evaluation));
    EXPECT_EQ(evaluation->households, 2);
    EXPECT_TRUE(evaluation->raised.empty());
}

TEST_F(SubletLeadsTest, DeniedPassagesAreNotUse) {
    Pass("t1", kStartTime);
    for (int day = 1; day <= 10; ++day)
        Pass("f1", kStartTime + day * kDay, "face", "g1", DecisionBand::kDeny);

    Result<LeadEvaluation> evaluation = EvaluateAt(kStartTime + 35 * kDay);

    ASSERT_TRUE(IsOk(evaluation));
    EXPECT_TRUE(evaluation->raised.empty());
}

TEST_F(SubletLeadsTest, OpenLeadIsRefreshedNotDuplicated) {
    TenantLeavesUnitInUse(10);
    Result<LeadEvaluation> first = EvaluateAt(kStartTime + 31 * kDay);
    ASSERT_TRUE(IsOk(first));
    ASSERT_EQ(first->raised.size(), 1u);

    // Nothing changed at the same instant: neither raised nor updated.
    Result<LeadEvaluation> same = EvaluateAt(kStartTime + 31 * kDay);
    ASSERT_TRUE(IsOk(same));
    EXPECT_TRUE(same->raised.empty());
    EXPECT_TRUE(same->updated.empty());

    Pass("f1", kStartTime + 31 * kDay);
    Result<LeadEvaluation> later = EvaluateAt(kStartTime + 32 * kDay);
    ASSERT_TRUE(IsOk(later));
    EXPECT_TRUE(later->raised.empty());
    EXPECT_THAT(later->updated, ElementsAre(first->raised[0]));
    const nlohmann::json evidence = OnlyEvidence();
    EXPECT_EQ(evidence["use_passages"], 14);
    EXPECT_EQ(evidence["tenant_absent_days"], 32);
    Result<Lead> lead = core_->store().GetLead(first->raised[0]);
    ASSERT_TRUE(IsOk(lead));
    EXPECT_EQ(lead->raised_at, kStartTime + 31 * kDay);
    EXPECT_EQ(lead->updated_at, kStartTime + 32 * kDay);
    EXPECT_EQ(lead->version, 2);
}

TEST_F(SubletLeadsTest, ClosedLeadNotRaisedForSameAbsence) {
    TenantLeavesUnitInUse(10);
    Result<LeadEvaluation> first = EvaluateAt(kStartTime + 31 * kDay);
    ASSERT_TRUE(IsOk(first));
    ASSERT_EQ(first->raised.size(), 1u);
    clock_->Set(kStartTime + 32 * kDay);
    Result<Lead> closed =
        LeadFinder(*core_).Close(first->raised[0], 1, "op-1", LeadOutcome::kNoIssue, "abroad");
    ASSERT_TRUE(IsOk(closed));
    EXPECT_EQ(closed->status, LeadStatus::kClosed);
    EXPECT_EQ(closed->closed_by, "op-1");
    EXPECT_EQ(closed->closed_at, kStartTime + 32 * kDay);
    EXPECT_EQ(closed->outcome, LeadOutcome::kNoIssue);
    EXPECT_EQ(closed->close_note, "abroad");

    // The same absence goes on, with more use: no new lead.
    for (int day = 33; day <= 45; ++day)
        Pass("f1", kStartTime + day * kDay);
    Result<LeadEvaluation> same_absence = EvaluateAt(kStartTime + 46 * kDay);
    ASSERT_TRUE(IsOk(same_absence));
    EXPECT_TRUE(same_absence->raised.empty());
    EXPECT_TRUE(same_absence->updated.empty());

    // The tenant comes back on day 50, then leaves again: a new absence, a new lead.
    Pass("t1", kStartTime + 50 * kDay);
    for (int day = 51; day <= 62; ++day)
        Pass("f1", kStartTime + day * kDay);
    Result<LeadEvaluation> new_absence = EvaluateAt(kStartTime + 81 * kDay);
    ASSERT_TRUE(IsOk(new_absence));
    ASSERT_EQ(new_absence->raised.size(), 1u);
    EXPECT_NE(new_absence->raised[0], first->raised[0]);
    EXPECT_EQ(Leads(LeadKind::kTenantAbsentUnitInUse).size(), 2u);
}

TEST_F(SubletLeadsTest, CloseChecksVersionAndState) {
    TenantLeavesUnitInUse(10);
    Result<LeadEvaluation> first = EvaluateAt(kStartTime + 31 * kDay);
    ASSERT_TRUE(IsOk(first));
    ASSERT_EQ(first->raised.size(), 1u);
    const std::int64_t id = first->raised[0];
    LeadFinder finder(*core_);

    EXPECT_EQ(finder.Close(id, 7, "op-1", LeadOutcome::kConfirmed, "").status().code(),
              ErrorCode::kConflict);
    ASSERT_TRUE(IsOk(finder.Close(id, 1, "op-1", LeadOutcome::kConfirmed, "")));
    EXPECT_EQ(finder.Close(id, 2, "op-1", LeadOutcome::kOther, "").status().code(),
              ErrorCode::kFailedPrecondition);
    EXPECT_EQ(finder.Close(999, 1, "op-1", LeadOutcome::kOther, "").status().code(),
              ErrorCode::kNotFound);
}

TEST_F(SubletLeadsTest, LeadAndWebhookMessageTogether) {
    ChangeSettings("e1", [](EstateWelfareSettings& s) { s.webhook_url = "https://127.0.0.1/h"; });
    TenantLeavesUnitInUse(10);

    Result<LeadEvaluation> evaluation = EvaluateAt(kStartTime + 31 * kDay);

    ASSERT_TRUE(IsOk(evaluation));
    ASSERT_EQ(evaluation->raised.size(), 1u);
    const std::vector<WebhookMessage> outbox = Outbox(kStartTime + 31 * kDay);
    ASSERT_EQ(outbox.size(), 1u);
    EXPECT_EQ(outbox[0].event, "lead.raised");
    const nlohmann::json payload = nlohmann::json::parse(outbox[0].payload);
    EXPECT_EQ(payload["lead_id"], evaluation->raised[0]);
    EXPECT_EQ(payload["kind"], "tenant_absent_unit_in_use");
    EXPECT_THAT(payload["person_ids"].get<std::vector<std::string>>(), ElementsAre("t1"));
}

TEST_F(SubletLeadsTest, MoveOutPseudonymisesLead) {
    TenantLeavesUnitInUse(10);
    Result<LeadEvaluation> evaluation = EvaluateAt(kStartTime + 31 * kDay);
    ASSERT_TRUE(IsOk(evaluation));
    ASSERT_EQ(evaluation->raised.size(), 1u);

    Result<DeletionReceipt> receipt = core_->MoveOut("t1", "op-7");

    ASSERT_TRUE(IsOk(receipt));
    Result<Lead> lead = core_->store().GetLead(evaluation->raised[0]);
    ASSERT_TRUE(IsOk(lead));
    EXPECT_EQ(lead->subject, receipt->person_pseudonym);
    EXPECT_THAT(lead->evidence, Not(HasSubstr("\"t1\"")));
    const nlohmann::json evidence = nlohmann::json::parse(lead->evidence);
    EXPECT_EQ(evidence["tenant_person_id"], receipt->person_pseudonym);
    EXPECT_THAT(evidence["users"].get<std::vector<std::string>>(),
                ::testing::UnorderedElementsAre("f1", receipt->person_pseudonym));
    // The lead stays for staff to close; its counts are kept.
    EXPECT_EQ(lead->status, LeadStatus::kOpen);
    EXPECT_EQ(evidence["use_passages"], 13);
    for (const auto& [table, rows] : RowsMentioning(db_file(), "t1"))
        EXPECT_EQ(rows, 0) << table;
}

TEST_F(SubletLeadsTest, UnknownEstateIsNotFound) {
    Result<LeadEvaluation> evaluation = LeadFinder(*core_).EvaluateEstate("e9");

    ASSERT_FALSE(evaluation.ok());
    EXPECT_EQ(evaluation.status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace menjin::testing
