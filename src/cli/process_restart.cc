#include "cli/process_restart.h"

#include <sys/auxv.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
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

void RestartWithTunedEnvironment(char** argv) {
    // A setuid or setcap process gets GLIBC_TUNABLES filtered, so it would restart forever.
    if (::getauxval(AT_SECURE) != 0)
        return;
    const std::vector<EnvironmentChange> changes = PlanEnvironment(
        IdentifyCpu(), std::getenv("GLIBC_TUNABLES"), std::getenv("OPENCV_CPU_DISABLE"));
    if (changes.empty())
        return;
    for (const EnvironmentChange& change : changes) {
        if (::setenv(change.name.c_str(), change.value.c_str(), 1) != 0)
            return;
    }
    ::execv("/proc/self/exe", argv);
}

}  // namespace menjin::cli
