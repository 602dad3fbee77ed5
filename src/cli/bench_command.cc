// `menjin bench` times each stage of the engine on 640x480 frames made from real photos.
//
// Every photo is scaled to fit a 640x480 frame (the resolution of a typical gate camera
// stream), centred on grey, and JPEG-encoded once. Each stage is then timed per frame: decode
// (the JPEG bytes), detect, align (the primary face) and embed (that one crop). Runs use one
// OpenCV thread and then all cores, and are repeated until every stage has enough samples.

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "cli/commands.h"
#include "cli/engine_setup.h"
#include "cli/json_output.h"
#include "vision/cpu_kernels.h"
#include "vision/face_aligner.h"
#include "vision/face_selection.h"

namespace menjin::cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct BenchFlags {
    EngineFlags engine;
    // Empty means the shared photo set's identities/ when it is there, else the test photos.
    std::string images_dir;
    int max_images = 60;
    int min_samples = 120;
};

struct StageTimes {
    std::vector<double> decode, detect, align, embed, total;
};

double Elapsed(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double Percentile(std::vector<double> values, double fraction) {
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1));
    return values[index];
}

nlohmann::json Summary(const std::vector<double>& values) {
    return {{"median_ms", Round(Percentile(values, 0.5), 2)},
            {"p95_ms", Round(Percentile(values, 0.95), 2)},
            {"samples", values.size()}};
}

std::string DefaultImagesDir() {
    const fs::path identities = fs::path(MENJIN_DEFAULT_FACES_DIR) / "identities";
    std::error_code error;
    return fs::is_directory(identities, error) ? identities.string() : MENJIN_DEFAULT_BENCH_IMAGES;
}

// Lists the regular files under `folder`, sorted. Subfolders that cannot be read are skipped.
Result<std::vector<fs::path>> ListFiles(const fs::path& folder) {
    std::error_code error;
    fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied,
                                        error);
    std::vector<fs::path> files;
    for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
        std::error_code type_error;
        if (it->is_regular_file(type_error))
            files.push_back(it->path());
    }
    if (error) {
        return Status(ErrorCode::kIoError,
                      "cannot read image folder '" + folder.string() + "': " + error.message());
    }
    std::sort(files.begin(), files.end());
    return files;
}

// Returns JPEG-encoded 640x480 frames made from the photos under `folder`.
Result<std::vector<std::vector<std::uint8_t>>> MakeFrames(const fs::path& folder, int max_images) {
    MENJIN_ASSIGN_OR_RETURN(std::vector<fs::path> files, ListFiles(folder));
    std::vector<std::vector<std::uint8_t>> frames;
    for (const fs::path& file : files) {
        if (static_cast<int>(frames.size()) >= max_images)
            break;
        Result<DecodedImage> image = DecodeImageFile(file, CommandLineDecodeLimits());
        if (!image.ok())
            continue;
        const cv::Mat& photo = image->bgr;
        const double scale = std::min(640.0 / photo.cols, 480.0 / photo.rows);
        // A very thin photo (1x5000) still gets at least one pixel across.
        const cv::Size size(std::clamp(cvRound(photo.cols * scale), 1, 640),
                            std::clamp(cvRound(photo.rows * scale), 1, 480));
        cv::Mat resized;
        cv::resize(photo, resized, size, 0, 0, cv::INTER_AREA);
        cv::Mat frame(480, 640, CV_8UC3, cv::Scalar::all(128));
        resized.copyTo(frame(cv::Rect((640 - resized.cols) / 2, (480 - resized.rows) / 2,
                                      resized.cols, resized.rows)));
        std::vector<std::uint8_t> bytes;
        cv::imencode(".jpg", frame, bytes, {cv::IMWRITE_JPEG_QUALITY, 90});
        frames.push_back(std::move(bytes));
    }
    return frames;
}

Status TimeFrames(FacePipeline& pipeline, const std::vector<std::vector<std::uint8_t>>& frames,
                  int min_samples, StageTimes& times) {
    FaceEmbedder& embedder = pipeline.embedder(0);
    const AlignmentTemplate& tmpl = embedder.alignment_template();
    while (static_cast<int>(times.total.size()) < min_samples) {
        const std::size_t timed_before = times.total.size();
        for (const auto& bytes : frames) {
            auto start = Clock::now();
            MENJIN_ASSIGN_OR_RETURN(DecodedImage image,
                                    DecodeImage(bytes, CommandLineDecodeLimits(), "frame"));
            times.decode.push_back(Elapsed(start));
            start = Clock::now();
            MENJIN_ASSIGN_OR_RETURN(std::vector<DetectedFace> faces, pipeline.Detect(image.bgr));
            const double detect = Elapsed(start);
            times.detect.push_back(detect);
            std::optional<std::size_t> primary = PrimaryFaceIndex(faces, image.bgr.size());
            if (!primary)
                continue;
            start = Clock::now();
            cv::Mat crop = AlignFace(image.bgr, faces[*primary], tmpl);
            const double align = Elapsed(start);
            times.align.push_back(align);
            start = Clock::now();
            MENJIN_RETURN_IF_ERROR(embedder.EmbedAligned({crop}, false).status());
            const double embed = Elapsed(start);
            times.embed.push_back(embed);
            times.total.push_back(detect + align + embed);
        }
        if (times.total.size() == timed_before) {
            return Status(ErrorCode::kFailedPrecondition,
                          "no face found in any of the " + std::to_string(frames.size()) +
                              " frames: use photos that show one face clearly");
        }
    }
    return Status::Ok();
}

