// The environment menjin sets for itself before it restarts: huge pages for the heap, and
// OpenCV's AVX2 kernels on processors where its AVX-512 ones are slower.

#include "cli/process_restart.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "vision/cpu_kernels.h"

namespace menjin::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;

const CpuIdentity kZen4{"AuthenticAMD", 0x19, true};
const CpuIdentity kZen3{"AuthenticAMD", 0x19, false};
const CpuIdentity kZen5{"AuthenticAMD", 0x1A, true};
const CpuIdentity kIntelWithAvx512{"GenuineIntel", 6, true};

TEST(OpenCvKernelRestrictionTest, OnlyZen4WithAvx512IsRestricted) {
    EXPECT_EQ(OpenCvKernelRestriction(kZen4), "AVX512F,AVX512-SKX");
    EXPECT_EQ(OpenCvKernelRestriction(kZen3), std::nullopt);
    EXPECT_EQ(OpenCvKernelRestriction(kZen5), std::nullopt);
    EXPECT_EQ(OpenCvKernelRestriction(kIntelWithAvx512), std::nullopt);
    EXPECT_EQ(OpenCvKernelRestriction(CpuIdentity{}), std::nullopt);
}

TEST(PlanEnvironmentTest, FreshEnvironmentGetsBoth) {
    const auto changes = PlanEnvironment(kZen4, nullptr, nullptr);

    EXPECT_THAT(changes, ElementsAre(Field(&EnvironmentChange::value, "glibc.malloc.hugetlb=1"),
                                     Field(&EnvironmentChange::value, "AVX512F,AVX512-SKX")));
    EXPECT_EQ(changes[0].name, "GLIBC_TUNABLES");
    EXPECT_EQ(changes[1].name, "OPENCV_CPU_DISABLE");
}

TEST(PlanEnvironmentTest, OtherTunablesAreKept) {
    const auto changes = PlanEnvironment(kIntelWithAvx512, "glibc.malloc.check=0", nullptr);

    EXPECT_THAT(changes, ElementsAre(Field(&EnvironmentChange::value,
                                           "glibc.malloc.check=0:glibc.malloc.hugetlb=1")));
}

TEST(PlanEnvironmentTest, ValuesTheUserSetAreLeftAlone) {
    // An empty OPENCV_CPU_DISABLE is how a user keeps every kernel on a Zen 4.
    EXPECT_THAT(PlanEnvironment(kZen4, "glibc.malloc.hugetlb=0", ""), IsEmpty());
    EXPECT_THAT(PlanEnvironment(kZen4, "glibc.malloc.hugetlb=1", "AVX2"), IsEmpty());
}

TEST(PlanEnvironmentTest, RestartedProcessHasNothingLeftToSet) {
    for (const CpuIdentity& cpu : {kZen4, kZen3, kIntelWithAvx512}) {
        std::string tunables;
        std::string disable;
        bool disable_set = false;
        for (const EnvironmentChange& change : PlanEnvironment(cpu, nullptr, nullptr)) {
            if (change.name == "GLIBC_TUNABLES") {
                tunables = change.value;
            } else {
                disable = change.value;
                disable_set = true;
            }
        }
        EXPECT_THAT(PlanEnvironment(cpu, tunables.c_str(), disable_set ? disable.c_str() : nullptr),
                    IsEmpty())
            << cpu.vendor << " family " << cpu.family;
    }
}

}  // namespace
}  // namespace menjin::cli
