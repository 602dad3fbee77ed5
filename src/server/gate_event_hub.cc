#include "server/gate_event_hub.h"

namespace menjin {

GateEventHub::Subscription::~Subscription() {
    hub_->Unsubscribe(this);
}

std::optional<std::string> GateEventHub::Subscription::Next(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    ready_.wait_for(lock, timeout, [this] { return closed_ || !events_.empty(); });
    if (closed_ || events_.empty())
        return std::nullopt;
    std::string event = std::move(events_.front());
    events_.pop_front();
    return event;
}

bool GateEventHub::Subscription::closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
}

void GateEventHub::Subscription::Push(const std::string& event) {
    {
        std::lock_guard lock(mutex_);
        if (events_.size() >= kMaxQueued)
            events_.pop_front();
        events_.push_back(event);
    }
    ready_.notify_one();
}

void GateEventHub::Subscription::Close() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    ready_.notify_all();
}

Result<std::unique_ptr<GateEventHub::Subscription>> GateEventHub::Subscribe(
    const std::string& gate_id) {
    std::lock_guard lock(mutex_);
    if (closed_)
        return Status(ErrorCode::kUnavailable, "events: the server is shutting down");
    if (subscriptions_.size() >= max_subscriptions_) {
        return Status(ErrorCode::kUnavailable,
                      "events: " + std::to_string(max_subscriptions_) +
                          " event streams are open, the maximum; close one or retry later");
    }
    std::unique_ptr<Subscription> subscription(new Subscription(this, gate_id));
    subscriptions_.emplace(gate_id, subscription.get());
    return subscription;
}

void GateEventHub::Publish(const std::string& gate_id, const std::string& event) {
    std::lock_guard lock(mutex_);
    auto [first, last] = subscriptions_.equal_range(gate_id);
    for (auto it = first; it != last; ++it)
        it->second->Push(event);
}

void GateEventHub::Close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    for (auto& [gate_id, subscription] : subscriptions_)
        subscription->Close();
}

void GateEventHub::Unsubscribe(Subscription* subscription) {
    std::lock_guard lock(mutex_);
    auto [first, last] = subscriptions_.equal_range(subscription->gate_id_);
    for (auto it = first; it != last; ++it) {
        if (it->second == subscription) {
            subscriptions_.erase(it);
            return;
        }
    }
}

}  // namespace menjin
