// `menjin serve`: the HTTP service over a data folder, until SIGTERM or SIGINT.

#include <signal.h>

#include <iostream>
#include <opencv2/core.hpp>
#include <thread>

#include "cli/commands.h"
#include "cli/core_setup.h"
#include "common/log.h"
#include "server/api_server.h"
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
    std::string static_dir;
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
    options.static_dir = flags.static_dir;
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

// Serves until SIGTERM or SIGINT, then drains the requests in flight and closes the server
// before the core, so that the database closes after the last write.
void ServeUntilSignal(const sigset_t& signals, ApiServer& server, const std::string& data_dir) {
    const int signal = WaitForStopSignal(signals, server);
    if (signal == 0) {
        MENJIN_LOG_ERROR("server: the listening loop ended without a stop signal; stopping");
    } else {
        MENJIN_LOG_INFO("server: stopping on {}; waiting for requests in flight",
                        strsignal(signal));
    }
    server.Stop();
    server.Wait();
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
    PrintJson({{"listening", options->host + ":" + std::to_string((*server)->port())},
               {"tls", (*server)->tls()}});
    std::cout.flush();
    ServeUntilSignal(signals, **server, flags.data.data_dir);
    server->reset();
    core->reset();
    MENJIN_LOG_INFO("server: stopped");
    return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app, int* exit_code) {
    auto flags = std::make_shared<ServeFlags>();
    flags->data.pipelines = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
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
                     "OpenCV threads per inference; 1 lets the face pipelines run in "
                     "parallel on separate cores")
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
    command->add_option("--static", flags->static_dir,
                        "Folder of static files (the web console) served under /");
    command->callback([flags, exit_code] { *exit_code = RunServe(*flags); });
}

}  // namespace menjin::cli
