// Gate decisions over HTTP under load: a real `menjin serve` child process on 127.0.0.1,
// driven through POST /api/v1/gates/{gate_id}/decisions with one JPEG per request by 1, 4 and
// 16 simulated gates in a closed loop (each gate sends again as soon as it has its decision),
// then by 16 gates in open loops that send one approach per gate per second, the load of a busy
// estate gate, and three per second, to show the headroom.
//
// Set-up, before any clock starts: a fresh data folder in /tmp with one estate and 16 gates,
// the first photo of each of the first --people identities of the photo set enrolled as a
// resident, and a device credential per gate. The frames sent are the other photos of the
// enrolled identities (genuine) and the distractor photos (strangers), taken round-robin.
//
// Prints one table row per run (decisions per second, p50/p95/p99 latency in ms, grants and
// errors) and a JSON line with the same figures.
//
// Usage: decision_load_bench [--faces DIR] [--models DIR] [--people N] [--seconds S]
//                            [--pipelines N] [--opencv-threads N] [--range full|short]
//                            [--open-rates 1,3]
// Defaults: $MENJIN_FACES_DIR or the shared photo set beside the source tree, the models
// folder of the build tree, 150 people, 20 s per closed-loop run (30 s open loop), and the
// server's defaults: one face pipeline per core, as many OpenCV threads, the full-range
// detector. `--range short` serves with the 128x128 short-range detector for faces within about
// 2 m. Without the photo folder it prints a message and exits with 0.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/log.h"
#include "decision_load.h"
#include "server/gate_devices.h"
#include "service/access_core.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using menjin::bench::GateDevice;
using menjin::bench::LoadResult;

constexpr int kGates = 16;

