// Enrolment through the access core with the real models: the quality gate, the duplicate
// check, what is stored (template and thumbnail, encrypted) and what is not (the photo).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "service/core_fixture.h"

namespace menjin::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Runs of bytes from the middle of the astronaut JPEG's compressed data: if any of them is in
// a file, the photo was stored.
std::vector<std::vector<std::uint8_t>> PhotoFingerprints(const std::vector<std::uint8_t>& jpeg) {
    std::vector<std::vector<std::uint8_t>> runs;
    for (std::size_t start : {jpeg.size() / 4, jpeg.size() / 2, jpeg.size() * 3 / 4}) {
        runs.emplace_back(jpeg.begin() + start, jpeg.begin() + start + 48);
    }
    return runs;
}

class EnrolmentTest : public AccessCoreTest {
  protected:
    void SetUp() override {
        AccessCoreTest::SetUp();
        if (IsSkipped() || HasFatalFailure())
            return;
        AddEstatesAndUnit();
        ASSERT_TRUE(IsOk(core_->AddResident(MakeResident("p1", "张三明"), 365)));
    }

    Result<EnrolmentResult> Enrol(const std::vector<std::uint8_t>& photo,
                                  const std::string& person_id = "p1") {
        return core_->Enrol(person_id, photo);
    }
};

TEST_F(EnrolmentTest, AstronautIsAccepted) {
    Result<EnrolmentResult> result = Enrol(AstronautJpeg());

    ASSERT_TRUE(IsOk(result));
    EXPECT_TRUE(result->accepted);
    EXPECT_TRUE(result->reasons.empty()) << ::testing::PrintToString(result->reasons);
    EXPECT_EQ(result->faces_found, 1);
    EXPECT_GT(result->template_id, 0);
    ASSERT_TRUE(result->face.has_value());
    EXPECT_TRUE(result->face->quality.passed());
}

TEST_F(EnrolmentTest, StoresOneTemplateOfCoreKind) {
    Result<EnrolmentResult> result = Enrol(AstronautJpeg());
    ASSERT_TRUE(IsOk(result));

    Result<std::vector<FaceTemplateRecord>> templates = core_->store().ListTemplatesOfPerson("p1");
    ASSERT_TRUE(IsOk(templates));
    ASSERT_EQ(templates->size(), 1u);
    const FaceTemplateRecord& stored = templates->front();
    EXPECT_EQ(stored.template_id, result->template_id);
    EXPECT_EQ(stored.template_kind, core_->template_kind());
    EXPECT_EQ(static_cast<int>(stored.values.size()), core_->galleries().dimension());
    EXPECT_EQ(stored.created_at, kStartTime);
}

TEST_F(EnrolmentTest, PutsPersonIntoEstateGallery) {
    ASSERT_TRUE(IsOk(Enrol(AstronautJpeg())));

    EXPECT_TRUE(core_->galleries().ContainsPerson("e1", "p1"));
    EXPECT_TRUE(core_->galleries().ContainsPerson(kAllEstatesGallery, "p1"));
    EXPECT_FALSE(core_->galleries().ContainsPerson("e2", "p1"));
}

TEST_F(EnrolmentTest, ThumbnailIsSealedAndDecryptable) {
    ASSERT_TRUE(IsOk(Enrol(AstronautJpeg())));

    Result<std::optional<std::vector<std::uint8_t>>> thumbnail = core_->store().GetThumbnail("p1");
    ASSERT_TRUE(IsOk(thumbnail));
    ASSERT_TRUE(thumbnail->has_value());
    const cv::Mat decoded = cv::imdecode(**thumbnail, cv::IMREAD_COLOR);
    EXPECT_EQ(decoded.cols, 160);
    EXPECT_EQ(decoded.rows, 160);

    // The row contains ciphertext: not the JPEG, but it opens with the data key.
    const auto sealed = SealedBlobs(db_file(), "thumbnails", "p1");
    ASSERT_EQ(sealed.size(), 1u);
    EXPECT_FALSE(ContainsBytes(
        sealed[0],
        std::vector<std::uint8_t>(thumbnail->value().begin(), thumbnail->value().begin() + 64)));
    Result<std::vector<std::uint8_t>> opened = core_->cipher().Open(sealed[0], "thumbnail:p1");
    ASSERT_TRUE(IsOk(opened));
    EXPECT_EQ(*opened, **thumbnail);
}

TEST_F(EnrolmentTest, PhotoIsNotStored) {
    const std::vector<std::uint8_t> photo = AstronautJpeg();
    ASSERT_TRUE(IsOk(Enrol(photo)));

    for (const char* suffix : {"", "-wal", "-shm"}) {
        const std::vector<std::uint8_t> file = ReadFileBytes(db_file().string() + suffix);
        for (const std::vector<std::uint8_t>& run : PhotoFingerprints(photo)) {
            EXPECT_FALSE(ContainsBytes(file, run)) << "menjin.db" << suffix;
        }
    }
    CloseCore();
    const std::vector<std::uint8_t> file = ReadFileBytes(db_file());
    for (const std::vector<std::uint8_t>& run : PhotoFingerprints(photo)) {
        EXPECT_FALSE(ContainsBytes(file, run)) << "menjin.db after close";
    }
}

TEST_F(EnrolmentTest, PhotoWithoutFaceIsRejected) {
    // The lower part of the portrait: suit and flag, no face.
    const cv::Mat body = AstronautBgr()(cv::Rect(0, 300, 512, 212)).clone();
    const auto before = TableRowCounts(db_file());

    Result<EnrolmentResult> result = Enrol(EncodeJpeg(body));

    ASSERT_TRUE(IsOk(result));
    EXPECT_FALSE(result->accepted);
    EXPECT_THAT(result->reasons, ElementsAre("no_face"));
    EXPECT_EQ(result->faces_found, 0);
    EXPECT_EQ(TableRowCounts(db_file()), before);
}

