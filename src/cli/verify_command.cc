#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/engine_setup.h"
#include "cli/json_output.h"

namespace menjin::cli {

namespace {

struct VerifyFlags {
    EngineFlags engine;
    std::string image_a;
    std::string image_b;
    float threshold = -1;
};

int RunVerify(const VerifyFlags& flags) {
    Result<Engine> engine = LoadEngine(flags.engine);
    Result<std::unique_ptr<FacePipeline>> pipeline =
        engine.ok() ? engine->NewPipeline()
                    : Result<std::unique_ptr<FacePipeline>>(engine.status());
    if (!pipeline.ok()) {
        std::cerr << "menjin verify: " << pipeline.status().message() << "\n";
        return 2;
    }
    float threshold = flags.threshold;
    if (threshold < -0.5f) {
        Result<ImpostorTail> tail = engine->ImpostorTailOf((*pipeline)->template_kind());
        if (!tail.ok()) {
            std::cerr << "menjin verify: " << tail.status().message() << "\n";
            return 2;
        }
        threshold = tail->threshold_far_1e3;
    }
    PhotoTemplate templates[2];
    const std::string files[2] = {flags.image_a, flags.image_b};
    for (int i = 0; i < 2; ++i) {
        Result<PhotoTemplate> t = TemplateOfPhoto(**pipeline, files[i]);
        if (!t.ok()) {
            std::cerr << "menjin verify: " << t.status().message() << "\n";
            return 1;
        }
        if (!t->found) {
            std::cerr << "menjin verify: no face found in '" << files[i] << "'\n";
            return 1;
        }
        templates[i] = std::move(*t);
    }
    const float score = (*pipeline)->Score(templates[0].values, templates[1].values);
    nlohmann::json out = {{"file_a", flags.image_a},
                          {"file_b", flags.image_b},
                          {"similarity", Round(score, 4)},
                          {"threshold", Round(threshold, 4)},
                          {"same", score >= threshold},
                          {"verdict", score >= threshold ? "same" : "different"},
                          {"model", (*pipeline)->template_kind()}};
    PrintJson(out);
    return 0;
}

}  // namespace

void AddVerifyCommand(CLI::App& app, int* exit_code) {
    auto flags = std::make_shared<VerifyFlags>();
    CLI::App* command = app.add_subcommand(
        "verify", "Compare the main faces of two photos and print similarity and verdict");
    AddEngineFlags(command, &flags->engine);
    command
        ->add_option("--threshold", flags->threshold,
                     "Similarity at or above which the faces are the same person (default: "
                     "the calibrated threshold for a false accept rate of 1e-3)")
        ->check(FiniteNumber());
    command->add_option("image_a", flags->image_a, "First photo")->required();
    command->add_option("image_b", flags->image_b, "Second photo")->required();
    command->callback([flags, exit_code] { *exit_code = RunVerify(*flags); });
}

}  // namespace menjin::cli
