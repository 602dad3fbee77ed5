#include "cli/engine_setup.h"

#include <charconv>
#include <cmath>

#include "vision/face_selection.h"

namespace menjin::cli {

void AddEngineFlags(CLI::App* command, EngineFlags* flags) {
    command->add_option("--models", flags->models_dir,
                        "Folder with manifest.json and the ONNX models (default: models/ next "
                        "to the executable, or $MENJIN_MODELS)");
    command
        ->add_option("--mode", flags->mode,
                     "Recognition mode: default (one embedder) or accurate (fused "
                     "embedders, several times slower)")
        ->check(CLI::IsMember({"default", "accurate"}));
    command
        ->add_option("--range", flags->range,
                     "Detector range: full (small and distant faces) or short (faces "
                     "within about two metres, faster)")
        ->check(CLI::IsMember({"full", "short"}));
    command
        ->add_option("--detector-score", flags->detector_score,
                     "Minimum detector confidence, 0 to 1")
        ->check(FiniteNumber() & CLI::Range(0.0, 1.0));
    command->add_option("--min-face", flags->min_face_px, "Minimum face box width in image pixels")
        ->check(CLI::PositiveNumber);
}

const CLI::Validator& FiniteNumber() {
    static const CLI::Validator kFinite(
        [](std::string& text) -> std::string {
            double value = 0;
            const char* end = text.data() + text.size();
            const auto [stop, error] = std::from_chars(text.data(), end, value);
            if (error != std::errc() || stop != end)
                return "'" + text + "' is not a number";
            return std::isfinite(value) ? "" : "'" + text + "' is not a finite number";
        },
        "FINITE");
    return kFinite;
}

Result<Engine> LoadEngine(const EngineFlags& flags) {
    PipelineOptions options;
    MENJIN_ASSIGN_OR_RETURN(options.mode, ParseRecognitionMode(flags.mode));
    MENJIN_ASSIGN_OR_RETURN(options.range, ParseDetectorRange(flags.range));
    options.detector.score_threshold = flags.detector_score;
    options.detector.min_face_px = flags.min_face_px;
    return LoadRecognitionEngine(ResolveModelDir(flags.models_dir), options);
}

DecodeLimits CommandLineDecodeLimits() {
    return DecodeLimits{};
}

Result<PhotoTemplate> TemplateOfPhoto(FacePipeline& pipeline, const std::filesystem::path& file) {
    MENJIN_ASSIGN_OR_RETURN(DecodedImage image, DecodeImageFile(file, CommandLineDecodeLimits()));
    MENJIN_ASSIGN_OR_RETURN(std::vector<DetectedFace> faces, pipeline.Detect(image.bgr));
    PhotoTemplate result;
    std::optional<std::size_t> primary = PrimaryFaceIndex(faces, image.bgr.size());
    if (!primary)
        return result;
    result.found = true;
    result.face = faces[*primary];
    MENJIN_ASSIGN_OR_RETURN(cv::Mat templates, pipeline.Templates(image.bgr, {result.face}));
    result.values.assign(templates.ptr<float>(0), templates.ptr<float>(0) + templates.cols);
    return result;
}

}  // namespace menjin::cli
