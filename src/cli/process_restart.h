#pragma once

#include <string>
#include <vector>

#include "vision/cpu_kernels.h"

namespace menjin::cli {

// One environment variable to set before the process restarts.
struct EnvironmentChange {
    std::string name;
    std::string value;
};

// The variables menjin sets for itself before malloc and OpenCV start, given the processor and
// the current values of GLIBC_TUNABLES and OPENCV_CPU_DISABLE (nullptr when unset):
//  - glibc.malloc.hugetlb=1 is added to GLIBC_TUNABLES unless that already names the tunable
//    (e.g. =0), so the heap is backed by transparent huge pages;
//  - OPENCV_CPU_DISABLE gets OpenCvKernelRestriction(cpu) unless it is already set; set it to
//    an empty value to keep every kernel OpenCV has.
// Returns no changes when nothing needs to be set.
std::vector<EnvironmentChange> PlanEnvironment(const CpuIdentity& cpu, const char* tunables,
                                               const char* opencv_disable);

// Opens /dev/null on any of the standard descriptors 0-2 that is closed, so that a file the
// process opens later (a database, a lock file) never becomes its standard output.
void OccupyStandardStreams();

// Sets the planned variables and restarts the process once with the same arguments, through
// the file that /proc/self/exe names. The restarted process finds nothing left to set and
// carries on. A setuid or setcap process (where glibc drops GLIBC_TUNABLES), a process started
// through the dynamic loader, and a failed restart carry on unchanged. Call it first in main,
// before any thread starts.
void RestartWithTunedEnvironment(char** argv);

}  // namespace menjin::cli
