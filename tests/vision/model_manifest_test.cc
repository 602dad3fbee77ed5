#include "vision/model_manifest.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/temp_dir.h"
#include "vision/onnx_net.h"

namespace menjin {
namespace {

using ::menjin::testing::TempDir;
using ::testing::HasSubstr;

// A minimal valid manifest with one detector, one embedder and one template.
constexpr const char* kValidManifest = R"({
  "defaults": {"detector": "det", "embedder": "emb", "accurate_embedders": ["emb", "emb2"]},
  "alignment_templates": {
    "square_64": {"width": 64, "height": 64,
                  "points": [[20, 25], [44, 25], [32, 40], [32, 50]]}
  },
  "models": [
    {"name": "det", "role": "detector", "family": "blazeface", "file": "det.onnx",
     "input": {"width": 128, "height": 128}, "outputs": {"scores": "s", "regressors": "r"}},
    {"name": "emb", "role": "embedder", "file": "sub/emb.onnx", "sha256": "abc",
     "input": {"width": 64, "height": 64, "color": "BGR"},
     "preprocess": {"mean": [1, 2, 3], "std": [4, 5, 6]},
     "alignment": "square_64", "output_dim": 128, "output": "embedding"}
  ]
})";

TEST(ModelManifestTest, LoadsValidManifest) {
    TempDir dir;
    const auto path = dir.Write("manifest.json", kValidManifest);

    Result<ModelManifest> manifest = ModelManifest::Load(path);

    ASSERT_TRUE(manifest.ok()) << manifest.status().message();
    EXPECT_EQ(manifest->models().size(), 2u);
    EXPECT_EQ(manifest->default_detector(), "det");
    EXPECT_EQ(manifest->default_embedder(), "emb");
    EXPECT_THAT(manifest->accurate_embedders(), ::testing::ElementsAre("emb", "emb2"));
}

TEST(ModelManifestTest, ResolvesModelFilesAgainstManifestFolder) {
    TempDir dir;
    const auto path = dir.Write("manifest.json", kValidManifest);

    Result<ModelManifest> manifest = ModelManifest::Load(path);
    ASSERT_TRUE(manifest.ok()) << manifest.status().message();
    Result<ModelSpec> spec = manifest->Find("emb");

    ASSERT_TRUE(spec.ok()) << spec.status().message();
    EXPECT_EQ(spec->file, dir.path() / "sub" / "emb.onnx");
}

TEST(ModelManifestTest, ParsesEmbedderFields) {
    TempDir dir;
    Result<ModelManifest> manifest =
        ModelManifest::Load(dir.Write("manifest.json", kValidManifest));
    ASSERT_TRUE(manifest.ok()) << manifest.status().message();
    Result<ModelSpec> spec = manifest->Find("emb");
    ASSERT_TRUE(spec.ok()) << spec.status().message();

    EXPECT_EQ(spec->role, "embedder");
    EXPECT_EQ(spec->family, "generic");
    EXPECT_EQ(spec->sha256, "abc");
    EXPECT_EQ(spec->input_size, cv::Size(64, 64));
    EXPECT_FALSE(spec->input_rgb);
    EXPECT_EQ(spec->mean, cv::Scalar(1, 2, 3));
    EXPECT_EQ(spec->std_dev, cv::Scalar(4, 5, 6));
    EXPECT_EQ(spec->output_dim, 128);
    EXPECT_EQ(spec->outputs.at("embedding"), "embedding");
}

TEST(ModelManifestTest, ParsesAlignmentTemplate) {
    TempDir dir;
    Result<ModelManifest> manifest =
        ModelManifest::Load(dir.Write("manifest.json", kValidManifest));
    ASSERT_TRUE(manifest.ok()) << manifest.status().message();

    Result<AlignmentTemplate> tmpl = manifest->FindTemplate("square_64");

    ASSERT_TRUE(tmpl.ok()) << tmpl.status().message();
    EXPECT_EQ(tmpl->size, cv::Size(64, 64));
    EXPECT_EQ(tmpl->points[3], cv::Point2f(32, 50));
}

