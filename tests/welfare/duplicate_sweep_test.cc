// LeadFinder::SweepDuplicates with the real recognition engine: two photos of one person of
// the shared photo set enrolled as two people in two estates become one lead.

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_paths.h"
#include "welfare/lead_finder.h"
#include "welfare/welfare_fixture.h"

namespace menjin::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// An identity of the shared photo set with five photos, at least two of which pass the
// enrolment quality check.
constexpr const char* kIdentity = "p0041";

class DuplicateSweepTest : public WelfareTest {
  protected:
    void SetUp() override {
        WelfareTest::SetUp();
        if (IsSkipped() || HasFatalFailure())
            return;
        std::optional<fs::path> faces = SharedFacesDir();
        if (!faces)
            GTEST_SKIP() << "needs the shared photo set (../shared/faces or $MENJIN_FACES_DIR)";
        const fs::path folder = *faces / "identities" / kIdentity;
        if (!fs::is_directory(folder))
            GTEST_SKIP() << "the shared photo set lacks identity " << kIdentity;
        for (const auto& entry : fs::directory_iterator(folder))
            photos_.push_back(entry.path());
        std::sort(photos_.begin(), photos_.end());
        ASSERT_GE(photos_.size(), 2u);
        AddUnit("u2", "e2");
        AddPersonBorn("pa", 1980, "u1");
        AddPersonBorn("pb", 1980, "u2");
    }

    // Enrols the first photo of the identity that passes the quality check for pb (estate e2)
    // and the next such photo for pa (estate e1). The enrolment duplicate check rejects the
    // second person, as it should. So pb is enrolled alone first, and its template is set
    // aside while pa is enrolled and then stored directly, as an import or a restored backup
    // could do.
    void EnrolOneFaceAsTwoPeople() {
        const std::optional<std::size_t> b_photo = EnrolFirstAccepted("pb", 0);
        ASSERT_TRUE(b_photo.has_value()) << "no photo of " << kIdentity << " passes enrolment";
        Result<std::vector<FaceTemplateRecord>> b_templates =
            core_->store().ListTemplatesOfPerson("pb");
        ASSERT_TRUE(IsOk(b_templates));
        ASSERT_EQ(b_templates->size(), 1u);
        FaceTemplateRecord b_template = b_templates->front();
        ASSERT_TRUE(IsOk(core_->store().DeleteTemplatesOfPerson("pb")));
        OpenCore();

        ASSERT_TRUE(EnrolFirstAccepted("pa", *b_photo + 1).has_value())
            << "no second photo of " << kIdentity << " passes enrolment";
        Result<EnrolmentResult> refused = core_->Enrol("pb", ReadFileBytes(photos_[*b_photo]));
        ASSERT_TRUE(IsOk(refused));
        EXPECT_FALSE(refused->accepted);
        EXPECT_THAT(refused->reasons, Contains("already_enrolled"));
        EXPECT_EQ(refused->duplicate_person_id, "pa");

        b_template.template_id = 0;
        ASSERT_TRUE(IsOk(core_->store().AddTemplate(b_template)));
        OpenCore();
    }

    // Enrols the first photo from index `first` on that the core accepts for `person_id` and
    // returns its index; nullopt when none is accepted.
    std::optional<std::size_t> EnrolFirstAccepted(const std::string& person_id, std::size_t first) {
        for (std::size_t i = first; i < photos_.size(); ++i) {
            Result<EnrolmentResult> enrolment = core_->Enrol(person_id, ReadFileBytes(photos_[i]));
            EXPECT_TRUE(IsOk(enrolment));
            if (enrolment.ok() && enrolment->accepted)
                return i;
        }
        return std::nullopt;
    }

    Result<LeadEvaluation> Sweep() { return LeadFinder(*core_).SweepDuplicates(); }

    std::vector<fs::path> photos_;
};

TEST_F(DuplicateSweepTest, OneFaceAsTwoPeopleIsOneLead) {
    EnrolOneFaceAsTwoPeople();
    // A stranger enrolled in e1 forms no pair.
    AddUnit("u3", "e1");
    AddPersonBorn("pc", 1980, "u3");
    Result<EnrolmentResult> stranger = core_->Enrol("pc", AstronautJpeg());
    ASSERT_TRUE(IsOk(stranger));
    ASSERT_TRUE(stranger->accepted);

    Result<LeadEvaluation> sweep = Sweep();

    ASSERT_TRUE(IsOk(sweep));
    EXPECT_EQ(sweep->templates_checked, 3);
    ASSERT_EQ(sweep->raised.size(), 1u);
    Result<Lead> lead = core_->store().GetLead(sweep->raised[0]);
    ASSERT_TRUE(IsOk(lead));
    EXPECT_EQ(lead->kind, LeadKind::kDuplicateIdentity);
    // The two people share no estate, so only centre admins see the lead.
    EXPECT_EQ(lead->estate_id, "");
    EXPECT_EQ(lead->subject, "pa|pb");
    const nlohmann::json evidence = nlohmann::json::parse(lead->evidence);
    EXPECT_THAT(evidence["person_ids"].get<std::vector<std::string>>(), ElementsAre("pa", "pb"));
    Result<Thresholds> thresholds = core_->DuplicateThresholds();
    ASSERT_TRUE(IsOk(thresholds));
    EXPECT_NEAR(evidence["threshold"].get<double>(), thresholds->accept, 1e-6);
    EXPECT_GE(evidence["score"].get<double>(), thresholds->accept);
    EXPECT_EQ(evidence["template_ids"].size(), 2u);
    std::printf("[ measured ] duplicate score %.4f, threshold %.4f\n",
                evidence["score"].get<double>(), thresholds->accept);
}

