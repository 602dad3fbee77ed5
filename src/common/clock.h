#pragma once

#include <atomic>
#include <cstdint>

namespace menjin {

// Source of the current time, so that tests and the welfare evaluation can inject a clock.
// Implementations are thread-safe.
class Clock {
  public:
    virtual ~Clock() = default;
    // Returns the current time in Unix seconds (UTC).
    virtual std::int64_t Now() const = 0;
};

// The operating system's wall clock.
class SystemClock : public Clock {
  public:
    std::int64_t Now() const override;
};

// A clock that returns a set time until it is moved, for tests and `--now` options.
class ManualClock : public Clock {
  public:
    explicit ManualClock(std::int64_t now) : now_(now) {}
    std::int64_t Now() const override { return now_.load(); }
    void Set(std::int64_t now) { now_.store(now); }
    void Advance(std::int64_t seconds) { now_.fetch_add(seconds); }

  private:
    std::atomic<std::int64_t> now_;
};

}  // namespace menjin
