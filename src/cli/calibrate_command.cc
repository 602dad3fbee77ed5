// `menjin calibrate` measures impostor scores on strangers' photos and writes calibration.json.
//
// Impostor pairs are all pairs of photos from different person folders, over the strangers
// (distractors/<id>/*) and the other photographed people (identities/<id>/*). Each folder holds
// one person, so all these scores are false-match scores. For each
// template kind the file records the score distribution, the threshold at a measured false
// accept rate of 1e-3 and an exponential fit of the upper 1% tail, which the access core
// extrapolates to the far smaller false accept rates that large galleries need.

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <numeric>
#include <system_error>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/engine_setup.h"
#include "cli/json_output.h"
#include "cli/photo_batch.h"
#include "evaluation/verification_metrics.h"

namespace menjin::cli {

namespace {

namespace fs = std::filesystem;

struct CalibrateFlags {
    std::string models_dir;
    std::string faces_dir;
    std::string out;
    int threads = 0;
};

// The share of impostor scores above which the exponential tail is fitted. Impostor cosine
// scores fall off faster than an exponential, so a fit to a deeper part of the tail
// overestimates rare false accepts less; 0.1% of a few hundred thousand pairs still leaves
// hundreds of scores to fit.
constexpr double kTailFraction = 0.001;

std::vector<fs::path> PhotosUnder(const fs::path& folder) {
    std::vector<fs::path> photos;
    if (!fs::is_directory(folder))
        return photos;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
        if (entry.is_regular_file())
            photos.push_back(entry.path());
    }
    std::sort(photos.begin(), photos.end());
    return photos;
}

// Scores every pair of photos from different folders. Each folder holds one person, so every
// such pair is an impostor pair; a person who appears in two folders by mistake only makes the
// tail heavier, which raises thresholds rather than lowering them.
std::vector<float> ImpostorScores(const FacePipeline& scorer,
                                  const std::map<fs::path, PhotoOutcome>& photos,
                                  const std::vector<fs::path>& files) {
    std::vector<const PhotoOutcome*> usable;
    std::vector<fs::path> folders;
    for (const fs::path& file : files) {
        const PhotoOutcome& outcome = photos.at(file);
        if (!outcome.status.ok() || !outcome.photo.found)
            continue;
        usable.push_back(&outcome);
        folders.push_back(file.parent_path());
    }
    std::vector<float> scores;
    for (std::size_t i = 0; i < usable.size(); ++i) {
        for (std::size_t j = i + 1; j < usable.size(); ++j) {
            if (folders[i] == folders[j])
                continue;
            scores.push_back(scorer.Score(usable[i]->photo.values, usable[j]->photo.values));
        }
    }
    return scores;
}

nlohmann::json DescribeScores(std::vector<float> scores) {
    std::sort(scores.begin(), scores.end());
    const double n = static_cast<double>(scores.size());
    const double mean = std::accumulate(scores.begin(), scores.end(), 0.0) / n;
    double square_sum = 0;
    for (float s : scores)
        square_sum += (s - mean) * (s - mean);
    const auto start_index = static_cast<std::size_t>((1 - kTailFraction) * n);
    const float tail_start = scores[start_index];
    double excess = 0;
    std::size_t tail_count = 0;
    for (std::size_t i = start_index; i < scores.size(); ++i, ++tail_count) {
        excess += scores[i] - tail_start;
    }
    return {{"impostor_pairs", scores.size()},
            {"mean", mean},
            {"std", std::sqrt(square_sum / n)},
            {"max", scores.back()},
            {"threshold_far_1e-2", ThresholdAtFar(scores, 1e-2)},
            {"threshold_far_1e-3", ThresholdAtFar(scores, 1e-3)},
            {"tail_start", tail_start},
            {"tail_fraction", static_cast<double>(tail_count) / n},
            {"tail_scale", std::max(excess / static_cast<double>(tail_count), 1e-4)}};
}

Result<nlohmann::json> CalibrateKind(const Engine& engine, const std::vector<fs::path>& strangers,
                                     const std::vector<fs::path>& others, int threads) {
    std::vector<fs::path> all = strangers;
    all.insert(all.end(), others.begin(), others.end());
    MENJIN_ASSIGN_OR_RETURN(auto photos, TemplatesOfPhotos(engine, all, threads));
    MENJIN_ASSIGN_OR_RETURN(std::unique_ptr<FacePipeline> scorer, engine.NewPipeline());
    std::vector<float> scores = ImpostorScores(*scorer, photos, all);
    if (scores.size() < 1000) {
        return InvalidArgument("calibrate: only " + std::to_string(scores.size()) +
                               " impostor pairs; need at least 1000 (more strangers' photos)");
    }
    nlohmann::json description = DescribeScores(std::move(scores));
    description["template_kind"] = scorer->template_kind();
    return description;
}

int RunCalibrate(const CalibrateFlags& flags) {
    const fs::path faces(flags.faces_dir);
    const std::vector<fs::path> strangers = PhotosUnder(faces / "distractors");
    const std::vector<fs::path> others = PhotosUnder(faces / "identities");
    if (strangers.empty() || others.empty()) {
        std::cerr << "menjin calibrate: '" << faces.string()
                  << "' needs distractors/<id>/ and identities/<id>/ folders of photos\n";
        return 2;
    }
    EngineFlags engine_flags;
    engine_flags.models_dir = flags.models_dir;
    const fs::path dir = ResolveModelDir(flags.models_dir);
    Result<ModelManifest> manifest = ModelManifest::Load(dir / "manifest.json");
    if (!manifest.ok()) {
        std::cerr << "menjin calibrate: " << manifest.status().message() << "\n";
        return 2;
    }
    // The measurement takes minutes, so a target that cannot be written is rejected first.
    const fs::path target = flags.out.empty() ? dir / "calibration.json" : fs::path(flags.out);
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::error_code error;
    if (fs::is_directory(target, error) || !fs::is_directory(folder, error) ||
        ::access(folder.c_str(), W_OK) != 0) {
        std::cerr << "menjin calibrate: cannot write '" << target.string()
                  << "': give --out a file in a writable folder\n";
        return 2;
    }
    nlohmann::json out = {
        {"description",
         "Impostor scores of strangers' photos against enrolled-like photos; written by "
         "`menjin calibrate`"},
        {"strangers", strangers.size()},
        {"other_photos", others.size()},
        {"embedders", nlohmann::json::object()},
        {"template_kinds", nlohmann::json::object()}};
    Engine engine{*manifest, {}, {}};
    std::map<std::string, ImpostorStats> stats;
    // Each accurate-mode embedder alone (mirrored) gives the statistics for z-normalisation.
    for (const std::string& name : manifest->accurate_embedders()) {
        engine.options = PipelineOptions{};
        engine.options.mode = RecognitionMode::kAccurate;
        engine.options.embedder_models = {name};
        Result<nlohmann::json> kind = CalibrateKind(engine, strangers, others, flags.threads);
        if (!kind.ok()) {
            std::cerr << "menjin calibrate: " << kind.status().message() << "\n";
            return 1;
        }
        out["embedders"][name] = {{"impostor_mean", (*kind)["mean"]},
                                  {"impostor_std", (*kind)["std"]}};
        out["template_kinds"][(*kind)["template_kind"].get<std::string>()] = *kind;
        stats[name] = {(*kind)["mean"].get<float>(), (*kind)["std"].get<float>()};
    }
    // Each mode with each detector range: short-range keypoints align faces a little
    // differently, so their impostor scores are measured separately.
    for (DetectorRange range : {DetectorRange::kFull, DetectorRange::kShort}) {
        for (RecognitionMode mode : {RecognitionMode::kDefault, RecognitionMode::kAccurate}) {
            engine.options = PipelineOptions{};
            engine.options.mode = mode;
            engine.options.range = range;
            engine.options.impostor_stats = stats;
            Result<nlohmann::json> kind = CalibrateKind(engine, strangers, others, flags.threads);
            if (!kind.ok()) {
                std::cerr << "menjin calibrate: " << kind.status().message() << "\n";
                return 1;
            }
            const std::string key =
                CalibrationKey((*kind)["template_kind"].get<std::string>(), range);
            (*kind)["detector_range"] = range == DetectorRange::kShort ? "short" : "full";
            out["template_kinds"][key] = *kind;
        }
    }
    std::ofstream file(target);
    file << out.dump(2) << "\n";
    if (!file) {
        std::cerr << "menjin calibrate: cannot write '" << target.string() << "'\n";
        return 1;
    }
    PrintJson(out);
    return 0;
}

}  // namespace

void AddCalibrateCommand(CLI::App& app, int* exit_code) {
    auto flags = std::make_shared<CalibrateFlags>();
    CLI::App* command = app.add_subcommand(
        "calibrate", "Measure impostor scores on strangers' photos and write calibration.json");
    command->add_option("--models", flags->models_dir, "Model folder (as for detect)");
    command
        ->add_option("--faces", flags->faces_dir,
                     "Folder with distractors/<id>/ (strangers) and identities/<id>/ photos")
        ->required();
    command->add_option("--out", flags->out,
                        "File to write (default: calibration.json in the model folder)");
    command->add_option("--threads", flags->threads, "Worker threads (0 = all cores)");
    command->callback([flags, exit_code] { *exit_code = RunCalibrate(*flags); });
}

}  // namespace menjin::cli
