#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/engine_setup.h"
#include "cli/json_output.h"
#include "frames/image_decoder.h"

namespace menjin::cli {

namespace {

struct DetectFlags {
    EngineFlags engine;
    std::vector<std::string> images;
    std::string quality = "gate";
};

int RunDetect(const DetectFlags& flags) {
    Result<Engine> engine = LoadEngine(flags.engine);
    if (!engine.ok()) {
        std::cerr << "menjin detect: " << engine.status().message() << "\n";
        return 2;
    }
    Result<std::unique_ptr<FacePipeline>> pipeline = engine->NewPipeline();
    if (!pipeline.ok()) {
        std::cerr << "menjin detect: " << pipeline.status().message() << "\n";
        return 2;
    }
    const QualityPolicy policy =
        flags.quality == "enrolment" ? QualityPolicy::Enrolment() : QualityPolicy::Gate();
    int exit_code = 0;
    for (const std::string& file : flags.images) {
        Result<DecodedImage> image = DecodeImageFile(file, CommandLineDecodeLimits());
        if (!image.ok()) {
            std::cerr << "menjin detect: " << image.status().message() << "\n";
            exit_code = 1;
            continue;
        }
        Result<std::vector<AssessedFace>> faces = (*pipeline)->DetectAndAssess(image->bgr, policy);
        if (!faces.ok()) {
            std::cerr << "menjin detect: " << file << ": " << faces.status().message() << "\n";
            exit_code = 1;
            continue;
        }
        nlohmann::json out = {{"file", file},
                              {"width", image->bgr.cols},
                              {"height", image->bgr.rows},
                              {"faces", nlohmann::json::array()}};
        for (const AssessedFace& f : *faces) {
            out["faces"].push_back({{"box", BoxToJson(f.face.box)},
                                    {"keypoints", KeypointsToJson(f.face)},
                                    {"score", Round(f.face.score, 4)},
                                    {"quality", QualityToJson(f.quality)}});
        }
        PrintJson(out);
    }
    return exit_code;
}

}  // namespace

void AddDetectCommand(CLI::App& app, int* exit_code) {
    auto flags = std::make_shared<DetectFlags>();
    CLI::App* command = app.add_subcommand(
        "detect", "Find faces with keypoints, score and quality; one JSON object per image");
    AddEngineFlags(command, &flags->engine);
    command
        ->add_option("--quality", flags->quality,
                     "Quality policy: gate (default) or enrolment (strictest)")
        ->check(CLI::IsMember({"gate", "enrolment"}));
    command->add_option("images", flags->images, "Image files (JPEG, PNG, BMP, WebP, TIFF)")
        ->required();
    command->callback([flags, exit_code] { *exit_code = RunDetect(*flags); });
}

}  // namespace menjin::cli
