#pragma once

// Load generation against POST /api/v1/gates/{gate_id}/decisions of a running `menjin serve`,
// with one HTTP keep-alive connection per simulated gate, and latency percentiles.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace menjin::bench {

// One simulated gate: its id and device token.
struct GateDevice {
    std::string gate_id;
    std::string token;
};

// Latencies and outcomes of one load run.
struct LoadResult {
    std::vector<double> latencies_ms;  // of the decisions that returned 200
    int errors = 0;                    // non-200 responses and failed connections
    int grants = 0;
    double seconds = 0;  // measured wall time

    double DecisionsPerSecond() const;
    // Returns the `fraction` quantile (0.5, 0.95, ...) of latencies_ms by the nearest-rank
    // method, or 0 when there are none.
    double Percentile(double fraction) const;
};

// Closed loop: each gate sends its next frame as soon as the previous decision returns, for
// `duration` after `warmup` (whose decisions are not counted). Frames are taken round-robin
// from `frames`, each gate starting at a different one.
LoadResult RunClosedLoop(int port, const std::vector<GateDevice>& gates,
                         const std::vector<std::string>& frames, std::chrono::seconds warmup,
                         std::chrono::seconds duration);

// Open loop: each gate sends one frame every `interval`, at a random phase, for `duration`.
// A latency runs from the scheduled send time, so a decision that waited for the gate's
// previous one counts its wait too (no coordinated omission).
LoadResult RunOpenLoop(int port, const std::vector<GateDevice>& gates,
                       const std::vector<std::string>& frames, std::chrono::microseconds interval,
                       std::chrono::seconds duration);

}  // namespace menjin::bench
