#include "cli/process_restart.h"

#include <fcntl.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

namespace menjin::cli {

namespace {

constexpr const char* kHugePageTunable = "glibc.malloc.hugetlb";

// On the development VM, detection and embedding at one OpenCV thread took 34 ms after 250 ms
// idle against 25 ms back to back. With huge pages they took 24 ms either way. The idle penalty
// is probably TLB and cache contents lost to other guests.
std::optional<std::string> HugePageTunables(const char* current) {
    if (current != nullptr && std::strstr(current, kHugePageTunable) != nullptr)
        return std::nullopt;
    std::string value = std::string(kHugePageTunable) + "=1";
    if (current != nullptr && *current != '\0')
        value = std::string(current) + ":" + value;
    return value;
}

// Returns the path of the running program, so that a restarted process keeps its name (not
// "exe"). When that path no longer leads to the running file (deleted or replaced), returns
// /proc/self/exe, which does.
std::filesystem::path RunningProgram() {
    const std::filesystem::path fallback = "/proc/self/exe";
    std::error_code error;
    const std::filesystem::path named = std::filesystem::read_symlink(fallback, error);
    struct stat running {};
    struct stat found {};
    if (error || ::stat(fallback.c_str(), &running) != 0 || ::stat(named.c_str(), &found) != 0 ||
        running.st_dev != found.st_dev || running.st_ino != found.st_ino) {
        return fallback;
    }
    return named;
}

}  // namespace

std::vector<EnvironmentChange> PlanEnvironment(const CpuIdentity& cpu, const char* tunables,
                                               const char* opencv_disable) {
    std::vector<EnvironmentChange> changes;
    if (std::optional<std::string> value = HugePageTunables(tunables))
        changes.push_back({"GLIBC_TUNABLES", *value});
    if (opencv_disable == nullptr) {
        if (std::optional<std::string> value = OpenCvKernelRestriction(cpu))
            changes.push_back({"OPENCV_CPU_DISABLE", *value});
    }
    return changes;
}

void OccupyStandardStreams() {
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        // open() returns the lowest free descriptor, which is `fd`.
        const int opened = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (opened != fd && opened != -1)
            ::close(opened);
    }
}

void RestartWithTunedEnvironment(char** argv) {
    // A setuid or setcap process gets GLIBC_TUNABLES filtered, so it would restart forever.
    if (::getauxval(AT_SECURE) != 0)
        return;
    // Started as `ld.so PROGRAM`, the process is the loader itself, which has no interpreter
    // (AT_BASE is 0), and /proc/self/exe would restart the loader without the program.
    if (::getauxval(AT_BASE) == 0)
        return;
    const std::vector<EnvironmentChange> changes = PlanEnvironment(
        IdentifyCpu(), std::getenv("GLIBC_TUNABLES"), std::getenv("OPENCV_CPU_DISABLE"));
    if (changes.empty())
        return;
    for (const EnvironmentChange& change : changes) {
        if (::setenv(change.name.c_str(), change.value.c_str(), 1) != 0)
            return;
    }
    ::execv(RunningProgram().c_str(), argv);
}

}  // namespace menjin::cli
