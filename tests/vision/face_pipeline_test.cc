#include "vision/face_pipeline.h"

#include <fstream>
#include <span>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "frames/image_decoder.h"
#include "support/temp_dir.h"
#include "support/test_paths.h"
#include "vision/blazeface_decoder.h"
#include "vision/onnx_net.h"
#include "vision/score_calibration.h"

namespace menjin {
namespace {

namespace fs = std::filesystem;
using ::menjin::testing::TempDir;
using ::testing::HasSubstr;

// Returns the cosine similarity of two single-row CV_32F matrices.
double Cosine(const cv::Mat& a, const cv::Mat& b) {
    return a.dot(b) / (cv::norm(a) * cv::norm(b));
}

std::span<const float> Row(const cv::Mat& m, int row) {
    return {m.ptr<float>(row), static_cast<std::size_t>(m.cols)};
}

// Returns `face` scaled by `factor` around its box centre and moved by `shift` pixels.
DetectedFace Perturbed(const DetectedFace& face, cv::Point2f shift, float factor) {
    const cv::Point2f centre = (face.box.tl() + face.box.br()) * 0.5f;
    DetectedFace moved = face;
    for (cv::Point2f& p : moved.keypoints)
        p = centre + (p - centre) * factor + shift;
    moved.box = cv::Rect2f(centre + (face.box.tl() - centre) * factor + shift,
                           centre + (face.box.br() - centre) * factor + shift);
    return moved;
}

// Loads the built models and one default pipeline, and decodes the astronaut photo, a
// public-domain portrait with one upright face.
class FacePipelineTest : public ::testing::Test {
  protected:
    void SetUp() override {
        MENJIN_REQUIRE_MODELS(models);
        model_dir_ = models;
        Result<ModelManifest> manifest = ModelManifest::Load(models / "manifest.json");
        ASSERT_TRUE(manifest.ok()) << manifest.status().message();
        manifest_ = std::move(manifest).value();
        Result<std::unique_ptr<FacePipeline>> pipeline = FacePipeline::Create(manifest_, {});
        ASSERT_TRUE(pipeline.ok()) << pipeline.status().message();
        pipeline_ = std::move(pipeline).value();
        const fs::path photo = ::menjin::testing::SourceDir() / "tests/data/astronaut.jpg";
        Result<DecodedImage> image = DecodeImageFile(photo, DecodeLimits{});
        ASSERT_TRUE(image.ok()) << image.status().message();
        astronaut_ = image->bgr;
    }

    // Detects the faces in `bgr` and returns the only one. Records a failure and returns an
    // empty face unless exactly one is found.
    DetectedFace OnlyFace(const cv::Mat& bgr) {
        Result<std::vector<DetectedFace>> faces = pipeline_->Detect(bgr);
        EXPECT_TRUE(faces.ok()) << faces.status().message();
        if (!faces.ok() || faces->size() != 1) {
            ADD_FAILURE() << "expected one face, found " << (faces.ok() ? faces->size() : 0);
            return DetectedFace{};
        }
        return faces->front();
    }

    // Returns the template of the only face in `bgr` as a 1 x template_dim() row.
    cv::Mat TemplateOf(const cv::Mat& bgr) {
        const DetectedFace face = OnlyFace(bgr);
        Result<cv::Mat> templates = pipeline_->Templates(bgr, {face});
        EXPECT_TRUE(templates.ok()) << templates.status().message();
        return templates.ok() ? *templates : cv::Mat::zeros(1, pipeline_->template_dim(), CV_32F);
    }

