// Runs the built `menjin` executable as a user would and checks its exit codes, its JSON on
// stdout and its error messages on stderr.

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "support/temp_dir.h"
#include "support/test_paths.h"
#include "vision/cpu_kernels.h"

namespace menjin {
namespace {

namespace fs = std::filesystem;
using ::menjin::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

struct CommandResult {
    // Exit status, or -1 when the process was killed by a signal.
    int exit_code = -1;
    std::string out;
    std::string err;
};

std::string ShellQuoted(const std::string& text) {
    std::string quoted = "'";
    for (char c : text) {
        if (c == '\'') {
            quoted += "'\\''";
        } else {
            quoted += c;
        }
    }
    return quoted + "'";
}

std::string ReadFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream contents;
    contents << in.rdbuf();
    return contents.str();
}

// Runs `command` through the shell and returns its exit status, or -1 when a signal ended it.
int ShellExitCode(const std::string& command) {
    const int status = std::system(command.c_str());
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Runs menjin with `args`, capturing stdout and stderr in files inside `scratch`. A non-empty
// `environment` (e.g. "-u NAME" or "NAME=value") is passed to env(1) in front of the command.
CommandResult RunMenjin(const std::vector<std::string>& args, const TempDir& scratch,
                        const std::string& environment = "") {
    const fs::path out = scratch.path() / "stdout.txt";
    const fs::path err = scratch.path() / "stderr.txt";
    std::string command = ShellQuoted(MENJIN_EXECUTABLE);
    if (!environment.empty())
        command = "env " + environment + " " + command;
    for (const std::string& arg : args) {
        command += ' ';
        command += ShellQuoted(arg);
    }
    command += " >";
    command += ShellQuoted(out.string());
    command += " 2>";
    command += ShellQuoted(err.string());
    CommandResult result;
    result.exit_code = ShellExitCode(command);
    result.out = ReadFile(out);
    result.err = ReadFile(err);
    return result;
}

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> lines;
    std::stringstream stream(text);
    std::string line;
    while (std::getline(stream, line)) {
        if (!line.empty())
            lines.push_back(line);
    }
    return lines;
}

fs::path Astronaut() {
    return ::menjin::testing::SourceDir() / "tests/data/astronaut.jpg";
}

TEST(DetectCommandTest, PrintsOneJsonLineWithFace) {
    MENJIN_REQUIRE_MODELS(models);
    TempDir scratch;

    const CommandResult result =
        RunMenjin({"detect", "--models", models.string(), Astronaut().string()}, scratch);

    ASSERT_EQ(result.exit_code, 0) << result.err;
    const std::vector<std::string> lines = Lines(result.out);
    ASSERT_EQ(lines.size(), 1u) << result.out;
    const nlohmann::json doc = nlohmann::json::parse(lines[0]);
    EXPECT_EQ(doc["file"], Astronaut().string());
    ASSERT_EQ(doc["faces"].size(), 1u);
    const nlohmann::json& face = doc["faces"][0];
    EXPECT_TRUE(face["box"].contains("x"));
    EXPECT_TRUE(face["box"].contains("y"));
    EXPECT_GT(face["box"]["width"].get<double>(), 0);
    EXPECT_GT(face["box"]["height"].get<double>(), 0);
    for (const char* name : {"right_eye", "left_eye", "nose_tip", "mouth_centre"}) {
        EXPECT_EQ(face["keypoints"][name].size(), 2u) << name;
    }
    EXPECT_GT(face["score"].get<double>(), 0.5);
    EXPECT_LE(face["score"].get<double>(), 1.0);
    EXPECT_TRUE(face["quality"]["passed"].get<bool>()) << face["quality"].dump();
    EXPECT_TRUE(face["quality"]["reasons"].is_array());
}

TEST(DetectCommandTest, MissingFileFailsNamingIt) {
    MENJIN_REQUIRE_MODELS(models);
    TempDir scratch;
    const std::string missing = (scratch.path() / "no_such_photo.jpg").string();

    const CommandResult result =
        RunMenjin({"detect", "--models", models.string(), Astronaut().string(), missing}, scratch);

    EXPECT_EQ(result.exit_code, 1);
    EXPECT_THAT(result.err, HasSubstr(missing));
    EXPECT_THAT(result.out, Not(HasSubstr("no_such_photo")));
    // The readable photo before it is still reported.
    EXPECT_EQ(Lines(result.out).size(), 1u) << result.out;
}

TEST(DetectCommandTest, BrokenFileFailsNamingIt) {
    MENJIN_REQUIRE_MODELS(models);
    TempDir scratch;
    const std::string whole = ReadFile(Astronaut());
    const std::string broken =
        scratch.Write("truncated.jpg", std::string_view(whole).substr(0, whole.size() / 3))
            .string();

    const CommandResult result =
        RunMenjin({"detect", "--models", models.string(), broken}, scratch);

    EXPECT_EQ(result.exit_code, 1);
    EXPECT_THAT(result.err, HasSubstr(broken));
    EXPECT_EQ(result.out, "");
}

TEST(VerifyCommandTest, SamePersonIsSame) {
    MENJIN_REQUIRE_FACES(faces);
    MENJIN_REQUIRE_MODELS(models);
    TempDir scratch;

    const CommandResult result = RunMenjin(
        {"verify", "--models", models.string(), (faces / "identities/p1054/1.jpg").string(),
         (faces / "identities/p1054/2.jpg").string()},
        scratch);

    ASSERT_EQ(result.exit_code, 0) << result.err;
    const nlohmann::json doc = nlohmann::json::parse(result.out);
    EXPECT_EQ(doc["verdict"], "same") << result.out;
    EXPECT_TRUE(doc["same"].get<bool>());
}

TEST(VerifyCommandTest, DifferentPeopleAreDifferent) {
    MENJIN_REQUIRE_FACES(faces);
    MENJIN_REQUIRE_MODELS(models);
    TempDir scratch;

    const CommandResult result = RunMenjin(
        {"verify", "--models", models.string(), (faces / "identities/p1054/1.jpg").string(),
         (faces / "identities/p0202/1.jpg").string()},
        scratch);

    ASSERT_EQ(result.exit_code, 0) << result.err;
    const nlohmann::json doc = nlohmann::json::parse(result.out);
    EXPECT_EQ(doc["verdict"], "different") << result.out;
    EXPECT_FALSE(doc["same"].get<bool>());
}

TEST(VerifyCommandTest, PhotoWithoutFaceFails) {
    MENJIN_REQUIRE_MODELS(models);
    TempDir scratch;
    const std::string blank = (scratch.path() / "blank.png").string();
    ASSERT_TRUE(cv::imwrite(blank, cv::Mat(200, 200, CV_8UC3, cv::Scalar(128, 128, 128))));

    const CommandResult result =
        RunMenjin({"verify", "--models", models.string(), Astronaut().string(), blank}, scratch);

    EXPECT_EQ(result.exit_code, 1);
    EXPECT_THAT(result.err, HasSubstr("no face found in '" + blank + "'"));
    EXPECT_EQ(result.out, "");
}

TEST(EvalCommandTest, MissingColumnExitsTwo) {
    TempDir scratch;
    const std::string pairs =
        scratch.Write("pairs.tsv", "file_a\tfile_b\nA/1.jpg\tA/2.jpg\n").string();

    const CommandResult result = RunMenjin({"eval", pairs}, scratch);

    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr(pairs));
    EXPECT_THAT(result.err, HasSubstr("file_a, file_b and label"));
    EXPECT_EQ(result.out, "");
}