TEST_F(DuplicateSweepTest, SweepAgainAddsNothing) {
    EnrolOneFaceAsTwoPeople();
    Result<LeadEvaluation> first = Sweep();
    ASSERT_TRUE(IsOk(first));
    ASSERT_EQ(first->raised.size(), 1u);

    Result<LeadEvaluation> second = Sweep();

    ASSERT_TRUE(IsOk(second));
    EXPECT_TRUE(second->raised.empty());
    EXPECT_TRUE(second->updated.empty());
    EXPECT_EQ(Leads(LeadKind::kDuplicateIdentity).size(), 1u);
}

TEST_F(DuplicateSweepTest, ClosedPairStaysClosed) {
    EnrolOneFaceAsTwoPeople();
    Result<LeadEvaluation> first = Sweep();
    ASSERT_TRUE(IsOk(first));
    ASSERT_EQ(first->raised.size(), 1u);
    ASSERT_TRUE(IsOk(
        LeadFinder(*core_).Close(first->raised[0], 1, "admin", LeadOutcome::kConfirmed, "twins")));

    Result<LeadEvaluation> second = Sweep();

    ASSERT_TRUE(IsOk(second));
    EXPECT_TRUE(second->raised.empty());
    EXPECT_TRUE(second->updated.empty());
    EXPECT_EQ(Leads(LeadKind::kDuplicateIdentity).size(), 1u);
}

TEST_F(DuplicateSweepTest, CommonEstateGetsLeadAndWebhook) {
    EnrolOneFaceAsTwoPeople();
    ChangeSettings("e2", [](EstateWelfareSettings& s) { s.webhook_url = "https://127.0.0.1/h"; });
    // pa also has a grant for e2, so both people belong to e2.
    AccessGrant grant;
    grant.id = "pa-e2";
    grant.person_id = "pa";
    grant.estate_id = "e2";
    grant.valid_from = kStartTime;
    grant.valid_to = kStartTime + 30 * kDay;
    ASSERT_TRUE(IsOk(core_->AddGrant(grant)));

    Result<LeadEvaluation> sweep = Sweep();

    ASSERT_TRUE(IsOk(sweep));
    ASSERT_EQ(sweep->raised.size(), 1u);
    Result<Lead> lead = core_->store().GetLead(sweep->raised[0]);
    ASSERT_TRUE(IsOk(lead));
    EXPECT_EQ(lead->estate_id, "e2");
    const std::vector<WebhookMessage> outbox = Outbox(kStartTime);
    ASSERT_EQ(outbox.size(), 1u);
    const nlohmann::json payload = nlohmann::json::parse(outbox[0].payload);
    EXPECT_EQ(payload["kind"], "duplicate_identity");
    EXPECT_THAT(payload["person_ids"].get<std::vector<std::string>>(), ElementsAre("pa", "pb"));
}

TEST_F(DuplicateSweepTest, MoveOutPseudonymisesOneHalf) {
    EnrolOneFaceAsTwoPeople();
    Result<LeadEvaluation> sweep = Sweep();
    ASSERT_TRUE(IsOk(sweep));
    ASSERT_EQ(sweep->raised.size(), 1u);

    Result<DeletionReceipt> receipt = core_->MoveOut("pa", "op-7");

    ASSERT_TRUE(IsOk(receipt));
    Result<Lead> lead = core_->store().GetLead(sweep->raised[0]);
    ASSERT_TRUE(IsOk(lead));
    EXPECT_EQ(lead->subject, receipt->person_pseudonym + "|pb");
    EXPECT_THAT(lead->evidence, Not(HasSubstr("\"pa\"")));
    const nlohmann::json evidence = nlohmann::json::parse(lead->evidence);
    EXPECT_THAT(evidence["person_ids"].get<std::vector<std::string>>(),
                ElementsAre(receipt->person_pseudonym, "pb"));
    for (const auto& [table, rows] : RowsMentioning(db_file(), "pa"))
        EXPECT_EQ(rows, 0) << table;
    // The sweep no longer finds the pair, and the lead is not raised again.
    Result<LeadEvaluation> again = Sweep();
    ASSERT_TRUE(IsOk(again));
    EXPECT_TRUE(again->raised.empty());
}

}  // namespace
}  // namespace menjin::testing
