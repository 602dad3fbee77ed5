// Checks detection over the detection index of the shared photo set. Each file must give its
// expected face count, EXIF-rotated files must give upright faces, broken and unsupported files
// must fail with a clear error, and negatives must give no faces. The tests skip when the shared
// photos or the built models are absent.

#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <numbers>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "frames/image_decoder.h"
#include "support/test_paths.h"
#include "vision/face_pipeline.h"

namespace menjin {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// One row of detection_index.tsv, with the file relative to the photo folder, its category, the
// expected face count when known and comma-separated tags.
struct IndexRow {
    std::string file;
    std::string category;
    std::optional<int> expected_faces;
    std::string tags;
};

std::vector<std::string> SplitTabs(const std::string& line) {
    std::vector<std::string> fields;
    std::stringstream stream(line);
    std::string field;
    while (std::getline(stream, field, '\t'))
        fields.push_back(field);
    return fields;
}

// Reads the index, whose header row names the columns file, category, expected_faces and tags.
std::vector<IndexRow> ReadDetectionIndex(const fs::path& path) {
    std::ifstream in(path);
    std::vector<IndexRow> rows;
    std::string line;
    if (!std::getline(in, line)) {
        ADD_FAILURE() << "cannot read detection index '" << path.string() << "'";
        return rows;
    }
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty())
            continue;
        std::vector<std::string> fields = SplitTabs(line);
        fields.resize(4);
        IndexRow row{fields[0], fields[1], std::nullopt, fields[3]};
        if (!fields[2].empty())
            row.expected_faces = std::stoi(fields[2]);
        rows.push_back(row);
    }
    return rows;
}

bool IsGif(const IndexRow& row) {
    return fs::path(row.file).extension() == ".gif";
}

// Returns true for every file that should decode, which excludes the deliberately broken files
// and GIFs.
bool ShouldDecode(const IndexRow& row) {
    return row.category != "broken" && !IsGif(row);
}

// Returns the allowed difference between found and expected face counts. Group photos with many
// faces contain small and partly hidden faces, so their count may be off by one.
int AllowedCountError(int expected) {
    return expected >= 5 ? 1 : 0;
}

// Face counts of one category over the rows with an expected count.
struct CategoryTally {
    int files = 0;
    int expected = 0;
    int found = 0;
    int mismatches = 0;
};

class DetectionAcceptanceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        MENJIN_REQUIRE_FACES(faces);
        MENJIN_REQUIRE_MODELS(models);
        faces_dir_ = faces;
        rows_ = ReadDetectionIndex(faces / "detection_index.tsv");
        ASSERT_FALSE(rows_.empty());
        Result<ModelManifest> manifest = ModelManifest::Load(models / "manifest.json");
        ASSERT_TRUE(manifest.ok()) << manifest.status().message();
        Result<std::unique_ptr<FacePipeline>> pipeline = FacePipeline::Create(*manifest, {});
        ASSERT_TRUE(pipeline.ok()) << pipeline.status().message();
        pipeline_ = std::move(pipeline).value();
    }

    Result<DecodedImage> Decode(const IndexRow& row) const {
        return DecodeImageFile(faces_dir_ / row.file, DecodeLimits{});
    }

    // Decodes `row`'s image and detects its faces. Returns nullopt after recording a failure when
    // either step fails.
    std::optional<std::vector<DetectedFace>> Detect(const IndexRow& row) {
        Result<DecodedImage> image = Decode(row);
        if (!image.ok()) {
            ADD_FAILURE() << row.file << ": " << image.status().message();
            return std::nullopt;
        }
        Result<std::vector<DetectedFace>> faces = pipeline_->Detect(image->bgr);
        if (!faces.ok()) {
            ADD_FAILURE() << row.file << ": " << faces.status().message();
            return std::nullopt;
        }
        return std::move(faces).value();
    }

    fs::path faces_dir_;
    std::vector<IndexRow> rows_;
    std::unique_ptr<FacePipeline> pipeline_;
};

TEST_F(DetectionAcceptanceTest, FaceCountsMatchIndex) {
    std::map<std::string, CategoryTally> tallies;
    for (const IndexRow& row : rows_) {
        if (!row.expected_faces || !ShouldDecode(row))
            continue;
        const std::optional<std::vector<DetectedFace>> faces = Detect(row);
        const int expected = *row.expected_faces;
        const int found = faces ? static_cast<int>(faces->size()) : -1;
        const bool matches = faces && std::abs(found - expected) <= AllowedCountError(expected);
        EXPECT_TRUE(matches) << row.file << ": expected " << expected << " faces, found " << found;
        CategoryTally& tally = tallies[row.category];
        ++tally.files;
        tally.expected += expected;
        tally.found += std::max(found, 0);
        if (!matches)
            ++tally.mismatches;
    }

    std::cout << std::left << std::setw(26) << "category" << std::right << std::setw(6) << "files"
              << std::setw(10) << "expected" << std::setw(7) << "found" << std::setw(12)
              << "mismatches"
              << "\n";
    for (const auto& [category, tally] : tallies) {
        std::cout << std::left << std::setw(26) << category << std::right << std::setw(6)
                  << tally.files << std::setw(10) << tally.expected << std::setw(7) << tally.found
                  << std::setw(12) << tally.mismatches << "\n";
        ::testing::Test::RecordProperty(category + "_mismatches", tally.mismatches);
    }
}

