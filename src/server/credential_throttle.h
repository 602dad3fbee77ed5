#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "common/status.h"
#include "domain/records.h"

namespace menjin {

// Limits guessing of cards, PINs and QR tokens at a gate. After `max_failures` unknown
// credentials at one gate within `window_seconds`, the gate's credential decisions are rejected
// with kTooManyAttempts until the oldest of those failures leaves the window. With the defaults
// a gate allows 5 guesses a minute, so trying the million six-digit PINs takes about 139 days
// instead of hours. Face decisions are not limited. Thread-safe. The counts live in memory and
// start empty at each server start.
class CredentialThrottle {
  public:
    CredentialThrottle(int max_failures = 5, UnixSeconds window_seconds = 60)
        : max_failures_(max_failures), window_seconds_(window_seconds) {}

    // Returns ok when the gate may try a credential at `now`, else kTooManyAttempts naming the
    // gate and the seconds to wait.
    Status Check(const std::string& gate_id, UnixSeconds now);
    // Counts an unknown credential at the gate.
    void RecordFailure(const std::string& gate_id, UnixSeconds now);

  private:
    // Drops failures older than the window. The caller must hold mutex_.
    void Forget(std::deque<UnixSeconds>& failures, UnixSeconds now) const;

    const int max_failures_;
    const UnixSeconds window_seconds_;
    std::mutex mutex_;
    std::map<std::string, std::deque<UnixSeconds>> failures_;  // per gate, oldest first
};

}  // namespace menjin
