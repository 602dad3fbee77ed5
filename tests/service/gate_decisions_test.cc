// Gate decisions through the access core with the real models: search in the gate's estate
// only, grant checks on the matched person, alternative credentials and the passage log.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "domain/schedule_text.h"
#include "service/core_fixture.h"
#include "support/test_paths.h"

namespace menjin::testing {
namespace {

namespace fs = std::filesystem;

class GateDecisionsTest : public AccessCoreTest {
  protected:
    void SetUp() override {
        AccessCoreTest::SetUp();
        if (IsSkipped() || HasFatalFailure())
            return;
        AddEstatesAndUnit();
        AddCompany();
    }

    // Adds courier s1, verified for `estates`, and enrols the astronaut for them.
    void AddEnrolledCourier(const std::vector<std::string>& estates) {
        Person courier;
        courier.id = "s1";
        courier.name = "刘快递";
        courier.role = PersonRole::kServiceStaff;
        ASSERT_TRUE(IsOk(core_->AddPerson(courier)));
        ASSERT_TRUE(IsOk(core_->AddServiceStaffWithGrants(MakeStaff("s1", estates))));
        Result<EnrolmentResult> enrolment = core_->Enrol("s1", AstronautJpeg());
        ASSERT_TRUE(IsOk(enrolment));
        ASSERT_TRUE(enrolment->accepted);
    }

    // Returns the logged passage of `outcome`.
    Passage LoggedPassage(const GateOutcome& outcome) {
        PassageQuery query;
        query.before_id = outcome.passage_id + 1;
        query.limit = 1;
        Result<std::vector<Passage>> passages = core_->store().QueryPassages(query);
        EXPECT_TRUE(IsOk(passages));
        if (!passages.ok() || passages->empty() || passages->front().id != outcome.passage_id) {
            ADD_FAILURE() << "no passage " << outcome.passage_id;
            return {};
        }
        return passages->front();
    }