TEST(ModelManifestTest, BuiltInArcFaceTemplateIsAvailable) {
    TempDir dir;
    Result<ModelManifest> manifest =
        ModelManifest::Load(dir.Write("manifest.json", kValidManifest));
    ASSERT_TRUE(manifest.ok()) << manifest.status().message();

    EXPECT_TRUE(manifest->FindTemplate("arcface_112").ok());
}

TEST(ModelManifestTest, UnknownModelIsNotFound) {
    TempDir dir;
    Result<ModelManifest> manifest =
        ModelManifest::Load(dir.Write("manifest.json", kValidManifest));
    ASSERT_TRUE(manifest.ok()) << manifest.status().message();

    Result<ModelSpec> spec = manifest->Find("missing");

    ASSERT_FALSE(spec.ok());
    EXPECT_EQ(spec.status().code(), ErrorCode::kNotFound);
    EXPECT_THAT(spec.status().message(), HasSubstr("'missing'"));
    EXPECT_THAT(spec.status().message(), HasSubstr("det, emb"));
}

TEST(ModelManifestTest, UnknownTemplateIsNotFound) {
    TempDir dir;
    Result<ModelManifest> manifest =
        ModelManifest::Load(dir.Write("manifest.json", kValidManifest));
    ASSERT_TRUE(manifest.ok()) << manifest.status().message();

    EXPECT_EQ(manifest->FindTemplate("missing").status().code(), ErrorCode::kNotFound);
}

TEST(ModelManifestTest, MissingFileIsNotFound) {
    TempDir dir;
    const auto path = dir.path() / "manifest.json";

    Result<ModelManifest> manifest = ModelManifest::Load(path);

    ASSERT_FALSE(manifest.ok());
    EXPECT_EQ(manifest.status().code(), ErrorCode::kNotFound);
    EXPECT_THAT(manifest.status().message(), HasSubstr(path.string()));
}

TEST(ModelManifestTest, MalformedJsonIsInvalid) {
    TempDir dir;
    const auto path = dir.Write("manifest.json", R"({"models": [ {"name": "det", )");

    Result<ModelManifest> manifest = ModelManifest::Load(path);

    ASSERT_FALSE(manifest.ok());
    EXPECT_EQ(manifest.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(manifest.status().message(), HasSubstr(path.string()));
}

TEST(ModelManifestTest, MissingModelsListIsInvalid) {
    TempDir dir;
    Result<ModelManifest> manifest = ModelManifest::Load(dir.Write("manifest.json", "{}"));

    ASSERT_FALSE(manifest.ok());
    EXPECT_EQ(manifest.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(manifest.status().message(), HasSubstr("'models'"));
}

TEST(ModelManifestTest, MissingModelFieldIsInvalidAndNamed) {
    TempDir dir;
    const auto path = dir.Write("manifest.json", R"({"models": [
        {"name": "det", "role": "detector", "input": {"width": 128, "height": 128}}]})");

    Result<ModelManifest> manifest = ModelManifest::Load(path);

    ASSERT_FALSE(manifest.ok());
    EXPECT_EQ(manifest.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(manifest.status().message(), HasSubstr("'file'"));
}

TEST(ModelManifestTest, WrongFieldTypeIsInvalid) {
    TempDir dir;
    const auto path = dir.Write("manifest.json", R"({"models": [
        {"name": "det", "role": "detector", "file": "d.onnx",
         "input": {"width": "wide", "height": 128}}]})");

    Result<ModelManifest> manifest = ModelManifest::Load(path);

    ASSERT_FALSE(manifest.ok());
    EXPECT_EQ(manifest.status().code(), ErrorCode::kInvalidArgument);
}

TEST(ModelManifestTest, TemplateWithThreePointsIsInvalid) {
    TempDir dir;
    const auto path = dir.Write("manifest.json", R"({"models": [],
        "alignment_templates": {"bad": {"width": 64, "height": 64,
                                        "points": [[1, 2], [3, 4], [5, 6]]}}})");

    Result<ModelManifest> manifest = ModelManifest::Load(path);

    ASSERT_FALSE(manifest.ok());
    EXPECT_EQ(manifest.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(manifest.status().message(), HasSubstr("bad"));
}

