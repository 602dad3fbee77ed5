// Webhook delivery against a local receiver on 127.0.0.1 that fails a set number of posts with
// 500 before it accepts. The tests check the body and headers, retries at doubling delays on a
// ManualClock, giving up after max_attempts, no URL in the logs and a prompt abort. One runs
// a WelfareScheduler that raises an alert and delivers it.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "server/test_server.h"
#include "server/webhook_sender.h"
#include "server/welfare_scheduler.h"
#include "support/test_paths.h"
#include "welfare/webhook_events.h"

namespace menjin::testing {
namespace {

constexpr UnixSeconds kDay = 86400;
// A secret in the URL's query, which must never reach a log line.
constexpr const char* kUrlSecret = "tok-9f2c81d4";

struct ReceivedPost {
    std::string event;
    std::string delivery;
    std::string content_type;
    std::string token;
    std::string body;
};

// An HTTP receiver on 127.0.0.1 with a free port. POST /hook returns 500 to the first
// `failures` requests and 204 after them. With `hang` set, it holds each request until
// Release() or 30 s.
class Receiver {
  public:
    explicit Receiver(int failures, bool hang = false) : failures_(failures), hang_(hang) {
        server_.Post("/hook", [this](const httplib::Request& request, httplib::Response& response) {
            Record(request);
            if (hang_) {
                std::unique_lock lock(mutex_);
                released_.wait_for(lock, std::chrono::seconds(30), [this] { return release_; });
            }
            std::lock_guard lock(mutex_);
            response.status = static_cast<int>(posts_.size()) <= failures_ ? 500 : 204;
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~Receiver() {
        Release();
        server_.stop();
        thread_.join();
    }

    std::string Url() const {
        return "http://127.0.0.1:" + std::to_string(port_) + "/hook?token=" + kUrlSecret;
    }
    int port() const { return port_; }
    std::vector<ReceivedPost> posts() {
        std::lock_guard lock(mutex_);
        return posts_;
    }
    // Waits up to `timeout` for at least `count` posts.
    bool WaitForPosts(std::size_t count, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return arrived_.wait_for(lock, timeout, [&] { return posts_.size() >= count; });
    }
    void Release() {
        {
            std::lock_guard lock(mutex_);
            release_ = true;
        }
        released_.notify_all();
    }

  private:
    void Record(const httplib::Request& request) {
        {
            std::lock_guard lock(mutex_);
            posts_.push_back({request.get_header_value("X-Menjin-Event"),
                              request.get_header_value("X-Menjin-Delivery"),
                              request.get_header_value("Content-Type"),
                              request.get_param_value("token"), request.body});
        }
        arrived_.notify_all();
    }

    const int failures_;
    const bool hang_;
    httplib::Server server_;
    int port_ = 0;
    std::thread thread_;
    std::mutex mutex_;  // guards posts_ and release_
    std::condition_variable arrived_;
    std::condition_variable released_;
    std::vector<ReceivedPost> posts_;
    bool release_ = false;
};

// Sends every log line to a string while it exists, at every level.
class LogCapture {
  public:
    LogCapture() : previous_(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
        auto logger = std::make_shared<spdlog::logger>("capture", sink);
        logger->set_level(spdlog::level::trace);
        spdlog::set_default_logger(logger);
    }
    ~LogCapture() { spdlog::set_default_logger(previous_); }
    std::string text() {
        spdlog::default_logger()->flush();
        return stream_.str();
    }

  private:
    std::shared_ptr<spdlog::logger> previous_;
    std::ostringstream stream_;
};

class WebhookTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::optional<std::filesystem::path> models = ModelDir();
        if (!models)
            GTEST_SKIP() << "needs the converted models (run the setup command)";
        Result<std::unique_ptr<TestServer>> started = TestServer::Start(*models);
        ASSERT_TRUE(started.ok()) << started.status().ToString();
        server_ = std::move(started).value();
    }

    Store& store() { return server_->core().store(); }
    ManualClock& clock() { return server_->clock(); }

    void SetSettings(const std::string& url, int min_age = 70) {
        Result<EstateWelfareSettings> settings = store().GetWelfareSettings("e1");
        ASSERT_TRUE(settings.ok()) << settings.status().ToString();
        settings->webhook_url = url;
        settings->min_age = min_age;
        ASSERT_TRUE(store().UpdateWelfareSettings(*settings).ok());
    }

    // Puts the alert.raised message of the seeded alert "alert-e1" into the outbox, due now.
    std::string EnqueueSeededAlert() {
        Result<WelfareAlert> alert =
            store().GetWelfareAlert(std::stoll(server_->vars.at("alert-e1")));
        EXPECT_TRUE(alert.ok());
        const std::string payload = AlertRaisedPayload(*alert);
        EXPECT_TRUE(
            EnqueueNotification(store(), "e1", kAlertRaisedEvent, payload, clock().Now()).ok());
        return payload;
    }

    // Returns the message count of estate e1 with `status`.
    std::int64_t CountMessages(WebhookStatus status) {
        Result<std::vector<std::pair<WebhookStatus, std::int64_t>>> counts =
            store().CountWebhooks("e1");
        EXPECT_TRUE(counts.ok());
        for (const auto& [counted, count] : *counts) {
            if (counted == status)
                return count;
        }
        return 0;
    }

    static WebhookPolicy TestPolicy(int max_attempts) {
        WebhookPolicy policy;
        policy.first_retry_seconds = 60;
        policy.max_retry_seconds = 3600;
        policy.max_attempts = max_attempts;
        policy.timeout_seconds = 5;
        return policy;
    }

    std::unique_ptr<TestServer> server_;
};

TEST_F(WebhookTest, RetryDelaysDoubleUpToMaximum) {
    WebhookSender sender(store(), clock(), TestPolicy(12));
    const int expected[] = {60, 120, 240, 480, 960, 1920, 3600, 3600, 3600};
    for (int attempts = 1; attempts <= 9; ++attempts)
        EXPECT_EQ(sender.RetryDelay(attempts), expected[attempts - 1]) << "attempt " << attempts;
}

TEST_F(WebhookTest, DeliversAfterFailuresWithBackoff) {
    Receiver receiver(2);
    SetSettings(receiver.Url());
    const std::string payload = EnqueueSeededAlert();
    WebhookSender sender(store(), clock(), TestPolicy(5));

    Result<DeliveryRound> first = sender.DeliverDue();
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    EXPECT_EQ(first->retried, 1);
    // Each retry is due exactly at the doubled delay, not a second earlier.
    for (int delay : {60, 120}) {
        SCOPED_TRACE(delay);
        clock().Advance(delay - 1);
        Result<DeliveryRound> early = sender.DeliverDue();
        ASSERT_TRUE(early.ok());
        EXPECT_EQ(early->retried + early->delivered + early->failed, 0);
        clock().Advance(1);
        Result<DeliveryRound> due = sender.DeliverDue();
        ASSERT_TRUE(due.ok());
        EXPECT_EQ(due->retried + due->delivered, 1);
    }

    const std::vector<ReceivedPost> posts = receiver.posts();
    ASSERT_EQ(posts.size(), 3u);
    for (const ReceivedPost& post : posts) {
        EXPECT_EQ(post.event, "alert.raised");
        EXPECT_EQ(post.delivery, posts.front().delivery) << "a retry changed the delivery id";
        EXPECT_EQ(post.content_type, "application/json");
        EXPECT_EQ(post.token, kUrlSecret);
        EXPECT_EQ(post.body, payload);
    }
    EXPECT_FALSE(posts.front().delivery.empty());
    const nlohmann::json body = nlohmann::json::parse(posts.back().body);
    EXPECT_EQ(body["event"], "alert.raised");
    EXPECT_EQ(std::to_string(body["alert_id"].get<std::int64_t>()), server_->vars.at("alert-e1"));
    EXPECT_EQ(body["estate_id"], "e1");
    EXPECT_EQ(body["person_id"], "p1");
    EXPECT_EQ(body["link"], "/api/v1/alerts/" + server_->vars.at("alert-e1"));
    EXPECT_FALSE(body.contains("name"));
    // Delivered messages leave the outbox.
    EXPECT_EQ(CountMessages(WebhookStatus::kPending), 0);
    EXPECT_EQ(CountMessages(WebhookStatus::kFailed), 0);
}

TEST_F(WebhookTest, GivesUpAfterMaxAttemptsWithoutLoggingUrl) {
    Receiver receiver(1000);
    SetSettings(receiver.Url());
    EnqueueSeededAlert();
    WebhookSender sender(store(), clock(), TestPolicy(3));
    LogCapture log;
    int failed = 0;
    for (int round = 0; round < 6; ++round) {
        Result<DeliveryRound> delivered = sender.DeliverDue();
        ASSERT_TRUE(delivered.ok());
        failed += delivered->failed;
        clock().Advance(kDay);
    }
    EXPECT_EQ(receiver.posts().size(), 3u);
    EXPECT_EQ(failed, 1);
    EXPECT_EQ(CountMessages(WebhookStatus::kFailed), 1);
    EXPECT_EQ(CountMessages(WebhookStatus::kPending), 0);

    const std::string text = log.text();
    EXPECT_NE(text.find("gave up message"), std::string::npos) << text;
    EXPECT_NE(text.find("HTTP status 500"), std::string::npos) << text;
    EXPECT_EQ(text.find(kUrlSecret), std::string::npos) << text;
    EXPECT_EQ(text.find("127.0.0.1:" + std::to_string(receiver.port())), std::string::npos) << text;
    EXPECT_EQ(text.find("/hook"), std::string::npos) << text;
}

TEST_F(WebhookTest, RemovedUrlGivesUpAtOnce) {
    Receiver receiver(0);
    SetSettings(receiver.Url());
    EnqueueSeededAlert();
    SetSettings("");
    WebhookSender sender(store(), clock(), TestPolicy(5));
    Result<DeliveryRound> round = sender.DeliverDue();
    ASSERT_TRUE(round.ok());
    EXPECT_EQ(round->failed, 1);
    EXPECT_TRUE(receiver.posts().empty());
}

TEST_F(WebhookTest, UnreachableReceiverIsRetried) {
    // A port that was just free: the connection is refused, which is a retry like a 500.
    int port = 0;
    {
        Receiver closed(0);
        port = closed.port();
    }
    SetSettings("http://127.0.0.1:" + std::to_string(port) + "/hook");
    EnqueueSeededAlert();
    WebhookSender sender(store(), clock(), TestPolicy(5));
    Result<DeliveryRound> round = sender.DeliverDue();
    ASSERT_TRUE(round.ok());
    EXPECT_EQ(round->retried, 1);
    EXPECT_EQ(CountMessages(WebhookStatus::kPending), 1);
}

TEST_F(WebhookTest, AbortEndsRequestInFlightPromptly) {
    Receiver receiver(0, /*hang=*/true);
    SetSettings(receiver.Url());
    EnqueueSeededAlert();
    WebhookPolicy policy = TestPolicy(5);
    policy.timeout_seconds = 20;
    WebhookSender sender(store(), clock(), policy);
    Result<DeliveryRound> round = DeliveryRound{};
    std::thread delivering([&] { round = sender.DeliverDue(); });
    ASSERT_TRUE(receiver.WaitForPosts(1, std::chrono::seconds(10)));
    const auto aborted = std::chrono::steady_clock::now();
    sender.Abort();
    delivering.join();
    EXPECT_LT(std::chrono::steady_clock::now() - aborted, std::chrono::seconds(2));
    ASSERT_TRUE(round.ok());
    EXPECT_EQ(round->retried + round->failed + round->delivered, 0);
    // The cut-short attempt is not counted: the message is still pending and due.
    Result<std::vector<WebhookMessage>> due = store().ListDueWebhooks(clock().Now(), 10);
    ASSERT_TRUE(due.ok());
    ASSERT_EQ(due->size(), 1u);
    EXPECT_EQ(due->front().attempts, 0);
}

TEST_F(WebhookTest, SchedulerRaisesAndDeliversAlert) {
    Receiver receiver(1);
    SetSettings(receiver.Url(), /*min_age=*/0);
    WelfareSchedulerOptions options;
    options.tick = std::chrono::milliseconds(20);
    options.webhooks = TestPolicy(5);
    WelfareScheduler scheduler(server_->core(), options);
    scheduler.Start();
    // The first round finds no absent resident. Five days later the next evaluation is due and
    // raises alerts for mo-admin and mo-staff, the residents of e1 without a seeded alert.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    clock().Advance(5 * kDay);
    // The first post fails and the second message's post follows it, after the sender has
    // scheduled the retry 60 clock seconds later.
    ASSERT_TRUE(receiver.WaitForPosts(2, std::chrono::seconds(20)));
    clock().Advance(60);
    EXPECT_TRUE(receiver.WaitForPosts(3, std::chrono::seconds(20)))
        << receiver.posts().size() << " posts";
    scheduler.Stop();
    ASSERT_TRUE(server_->RefreshLogins().ok());

    std::set<std::string> delivered_people;
    for (const ReceivedPost& post : receiver.posts()) {
        EXPECT_EQ(post.event, "alert.raised");
        delivered_people.insert(nlohmann::json::parse(post.body).value("person_id", ""));
    }
    EXPECT_EQ(delivered_people, (std::set<std::string>{"mo-admin", "mo-staff"}));
    HttpResult inbox = server_->Send(Who::kStaff, "GET", "/api/v1/estates/e1/alerts?status=open");
    EXPECT_NE(inbox.body.find("mo-admin"), std::string::npos);
}

TEST_F(WebhookTest, SchedulerStopIsPromptDuringDelivery) {
    Receiver receiver(0, /*hang=*/true);
    SetSettings(receiver.Url());
    EnqueueSeededAlert();
    WelfareSchedulerOptions options;
    options.tick = std::chrono::milliseconds(20);
    options.webhooks = TestPolicy(5);
    options.webhooks.timeout_seconds = 20;
    WelfareScheduler scheduler(server_->core(), options);
    scheduler.Start();
    ASSERT_TRUE(receiver.WaitForPosts(1, std::chrono::seconds(20)));
    const auto stopping = std::chrono::steady_clock::now();
    scheduler.Stop();
    EXPECT_LT(std::chrono::steady_clock::now() - stopping, std::chrono::seconds(2));
}

}  // namespace
}  // namespace menjin::testing