TEST(EvalCommandTest, BadLabelExitsTwoNamingLine) {
    TempDir scratch;
    const std::string pairs =
        scratch.Write("pairs.tsv", "file_a\tfile_b\tlabel\nA/1.jpg\tA/2.jpg\tmaybe\n").string();

    const CommandResult result = RunMenjin({"eval", pairs}, scratch);

    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr(pairs + ":2"));
    EXPECT_THAT(result.err, HasSubstr("'maybe'"));
}

TEST(MenjinCommandTest, HugePageRestartKeepsArgumentsAndOutput) {
    // Without GLIBC_TUNABLES the process restarts itself once with huge pages; with a value
    // naming the tunable it does not. Either way the command gets the same arguments.
    TempDir scratch;
    const std::string image = Astronaut().string();

    const CommandResult restarted = RunMenjin({"detect", image}, scratch, "-u GLIBC_TUNABLES");
    const CommandResult kept =
        RunMenjin({"detect", image}, scratch, "GLIBC_TUNABLES=glibc.malloc.hugetlb=0");
    const CommandResult appended =
        RunMenjin({"detect", image}, scratch, "GLIBC_TUNABLES=glibc.malloc.check=0");

    EXPECT_EQ(restarted.exit_code, 0) << restarted.err;
    EXPECT_EQ(kept.exit_code, 0) << kept.err;
    EXPECT_EQ(appended.exit_code, 0) << appended.err;
    EXPECT_THAT(restarted.out, HasSubstr("\"faces\":[{"));
    EXPECT_EQ(restarted.out, kept.out);
    EXPECT_EQ(restarted.out, appended.out);
}

