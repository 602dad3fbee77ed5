// `menjin serve`: the HTTP service over a data folder, until SIGTERM or SIGINT.

#include <signal.h>

#include <filesystem>
#include <iostream>
#include <opencv2/core.hpp>
#include <thread>

#include "cli/commands.h"
#include "cli/core_setup.h"
#include "common/log.h"
#include "server/api_server.h"
#include "server/welfare_scheduler.h"
#include "vision/cpu_kernels.h"
#include "vision/model_manifest.h"

namespace menjin::cli {

namespace {

constexpr std::size_t kMiB = 1 << 20;

struct ServeFlags {
    DataFlags data;
    std::string listen = "127.0.0.1:8080";
    std::string tls_certificate;
    std::string tls_private_key;
    int threads = 48;
    int opencv_threads = 1;
    int max_json_kib = 1024;
    int max_upload_mib = 16;
    int max_image_megapixels = 40;
    int link_seconds = 60;
    int keep_alive_requests = 1;
    std::string static_dir;
    int welfare_tick_seconds = 30;
    bool no_welfare = false;
};

Status ParseListen(const std::string& listen, ApiServerOptions& options) {
    const std::size_t colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        return InvalidArgument("--listen: use HOST:PORT, e.g. 127.0.0.1:8080", "listen");
    }
    options.host = listen.substr(0, colon);
    try {
        std::size_t used = 0;
        options.port = std::stoi(listen.substr(colon + 1), &used);
        if (used != listen.size() - colon - 1 || options.port < 0 || options.port > 65535)
            throw std::out_of_range("port");
    } catch (const std::exception&) {
        return InvalidArgument("--listen: the port must be 0 to 65535", "listen");
    }
    return Status::Ok();
}

// Blocks SIGTERM and SIGINT in this thread and every thread started after, so that only
// WaitForStopSignal receives them, and ignores SIGPIPE, which a write to a connection that the
// client closed would otherwise raise.
sigset_t BlockStopSignals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
    return signals;
}

// Returns the signal that asked to stop, or 0 when the server stopped by itself.
int WaitForStopSignal(const sigset_t& signals, const ApiServer& server) {
    const timespec interval{1, 0};
    while (server.running()) {
        const int signal = sigtimedwait(&signals, nullptr, &interval);
        if (signal > 0)
            return signal;
    }
    return 0;
}

// The --static value that serves no web console.
constexpr const char* kNoConsole = "none";

// Returns the folder of the web console to serve: `flag` when set ("none" for no console),
// else console/dist of the source tree whose build folder contains this executable
// (build/menjin -> console/dist) when scripts/setup.sh built the console there, else "".
std::filesystem::path ResolveConsoleDir(const std::string& flag) {
    namespace fs = std::filesystem;
    if (flag == kNoConsole)
        return {};
    if (!flag.empty())
        return flag;
    std::error_code error;
    const fs::path exe = fs::read_symlink("/proc/self/exe", error);
    if (error)
        return {};
    const fs::path dist = exe.parent_path().parent_path() / "console" / "dist";
    return fs::exists(dist / "index.html", error) ? dist : fs::path();
}

void LogStart(const ServeFlags& flags, const ApiServer& server) {
    std::string models;
    const auto model_dir = ResolveModelDir(flags.data.models_dir);
    Result<ModelManifest> manifest = ModelManifest::Load(model_dir / "manifest.json");
    if (manifest.ok()) {
        for (const ModelSpec& model : manifest->models())
            models += " " + model.name + "=" + model.sha256.substr(0, 16);
    }
    MENJIN_LOG_INFO(
        "server: menjin {} serving data folder '{}' on {}://{}:{}, {} threads, {} face "
        "pipelines, models in '{}' (sha256 prefixes:{})",
        MENJIN_VERSION, flags.data.data_dir, server.tls() ? "https" : "http",
        flags.listen.substr(0, flags.listen.rfind(':')), server.port(), flags.threads,
        flags.data.pipelines, model_dir.string(), models);
    const std::filesystem::path console = ResolveConsoleDir(flags.static_dir);
    if (flags.static_dir == kNoConsole) {
        MENJIN_LOG_INFO("server: no web console is served (--static none)");
    } else if (console.empty()) {
        MENJIN_LOG_INFO(
            "server: no web console is served (build it with scripts/setup.sh or "
            "pass --static DIR)");
    } else {
        MENJIN_LOG_INFO("server: serving the web console from '{}'", console.string());
    }
    MENJIN_LOG_INFO(
        "server: OpenCV {} with {} OpenCV threads; CPU kernels: {}; menjin layer kernels: {}",
        CV_VERSION, cv::getNumThreads(), cv::getCPUFeaturesLine(),
        CpuHasAvx2Fma() ? "AVX2" : "portable");
}