Result<nlohmann::json> BenchConfiguration(const Engine& engine,
                                          const std::vector<std::vector<std::uint8_t>>& frames,
                                          int min_samples) {
    MENJIN_ASSIGN_OR_RETURN(std::unique_ptr<FacePipeline> pipeline, engine.NewPipeline());
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    nlohmann::json result = {{"stages", nlohmann::json::object()}};
    for (int threads : {1, cores}) {
        cv::setNumThreads(threads);
        StageTimes warmup;
        MENJIN_RETURN_IF_ERROR(TimeFrames(*pipeline, frames, 1, warmup));
        StageTimes times;
        MENJIN_RETURN_IF_ERROR(TimeFrames(*pipeline, frames, min_samples, times));
        const std::string key = threads == 1 ? "1_thread" : "all_cores";
        result["stages"]["decode"][key] = Summary(times.decode);
        result["stages"]["detect"][key] = Summary(times.detect);
        result["stages"]["align"][key] = Summary(times.align);
        result["stages"]["embed"][key] = Summary(times.embed);
        result["total_median_ms_" + std::string(threads == 1 ? "1_thread" : "all_cores")] =
            Round(Percentile(times.total, 0.5), 2);
        result["faces_found_per_frame"] =
            Round(static_cast<double>(times.total.size()) / times.detect.size(), 3);
    }
    result["cores"] = cores;
    return result;
}

// Returns the frames of the photos under `images_dir`, or prints why there are none.
std::optional<std::vector<std::vector<std::uint8_t>>> LoadFrames(const std::string& images_dir,
                                                                 int max_images) {
    std::error_code error;
    if (!fs::is_directory(images_dir, error)) {
        std::cerr << "menjin bench: image folder '" << images_dir << "' "
                  << (fs::exists(images_dir, error) ? "is not a folder" : "not found")
                  << ": pass --images with a folder of photos\n";
        return std::nullopt;
    }
    Result<std::vector<std::vector<std::uint8_t>>> frames = MakeFrames(images_dir, max_images);
    if (!frames.ok()) {
        std::cerr << "menjin bench: " << frames.status().message() << "\n";
        return std::nullopt;
    }
    if (frames->empty()) {
        std::cerr << "menjin bench: no decodable photos under '" << images_dir << "'\n";
        return std::nullopt;
    }
    return std::move(frames).value();
}

int RunBench(const BenchFlags& flags) {
    Result<Engine> engine = LoadEngine(flags.engine);
    if (!engine.ok()) {
        std::cerr << "menjin bench: " << engine.status().message() << "\n";
        return 2;
    }
    const std::string images_dir = flags.images_dir.empty() ? DefaultImagesDir() : flags.images_dir;
    const auto frames = LoadFrames(images_dir, flags.max_images);
    if (!frames)
        return 2;
    Result<nlohmann::json> main_run = BenchConfiguration(*engine, *frames, flags.min_samples);
    if (!main_run.ok()) {
        std::cerr << "menjin bench: " << main_run.status().message() << "\n";
        return 1;
    }
    nlohmann::json out = *main_run;
    // Which of OpenCV's kernels ran: a feature ending in '?' was switched off at start (see
    // vision/cpu_kernels.h).
    out["opencv_cpu_features"] = cv::getCPUFeaturesLine();
    out["menjin_layer_kernels"] = CpuHasAvx2Fma() ? "AVX2" : "portable";
    out["frame"] = "640x480";
    out["frames"] = frames->size();
    out["images"] = images_dir;
    out["mode"] = flags.engine.mode;
    out["detector_range"] = flags.engine.range;

    // The other detector range is reported beside, or why it could not be timed (the short
    // range finds no face in a folder of group photos, for example).
    Engine other = *engine;
    other.options.range = engine->options.range == DetectorRange::kFull ? DetectorRange::kShort
                                                                        : DetectorRange::kFull;
    const std::string other_name = other.options.range == DetectorRange::kShort ? "short" : "full";
    Result<nlohmann::json> other_run = BenchConfiguration(other, *frames, flags.min_samples);
    if (!other_run.ok()) {
        out["other_range"] = {{"detector_range", other_name},
                              {"error", other_run.status().message()}};
    } else {
        out["other_range"] = {
            {"detector_range", other_name},
            {"detect", (*other_run)["stages"]["detect"]},
            {"total_median_ms_1_thread", (*other_run)["total_median_ms_1_thread"]},
            {"total_median_ms_all_cores", (*other_run)["total_median_ms_all_cores"]},
            {"faces_found_per_frame", (*other_run)["faces_found_per_frame"]}};
    }
    PrintJson(out);
    return 0;
}

}  // namespace

void AddBenchCommand(CLI::App& app, int* exit_code) {
    auto flags = std::make_shared<BenchFlags>();
    CLI::App* command = app.add_subcommand(
        "bench", "Time decode, detect, align and embed on 640x480 frames; prints one JSON object");
    AddEngineFlags(command, &flags->engine);
    command->add_option("--images", flags->images_dir,
                        "Folder of photos to build frames from, searched recursively (default: "
                        "identities/ of the shared photo set when present, else the test photos "
                        "of the source tree)");
    command->add_option("--max-images", flags->max_images, "Use at most this many photos")
        ->check(CLI::PositiveNumber);
    command->add_option("--samples", flags->min_samples, "Minimum timed frames per run")
        ->check(CLI::Range(1, 100000));
    command->callback([flags, exit_code] { *exit_code = RunBench(*flags); });
}

}  // namespace menjin::cli