// Returns a manifest with one BlazeFace detector, 256 pixels square, whose input.height_step
// is `step` (JSON text).
std::string DetectorWithHeightStep(const std::string& step) {
    return R"({"models": [{"name": "det", "role": "detector", "family": "blazeface",
        "file": "d.onnx", "input": {"width": 256, "height": 256, "height_step": )" +
           step + "}}]}";
}

TEST(ModelManifestTest, HeightStepIsRead) {
    TempDir dir;

    Result<ModelManifest> manifest =
        ModelManifest::Load(dir.Write("manifest.json", DetectorWithHeightStep("32")));

    ASSERT_TRUE(manifest.ok()) << manifest.status().message();
    EXPECT_EQ(manifest->Find("det")->input_height_step, 32);
}

TEST(ModelManifestTest, BadHeightStepIsInvalidAndNamed) {
    // Not a whole number, out of range, not dividing the height, or not a multiple of the
    // coarse anchor cell (256 / 8 = 32).
    for (const std::string step :
         {"\"32\"", "true", "32.5", "10000000000", "-32", "512", "48", "7", "16"}) {
        TempDir dir;

        Result<ModelManifest> manifest =
            ModelManifest::Load(dir.Write("manifest.json", DetectorWithHeightStep(step)));

        ASSERT_FALSE(manifest.ok()) << "height_step " << step;
        EXPECT_EQ(manifest.status().code(), ErrorCode::kInvalidArgument) << step;
        EXPECT_THAT(manifest.status().message(), HasSubstr("height_step")) << step;
        EXPECT_THAT(manifest.status().message(), HasSubstr("is " + step)) << step;
    }
}

// Returns a manifest with one embedder whose fields are given as JSON text.
std::string EmbedderWith(const std::string& input, const std::string& extra) {
    return R"({"models": [{"name": "emb", "role": "embedder", "file": "e.onnx", "input": )" +
           input + extra + "}]}";
}

TEST(ModelManifestTest, BadPreprocessingIsInvalidAndNamed) {
    // Zero, negative or tiny std, a mean far outside the pixel range, and a preprocess entry
    // that is not an object.
    const std::string input = R"({"width": 112, "height": 112})";
    for (const std::string preprocess :
         {R"({"mean": [0, 0, 0], "std": [0, 1, 1]})", R"({"mean": [0, 0, 0], "std": [1, 1, 0.0]})",
          R"({"mean": [0, 0, 0], "std": [1, -0.0, 1]})",
          R"({"mean": [0, 0, 0], "std": [-1, 1, 1]})",
          R"({"mean": [0, 0, 0], "std": [1e-300, 1, 1]})",
          R"({"mean": [1e308, 0, 0], "std": [1, 1, 1]})",
          R"({"mean": [999000, 0, 0], "std": [1, 1, 1]})",
          R"({"mean": [127.5, 127.5, 127.5], "std": [128, 1e-3, 128]})", "[1, 2]", R"("scaled")"}) {
        TempDir dir;

        Result<ModelManifest> manifest = ModelManifest::Load(
            dir.Write("manifest.json", EmbedderWith(input, ", \"preprocess\": " + preprocess)));

        ASSERT_FALSE(manifest.ok()) << preprocess;
        EXPECT_EQ(manifest.status().code(), ErrorCode::kInvalidArgument) << preprocess;
        EXPECT_THAT(manifest.status().message(), HasSubstr("preprocess of 'emb'")) << preprocess;
    }
}