int Cores() {
    return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// Highest open-loop rate per gate. 16 gates at 100 per second offer 1,600 decisions a second,
// many times what 2 cores serve (about 100 a second), so the default 30 s run then takes about
// eight minutes to drain its backlog.
constexpr int kMaxOpenRate = 100;

struct Flags {
    fs::path faces;
    fs::path models = MENJIN_DEFAULT_MODEL_DIR;
    int people = 150;
    int seconds = 20;
    int pipelines = Cores();
    int opencv_threads = Cores();
    std::string range = "full";
    int keep_alive_requests = 1;           // the server's default
    std::vector<int> open_rates = {1, 3};  // approaches per gate per second in the open loop
};

std::string EnvOr(const char* name, const std::string& fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : fallback;
}

// Parses "1,3" into rates of approaches per gate per second, or exits with a usage error.
std::vector<int> ParseRates(const std::string& text) {
    std::vector<int> rates;
    std::stringstream list(text);
    for (std::string item; std::getline(list, item, ',');) {
        std::size_t used = 0;
        int rate = 0;
        try {
            rate = std::stoi(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != item.size() || rate < 1 || rate > kMaxOpenRate) {
            std::fprintf(stderr,
                         "decision_load_bench: --open-rates takes whole numbers from 1 to %d per "
                         "gate per second, separated by commas; got '%s' in '%s'\n",
                         kMaxOpenRate, item.c_str(), text.c_str());
            std::exit(2);
        }
        rates.push_back(rate);
    }
    if (rates.empty() || text.back() == ',') {
        std::fprintf(stderr,
                     "decision_load_bench: --open-rates needs at least one rate, got '%s'\n",
                     text.c_str());
        std::exit(2);
    }
    return rates;
}

Flags ParseFlags(int argc, char** argv) {
    Flags flags;
    flags.faces = EnvOr("MENJIN_FACES_DIR", MENJIN_DEFAULT_FACES_DIR);
    std::map<std::string, std::string> values;
    for (int i = 1; i + 1 < argc; i += 2)
        values[argv[i]] = argv[i + 1];
    if (values.count("--faces"))
        flags.faces = values["--faces"];
    if (values.count("--models"))
        flags.models = values["--models"];
    if (values.count("--people"))
        flags.people = std::stoi(values["--people"]);
    if (values.count("--seconds"))
        flags.seconds = std::stoi(values["--seconds"]);
    if (values.count("--pipelines"))
        flags.pipelines = std::stoi(values["--pipelines"]);
    if (values.count("--range"))
        flags.range = values["--range"];
    if (values.count("--opencv-threads"))
        flags.opencv_threads = std::stoi(values["--opencv-threads"]);
    if (values.count("--keep-alive-requests"))
        flags.keep_alive_requests = std::stoi(values["--keep-alive-requests"]);
    if (values.count("--open-rates"))
        flags.open_rates = ParseRates(values["--open-rates"]);
    return flags;
}

std::string ReadBytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<fs::path> SortedEntries(const fs::path& folder) {
    std::vector<fs::path> entries;
    for (const auto& entry : fs::directory_iterator(folder))
        entries.push_back(entry.path());
    std::sort(entries.begin(), entries.end());
    return entries;
}

// The photo set split into enrolment photos (first photo of each identity) and frames.
struct PhotoPlan {
    std::vector<std::pair<std::string, std::string>> enrol;  // person id, JPEG bytes
    std::vector<std::string> frames;
};

PhotoPlan PlanPhotos(const Flags& flags) {
    PhotoPlan plan;
    std::vector<std::string> genuine;
    for (const fs::path& folder : SortedEntries(flags.faces / "identities")) {
        if (static_cast<int>(plan.enrol.size()) == flags.people)
            break;
        std::vector<fs::path> photos = SortedEntries(folder);
        if (photos.size() < 2 || photos[0].extension() != ".jpg")
            continue;
        plan.enrol.emplace_back(folder.filename().string(), ReadBytes(photos[0]));
        for (std::size_t i = 1; i < photos.size(); ++i)
            genuine.push_back(ReadBytes(photos[i]));
    }
    std::vector<std::string> strangers;
    for (const fs::path& folder : SortedEntries(flags.faces / "distractors")) {
        for (const fs::path& photo : SortedEntries(folder))
            strangers.push_back(ReadBytes(photo));
    }
    // Three genuine frames to one stranger, interleaved.
    for (std::size_t i = 0; i < genuine.size(); ++i) {
        plan.frames.push_back(genuine[i]);
        if (i % 3 == 2 && !strangers.empty())
            plan.frames.push_back(strangers[(i / 3) % strangers.size()]);
    }
    return plan;
}

menjin::Status AddDirectory(menjin::AccessCore& core) {
    menjin::Estate estate;
    estate.id = "bench";
    estate.name = "Bench estate";
    MENJIN_RETURN_IF_ERROR(core.AddEstate(estate));
    for (int g = 1; g <= kGates; ++g) {
        menjin::Gate gate;
        gate.id = fmt::format("g{:02}", g);
        gate.estate_id = estate.id;
        MENJIN_RETURN_IF_ERROR(core.AddGate(gate));
    }
    return menjin::Status::Ok();
}

menjin::Status EnrolPeople(menjin::AccessCore& core, const PhotoPlan& plan, int* enrolled) {
    for (const auto& [id, jpeg] : plan.enrol) {
        menjin::Unit unit;
        unit.id = "u-" + id;
        unit.estate_id = "bench";
        unit.building = "1";
        unit.number = id;
        MENJIN_RETURN_IF_ERROR(core.AddUnitWithHousehold(unit, ""));
        menjin::Person person;
        person.id = id;
        person.name = "住户" + id;
        person.household_id = unit.id;
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(jpeg.data());
        MENJIN_ASSIGN_OR_RETURN(menjin::EnrolmentResult result,
                                core.AddResidentAndEnrol(person, 3650, {bytes, jpeg.size()}));
        *enrolled += result.accepted ? 1 : 0;
    }
    return menjin::Status::Ok();
}

// Makes the data folder and returns the gates with their device tokens.
menjin::Result<std::vector<GateDevice>> Prepare(const Flags& flags, const fs::path& data,
                                                const PhotoPlan& plan, int* enrolled) {
    MENJIN_RETURN_IF_ERROR(
        menjin::AccessCore::InitDataDir(data, menjin::RecognitionMode::kDefault));
    menjin::AccessCoreOptions options;
    options.data_dir = data;
    options.model_dir = flags.models;
    MENJIN_ASSIGN_OR_RETURN(
        auto core, menjin::AccessCore::Open(options, std::make_shared<menjin::SystemClock>()));
    MENJIN_RETURN_IF_ERROR(AddDirectory(*core));
    MENJIN_RETURN_IF_ERROR(EnrolPeople(*core, plan, enrolled));
    menjin::GateDevices devices(core->store(), core->clock());
    std::vector<GateDevice> gates;
    for (int g = 1; g <= kGates; ++g) {
        MENJIN_ASSIGN_OR_RETURN(menjin::IssuedDeviceCredential issued,
                                devices.Issue(fmt::format("g{:02}", g), "bench"));
        gates.push_back({issued.credential.gate_id, issued.token});
    }
    return gates;
}

// Reads the {"listening": "host:port"} line that `menjin serve` prints once it listens, waiting
// up to a minute for the models to load; returns the port, or 0.
int ReadListeningPort(int fd) {
    std::string line;
    char buffer[256];
    pollfd ready{fd, POLLIN, 0};
    while (line.find('\n') == std::string::npos && ::poll(&ready, 1, 60000) > 0) {
        const ssize_t got = ::read(fd, buffer, sizeof(buffer));
        if (got <= 0)
            break;
        line.append(buffer, static_cast<std::size_t>(got));
    }
    const nlohmann::json json =
        nlohmann::json::parse(line.substr(0, line.find('\n')), nullptr, false);
    const std::string address = json.is_object() ? json.value("listening", "") : "";
    return address.empty() ? 0 : std::stoi(address.substr(address.rfind(':') + 1));
}

// Starts `menjin serve` on a free port and returns its pid and port (port 0 on failure).
std::pair<pid_t, int> StartServer(const Flags& flags, const fs::path& data) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0)
        return {-1, 0};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    const std::string log = (data / "serve.log").string();
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const std::vector<std::string> args = {MENJIN_EXECUTABLE,
                                           "serve",
                                           "--data",
                                           data.string(),
                                           "--models",
                                           flags.models.string(),
                                           "--listen",
                                           "127.0.0.1:0",
                                           "--pipelines",
                                           std::to_string(flags.pipelines),
                                           "--opencv-threads",
                                           std::to_string(flags.opencv_threads),
                                           "--range",
                                           flags.range,
                                           "--keep-alive-requests",
                                           std::to_string(flags.keep_alive_requests)};
    std::vector<char*> argv;
    for (const std::string& arg : args)
        argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    posix_spawn(&pid, MENJIN_EXECUTABLE, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    const int port = ReadListeningPort(pipe_fds[0]);
    ::close(pipe_fds[0]);
    return {pid, port};
}

nlohmann::json Report(const std::string& mode, std::size_t gates, const LoadResult& result) {
    std::printf("| %-17s | %5zu | %9zu | %11.1f | %6.1f | %6.1f | %6.1f | %6d | %6d |\n",
                mode.c_str(), gates, result.latencies_ms.size(), result.DecisionsPerSecond(),
                result.Percentile(0.50), result.Percentile(0.95), result.Percentile(0.99),
                result.grants, result.errors);
    std::fflush(stdout);
    return {{"mode", mode},
            {"gates", gates},
            {"decisions", result.latencies_ms.size()},
            {"decisions_per_second", result.DecisionsPerSecond()},
            {"p50_ms", result.Percentile(0.50)},
            {"p95_ms", result.Percentile(0.95)},
            {"p99_ms", result.Percentile(0.99)},
            {"grants", result.grants},
            {"errors", result.errors}};
}

nlohmann::json RunLoads(const Flags& flags, int port, const std::vector<GateDevice>& gates,
                        const std::vector<std::string>& frames) {
    std::printf(
        "| mode              | gates | decisions | decisions/s | p50 ms | p95 ms | "
        "p99 ms | grants | errors |\n|---|---|---|---|---|---|---|---|---|\n");
    nlohmann::json runs = nlohmann::json::array();
    for (std::size_t count : {1u, 4u, 16u}) {
        const std::vector<GateDevice> subset(gates.begin(), gates.begin() + count);
        LoadResult result = menjin::bench::RunClosedLoop(
            port, subset, frames, std::chrono::seconds(3), std::chrono::seconds(flags.seconds));
        runs.push_back(Report("closed loop", count, result));
    }
    for (int rate : flags.open_rates) {
        LoadResult open = menjin::bench::RunOpenLoop(port, gates, frames,
                                                     std::chrono::microseconds(1000000 / rate),
                                                     std::chrono::seconds(flags.seconds * 3 / 2));
        runs.push_back(Report("open, " + std::to_string(rate) + "/s per gate", gates.size(), open));
    }
    return runs;
}

int Run(const Flags& flags) {
    const PhotoPlan plan = PlanPhotos(flags);
    char folder_template[] = "/tmp/menjin-decision-bench-XXXXXX";
    const fs::path folder = ::mkdtemp(folder_template);
    const fs::path data = folder / "data";
    int enrolled = 0;
    menjin::Result<std::vector<GateDevice>> gates = Prepare(flags, data, plan, &enrolled);
    if (!gates.ok()) {
        std::cerr << "decision_load_bench: set-up failed: " << gates.status().ToString() << "\n";
        return 1;
    }
    auto [pid, port] = StartServer(flags, data);
    if (port == 0) {
        std::cerr << "decision_load_bench: menjin serve did not start; see " << (data / "serve.log")
                  << "\n";
        return 1;
    }
    std::printf(
        "%d of %zu people enrolled; %zu frames; menjin serve with %d pipelines x %d "
        "OpenCV threads, %s-range detector, %d request(s) per connection, on %u cores\n\n",
        enrolled, plan.enrol.size(), plan.frames.size(), flags.pipelines, flags.opencv_threads,
        flags.range.c_str(), flags.keep_alive_requests, std::thread::hardware_concurrency());
    nlohmann::json runs = RunLoads(flags, port, *gates, plan.frames);
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    std::cout << "\n" << nlohmann::json{{"people", enrolled}, {"runs", runs}}.dump() << "\n";
    fs::remove_all(folder);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    menjin::InitLogging("warn");
    const Flags flags = ParseFlags(argc, argv);
    if (!fs::is_directory(flags.faces / "identities")) {
        std::cout << "decision_load_bench: no photo set at " << flags.faces
                  << " (set MENJIN_FACES_DIR); nothing measured\n";
        return 0;
    }
    return Run(flags);
}
