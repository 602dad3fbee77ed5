#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include <httplib.h>

#include "common/clock.h"
#include "common/status.h"
#include "domain/welfare_records.h"
#include "storage/store.h"

namespace menjin {

// Retry schedule and limits of webhook delivery.
struct WebhookPolicy {
    // Delay before the second attempt, doubled after each failure up to max_retry_seconds:
    // 1, 2, 4, ... 32 minutes, then every hour.
    int first_retry_seconds = 60;
    int max_retry_seconds = 3600;
    // Attempts before a message is given up (status failed, logged as an error): with the
    // defaults the last one is about 6 hours (21,780 s of delays) after the first.
    int max_attempts = 12;
    // Connect, read and write timeout of one attempt.
    int timeout_seconds = 10;
    // Messages sent per DeliverDue call.
    int batch = 50;
};

// Counts of one delivery round.
struct DeliveryRound {
    int delivered = 0;
    int retried = 0;  // failed, scheduled again
    int failed = 0;   // given up
};

// Delivers the webhook outbox (Store::ListDueWebhooks): one HTTP POST of the message's JSON
// payload to the current webhook URL of the message's estate, with the headers
// X-Menjin-Event (e.g. alert.raised) and X-Menjin-Delivery (the message id). Any 2xx status
// delivers the message, which is then deleted. Any other status, a timeout or a connection
// error schedules it again with exponential backoff, until max_attempts. A message whose estate has
// no webhook URL any more is given up. The URL is never logged, because it may carry a token.
//
// Holds references to `store` and `clock`, which must outlive it. DeliverDue is not
// thread-safe: one thread delivers at a time (the WelfareScheduler's thread). Abort may be
// called from any thread.
class WebhookSender {
  public:
    WebhookSender(Store& store, const Clock& clock, WebhookPolicy policy = {})
        : store_(store), clock_(clock), policy_(policy) {}

    // Attempts every message due at the clock's time, up to policy.batch. Fails only when the
    // outbox cannot be read or updated; a failed delivery is a retry, not an error. After
    // Abort, returns the counts so far without attempting more messages.
    Result<DeliveryRound> DeliverDue();

    // Cancels the request in flight and makes DeliverDue return, for a prompt shutdown. The
    // cancelled message keeps its attempt count and stays due, so it is sent again after a
    // restart. A receiver that got it anyway can drop the repeat by its X-Menjin-Delivery id.
    // The sender stays aborted.
    void Abort();

    // Returns the delay in seconds after the `attempts`-th failed attempt (1 = the first).
    int RetryDelay(int attempts) const;

  private:
    // Sends one message; returns the reason when it was not delivered.
    Status Post(const std::string& url, const WebhookMessage& message);
    Status Record(WebhookMessage message, const Status& sent, DeliveryRound& round);

    Store& store_;
    const Clock& clock_;
    const WebhookPolicy policy_;

    std::atomic<bool> aborted_{false};
    std::mutex client_mutex_;  // guards client_
    // The client of the request in flight, which Abort stops; null between requests.
    httplib::Client* client_ = nullptr;
};

}  // namespace menjin