TEST_F(EnrolmentTest, TwoFacesAreRejected) {
    const cv::Mat face = AstronautBgr();
    cv::Mat pair;
    cv::hconcat(face, face, pair);

    Result<EnrolmentResult> result = Enrol(EncodeJpeg(pair));

    ASSERT_TRUE(IsOk(result));
    EXPECT_FALSE(result->accepted);
    EXPECT_THAT(result->reasons, ElementsAre("multiple_faces"));
    EXPECT_EQ(result->faces_found, 2);
    EXPECT_FALSE(core_->galleries().ContainsPerson("e1", "p1"));
}

TEST_F(EnrolmentTest, TinyFaceIsRejected) {
    // At a quarter of the size the eyes are about 11 px apart, below the enrolment minimum.
    cv::Mat tiny;
    cv::resize(AstronautBgr(), tiny, cv::Size(128, 128), 0, 0, cv::INTER_AREA);

    Result<EnrolmentResult> result = Enrol(EncodeJpeg(tiny));

    ASSERT_TRUE(IsOk(result));
    EXPECT_FALSE(result->accepted);
    EXPECT_THAT(result->reasons, Contains("face_too_small"));
    EXPECT_EQ(result->faces_found, 1);
    EXPECT_EQ(result->template_id, 0);
}

TEST_F(EnrolmentTest, BrokenFileIsUnprocessable) {
    const std::vector<std::uint8_t> jpeg = AstronautJpeg();
    const std::vector<std::uint8_t> truncated(jpeg.begin(), jpeg.begin() + jpeg.size() / 3);
    const std::string text = "this is not an image";
    const std::vector<std::uint8_t> not_image(text.begin(), text.end());
    const auto before = TableRowCounts(db_file());

    for (const auto& photo : {truncated, not_image}) {
        Result<EnrolmentResult> result = Enrol(photo);
        ASSERT_FALSE(result.ok()) << photo.size() << " bytes";
        EXPECT_EQ(result.status().code(), ErrorCode::kUnprocessable) << result.status().ToString();
    }
    EXPECT_EQ(TableRowCounts(db_file()), before);
    EXPECT_FALSE(core_->galleries().ContainsPerson(kAllEstatesGallery, "p1"));
}

TEST_F(EnrolmentTest, UnknownPersonIsNotFound) {
    Result<EnrolmentResult> result = Enrol(AstronautJpeg(), "nobody");

    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), ErrorCode::kNotFound);
    EXPECT_THAT(result.status().message(), HasSubstr("nobody"));
}

TEST_F(EnrolmentTest, SameFaceForSecondPersonIsDuplicate) {
    ASSERT_TRUE(IsOk(Enrol(AstronautJpeg())));
    ASSERT_TRUE(IsOk(core_->AddResident(MakeResident("p2", "李四"), 365)));
    const auto before = TableRowCounts(db_file());

    Result<EnrolmentResult> result = Enrol(AstronautProbeJpeg(), "p2");

    ASSERT_TRUE(IsOk(result));
    EXPECT_FALSE(result->accepted);
    EXPECT_THAT(result->reasons, ElementsAre("already_enrolled"));
    EXPECT_EQ(result->duplicate_person_id, "p1");
    EXPECT_GT(result->duplicate_score, 0.5f);
    EXPECT_EQ(TableRowCounts(db_file()), before);
    EXPECT_FALSE(core_->galleries().ContainsPerson(kAllEstatesGallery, "p2"));
}

TEST_F(EnrolmentTest, SecondPhotoOfSamePersonIsAccepted) {
    ASSERT_TRUE(IsOk(Enrol(AstronautJpeg())));

    Result<EnrolmentResult> result = Enrol(AstronautProbeJpeg());

    ASSERT_TRUE(IsOk(result));
    EXPECT_TRUE(result->accepted) << ::testing::PrintToString(result->reasons);
    Result<std::vector<FaceTemplateRecord>> templates = core_->store().ListTemplatesOfPerson("p1");
    ASSERT_TRUE(IsOk(templates));
    EXPECT_EQ(templates->size(), 2u);
}

TEST_F(EnrolmentTest, RejectedPhotoAddsNoResident) {
    const auto before = TableRowCounts(db_file());
    cv::Mat tiny;
    cv::resize(AstronautBgr(), tiny, cv::Size(128, 128), 0, 0, cv::INTER_AREA);

    Result<EnrolmentResult> result =
        core_->AddResidentAndEnrol(MakeResident("p3", "王五"), 365, EncodeJpeg(tiny));

    ASSERT_TRUE(IsOk(result));
    EXPECT_FALSE(result->accepted);
    EXPECT_EQ(core_->store().GetPerson("p3").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(TableRowCounts(db_file()), before);
}

TEST_F(EnrolmentTest, AddResidentAndEnrolStoresAll) {
    Result<EnrolmentResult> result =
        core_->AddResidentAndEnrol(MakeResident("p3", "王五"), 30, AstronautJpeg());

    ASSERT_TRUE(IsOk(result));
    ASSERT_TRUE(result->accepted) << ::testing::PrintToString(result->reasons);
    EXPECT_TRUE(IsOk(core_->store().GetPerson("p3")));
    Result<AccessGrant> grant = core_->store().GetGrant(AccessCore::DefaultGrantId("p3", "e1"));
    ASSERT_TRUE(IsOk(grant));
    EXPECT_EQ(grant->valid_from, kStartTime);
    EXPECT_EQ(grant->valid_to, kStartTime + 30 * kDay);
    EXPECT_TRUE(core_->galleries().ContainsPerson("e1", "p3"));
}

}  // namespace
}  // namespace menjin::testing
