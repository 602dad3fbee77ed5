#include <fstream>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/engine_setup.h"
#include "cli/json_output.h"
#include "cli/photo_batch.h"
#include "evaluation/pairs_file.h"
#include "evaluation/verification_metrics.h"

namespace menjin::cli {

namespace {

struct EvalFlags {
    EngineFlags engine;
    std::string pairs_file;
    std::string root;
    std::string scores_file;
    int threads = 0;
};

// Writes one line per pair: file_a, file_b, label and score ("none" when a face is missing).
bool WriteScores(const std::string& path, const std::vector<LabelledPair>& pairs,
                 const std::vector<ScoredPair>& scored) {
    std::ofstream out(path);
    out << "file_a\tfile_b\tlabel\tscore\n";
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        out << pairs[i].file_a.string() << '\t' << pairs[i].file_b.string() << '\t'
            << (pairs[i].same ? "same" : "different") << '\t';
        if (scored[i].has_score) {
            out << scored[i].score;
        } else {
            out << "none";
        }
        out << '\n';
    }
    return static_cast<bool>(out);
}

int RunEval(const EvalFlags& flags) {
    namespace fs = std::filesystem;
    const fs::path root =
        flags.root.empty() ? fs::path(flags.pairs_file).parent_path() : fs::path(flags.root);
    Result<std::vector<LabelledPair>> pairs = ReadPairsFile(flags.pairs_file, root);
    if (!pairs.ok()) {
        std::cerr << "menjin eval: " << pairs.status().message() << "\n";
        return 2;
    }
    Result<Engine> engine = LoadEngine(flags.engine);
    if (!engine.ok()) {
        std::cerr << "menjin eval: " << engine.status().message() << "\n";
        return 2;
    }
    std::vector<fs::path> files;
    for (const LabelledPair& pair : *pairs) {
        files.push_back(pair.file_a);
        files.push_back(pair.file_b);
    }
    auto photos = TemplatesOfPhotos(*engine, files, flags.threads);
    if (!photos.ok()) {
        std::cerr << "menjin eval: " << photos.status().message() << "\n";
        return 2;
    }
    int unreadable = 0;
    int faceless = 0;
    for (const auto& [file, outcome] : *photos) {
        if (!outcome.status.ok()) {
            std::cerr << "menjin eval: " << outcome.status.message() << "\n";
            ++unreadable;
        } else if (!outcome.photo.found) {
            std::cerr << "menjin eval: no face found in '" << file.string() << "'\n";
            ++faceless;
        }
    }
    // Any pipeline can score: scoring only needs the template kind's offset.
    Result<std::unique_ptr<FacePipeline>> scorer = engine->NewPipeline();
    if (!scorer.ok()) {
        std::cerr << "menjin eval: " << scorer.status().message() << "\n";
        return 2;
    }
    std::vector<ScoredPair> scored;
    int failed_pairs = 0;
    for (const LabelledPair& pair : *pairs) {
        const PhotoOutcome& a = photos->at(pair.file_a);
        const PhotoOutcome& b = photos->at(pair.file_b);
        ScoredPair s;
        s.same = pair.same;
        s.has_score = a.status.ok() && b.status.ok() && a.photo.found && b.photo.found;
        if (s.has_score) {
            s.score = (*scorer)->Score(a.photo.values, b.photo.values);
        } else {
            ++failed_pairs;
        }
        scored.push_back(s);
    }
    if (!flags.scores_file.empty() && !WriteScores(flags.scores_file, *pairs, scored)) {
        std::cerr << "menjin eval: cannot write '" << flags.scores_file << "'\n";
        return 1;
    }
    const VerificationMetrics m = ComputeVerificationMetrics(scored);
    nlohmann::json out = {{"pairs", m.pairs},
                          {"same_pairs", m.same_pairs},
                          {"different_pairs", m.different_pairs},
                          {"failures_to_detect", failed_pairs},
                          {"images", photos->size()},
                          {"images_without_face", faceless},
                          {"images_unreadable", unreadable},
                          {"accuracy", Round(m.accuracy, 4)},
                          {"best_threshold", Round(m.best_threshold, 4)},
                          {"eer", Round(m.eer, 4)},
                          {"tar_at_far_1e-2", Round(m.tar_at_far_1e2, 4)},
                          {"tar_at_far_1e-3", Round(m.tar_at_far_1e3, 4)},
                          {"threshold_at_far_1e-3", Round(m.threshold_at_far_1e3, 4)},
                          {"model", (*scorer)->template_kind()},
                          {"mode", flags.engine.mode}};
    PrintJson(out);
    return unreadable > 0 ? 1 : 0;
}

}  // namespace

void AddEvalCommand(CLI::App& app, int* exit_code) {
    auto flags = std::make_shared<EvalFlags>();
    CLI::App* command =
        app.add_subcommand("eval", "Measure verification accuracy on a labelled pairs file (TSV)");
    AddEngineFlags(command, &flags->engine);
    command
        ->add_option("pairs", flags->pairs_file,
                     "TSV with a header row and columns file_a, file_b, label (same or "
                     "different)")
        ->required();
    command->add_option("--root", flags->root,
                        "Folder the photo paths are relative to (default: the TSV's folder)");
    command->add_option("--scores", flags->scores_file,
                        "Also write each pair's score to this TSV file");
    command->add_option("--threads", flags->threads, "Worker threads (0 = all cores)")
        ->check(CLI::NonNegativeNumber);
    command->callback([flags, exit_code] { *exit_code = RunEval(*flags); });
}

}  // namespace menjin::cli