    // Checks that the passage of `outcome` records exactly that decision.
    void ExpectLogged(const GateOutcome& outcome, const std::string& credential) {
        const Passage passage = LoggedPassage(outcome);
        EXPECT_EQ(passage.gate_id, outcome.gate_id);
        EXPECT_EQ(passage.estate_id, outcome.estate_id);
        EXPECT_EQ(passage.at, clock_->Now());
        EXPECT_EQ(passage.direction, GateDirection::kEntry);
        EXPECT_EQ(passage.person_id, outcome.decision.person_id);
        EXPECT_TRUE(passage.pseudonym.empty());
        EXPECT_EQ(passage.band, outcome.decision.band);
        EXPECT_EQ(passage.reason, outcome.decision.reason);
        EXPECT_NEAR(passage.score, outcome.decision.score, 1e-6);
        EXPECT_EQ(passage.credential, credential);
    }
};

TEST_F(GateDecisionsTest, ResidentGrantedAtOwnEstate) {
    AddEnrolledResident("p1", "张三明");

    const GateOutcome outcome = DecideFace("g1", AstronautProbeJpeg());

    EXPECT_EQ(outcome.decision.band, DecisionBand::kGrant);
    EXPECT_EQ(outcome.decision.reason, "granted");
    EXPECT_EQ(outcome.decision.person_id, "p1");
    EXPECT_EQ(outcome.display_name, "张○明");
    EXPECT_TRUE(outcome.has_thumbnail);
    EXPECT_EQ(outcome.gate_id, "g1");
    EXPECT_EQ(outcome.estate_id, "e1");
    EXPECT_EQ(outcome.frames_received, 1);
    EXPECT_EQ(outcome.frames_usable, 1);
    EXPECT_EQ(outcome.thresholds.gallery_people, 1);
    EXPECT_GE(outcome.decision.score, outcome.thresholds.accept);
    EXPECT_GT(outcome.passage_id, 0);
    ExpectLogged(outcome, "face");
}

TEST_F(GateDecisionsTest, ResidentUnknownAtOtherEstate) {
    AddEnrolledResident("p1", "张三明");

    const GateOutcome outcome = DecideFace("g2", AstronautProbeJpeg());

    EXPECT_EQ(outcome.decision.band, DecisionBand::kDeny);
    EXPECT_EQ(outcome.decision.reason, "unknown_face");
    EXPECT_TRUE(outcome.decision.person_id.empty());
    EXPECT_TRUE(outcome.display_name.empty());
    EXPECT_FALSE(outcome.has_thumbnail);
    EXPECT_EQ(outcome.thresholds.gallery_people, 1);
    ExpectLogged(outcome, "face");
}

TEST_F(GateDecisionsTest, StrangersAreDenied) {
    MENJIN_REQUIRE_FACES(faces);
    AddEnrolledResident("p1", "张三明");

    int strangers = 0;
    for (const auto& folder : fs::directory_iterator(faces / "distractors")) {
        for (const auto& photo : fs::directory_iterator(folder.path())) {
            Result<GateOutcome> outcome = core_->DecideFaces("g1", {ReadFileBytes(photo.path())});
            if (!outcome.ok() && outcome.status().code() == ErrorCode::kUnprocessable)
                continue;
            ASSERT_TRUE(IsOk(outcome)) << photo.path().filename();
            ++strangers;
            const std::string label = folder.path().filename().string();
            EXPECT_NE(outcome->decision.band, DecisionBand::kGrant) << label;
            EXPECT_TRUE(outcome->decision.person_id.empty()) << label;
            EXPECT_TRUE(outcome->display_name.empty()) << label;
        }
    }
    EXPECT_GE(strangers, 40);
}

TEST_F(GateDecisionsTest, StrangerKeepsOnlyEncryptedTemplate) {
    MENJIN_REQUIRE_FACES(faces);
    AddEnrolledResident("p1", "张三明");
    const fs::path stranger = *fs::directory_iterator(faces / "distractors");
    const fs::path photo = *fs::directory_iterator(stranger);
    auto before = TableRowCounts(db_file());

    const GateOutcome outcome = DecideFace("g1", ReadFileBytes(photo));

    EXPECT_EQ(outcome.decision.band, DecisionBand::kDeny);
    EXPECT_EQ(outcome.decision.reason, "unknown_face");
    ExpectLogged(outcome, "face");
    // With the default retention window of 14 days the decision adds the passage and one
    // unknown-face template, and no image.
    before["passages"] += 1;
    before["unknown_face_attempts"] += 1;
    EXPECT_EQ(TableRowCounts(db_file()), before);
    Result<std::vector<UnknownFaceAttempt>> kept =
        core_->store().ListUnknownAttempts("e1", kStartTime - kDay);
    ASSERT_TRUE(IsOk(kept));
    ASSERT_EQ(kept->size(), 1u);
    EXPECT_EQ(kept->front().passage_id, outcome.passage_id);
    EXPECT_EQ(kept->front().gate_id, "g1");
    EXPECT_EQ(kept->front().at, kStartTime);
    EXPECT_FALSE(kept->front().values.empty());
    // The template is sealed: its plaintext bytes are in neither the database nor its WAL.
    std::vector<std::uint8_t> files = ReadFileBytes(db_file());
    const std::vector<std::uint8_t> wal = ReadFileBytes(db_file().string() + "-wal");
    files.insert(files.end(), wal.begin(), wal.end());
    EXPECT_FALSE(ContainsBytes(files, FloatBytes(kept->front().values)));
}

TEST_F(GateDecisionsTest, StrangerLeavesOnlyPassage) {
    MENJIN_REQUIRE_FACES(faces);
    AddEnrolledResident("p1", "张三明");
    Result<EstateWelfareSettings> settings = core_->store().GetWelfareSettings("e1");
    ASSERT_TRUE(IsOk(settings));
    settings->unknown_face_retention_days = 0;
    ASSERT_TRUE(IsOk(core_->store().UpdateWelfareSettings(*settings)));
    const fs::path stranger = *fs::directory_iterator(faces / "distractors");
    const fs::path photo = *fs::directory_iterator(stranger);
    auto before = TableRowCounts(db_file());

    const GateOutcome outcome = DecideFace("g1", ReadFileBytes(photo));

    EXPECT_EQ(outcome.decision.band, DecisionBand::kDeny);
    EXPECT_EQ(outcome.decision.reason, "unknown_face");
    ExpectLogged(outcome, "face");
    // With retention off the decision adds one passage row and nothing else: no template, no
    // image.
    before["passages"] += 1;
    EXPECT_EQ(TableRowCounts(db_file()), before);
}

TEST_F(GateDecisionsTest, ExpiredGrantIsDenied) {
    AddEnrolledResident("p1", "张三明");
    clock_->Advance(366 * kDay);

    const GateOutcome outcome = DecideFace("g1", AstronautProbeJpeg());

    EXPECT_EQ(outcome.decision.band, DecisionBand::kDeny);
    EXPECT_EQ(outcome.decision.reason, "grant_expired");
    EXPECT_EQ(outcome.decision.person_id, "p1");
    EXPECT_TRUE(outcome.display_name.empty());
    ExpectLogged(outcome, "face");
}

TEST_F(GateDecisionsTest, ScheduleIsCheckedInEstateTime) {
    AddEnrolledResident("p1", "张三明");
    ASSERT_TRUE(IsOk(core_->RemoveGrant(AccessCore::DefaultGrantId("p1", "e1"))));
    AccessGrant grant;
    grant.id = "daytime";
    grant.person_id = "p1";
    grant.estate_id = "e1";
    grant.valid_from = kStartTime - kDay;
    grant.valid_to = kStartTime + 30 * kDay;
    Result<WeeklySchedule> schedule = ParseWeeklySchedule("mon-fri 07:00-19:00");
    ASSERT_TRUE(IsOk(schedule));
    grant.schedule = *schedule;
    ASSERT_TRUE(IsOk(core_->AddGrant(grant)));
    const std::vector<std::uint8_t> probe = AstronautProbeJpeg();

    // Wednesday 10:00 in Shanghai.
    EXPECT_EQ(DecideFace("g1", probe).decision.band, DecisionBand::kGrant);
    // Wednesday 23:00 in Shanghai, but still 15:00 UTC, inside the hours in UTC.
    clock_->Set(kStartTime + 13 * 3600);
    const GateOutcome late = DecideFace("g1", probe);
    EXPECT_EQ(late.decision.band, DecisionBand::kDeny);
    EXPECT_EQ(late.decision.reason, "outside_schedule");
    EXPECT_EQ(late.decision.person_id, "p1");
    // Saturday 10:00 in Shanghai.
    clock_->Set(kStartTime + 3 * kDay);
    EXPECT_EQ(DecideFace("g1", probe).decision.reason, "outside_schedule");
}

TEST_F(GateDecisionsTest, StaffValidityEndedIsDenied) {
    AddEnrolledCourier({"e1"});
    EXPECT_EQ(DecideFace("g1", AstronautProbeJpeg()).decision.band, DecisionBand::kGrant);

    clock_->Advance(51 * kDay);
    const GateOutcome outcome = DecideFace("g1", AstronautProbeJpeg());

    EXPECT_EQ(outcome.decision.band, DecisionBand::kDeny);
    EXPECT_EQ(outcome.decision.reason, "staff_validity_ended");
    EXPECT_EQ(outcome.decision.person_id, "s1");
}

TEST_F(GateDecisionsTest, CourierInBothEstateGalleries) {
    AddEnrolledCourier({"e1", "e2"});

    EXPECT_TRUE(core_->galleries().ContainsPerson("e1", "s1"));
    EXPECT_TRUE(core_->galleries().ContainsPerson("e2", "s1"));
    for (const char* gate : {"g1", "g2"}) {
        const GateOutcome outcome = DecideFace(gate, AstronautProbeJpeg());
        EXPECT_EQ(outcome.decision.band, DecisionBand::kGrant) << gate;
        EXPECT_EQ(outcome.decision.person_id, "s1") << gate;
        EXPECT_EQ(outcome.display_name, "刘○递") << gate;
    }
}

TEST_F(GateDecisionsTest, RemovedGrantLeavesGalleryAtOnce) {
    AddEnrolledCourier({"e1", "e2"});

    ASSERT_TRUE(IsOk(core_->RemoveGrant(AccessCore::DefaultGrantId("s1", "e2"))));

    EXPECT_FALSE(core_->galleries().ContainsPerson("e2", "s1"));
    EXPECT_TRUE(core_->galleries().ContainsPerson("e1", "s1"));
    EXPECT_TRUE(core_->galleries().ContainsPerson(kAllEstatesGallery, "s1"));
    const GateOutcome other = DecideFace("g2", AstronautProbeJpeg());
    EXPECT_EQ(other.decision.band, DecisionBand::kDeny);
    EXPECT_EQ(other.decision.reason, "unknown_face");
    EXPECT_EQ(DecideFace("g1", AstronautProbeJpeg()).decision.band, DecisionBand::kGrant);
}

TEST_F(GateDecisionsTest, RemovingOneOfTwoGrantsKeepsGallery) {
    AddEnrolledResident("p1", "张三明");
    AccessGrant second;
    second.id = "second";
    second.person_id = "p1";
    second.estate_id = "e1";
    second.valid_from = kStartTime;
    second.valid_to = kStartTime + 10 * kDay;
    ASSERT_TRUE(IsOk(core_->AddGrant(second)));

    ASSERT_TRUE(IsOk(core_->RemoveGrant(AccessCore::DefaultGrantId("p1", "e1"))));

    EXPECT_TRUE(core_->galleries().ContainsPerson("e1", "p1"));
    EXPECT_EQ(DecideFace("g1", AstronautProbeJpeg()).decision.band, DecisionBand::kGrant);
}

TEST_F(GateDecisionsTest, UnknownGateIsNotFound) {
    Result<GateOutcome> outcome = core_->DecideFaces("g9", {AstronautJpeg()});

    ASSERT_FALSE(outcome.ok());
    EXPECT_EQ(outcome.status().code(), ErrorCode::kNotFound);
}

TEST_F(GateDecisionsTest, FrameCountIsLimited) {
    const std::vector<std::uint8_t> frame = AstronautJpeg();
    const std::vector<std::span<const std::uint8_t>> too_many(11, frame);

    EXPECT_EQ(core_->DecideFaces("g1", {}).status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(core_->DecideFaces("g1", too_many).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(GateDecisionsTest, FramesOfOneApproachAreFused) {
    AddEnrolledResident("p1", "张三明");
    cv::Mat body = AstronautBgr()(cv::Rect(0, 300, 512, 212)).clone();
    const std::vector<std::uint8_t> no_face = EncodeJpeg(body);
    const std::vector<std::uint8_t> probe = AstronautProbeJpeg();
    const std::vector<std::uint8_t> original = AstronautJpeg();

    Result<GateOutcome> outcome = core_->DecideFaces("g1", {probe, no_face, original});

    ASSERT_TRUE(IsOk(outcome));
    EXPECT_EQ(outcome->frames_received, 3);
    EXPECT_EQ(outcome->frames_usable, 2);
    EXPECT_EQ(outcome->decision.band, DecisionBand::kGrant);
}

TEST_F(GateDecisionsTest, NoUsableFaceAsksForRetry) {
    AddEnrolledResident("p1", "张三明");
    cv::Mat body = AstronautBgr()(cv::Rect(0, 300, 512, 212)).clone();

    const GateOutcome outcome = DecideFace("g1", EncodeJpeg(body));

    EXPECT_EQ(outcome.decision.band, DecisionBand::kRetry);
    EXPECT_EQ(outcome.decision.reason, "no_usable_face");
    EXPECT_EQ(outcome.frames_usable, 0);
    ExpectLogged(outcome, "face");
}

TEST_F(GateDecisionsTest, CardFollowsGrants) {
    ASSERT_TRUE(IsOk(core_->AddResident(MakeResident("p1", "张三明"), 365)));
    ASSERT_TRUE(IsOk(core_->AddAltCredential("p1", CredentialKind::kCard, "CARD-00012345")));

    Result<GateOutcome> granted =
        core_->DecideCredential("g1", CredentialKind::kCard, "CARD-00012345");
    ASSERT_TRUE(IsOk(granted));
    EXPECT_EQ(granted->decision.band, DecisionBand::kGrant);
    EXPECT_EQ(granted->decision.reason, "granted");
    EXPECT_EQ(granted->decision.person_id, "p1");
    EXPECT_EQ(granted->display_name, "张○明");
    EXPECT_FALSE(granted->has_thumbnail);
    ExpectLogged(*granted, "card");

    Result<GateOutcome> other_estate =
        core_->DecideCredential("g2", CredentialKind::kCard, "CARD-00012345");
    ASSERT_TRUE(IsOk(other_estate));
    EXPECT_EQ(other_estate->decision.band, DecisionBand::kDeny);
    EXPECT_EQ(other_estate->decision.reason, "no_grant");

    ASSERT_TRUE(IsOk(core_->RemoveGrant(AccessCore::DefaultGrantId("p1", "e1"))));
    Result<GateOutcome> removed =
        core_->DecideCredential("g1", CredentialKind::kCard, "CARD-00012345");
    ASSERT_TRUE(IsOk(removed));
    EXPECT_EQ(removed->decision.band, DecisionBand::kDeny);
    EXPECT_EQ(removed->decision.reason, "no_grant");
    EXPECT_EQ(removed->decision.person_id, "p1");
    EXPECT_TRUE(removed->display_name.empty());
    ExpectLogged(*removed, "card");
}

TEST_F(GateDecisionsTest, CardIsNotPin) {
    ASSERT_TRUE(IsOk(core_->AddResident(MakeResident("p1", "张三明"), 365)));
    ASSERT_TRUE(IsOk(core_->AddAltCredential("p1", CredentialKind::kCard, "12345678")));

    Result<GateOutcome> outcome = core_->DecideCredential("g1", CredentialKind::kPin, "12345678");

    ASSERT_TRUE(IsOk(outcome));
    EXPECT_EQ(outcome->decision.reason, "unknown_credential");
}

TEST_F(GateDecisionsTest, UnknownCardIsDenied) {
    Result<GateOutcome> outcome =
        core_->DecideCredential("g1", CredentialKind::kCard, "CARD-99999999");

    ASSERT_TRUE(IsOk(outcome));
    EXPECT_EQ(outcome->decision.band, DecisionBand::kDeny);
    EXPECT_EQ(outcome->decision.reason, "unknown_credential");
    EXPECT_TRUE(outcome->decision.person_id.empty());
    ExpectLogged(*outcome, "card");
}

TEST_F(GateDecisionsTest, EveryDecisionIsLogged) {
    AddEnrolledResident("p1", "张三明");
    ASSERT_TRUE(IsOk(core_->AddAltCredential("p1", CredentialKind::kQrToken, "qr-token-0001")));

    std::vector<std::int64_t> ids;
    ids.push_back(DecideFace("g1", AstronautProbeJpeg()).passage_id);
    clock_->Advance(60);
    ids.push_back(DecideFace("g2", AstronautProbeJpeg()).passage_id);
    clock_->Advance(60);
    Result<GateOutcome> qr =
        core_->DecideCredential("g1", CredentialKind::kQrToken, "qr-token-0001");
    ASSERT_TRUE(IsOk(qr));
    ids.push_back(qr->passage_id);

    PassageQuery query;
    Result<std::vector<Passage>> passages = core_->store().QueryPassages(query);
    ASSERT_TRUE(IsOk(passages));
    ASSERT_EQ(passages->size(), 3u);
    // Newest first.
    EXPECT_EQ((*passages)[0].id, ids[2]);
    EXPECT_EQ((*passages)[0].credential, "qr");
    EXPECT_EQ((*passages)[0].at, kStartTime + 120);
    EXPECT_EQ((*passages)[1].id, ids[1]);
    EXPECT_EQ((*passages)[1].estate_id, "e2");
    EXPECT_TRUE((*passages)[1].person_id.empty());
    EXPECT_EQ((*passages)[2].id, ids[0]);
    EXPECT_EQ((*passages)[2].person_id, "p1");
    EXPECT_EQ((*passages)[2].band, DecisionBand::kGrant);
}

}  // namespace
}  // namespace menjin::testing