TEST(ModelManifestTest, BadInputFieldsAreInvalidAndNamed) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"({"width": 0, "height": 112})", "width is 0"},
        {R"({"width": 112.5, "height": 112})", "width is 112.5"},
        {R"({"width": 1099511627776, "height": 112})", "width is 1099511627776"},
        {R"({"width": 112, "height": -5})", "height is -5"},
        {R"({"width": 112, "height": 112, "color": "rgb"})", "color is 'rgb'"}};
    for (const auto& [input, expected] : cases) {
        TempDir dir;

        Result<ModelManifest> manifest =
            ModelManifest::Load(dir.Write("manifest.json", EmbedderWith(input, "")));

        ASSERT_FALSE(manifest.ok()) << input;
        EXPECT_EQ(manifest.status().code(), ErrorCode::kInvalidArgument) << input;
        EXPECT_THAT(manifest.status().message(), HasSubstr(expected)) << input;
    }
}

TEST(ModelManifestTest, EmbedderNeedsPositiveOutputDim) {
    TempDir dir;

    Result<ModelManifest> manifest = ModelManifest::Load(
        dir.Write("manifest.json",
                  EmbedderWith(R"({"width": 112, "height": 112})", R"(, "output_dim": -1)")));

    ASSERT_FALSE(manifest.ok());
    EXPECT_THAT(manifest.status().message(), HasSubstr("output_dim of 'emb' is -1"));
}

TEST(ModelManifestTest, DegenerateTemplatesAreInvalid) {
    // Merged eyes, all points on one line, and a point outside the template.
    for (const std::string points :
         {"[[5, 5], [5, 5], [5, 5], [5, 5]]", "[[10, 10], [50, 10], [30, 10], [20, 10]]",
          "[[10, 20], [50, 20], [30, 30], [30, 10000000]]"}) {
        TempDir dir;
        const auto path = dir.Write("manifest.json", R"({"models": [],
            "alignment_templates": {"flat": {"width": 64, "height": 64, "points": )" +
                                                         points + "}}}");

        Result<ModelManifest> manifest = ModelManifest::Load(path);

        ASSERT_FALSE(manifest.ok()) << points;
        EXPECT_THAT(manifest.status().message(), HasSubstr("template flat")) << points;
    }
}

TEST(ModelManifestTest, DuplicateModelNamesAreInvalid) {
    TempDir dir;
    const std::string model =
        R"({"name": "emb", "role": "embedder", "file": "e.onnx", "input": {"width": 112, "height": 112}})";

    Result<ModelManifest> manifest = ModelManifest::Load(
        dir.Write("manifest.json", R"({"models": [)" + model + ", " + model + "]}"));

    ASSERT_FALSE(manifest.ok());
    EXPECT_THAT(manifest.status().message(), HasSubstr("two models are named 'emb'"));
}

TEST(ModelManifestTest, CustomLayersReadAndCheckedAtLoad) {
    TempDir dir;
    dir.Write("d.onnx", "not read");
    const auto manifest = [&](const std::string& layers) {
        return ModelManifest::Load(
            dir.Write("manifest.json",
                      R"({"models": [{"name": "det", "role": "detector", "file": "d.onnx",
                "input": {"width": 128, "height": 128}, "custom_layers": )" +
                          layers + "}]}"));
    };

    Result<ModelManifest> known = manifest(R"(["menjin.SeparableResidualBlock"])");
    ASSERT_TRUE(known.ok()) << known.status().message();
    EXPECT_THAT(known->models()[0].custom_layers,
                ::testing::ElementsAre("menjin.SeparableResidualBlock"));

    Result<ModelManifest> unknown = manifest(R"(["acme.Warp"])");
    ASSERT_TRUE(unknown.ok()) << unknown.status().message();
    Result<cv::dnn::Net> net = LoadOnnxNet(unknown->models()[0]);
    ASSERT_FALSE(net.ok());
    EXPECT_THAT(net.status().message(), HasSubstr("needs layer type 'acme.Warp'"));

    for (const char* bad : {R"("menjin.SeparableResidualBlock")", "[1]"}) {
        Result<ModelManifest> wrong = manifest(bad);
        ASSERT_FALSE(wrong.ok()) << bad;
        EXPECT_THAT(wrong.status().message(), HasSubstr("custom_layers of 'det'")) << bad;
    }
}

}  // namespace
}  // namespace menjin
