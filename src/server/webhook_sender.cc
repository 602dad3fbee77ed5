#include "server/webhook_sender.h"

#include <algorithm>

#include <fmt/format.h>
#include <httplib.h>

#include "common/log.h"

namespace menjin {

namespace {

// Splits an http(s) URL, already checked by ValidateWebhookUrl, into "scheme://host:port" and
// the path with its query ("/" when it has none).
std::pair<std::string, std::string> SplitUrl(const std::string& url) {
    const std::size_t host_start = url.find("://") + 3;
    const std::size_t path_start = url.find_first_of("/?#", host_start);
    if (path_start == std::string::npos)
        return {url, "/"};
    std::string path = url.substr(path_start);
    path = path.substr(0, path.find('#'));
    if (path.empty() || path.front() != '/')
        path.insert(path.begin(), '/');
    return {url.substr(0, path_start), path};
}

}  // namespace

int WebhookSender::RetryDelay(int attempts) const {
    std::int64_t delay = policy_.first_retry_seconds;
    for (int i = 1; i < attempts && delay < policy_.max_retry_seconds; ++i)
        delay *= 2;
    return static_cast<int>(std::min<std::int64_t>(delay, policy_.max_retry_seconds));
}

Result<DeliveryRound> WebhookSender::DeliverDue() {
    MENJIN_ASSIGN_OR_RETURN(std::vector<WebhookMessage> due,
                            store_.ListDueWebhooks(clock_.Now(), policy_.batch));
    DeliveryRound round;
    for (WebhookMessage& message : due) {
        if (aborted_.load())
            break;
        MENJIN_ASSIGN_OR_RETURN(EstateWelfareSettings settings,
                                store_.GetWelfareSettings(message.estate_id));
        Status sent =
            settings.webhook_url.empty()
                ? Status(ErrorCode::kFailedPrecondition, "the estate has no webhook URL any more")
                : Post(settings.webhook_url, message);
        // Abort cut the attempt short, so it tells nothing about the receiver and is not counted.
        if (aborted_.load())
            break;
        MENJIN_RETURN_IF_ERROR(Record(std::move(message), sent, round));
    }
    return round;
}

void WebhookSender::Abort() {
    aborted_.store(true);
    std::lock_guard lock(client_mutex_);
    if (client_ != nullptr)
        client_->stop();
}

Status WebhookSender::Post(const std::string& url, const WebhookMessage& message) {
    const auto [origin, path] = SplitUrl(url);
    httplib::Client client(origin);
    client.set_connection_timeout(policy_.timeout_seconds, 0);
    client.set_read_timeout(policy_.timeout_seconds, 0);
    client.set_write_timeout(policy_.timeout_seconds, 0);
    const httplib::Headers headers = {{"X-Menjin-Event", message.event},
                                      {"X-Menjin-Delivery", std::to_string(message.id)}};
    {
        std::lock_guard lock(client_mutex_);
        if (aborted_.load())
            return Status(ErrorCode::kUnavailable, "webhook delivery cancelled for shutdown");
        client_ = &client;
    }
    httplib::Result response = client.Post(path, headers, message.payload, "application/json");
    {
        std::lock_guard lock(client_mutex_);
        client_ = nullptr;
    }
    if (!response) {
        return Status(ErrorCode::kUnavailable,
                      "request failed: " + httplib::to_string(response.error()));
    }
    if (response->status < 200 || response->status >= 300)
        return Status(ErrorCode::kUnavailable, fmt::format("HTTP status {}", response->status));
    return Status::Ok();
}

Status WebhookSender::Record(WebhookMessage message, const Status& sent, DeliveryRound& round) {
    ++message.attempts;
    if (sent.ok()) {
        ++round.delivered;
        MENJIN_LOG_INFO("webhook: estate {}: delivered message {} ({}) after {} attempts",
                        message.estate_id, message.id, message.event, message.attempts);
        return store_.DeleteWebhook(message.id);
    }
    message.last_error = sent.message();
    const bool give_up =
        message.attempts >= policy_.max_attempts || sent.code() == ErrorCode::kFailedPrecondition;
    if (give_up) {
        ++round.failed;
        message.status = WebhookStatus::kFailed;
        MENJIN_LOG_ERROR(
            "webhook: estate {}: gave up message {} ({}) after {} attempts: {}; "
            "check the receiver and the estate's webhook URL",
            message.estate_id, message.id, message.event, message.attempts, message.last_error);
    } else {
        ++round.retried;
        message.next_attempt_at = clock_.Now() + RetryDelay(message.attempts);
        MENJIN_LOG_WARN("webhook: estate {}: message {} attempt {} failed: {}; retrying in {} s",
                        message.estate_id, message.id, message.attempts, message.last_error,
                        RetryDelay(message.attempts));
    }
    return store_.UpdateWebhook(message);
}

}  // namespace menjin
