#pragma once

#include <optional>
#include <string>

namespace menjin {

// Processor identity read through CPUID, enough to pick OpenCV's kernels.
struct CpuIdentity {
    std::string vendor;  // "AuthenticAMD", "GenuineIntel", ... or "" when unknown
    int family = 0;      // display family: base family plus extended family
    bool avx512f = false;
};

// Reads the identity of the processor this process runs on. Safe to call from any thread.
CpuIdentity IdentifyCpu();

// Returns true when the processor has AVX2 and FMA and OPENCV_CPU_DISABLE does not switch them
// off. menjin's own layers use those kernels then, and portable loops otherwise.
bool CpuHasAvx2Fma();

// OpenCV picks its AVX-512 convolution kernels whenever the processor has AVX-512. AMD's
// Zen 4 (family 0x19) runs 512-bit instructions in two 256-bit halves, and there OpenCV 4.6's
// AVX2 kernels are faster. MobileFaceNet took 8.9 ms instead of 9.9 ms per face on one core
// (every layer as fast or faster), and BlazeFace took the same time. Returns the OPENCV_CPU_DISABLE
// value that keeps OpenCV on AVX2 on such processors, or nullopt where AVX-512 should stay (Intel,
// later AMD families with full-width units, processors without AVX-512). OpenCV reads the variable
// once when it loads, so it must be set before the process starts.
std::optional<std::string> OpenCvKernelRestriction(const CpuIdentity& cpu);

}  // namespace menjin
