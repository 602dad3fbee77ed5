#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "server/webhook_sender.h"
#include "service/access_core.h"

namespace menjin {

struct WelfareSchedulerOptions {
    // How often the thread wakes to look for due work, in real (not clock) time.
    std::chrono::milliseconds tick{30000};
    // Time between duplicate identity sweeps, which search every template of every estate.
    UnixSeconds duplicate_sweep_seconds = 24 * 3600;
    // Minimum time between two compactions after unknown faces were purged. Deleted rows are
    // zeroed at once (secure_delete); compaction also rewrites the file and empties the WAL.
    UnixSeconds compact_seconds = 24 * 3600;
    WebhookPolicy webhooks;
};

// The background work of `menjin serve`: evaluates each estate's welfare alerts and leads
// (including the unknown-face purge) every EstateWelfareSettings::evaluation_interval_minutes,
// sweeps for duplicate identities, compacts the store after purges, and delivers the webhook
// outbox. Due times follow the core's clock, so tests can drive them with a ManualClock.
// Errors are logged with the estate id and the work is tried again at the next interval.
//
// Holds a reference to `core`, which must outlive it. Start and Stop may be called from any
// thread; RunOnce must not run while the thread runs.
class WelfareScheduler {
  public:
    WelfareScheduler(AccessCore& core, WelfareSchedulerOptions options);
    ~WelfareScheduler();

    WelfareScheduler(const WelfareScheduler&) = delete;
    WelfareScheduler& operator=(const WelfareScheduler&) = delete;

    // Starts the thread, which runs a round at once and then every tick. Call once.
    void Start();
    // Asks the thread to stop without waiting: it finishes the estate or sweep it is running,
    // skips the rest of the round, and cancels a webhook request in flight. Idempotent.
    void RequestStop();
    // RequestStop, then joins the thread. Idempotent.
    void Stop();
    // Runs one round on the calling thread: the estates whose interval has passed, the sweep
    // when due, and one webhook delivery round. Returns early after RequestStop.
    void RunOnce();

  private:
    void Loop();
    bool Stopping();
    void EvaluateDueEstates(UnixSeconds now);
    void EvaluateEstate(const std::string& estate_id);
    void SweepWhenDue(UnixSeconds now);
    void CompactWhenDue(UnixSeconds now);
    void DeliverWebhooks();

    AccessCore& core_;
    const WelfareSchedulerOptions options_;
    WebhookSender sender_;

    // Used by the round only (the thread, or RunOnce when no thread runs).
    std::map<std::string, UnixSeconds> last_evaluated_;
    UnixSeconds last_sweep_ = 0;
    UnixSeconds last_compact_ = 0;
    int purged_since_compact_ = 0;

    std::mutex mutex_;  // guards stopping_
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace menjin
