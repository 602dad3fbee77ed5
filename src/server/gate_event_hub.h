#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/status.h"

namespace menjin {

// Delivers each gate's decisions to the clients listening on that gate's event stream
// (server-sent events). Publishing never blocks on a slow listener: each listener keeps at
// most kMaxQueued events and loses the oldest beyond that. Thread-safe.
class GateEventHub {
  public:
    static constexpr std::size_t kMaxQueued = 64;

    // Events of one gate for one listener, from the moment it subscribed. Unsubscribes when
    // destroyed. Next() may be called from one thread at a time.
    class Subscription {
      public:
        ~Subscription();
        Subscription(const Subscription&) = delete;
        Subscription& operator=(const Subscription&) = delete;

        // Waits up to `timeout` for the next event. Returns nullopt on timeout and once the hub
        // is closed (then closed() is true).
        std::optional<std::string> Next(std::chrono::milliseconds timeout);
        bool closed() const;

      private:
        friend class GateEventHub;
        Subscription(GateEventHub* hub, std::string gate_id) : hub_(hub), gate_id_(gate_id) {}
        void Push(const std::string& event);
        void Close();

        GateEventHub* hub_;
        const std::string gate_id_;
        mutable std::mutex mutex_;  // guards events_ and closed_
        std::condition_variable ready_;
        std::deque<std::string> events_;
        bool closed_ = false;
    };

    explicit GateEventHub(std::size_t max_subscriptions) : max_subscriptions_(max_subscriptions) {}

    // Starts listening to `gate_id`. kUnavailable when max_subscriptions are open or the hub
    // is closed. The hub must outlive the subscription.
    Result<std::unique_ptr<Subscription>> Subscribe(const std::string& gate_id);
    // Queues `event` (one JSON text) for every listener of `gate_id`.
    void Publish(const std::string& gate_id, const std::string& event);
    // Ends every subscription and refuses new ones, for shutdown.
    void Close();

  private:
    void Unsubscribe(Subscription* subscription);

    const std::size_t max_subscriptions_;
    std::mutex mutex_;  // guards subscriptions_ and closed_
    std::multimap<std::string, Subscription*> subscriptions_;
    bool closed_ = false;
};

}  // namespace menjin
