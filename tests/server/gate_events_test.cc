// Gate decisions over HTTP: the decision response, its live delivery on the gate's event
// stream (server-sent events), and the signed thumbnail links that decisions carry.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "server/test_server.h"
#include "support/test_paths.h"

namespace menjin::testing {
namespace {

class GateEventsTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        std::optional<std::filesystem::path> models = ModelDir();
        if (!models)
            return;
        ApiServerOptions options;
        options.event_keepalive = std::chrono::milliseconds(200);
        Result<std::unique_ptr<TestServer>> started = TestServer::Start(*models, options);
        ASSERT_TRUE(started.ok()) << started.status().ToString();
        server_ = std::move(started).value();
    }
    static void TearDownTestSuite() { server_.reset(); }
    void SetUp() override {
        if (!server_)
            GTEST_SKIP() << "needs the converted models (run the setup command)";
    }

    static HttpResult PostFrame(const std::string& gate, const std::string& jpeg) {
        return server_->SendRaw("Bearer " + server_->Token(Who::kGate), "POST",
                                "/api/v1/gates/" + gate + "/decisions", jpeg, "image/jpeg");
    }

    static std::unique_ptr<TestServer> server_;
};

std::unique_ptr<TestServer> GateEventsTest::server_;

// Reads an event stream on a thread of its own until it has seen one decision event.
class StreamReader {
  public:
    StreamReader(TestServer& server, const std::string& token, const std::string& path)
        : thread_([this, &server, token, path] { Read(server, token, path); }) {}
    ~StreamReader() { thread_.join(); }

    // Waits until the server has sent the stream's opening comment.
    bool WaitConnected() {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, std::chrono::seconds(10),
                                 [this] { return text_.find(": connected") != std::string::npos; });
    }
    // Waits for the first decision event and returns its data, or "" after the timeout.
    std::string WaitDecision() {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, std::chrono::seconds(10), [this] { return !decision_.empty(); });
        return decision_;
    }

  private:
    void Read(TestServer& server, const std::string& token, const std::string& path) {
        std::unique_ptr<httplib::Client> client = server.NewClient();
        client->Get(path, {{"Authorization", "Bearer " + token}},
                    [this](const char* data, std::size_t size) { return Append(data, size); });
    }
    bool Append(const char* data, std::size_t size) {
        std::lock_guard lock(mutex_);
        text_.append(data, size);
        const std::size_t event = text_.find("event: decision\ndata: ");
        const std::size_t end = text_.find("\n\n", event);
        if (event != std::string::npos && end != std::string::npos) {
            const std::size_t start = event + std::string("event: decision\ndata: ").size();
            decision_ = text_.substr(start, end - start);
        }
        changed_.notify_all();
        return decision_.empty() && text_.size() < 100000;
    }

    std::mutex mutex_;
    std::condition_variable changed_;
    std::string text_;
    std::string decision_;
    std::thread thread_;
};

TEST_F(GateEventsTest, DecisionHasTheGateFields) {
    HttpResult granted = PostFrame("g1", AstronautJpeg());
    ASSERT_EQ(granted.status, 200) << granted.body;
    const nlohmann::json decision = granted.Json();
    EXPECT_EQ(decision["decision"], "grant");
    EXPECT_EQ(decision["reason"], "granted");
    EXPECT_TRUE(decision["display_name"].is_string());
    EXPECT_NE(decision["display_name"], "测试p1");  // masked, never the full name
    EXPECT_TRUE(decision["photo_url"].is_string());
    EXPECT_FALSE(decision.contains("person_id"));

    HttpResult stranger = PostFrame("g1", FacelessJpeg());
    ASSERT_EQ(stranger.status, 200);
    EXPECT_EQ(stranger.Json()["decision"], "retry");
    EXPECT_TRUE(stranger.Json()["display_name"].is_null());
    EXPECT_TRUE(stranger.Json()["photo_url"].is_null());
}

TEST_F(GateEventsTest, MultipartFramesOfOneApproach) {
    HttpResult result = server_->Upload(
        Who::kGate, "/api/v1/gates/g1/decisions",
        {{"frame", AstronautJpeg()}, {"frame", FacelessJpeg()}, {"frame", AstronautJpeg()}});
    ASSERT_EQ(result.status, 200) << result.body;
    EXPECT_EQ(result.Json()["frames_received"], 3);
    EXPECT_EQ(result.Json()["frames_usable"], 2);
    EXPECT_EQ(result.Json()["decision"], "grant");
}