Result<ApiServerOptions> ServerOptions(const ServeFlags& flags) {
    ApiServerOptions options;
    MENJIN_RETURN_IF_ERROR(ParseListen(flags.listen, options));
    options.tls_certificate = flags.tls_certificate;
    options.tls_private_key = flags.tls_private_key;
    options.threads = flags.threads;
    options.limits.json_bytes = static_cast<std::size_t>(flags.max_json_kib) * 1024;
    options.limits.upload_bytes = static_cast<std::size_t>(flags.max_upload_mib) * kMiB;
    options.thumbnail_link_seconds = flags.link_seconds;
    options.keep_alive_requests = flags.keep_alive_requests;
    options.static_dir = ResolveConsoleDir(flags.static_dir);
    options.version = MENJIN_VERSION;
    return options;
}

// Logs a failure to start and prints it on stderr; returns the exit code.
int FailStart(const Status& status) {
    MENJIN_LOG_ERROR("server: failed to start: {}", status.ToString());
    return ReportError("serve", status);
}

Result<std::unique_ptr<AccessCore>> OpenServedCore(const ServeFlags& flags,
                                                   const ApiServerOptions& options) {
    AccessCoreOptions core_options;
    core_options.decode_limits.max_bytes = options.limits.upload_bytes;
    core_options.decode_limits.max_pixels =
        static_cast<std::int64_t>(flags.max_image_megapixels) * 1'000'000;
    return OpenCore(flags.data, core_options);
}

// Starts the welfare scheduler unless --no-welfare is given; returns null then.
std::unique_ptr<WelfareScheduler> StartWelfareScheduler(const ServeFlags& flags, AccessCore& core) {
    if (flags.no_welfare) {
        MENJIN_LOG_INFO(
            "welfare: scheduler off (--no-welfare); alerts and leads are evaluated "
            "only on request");
        return nullptr;
    }
    WelfareSchedulerOptions options;
    options.tick = std::chrono::seconds(flags.welfare_tick_seconds);
    auto scheduler = std::make_unique<WelfareScheduler>(core, options);
    scheduler->Start();
    MENJIN_LOG_INFO(
        "welfare: scheduler started: looks for due evaluations and webhook "
        "deliveries every {} s; webhook retries from {} s, doubling up to {} s, "
        "{} attempts",
        flags.welfare_tick_seconds, options.webhooks.first_retry_seconds,
        options.webhooks.max_retry_seconds, options.webhooks.max_attempts);
    return scheduler;
}

// Serves until SIGTERM or SIGINT, then drains the requests in flight and the welfare round in
// progress, and stops both before the core closes, so that the database closes after the last
// write. The scheduler is asked to stop first so that it winds down while requests drain.
void ServeUntilSignal(const sigset_t& signals, ApiServer& server, WelfareScheduler* scheduler,
                      const std::string& data_dir) {
    const int signal = WaitForStopSignal(signals, server);
    if (signal == 0) {
        MENJIN_LOG_ERROR("server: the listening loop ended without a stop signal; stopping");
    } else {
        MENJIN_LOG_INFO("server: stopping on {}; waiting for requests in flight",
                        strsignal(signal));
    }
    if (scheduler != nullptr)
        scheduler->RequestStop();
    server.Stop();
    server.Wait();
    if (scheduler != nullptr)
        scheduler->Stop();
    MENJIN_LOG_INFO("server: every request finished; closing the data folder '{}'", data_dir);
}