TEST_F(DetectionAcceptanceTest, ExifRotatedFacesAreUpright) {
    int checked = 0;
    for (const IndexRow& row : rows_) {
        if (row.category != "exif_orientation")
            continue;
        ++checked;
        const std::optional<std::vector<DetectedFace>> faces = Detect(row);
        if (!faces)
            continue;
        if (faces->size() != 1) {
            ADD_FAILURE() << row.file << ": expected one face, found " << faces->size();
            continue;
        }
        const DetectedFace& face = faces->front();
        const cv::Point2f right_eye = face.point(Keypoint::kRightEye);
        const cv::Point2f left_eye = face.point(Keypoint::kLeftEye);
        const cv::Point2f mouth = face.point(Keypoint::kMouthCentre);
        EXPECT_LT(right_eye.y, mouth.y) << row.file << " (" << row.tags << ")";
        EXPECT_LT(left_eye.y, mouth.y) << row.file << " (" << row.tags << ")";
        const float roll_deg = std::atan2(left_eye.y - right_eye.y, left_eye.x - right_eye.x) *
                               180 / std::numbers::pi_v<float>;
        EXPECT_LT(std::abs(roll_deg), 20.0f) << row.file << " (" << row.tags << ")";
    }
    EXPECT_GT(checked, 0) << "the index lists no exif_orientation files";
}

TEST_F(DetectionAcceptanceTest, BrokenFilesFailNamingFile) {
    int checked = 0;
    for (const IndexRow& row : rows_) {
        if (row.category != "broken")
            continue;
        ++checked;
        Result<DecodedImage> image = Decode(row);
        if (image.ok()) {
            ADD_FAILURE() << row.file << " decoded although it is broken";
            continue;
        }
        EXPECT_EQ(image.status().code(), ErrorCode::kUnprocessable) << row.file;
        EXPECT_THAT(image.status().message(), HasSubstr((faces_dir_ / row.file).string()));
    }
    EXPECT_GT(checked, 0) << "the index lists no broken files";
}

TEST_F(DetectionAcceptanceTest, GifFilesAreUnsupported) {
    int checked = 0;
    for (const IndexRow& row : rows_) {
        if (!IsGif(row))
            continue;
        ++checked;
        Result<DecodedImage> image = Decode(row);
        if (image.ok()) {
            ADD_FAILURE() << row.file << " decoded although GIF is not supported";
            continue;
        }
        EXPECT_EQ(image.status().code(), ErrorCode::kUnprocessable) << row.file;
        EXPECT_THAT(image.status().message(), HasSubstr("GIF")) << row.file;
        EXPECT_THAT(image.status().message(), HasSubstr((faces_dir_ / row.file).string()));
    }
    EXPECT_GT(checked, 0) << "the index lists no GIF files";
}

TEST_F(DetectionAcceptanceTest, NegativesHaveNoFaces) {
    int negatives = 0;
    int with_faces = 0;
    for (const IndexRow& row : rows_) {
        if (row.category != "negative")
            continue;
        ++negatives;
        const std::optional<std::vector<DetectedFace>> faces = Detect(row);
        if (!faces || faces->empty())
            continue;
        ++with_faces;
        ADD_FAILURE() << row.file << " (" << row.tags << "): " << faces->size()
                      << " false faces, best score " << faces->front().score;
    }
    std::cout << "negatives with false faces: " << with_faces << " of " << negatives << "\n";
    ::testing::Test::RecordProperty("negatives", negatives);
    ::testing::Test::RecordProperty("negatives_with_faces", with_faces);
    EXPECT_GT(negatives, 0) << "the index lists no negatives";
    EXPECT_EQ(with_faces, 0);
}

TEST_F(DetectionAcceptanceTest, UncountedPhotosDetectWithoutError) {
    int checked = 0;
    for (const IndexRow& row : rows_) {
        if (row.expected_faces || !ShouldDecode(row))
            continue;
        ++checked;
        const std::optional<std::vector<DetectedFace>> faces = Detect(row);
        if (faces)
            std::cout << row.file << ": " << faces->size() << " faces\n";
    }
    EXPECT_GT(checked, 0) << "the index lists no photos without an expected count";
}

}  // namespace
}  // namespace menjin
