#include "server/credential_throttle.h"

namespace menjin {

void CredentialThrottle::Forget(std::deque<UnixSeconds>& failures, UnixSeconds now) const {
    while (!failures.empty() && failures.front() <= now - window_seconds_)
        failures.pop_front();
}

Status CredentialThrottle::Check(const std::string& gate_id, UnixSeconds now) {
    std::lock_guard lock(mutex_);
    auto found = failures_.find(gate_id);
    if (found == failures_.end())
        return Status::Ok();
    Forget(found->second, now);
    if (static_cast<int>(found->second.size()) < max_failures_)
        return Status::Ok();
    const UnixSeconds wait = found->second.front() + window_seconds_ - now;
    return Status(ErrorCode::kTooManyAttempts,
                  "gate '" + gate_id + "': " + std::to_string(max_failures_) +
                      " unknown credentials within " + std::to_string(window_seconds_) +
                      " s; try again in " + std::to_string(wait) + " s");
}

void CredentialThrottle::RecordFailure(const std::string& gate_id, UnixSeconds now) {
    std::lock_guard lock(mutex_);
    std::deque<UnixSeconds>& failures = failures_[gate_id];
    Forget(failures, now);
    failures.push_back(now);
}

}  // namespace menjin
