#include "vision/cpu_kernels.h"

#include <cstring>

#include <opencv2/core/utility.hpp>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace menjin {

namespace {

constexpr int kZen4Family = 0x19;
constexpr unsigned kAvx512FoundationBit = 1u << 16;  // CPUID leaf 7, EBX

}  // namespace

CpuIdentity IdentifyCpu() {
    CpuIdentity cpu;
#if defined(__x86_64__) || defined(__i386__)
    unsigned eax = 0;
    unsigned ebx = 0;
    unsigned ecx = 0;
    unsigned edx = 0;
    if (__get_cpuid(0, &eax, &ebx, &ecx, &edx) == 0)
        return cpu;
    const unsigned highest_leaf = eax;
    char vendor[13] = {};
    std::memcpy(vendor, &ebx, 4);
    std::memcpy(vendor + 4, &edx, 4);
    std::memcpy(vendor + 8, &ecx, 4);
    cpu.vendor = vendor;
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0) {
        const int base_family = static_cast<int>((eax >> 8) & 0xF);
        const int extended_family = static_cast<int>((eax >> 20) & 0xFF);
        cpu.family = base_family == 0xF ? base_family + extended_family : base_family;
    }
    if (highest_leaf >= 7 && __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) != 0)
        cpu.avx512f = (ebx & kAvx512FoundationBit) != 0;
#endif
    return cpu;
}

std::optional<std::string> OpenCvKernelRestriction(const CpuIdentity& cpu) {
    if (cpu.vendor == "AuthenticAMD" && cpu.family == kZen4Family && cpu.avx512f)
        return "AVX512F,AVX512-SKX";
    return std::nullopt;
}

bool CpuHasAvx2Fma() {
    // OpenCV's check also honours OPENCV_CPU_DISABLE, so one setting switches both.
#if defined(__x86_64__) || defined(__i386__)
    static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                            cv::checkHardwareSupport(CV_CPU_AVX2) &&
                            cv::checkHardwareSupport(CV_CPU_FMA3);
    return has;
#else
    return false;
#endif
}

}  // namespace menjin