TEST_F(GateEventsTest, StreamDeliversTheDecisionToStaff) {
    StreamReader reader(*server_, server_->Token(Who::kStaff), "/api/v1/gates/g1/events");
    ASSERT_TRUE(reader.WaitConnected());
    HttpResult posted = PostFrame("g1", AstronautJpeg());
    ASSERT_EQ(posted.status, 200);
    const nlohmann::json event = nlohmann::json::parse(reader.WaitDecision(), nullptr, false);
    ASSERT_TRUE(event.is_object()) << "no decision event arrived";
    EXPECT_EQ(event["decision"], "grant");
    EXPECT_EQ(event["passage_id"], posted.Json()["passage_id"]);
    EXPECT_EQ(event["display_name"], posted.Json()["display_name"]);
    HttpResult thumbnail = server_->Send(Who::kAnonymous, "GET", event["photo_url"]);
    EXPECT_EQ(thumbnail.status, 200);
}

TEST_F(GateEventsTest, HeadOpensNoStream) {
    // HEAD returns the stream's headers at once, and a stream opened after it still works.
    const HttpResult head = server_->Send(Who::kStaff, "HEAD", "/api/v1/gates/g1/events");

    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.body, "");
    auto type = head.headers.find("Content-Type");
    ASSERT_NE(type, head.headers.end());
    EXPECT_EQ(type->second, "text/event-stream");
    StreamReader reader(*server_, server_->Token(Who::kStaff), "/api/v1/gates/g1/events");
    ASSERT_TRUE(reader.WaitConnected());
    ASSERT_EQ(PostFrame("g1", AstronautJpeg()).status, 200);
    EXPECT_NE(reader.WaitDecision(), "");
}

TEST_F(GateEventsTest, StreamEndsWhenTheOperatorLogsOut) {
    const std::string token = server_->Login("staff");
    ASSERT_FALSE(token.empty());
    StreamReader reader(*server_, token, "/api/v1/gates/g1/events");
    ASSERT_TRUE(reader.WaitConnected());
    HttpResult logout =
        server_->SendRaw("Bearer " + token, "POST", "/api/v1/auth/logout", "", "application/json");
    ASSERT_EQ(logout.status, 200) << logout.body;
    // Let at least one keep-alive pass, which ends the stream of the ended session.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ASSERT_EQ(PostFrame("g1", AstronautJpeg()).status, 200);
    EXPECT_EQ(reader.WaitDecision(), "") << "a logged-out operator still received a decision";
}

TEST_F(GateEventsTest, StreamDeliversOnlyItsOwnGate) {
    StreamReader reader(*server_, server_->Token(Who::kGate), "/api/v1/gates/g1/events");
    ASSERT_TRUE(reader.WaitConnected());
    // A decision at another gate of the estate is not g1's event.
    HttpResult issued =
        server_->Send(Who::kAdmin, "POST", "/api/v1/gates/gm-admin/device-credentials");
    ASSERT_EQ(issued.status, 201);
    const std::string gm_token = issued.Json()["token"];
    ASSERT_EQ(server_
                  ->SendRaw("Bearer " + gm_token, "POST", "/api/v1/gates/gm-admin/decisions",
                            FacelessJpeg(), "image/jpeg")
                  .status,
              200);
    ASSERT_EQ(PostFrame("g1", FacelessJpeg()).status, 200);
    const nlohmann::json event = nlohmann::json::parse(reader.WaitDecision(), nullptr, false);
    ASSERT_TRUE(event.is_object());
    EXPECT_EQ(event["gate_id"], "g1");
}

TEST_F(GateEventsTest, ThumbnailLinkExpires) {
    HttpResult link = server_->Send(Who::kStaff, "GET", "/api/v1/people/p1/thumbnail-link");
    ASSERT_EQ(link.status, 200) << link.body;
    const std::string url = link.Json()["url"];
    HttpResult fresh = server_->Send(Who::kAnonymous, "GET", url);
    ASSERT_EQ(fresh.status, 200);
    EXPECT_EQ(fresh.headers.find("Content-Type")->second, "image/jpeg");
    EXPECT_EQ(fresh.body.substr(0, 2), "\xFF\xD8");

    std::string tampered = url;
    tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
    EXPECT_EQ(server_->Send(Who::kAnonymous, "GET", tampered).status, 404);

    server_->clock().Advance(61);
    HttpResult expired = server_->Send(Who::kAnonymous, "GET", url);
    EXPECT_EQ(expired.status, 404);
    EXPECT_TRUE(expired.HasErrorShape());
}

TEST_F(GateEventsTest, AuditorGetsNoThumbnailOrEvents) {
    EXPECT_EQ(server_->Send(Who::kAuditor, "GET", "/api/v1/people/p1/thumbnail-link").status, 403);
    EXPECT_EQ(server_->Send(Who::kAuditor, "GET", "/api/v1/people/p1").status, 403);
    EXPECT_EQ(server_->Send(Who::kAuditor, "GET", "/api/v1/units/u1").status, 403);
    EXPECT_EQ(server_->Send(Who::kAuditor, "GET", "/api/v1/gates/g1/events").status, 403);
}

}  // namespace
}  // namespace menjin::testing
