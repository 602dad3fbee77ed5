#pragma once

#include <filesystem>
#include <optional>

namespace menjin::testing {

// Returns the folder of real test photos (README: "Test data"): $MENJIN_FACES_DIR when set,
// else ../shared/faces beside the source tree; nullopt when neither exists, so tests that need
// it can skip on a user's clone.
std::optional<std::filesystem::path> SharedFacesDir();

// Returns the folder holding manifest.json and the ONNX models: $MENJIN_MODEL_DIR when set,
// else <build>/models; nullopt when it has no manifest.json.
std::optional<std::filesystem::path> ModelDir();

// Returns the source tree root, for test fixtures committed to the repository.
std::filesystem::path SourceDir();

}  // namespace menjin::testing

// Skips the current test when the shared photos are absent.
#define MENJIN_REQUIRE_FACES(var)                                       \
    auto var##_opt = ::menjin::testing::SharedFacesDir();               \
    if (!var##_opt)                                                     \
        GTEST_SKIP() << "needs the shared photo set (../shared/faces)"; \
    const std::filesystem::path var = *var##_opt

// Skips the current test when the converted models are absent.
#define MENJIN_REQUIRE_MODELS(var)                                            \
    auto var##_opt = ::menjin::testing::ModelDir();                           \
    if (!var##_opt)                                                           \
        GTEST_SKIP() << "needs the converted models (run the setup command)"; \
    const std::filesystem::path var = *var##_opt