TEST(MenjinCommandTest, RestartPicksOpenCvKernelsForThisProcessor) {
    // Without OPENCV_CPU_DISABLE the process sets it for itself where OpenCV's AVX-512 kernels
    // are the slower ones (vision/cpu_kernels.h); an empty value keeps every kernel.
    MENJIN_REQUIRE_MODELS(models);
    if (std::getenv("OPENCV_CPU_DISABLE") != nullptr)
        GTEST_SKIP() << "OPENCV_CPU_DISABLE is set for the test run";
    TempDir scratch;
    const std::vector<std::string> args = {
        "bench",        "--models", models.string(), "--images", Astronaut().parent_path().string(),
        "--max-images", "1",        "--samples",     "2"};

    const CommandResult chosen = RunMenjin(args, scratch, "-u OPENCV_CPU_DISABLE");
    const CommandResult kept = RunMenjin(args, scratch, "OPENCV_CPU_DISABLE=");

    ASSERT_EQ(chosen.exit_code, 0) << chosen.err;
    ASSERT_EQ(kept.exit_code, 0) << kept.err;
    const std::string all_kernels = cv::getCPUFeaturesLine();
    EXPECT_EQ(nlohmann::json::parse(kept.out)["opencv_cpu_features"], all_kernels);
    const std::string chosen_kernels = nlohmann::json::parse(chosen.out)["opencv_cpu_features"];
    if (OpenCvKernelRestriction(IdentifyCpu())) {
        EXPECT_THAT(chosen_kernels, HasSubstr("AVX512-SKX?"));
        EXPECT_THAT(chosen_kernels, HasSubstr("*AVX2"));
    } else {
        EXPECT_EQ(chosen_kernels, all_kernels);
    }
}

TEST(BenchCommandTest, PhotosWithoutFacesFail) {
    // A flat grey photo gives the detector nothing, so there is nothing to time.
    MENJIN_REQUIRE_MODELS(models);
    TempDir scratch;
    const fs::path photos = scratch.path() / "photos";
    fs::create_directory(photos);
    cv::imwrite((photos / "grey.png").string(), cv::Mat(200, 200, CV_8UC3, cv::Scalar::all(128)));

    const CommandResult result = RunMenjin(
        {"bench", "--models", models.string(), "--images", photos.string(), "--samples", "2"},
        scratch);

    EXPECT_EQ(result.exit_code, 1);
    EXPECT_THAT(result.err, HasSubstr("no face found in any of the 1 frames"));
    EXPECT_EQ(result.out, "");
}

TEST(BenchCommandTest, ImagesMustBeAFolder) {
    MENJIN_REQUIRE_MODELS(models);
    TempDir scratch;

    const CommandResult result = RunMenjin(
        {"bench", "--models", models.string(), "--images", Astronaut().string()}, scratch);

    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr("is not a folder"));
}

TEST(MenjinCommandTest, LostOutputIsAnError) {
    TempDir scratch;
    const fs::path err = scratch.path() / "stderr.txt";
    const std::string command =
        ShellQuoted(MENJIN_EXECUTABLE) + " --version >/dev/full 2>" + ShellQuoted(err.string());

    const int exit_code = ShellExitCode(command);

    EXPECT_EQ(exit_code, 1);
    EXPECT_THAT(ReadFile(err), HasSubstr("cannot write standard output"));
}

TEST(MenjinCommandTest, ClosedStdoutNeverReachesDataFiles) {
    // With descriptor 1 closed, the next file opened (the data folder's lock) would get it.
    TempDir scratch;
    const fs::path data = scratch.path() / "data";
    const std::string menjin = ShellQuoted(MENJIN_EXECUTABLE);
    const std::string folder = ShellQuoted(data.string());
    ASSERT_EQ(ShellExitCode(menjin + " init --data " + folder + " >/dev/null 2>&1"), 0);

    const int exit_code =
        ShellExitCode(menjin + " estate list --data " + folder + " >&- 2>/dev/null");

    EXPECT_EQ(exit_code, 0);
    EXPECT_THAT(ReadFile(data / "menjin.lock"), Not(HasSubstr("[")));
}