    fs::path model_dir_;
    ModelManifest manifest_;
    std::unique_ptr<FacePipeline> pipeline_;
    cv::Mat astronaut_;
};

TEST_F(FacePipelineTest, AstronautHasOneFace) {
    Result<std::vector<DetectedFace>> faces = pipeline_->Detect(astronaut_);
    ASSERT_TRUE(faces.ok()) << faces.status().message();
    EXPECT_EQ(faces->size(), 1u);
}

TEST_F(FacePipelineTest, AstronautKeypointsArePlausible) {
    const DetectedFace face = OnlyFace(astronaut_);
    const cv::Point2f right_eye = face.point(Keypoint::kRightEye);
    const cv::Point2f left_eye = face.point(Keypoint::kLeftEye);
    const cv::Point2f nose = face.point(Keypoint::kNoseTip);
    const cv::Point2f mouth = face.point(Keypoint::kMouthCentre);

    EXPECT_LT(right_eye.y, nose.y);
    EXPECT_LT(left_eye.y, nose.y);
    EXPECT_LT(nose.y, mouth.y);
    // The subject's right eye appears on the left of an unmirrored photo.
    EXPECT_LT(right_eye.x, left_eye.x);
    EXPECT_GT(nose.x, right_eye.x);
    EXPECT_LT(nose.x, left_eye.x);
    for (const cv::Point2f& p : {right_eye, left_eye, nose, mouth}) {
        EXPECT_TRUE(face.box.contains(p)) << "keypoint " << p << " outside box " << face.box;
    }
    EXPECT_GE(face.score, 0.6f);
}

TEST_F(FacePipelineTest, EmbeddingIsUnitLengthOfManifestDimension) {
    const DetectedFace face = OnlyFace(astronaut_);
    Result<ModelSpec> spec = manifest_.Find(manifest_.default_embedder());
    ASSERT_TRUE(spec.ok()) << spec.status().message();

    Result<cv::Mat> embedding = pipeline_->embedder(0).Embed(astronaut_, {face}, false);

    ASSERT_TRUE(embedding.ok()) << embedding.status().message();
    EXPECT_EQ(embedding->type(), CV_32F);
    EXPECT_EQ(embedding->rows, 1);
    EXPECT_EQ(embedding->cols, spec->output_dim);
    EXPECT_NEAR(cv::norm(*embedding), 1.0, 1e-4);
}

TEST_F(FacePipelineTest, MirroredEmbeddingIsUnitLength) {
    const DetectedFace face = OnlyFace(astronaut_);

    Result<cv::Mat> embedding = pipeline_->embedder(0).Embed(astronaut_, {face}, true);

    ASSERT_TRUE(embedding.ok()) << embedding.status().message();
    EXPECT_NEAR(cv::norm(*embedding), 1.0, 1e-4);
}

TEST_F(FacePipelineTest, NoFacesGiveEmptyEmbedding) {
    Result<cv::Mat> embedding = pipeline_->embedder(0).Embed(astronaut_, {}, false);

    ASSERT_TRUE(embedding.ok()) << embedding.status().message();
    EXPECT_EQ(embedding->rows, 0);
}

TEST_F(FacePipelineTest, BatchEmbeddingMatchesSingleEmbeddings) {
    const DetectedFace face = OnlyFace(astronaut_);
    const std::vector<DetectedFace> faces = {face, Perturbed(face, {3, -2}, 1.0f),
                                             Perturbed(face, {0, 0}, 1.15f),
                                             Perturbed(face, {-4, 5}, 0.9f)};
    FaceEmbedder& embedder = pipeline_->embedder(0);

    for (bool mirror : {false, true}) {
        Result<cv::Mat> batch = embedder.Embed(astronaut_, faces, mirror);

        ASSERT_TRUE(batch.ok()) << batch.status().message();
        ASSERT_EQ(batch->rows, static_cast<int>(faces.size()));
        for (std::size_t i = 0; i < faces.size(); ++i) {
            Result<cv::Mat> single = embedder.Embed(astronaut_, {faces[i]}, mirror);
            ASSERT_TRUE(single.ok()) << single.status().message();
            EXPECT_GT(Cosine(batch->row(static_cast<int>(i)), *single), 0.9999)
                << "face " << i << (mirror ? " with mirror" : "");
        }
    }
}

TEST_F(FacePipelineTest, ScaledPhotoMatchesOriginal) {
    const cv::Mat original = TemplateOf(astronaut_);
    for (double factor : {0.5, 2.0}) {
        cv::Mat scaled;
        cv::resize(astronaut_, scaled, cv::Size(), factor, factor,
                   factor < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
        EXPECT_GT(Cosine(TemplateOf(scaled), original), 0.8) << "scale " << factor;
    }
}

TEST_F(FacePipelineTest, MirroredPhotoHasOneFace) {
    cv::Mat mirrored;
    cv::flip(astronaut_, mirrored, 1);

    Result<std::vector<DetectedFace>> faces = pipeline_->Detect(mirrored);

    ASSERT_TRUE(faces.ok()) << faces.status().message();
    EXPECT_EQ(faces->size(), 1u);
}

TEST_F(FacePipelineTest, BlankImageHasNoFaces) {
    const cv::Mat blank(300, 400, CV_8UC3, cv::Scalar(128, 128, 128));

    Result<std::vector<DetectedFace>> faces = pipeline_->Detect(blank);

    ASSERT_TRUE(faces.ok()) << faces.status().message();
    EXPECT_TRUE(faces->empty());
}

TEST_F(FacePipelineTest, OnePixelImageHasNoFaces) {
    const cv::Mat pixel(1, 1, CV_8UC3, cv::Scalar(90, 120, 200));

    Result<std::vector<DetectedFace>> faces = pipeline_->Detect(pixel);

    ASSERT_TRUE(faces.ok()) << faces.status().message();
    EXPECT_TRUE(faces->empty());
}

TEST_F(FacePipelineTest, ExtremeAspectImagesHaveNoFaces) {
    for (const cv::Size size : {cv::Size(4000, 2), cv::Size(3, 4000)}) {
        const cv::Mat strip(size, CV_8UC3, cv::Scalar(128, 128, 128));

        Result<std::vector<DetectedFace>> faces = pipeline_->Detect(strip);

        ASSERT_TRUE(faces.ok()) << size << ": " << faces.status().message();
        EXPECT_TRUE(faces->empty()) << size;
    }
}

TEST_F(FacePipelineTest, GreyImageIsInvalid) {
    cv::Mat grey;
    cv::cvtColor(astronaut_, grey, cv::COLOR_BGR2GRAY);

    Result<std::vector<DetectedFace>> faces = pipeline_->Detect(grey);

    ASSERT_FALSE(faces.ok());
    EXPECT_EQ(faces.status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(FacePipelineTest, EmptyImageIsInvalid) {
    Result<std::vector<DetectedFace>> faces = pipeline_->Detect(cv::Mat());

    ASSERT_FALSE(faces.ok());
    EXPECT_EQ(faces.status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(FacePipelineTest, DefaultTemplateIsCosineEmbedding) {
    const cv::Mat t = TemplateOf(astronaut_);

    EXPECT_EQ(pipeline_->template_dim(), pipeline_->embedder(0).dim());
    EXPECT_EQ(t.cols, pipeline_->template_dim());
    EXPECT_EQ(pipeline_->template_kind(), manifest_.default_embedder());
    EXPECT_NEAR(pipeline_->Score(Row(t, 0), Row(t, 0)), 1.0f, 1e-4f);
}

TEST_F(FacePipelineTest, ShortRangeDetectorFindsFace) {
    PipelineOptions options;
    options.range = DetectorRange::kShort;
    Result<std::unique_ptr<FacePipeline>> short_range = FacePipeline::Create(manifest_, options);
    ASSERT_TRUE(short_range.ok()) << short_range.status().message();
    const DetectedFace full = OnlyFace(astronaut_);

    Result<std::vector<DetectedFace>> faces = (*short_range)->Detect(astronaut_);

    ASSERT_TRUE(faces.ok()) << faces.status().message();
    ASSERT_EQ(faces->size(), 1u);
    EXPECT_GT(IntersectionOverUnion(faces->front().box, full.box), 0.5f);
}

TEST_F(FacePipelineTest, AccurateTemplateHasFusedDimension) {
    Result<ScoreCalibration> calibration = ScoreCalibration::Load(model_dir_ / "calibration.json");
    ASSERT_TRUE(calibration.ok()) << calibration.status().message();
    PipelineOptions options;
    options.mode = RecognitionMode::kAccurate;
    options.impostor_stats = calibration->embedders;
    Result<std::unique_ptr<FacePipeline>> accurate = FacePipeline::Create(manifest_, options);
    ASSERT_TRUE(accurate.ok()) << accurate.status().message();
    int fused_dim = 0;
    for (const std::string& name : manifest_.accurate_embedders()) {
        Result<ModelSpec> spec = manifest_.Find(name);
        ASSERT_TRUE(spec.ok()) << spec.status().message();
        fused_dim += spec->output_dim;
    }

    Result<cv::Mat> templates = (*accurate)->Templates(astronaut_, {OnlyFace(astronaut_)});

    ASSERT_TRUE(templates.ok()) << templates.status().message();
    EXPECT_EQ((*accurate)->template_dim(), fused_dim);
    EXPECT_EQ(templates->cols, fused_dim);
    EXPECT_EQ((*accurate)->embedder_count(), manifest_.accurate_embedders().size());
    EXPECT_THAT((*accurate)->template_kind(), ::testing::EndsWith("/mirror"));
}

TEST_F(FacePipelineTest, AccurateSelfScoreExceedsCalibratedThreshold) {
    Result<ScoreCalibration> calibration = ScoreCalibration::Load(model_dir_ / "calibration.json");
    ASSERT_TRUE(calibration.ok()) << calibration.status().message();
    PipelineOptions options;
    options.mode = RecognitionMode::kAccurate;
    options.impostor_stats = calibration->embedders;
    Result<std::unique_ptr<FacePipeline>> accurate = FacePipeline::Create(manifest_, options);
    ASSERT_TRUE(accurate.ok()) << accurate.status().message();
    Result<ImpostorTail> tail = calibration->Find((*accurate)->template_kind());
    ASSERT_TRUE(tail.ok()) << tail.status().message();

    Result<cv::Mat> t = (*accurate)->Templates(astronaut_, {OnlyFace(astronaut_)});

    ASSERT_TRUE(t.ok()) << t.status().message();
    EXPECT_GT((*accurate)->Score(Row(*t, 0), Row(*t, 0)), tail->threshold_far_1e3);
}

TEST_F(FacePipelineTest, AccurateModeNeedsImpostorStatistics) {
    PipelineOptions options;
    options.mode = RecognitionMode::kAccurate;

    Result<std::unique_ptr<FacePipeline>> accurate = FacePipeline::Create(manifest_, options);

    ASSERT_FALSE(accurate.ok());
    EXPECT_EQ(accurate.status().code(), ErrorCode::kFailedPrecondition);
}

TEST_F(FacePipelineTest, Sha256MismatchIsDataLoss) {
    std::ifstream in(model_dir_ / "manifest.json");
    nlohmann::json doc = nlohmann::json::parse(in);
    const std::string detector = manifest_.default_detector();
    fs::path detector_file;
    for (nlohmann::json& model : doc["models"]) {
        // Absolute paths let the copied manifest point at the real model files.
        const fs::path file = model_dir_ / model["file"].get<std::string>();
        model["file"] = file.string();
        if (model["name"] == detector) {
            model["sha256"] = std::string(64, '0');
            detector_file = file;
        }
    }
    TempDir dir;
    Result<ModelManifest> copy = ModelManifest::Load(dir.Write("manifest.json", doc.dump()));
    ASSERT_TRUE(copy.ok()) << copy.status().message();

    Result<std::unique_ptr<FacePipeline>> pipeline = FacePipeline::Create(*copy, {});

    ASSERT_FALSE(pipeline.ok());
    EXPECT_EQ(pipeline.status().code(), ErrorCode::kDataLoss);
    EXPECT_THAT(pipeline.status().message(), HasSubstr(detector_file.string()));
}

TEST_F(FacePipelineTest, UnknownDetectorModelIsNotFound) {
    PipelineOptions options;
    options.detector_model = "no_such_detector";

    Result<std::unique_ptr<FacePipeline>> pipeline = FacePipeline::Create(manifest_, options);

    ASSERT_FALSE(pipeline.ok());
    EXPECT_EQ(pipeline.status().code(), ErrorCode::kNotFound);
}

TEST_F(FacePipelineTest, UndeclaredCustomLayerIsRejected) {
    Result<ModelSpec> spec = manifest_.Find("blazeface");
    ASSERT_TRUE(spec.ok()) << spec.status().message();
    ASSERT_FALSE(spec->custom_layers.empty());
    spec->custom_layers.clear();

    Result<cv::dnn::Net> net = LoadOnnxNet(*spec);

    ASSERT_FALSE(net.ok());
    EXPECT_THAT(net.status().message(), HasSubstr("does not list under custom_layers"));
}

}  // namespace
}  // namespace menjin
