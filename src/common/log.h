#pragma once

// The one logging entry point of menjin. Code logs through these macros, never through spdlog
// directly, so the sink and format are set in one place (InitLogging).
//
// Levels: error = an operator must act, warn = degraded but running, info = lifecycle (start,
// stop, model loaded with its hash), debug = per request or decision. Every line names its ids
// (gate, person, request, file). Never log face images, embeddings, names with addresses or
// secrets.

#include <string>

#include <spdlog/spdlog.h>

namespace menjin {

// Sends log lines to stderr at `level` ("error", "warn", "info", "debug", "trace" or "off").
// Returns false when `level` is not one of those names. Call once from main before any thread
// starts; the logger itself is thread-safe afterwards.
bool InitLogging(const std::string& level);

// Makes lines at `level` and above visible when the current level hides them, and never hides
// lines that are visible now. For long-running commands whose lifecycle lines are info. Returns
// false when `level` is not a level name. Call before other threads log.
bool EnsureLogLevel(const std::string& level);

}  // namespace menjin

#define MENJIN_LOG_ERROR(...) SPDLOG_ERROR(__VA_ARGS__)
#define MENJIN_LOG_WARN(...) SPDLOG_WARN(__VA_ARGS__)
#define MENJIN_LOG_INFO(...) SPDLOG_INFO(__VA_ARGS__)
#define MENJIN_LOG_DEBUG(...) SPDLOG_DEBUG(__VA_ARGS__)