int RunServe(const ServeFlags& flags) {
    const sigset_t signals = BlockStopSignals();
    EnsureLogLevel("info");
    cv::setNumThreads(flags.opencv_threads);
    Result<ApiServerOptions> options = ServerOptions(flags);
    if (!options.ok())
        return FailStart(options.status());
    Result<std::unique_ptr<AccessCore>> core = OpenServedCore(flags, *options);
    if (!core.ok())
        return FailStart(core.status());
    Result<std::unique_ptr<ApiServer>> server = ApiServer::Create(**core, *options);
    if (!server.ok())
        return FailStart(server.status());
    Status started = (*server)->Start();
    if (!started.ok())
        return FailStart(started);

    LogStart(flags, **server);
    std::unique_ptr<WelfareScheduler> scheduler = StartWelfareScheduler(flags, **core);
    PrintJson({{"listening", options->host + ":" + std::to_string((*server)->port())},
               {"tls", (*server)->tls()}});
    std::cout.flush();
    if (!std::cout) {
        // A supervisor waiting for the port would never learn it, so the server stops rather
        // than run unreachable.
        MENJIN_LOG_ERROR("server: cannot write the listening line to standard output; stopping");
        (*server)->Stop();
        scheduler.reset();
        server->reset();
        core->reset();
        return 1;
    }
    ServeUntilSignal(signals, **server, scheduler.get(), flags.data.data_dir);
    scheduler.reset();
    server->reset();
    core->reset();
    MENJIN_LOG_INFO("server: stopped");
    return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app, int* exit_code) {
    auto flags = std::make_shared<ServeFlags>();
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    flags->data.pipelines = cores;
    // A lone decision then uses every core. When several run at once they share OpenCV's one
    // thread pool, so throughput stays that of one thread per pipeline.
    flags->opencv_threads = cores;
    CLI::App* command = app.add_subcommand(
        "serve", "Serve the access core over HTTP (JSON API under /api/v1) until SIGTERM");
    AddDataFlags(command, &flags->data);
    command->add_option("--listen", flags->listen, "Address and port to listen on, HOST:PORT")
        ->capture_default_str();
    command->add_option("--tls-cert", flags->tls_certificate,
                        "PEM certificate chain file; with --tls-key, serve HTTPS");
    command->add_option("--tls-key", flags->tls_private_key, "PEM private key file");
    command
        ->add_option("--threads", flags->threads,
                     "HTTP worker threads; each open connection or event stream holds one")
        ->check(CLI::Range(2, 1024))
        ->capture_default_str();
    command
        ->add_option("--opencv-threads", flags->opencv_threads,
                     "OpenCV threads per inference (default: the number of cores); "
                     "concurrent decisions share them")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    command->add_option("--max-json-kib", flags->max_json_kib, "Largest JSON body in KiB")
        ->check(CLI::Range(1, 65536))
        ->capture_default_str();
    command
        ->add_option("--max-upload-mib", flags->max_upload_mib,
                     "Largest photo upload or set of gate frames in MiB")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    command
        ->add_option("--max-image-megapixels", flags->max_image_megapixels,
                     "Largest image size in megapixels, checked before decoding")
        ->check(CLI::Range(1, 400))
        ->capture_default_str();
    command
        ->add_option("--link-seconds", flags->link_seconds,
                     "Lifetime of signed thumbnail links in seconds")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    command
        ->add_option("--keep-alive-requests", flags->keep_alive_requests,
                     "Requests served on one connection before the server closes it. The "
                     "default 1 closes every connection after its response, so that a reverse "
                     "proxy and cpp-httplib can never disagree about where a request ends "
                     "(request smuggling); raise it only when clients connect directly")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    command->add_option("--static", flags->static_dir,
                        "Folder of static files (the web console) served under /; default: "
                        "console/dist beside the build folder when it is built, 'none' for no "
                        "console");
    command
        ->add_option("--welfare-tick", flags->welfare_tick_seconds,
                     "Seconds between the welfare scheduler's checks for due work: estate "
                     "evaluations (each at its evaluation_interval_minutes), the duplicate "
                     "identity sweep and webhook deliveries")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    command->add_flag("--no-welfare", flags->no_welfare,
                      "Run no scheduled welfare work: no evaluations, sweeps or webhook "
                      "deliveries (evaluations on request still work)");
    command->callback([flags, exit_code] { *exit_code = RunServe(*flags); });
}

}  // namespace menjin::cli