TEST(MenjinCommandTest, StartThroughDynamicLoader) {
    // Run as `ld.so menjin`, /proc/self/exe is the loader, so menjin must not restart itself.
    const fs::path loader = "/lib64/ld-linux-x86-64.so.2";
    if (!fs::exists(loader))
        GTEST_SKIP() << "no " << loader << " on this system";
    TempDir scratch;
    const fs::path out = scratch.path() / "stdout.txt";
    const std::string command = "env -u GLIBC_TUNABLES -u OPENCV_CPU_DISABLE " + loader.string() +
                                " " + ShellQuoted(MENJIN_EXECUTABLE) + " --version >" +
                                ShellQuoted(out.string()) + " 2>/dev/null";

    const int exit_code = ShellExitCode(command);

    EXPECT_EQ(exit_code, 0);
    EXPECT_THAT(ReadFile(out), HasSubstr("menjin "));
}

TEST(MenjinCommandTest, NonFiniteNumbersRejected) {
    TempDir scratch;
    const std::string image = Astronaut().string();

    const CommandResult threshold =
        RunMenjin({"verify", "--threshold", "nan", image, image}, scratch);
    const CommandResult score = RunMenjin({"detect", "--detector-score", "inf", image}, scratch);

    EXPECT_EQ(threshold.exit_code, 2);
    EXPECT_THAT(threshold.err, HasSubstr("'nan' is not a finite number"));
    EXPECT_EQ(score.exit_code, 2);
    EXPECT_THAT(score.err, HasSubstr("'inf' is not a finite number"));
}

// Makes a model folder in `scratch` that links the ONNX files of `models` and contains a copy
// of its manifest with `change` applied to the model named `name`.
fs::path ModelsWithChange(const fs::path& models, const TempDir& scratch, const std::string& name,
                          const std::function<void(nlohmann::json&)>& change) {
    const fs::path copy = scratch.path() / "models";
    fs::create_directory(copy);
    for (const auto& entry : fs::directory_iterator(models)) {
        if (entry.path().extension() == ".onnx")
            fs::create_symlink(entry.path(), copy / entry.path().filename());
    }
    fs::copy_file(models / "calibration.json", copy / "calibration.json");
    nlohmann::json manifest = nlohmann::json::parse(ReadFile(models / "manifest.json"));
    for (auto& model : manifest["models"]) {
        if (model["name"] == name)
            change(model);
    }
    std::ofstream(copy / "manifest.json") << manifest.dump();
    return copy;
}

TEST(MenjinCommandTest, ManifestMistakesFailAtLoad) {
    // An output that is not a layer, a wrong output_dim and an input size the detector cannot
    // run all fail when the models load, not at the first face.
    MENJIN_REQUIRE_MODELS(models);
    const std::vector<std::tuple<std::string, std::function<void(nlohmann::json&)>, std::string>>
        cases = {{"mobilefacenet", [](nlohmann::json& m) { m["output"] = "nope"; },
                  "names layer 'nope'"},
                 {"mobilefacenet", [](nlohmann::json& m) { m["output_dim"] = 7; },
                  "does not run as the manifest describes it"},
                 {"blazeface",
                  [](nlohmann::json& m) {
                      m["input"]["width"] = 8;
                      m["input"]["height"] = 8;
                      m["input"].erase("height_step");
                  },
                  "does not run at its 8x8 input"}};
    for (const auto& [name, change, expected] : cases) {
        TempDir scratch;
        const fs::path copy = ModelsWithChange(models, scratch, name, change);

        const CommandResult result = RunMenjin(
            {"verify", "--models", copy.string(), Astronaut().string(), Astronaut().string()},
            scratch);

        EXPECT_NE(result.exit_code, 0) << expected;
        EXPECT_THAT(result.err, HasSubstr(expected));
        EXPECT_EQ(result.out, "") << expected;
    }
}

TEST(MenjinCommandTest, UnknownSubcommandFails) {
    TempDir scratch;

    const CommandResult result = RunMenjin({"frobnicate"}, scratch);

    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err, "");
    EXPECT_EQ(result.out, "");
}

}  // namespace
}  // namespace menjin
