// Bad input and faults over HTTP: unknown ids (404), another estate's records (403), images
// that cannot be decoded (422), bodies and images over the limits (413), field-level JSON
// validation (400), concurrent edits (409), unknown routes and methods, and bad credentials.
// Every error body has the shape {"error": {"code", "message", "field"}}.

#include <zlib.h>

#include <atomic>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "server/test_server.h"
#include "support/test_paths.h"

namespace menjin::testing {
namespace {

constexpr std::size_t kJsonLimit = 64 * 1024;
constexpr std::size_t kUploadLimit = 1024 * 1024;

// A PNG whose header declares `width` x `height` pixels, with a valid IHDR checksum but no
// image data worth decoding.
std::string PngDeclaring(std::uint32_t width, std::uint32_t height) {
    cv::Mat pixel(1, 1, CV_8UC3, cv::Scalar(0, 0, 0));
    std::vector<std::uint8_t> png;
    cv::imencode(".png", pixel, png);
    auto put = [&](std::size_t at, std::uint32_t value) {
        for (int i = 0; i < 4; ++i)
            png[at + i] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
    };
    put(16, width);  // IHDR data starts after the 8-byte signature, length and type
    put(20, height);
    const std::uint32_t crc = static_cast<std::uint32_t>(crc32(0, png.data() + 12, 17));
    put(29, crc);
    return std::string(png.begin(), png.end());
}

class BadInputTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        std::optional<std::filesystem::path> models = ModelDir();
        if (!models)
            return;
        ApiServerOptions options;
        options.limits.json_bytes = kJsonLimit;
        options.limits.upload_bytes = kUploadLimit;
        Result<std::unique_ptr<TestServer>> started = TestServer::Start(*models, options);
        ASSERT_TRUE(started.ok()) << started.status().ToString();
        server_ = std::move(started).value();
    }
    static void TearDownTestSuite() { server_.reset(); }
    void SetUp() override {
        if (!server_)
            GTEST_SKIP() << "needs the converted models (run the setup command)";
    }

    // Checks the status, the error shape, the code and the field ("" for null).
    static void ExpectError(const HttpResult& result, int status, const std::string& code,
                            const std::string& field = "") {
        EXPECT_EQ(result.status, status) << result.body.substr(0, 300);
        ASSERT_TRUE(result.HasErrorShape()) << result.body.substr(0, 300);
        EXPECT_EQ(result.ErrorCode(), code);
        const nlohmann::json json = result.Json();
        const nlohmann::json& actual = json["error"]["field"];
        if (field.empty()) {
            EXPECT_TRUE(actual.is_null()) << actual;
        } else {
            EXPECT_EQ(actual, field);
        }
    }

    HttpResult PostEstate(const std::string& body) {
        return server_->Send(Who::kAdmin, "POST", "/api/v1/estates", body);
    }

    static std::unique_ptr<TestServer> server_;
};

std::unique_ptr<TestServer> BadInputTest::server_;

TEST_F(BadInputTest, UnknownIdsAre404) {
    ExpectError(server_->Send(Who::kAdmin, "GET", "/api/v1/people/nobody"), 404, "not_found");
    ExpectError(server_->Send(Who::kAdmin, "GET", "/api/v1/gates/nowhere"), 404, "not_found");
    ExpectError(server_->Send(Who::kStaff, "GET", "/api/v1/units/no-unit"), 404, "not_found");
    ExpectError(server_->SendRaw("Bearer " + server_->Token(Who::kGate), "POST",
                                 "/api/v1/gates/nowhere/decisions", AstronautJpeg(), "image/jpeg"),
                404, "not_found");
}

TEST_F(BadInputTest, OtherEstatesRecordsAre403) {
    ExpectError(server_->Send(Who::kStaff, "GET", "/api/v1/people/p2"), 403, "permission_denied");
    ExpectError(server_->Send(Who::kStaff, "PATCH", "/api/v1/units/u2", R"({"version":1})"), 403,
                "permission_denied");
    ExpectError(server_->Send(Who::kStaff, "GET", "/api/v1/passages?estate_id=e2"), 403,
                "permission_denied");
}

TEST_F(BadInputTest, StaffSearchStaysInTheirEstate) {
    HttpResult result = server_->Send(Who::kStaff, "GET", "/api/v1/estates/e1/people");
    ASSERT_EQ(result.status, 200);
    const nlohmann::json json = result.Json();
    for (const nlohmann::json& person : json["people"])
        EXPECT_NE(person["id"], "p2");
    ExpectError(server_->Send(Who::kStaff, "GET", "/api/v1/people?q=p2"), 403, "permission_denied");
}

TEST_F(BadInputTest, UndecodableImageIs422) {
    const std::string gate = "Bearer " + server_->Token(Who::kGate);
    std::string broken = AstronautJpeg().substr(0, 600);
    ExpectError(server_->SendRaw(gate, "POST", "/api/v1/gates/g1/decisions", broken, "image/jpeg"),
                422, "unprocessable");
    ExpectError(
        server_->SendRaw(gate, "POST", "/api/v1/gates/g1/decisions", "not an image", "image/jpeg"),
        422, "unprocessable");
    ExpectError(server_->Upload(Who::kAdmin, "/api/v1/people/pm-staff/enrolment",
                                {{"photo", "\xFF\xD8\xFF garbage"}}),
                422, "unprocessable");
}

TEST_F(BadInputTest, TwoEnrolmentPhotosAre400) {
    HttpResult result = server_->Upload(Who::kAdmin, "/api/v1/people/pm-staff/enrolment",
                                        {{"photo", AstronautJpeg()}, {"photo", AstronautJpeg()}});

    ExpectError(result, 400, "invalid_argument", "photo");
    EXPECT_NE(result.body.find("2 parts named 'photo'"), std::string::npos) << result.body;
}

TEST_F(BadInputTest, UploadOverLimitIs413) {
    const std::string gate = "Bearer " + server_->Token(Who::kGate);
    const std::string huge(kUploadLimit + 4096, 'x');
    HttpResult result =
        server_->SendRaw(gate, "POST", "/api/v1/gates/g1/decisions", huge, "image/jpeg");
    ExpectError(result, 413, "too_large");
    EXPECT_THAT(
        result.Json()["error"]["message"].get<std::string>(),
        ::testing::HasSubstr(std::to_string(std::max(kUploadLimit, kJsonLimit)) + " bytes"));
}

TEST_F(BadInputTest, JsonBodyOverRouteLimitIs413) {
    const std::string name(kJsonLimit + 100, 'n');
    ExpectError(PostEstate(R"({"id":"big","name":")" + name + "\"}"), 413, "too_large");
}

TEST_F(BadInputTest, ImageOverPixelLimitIs413) {
    const std::string gate = "Bearer " + server_->Token(Who::kGate);
    ExpectError(server_->SendRaw(gate, "POST", "/api/v1/gates/g1/decisions",
                                 PngDeclaring(30000, 30000), "image/png"),
                413, "too_large");
}

TEST_F(BadInputTest, TooManyFramesIs400) {
    std::vector<std::pair<std::string, std::string>> frames(11, {"frame", FacelessJpeg()});
    const std::string gate = server_->Token(Who::kGate);
    httplib::MultipartFormDataItems items;
    for (const auto& [name, bytes] : frames)
        items.push_back({name, bytes, "f.jpg", "image/jpeg"});
    auto response = server_->NewClient()->Post("/api/v1/gates/g1/decisions",
                                               {{"Authorization", "Bearer " + gate}}, items);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400);
    EXPECT_NE(response->body.find("\"field\":\"frames\""), std::string::npos) << response->body;
}

TEST_F(BadInputTest, JsonValidationNamesTheField) {
    ExpectError(PostEstate("{not json"), 400, "invalid_argument");
    ExpectError(PostEstate("[1, 2]"), 400, "invalid_argument");
    ExpectError(PostEstate(R"({"id":"e-v1"})"), 400, "invalid_argument", "name");
    ExpectError(PostEstate(R"({"id":"e v1","name":"x"})"), 400, "invalid_argument", "id");
    ExpectError(PostEstate(R"({"id":"e-v1","name":"x","welfare_days":"3"})"), 400,
                "invalid_argument", "welfare_days");
    ExpectError(PostEstate(R"({"id":"e-v1","name":"x","welfare_days":400})"), 400,
                "invalid_argument", "welfare_days");
    ExpectError(PostEstate(R"({"id":"e-v1","name":"x","target_fpir":0.7})"), 400,
                "invalid_argument", "target_fpir");
    ExpectError(PostEstate(R"({"id":"e-v1","name":"x","timezone":"Mars/Base"})"), 400,
                "invalid_argument", "timezone");
    ExpectError(PostEstate(R"({"id":"e-v1","name":"x","colour":"red"})"), 400, "invalid_argument",
                "colour");
    ExpectError(server_->Send(Who::kAdmin, "POST", "/api/v1/service-staff",
                              R"({"person":{"id":"s-bad"},"company_id":"c1"})"),
                400, "invalid_argument", "person.name");
    ExpectError(server_->Send(Who::kAdmin, "POST", "/api/v1/grants",
                              R"({"person_id":"p1","estate_id":"e1","valid_from":"2026-01-01",)"
                              R"("valid_to":"2027-01-01","schedule":"mon 25:00-26:00"})"),
                400, "invalid_argument", "schedule");
}

TEST_F(BadInputTest, DuplicateIdIs409) {
    ExpectError(PostEstate(R"({"id":"e1","name":"again"})"), 409, "already_exists");
}

TEST_F(BadInputTest, StaleVersionIs409) {
    HttpResult first = server_->Send(Who::kAdmin, "PATCH", "/api/v1/units/um-staff",
                                     R"({"version":1,"number":"a"})");
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(first.Json()["version"], 2);
    ExpectError(server_->Send(Who::kAdmin, "PATCH", "/api/v1/units/um-staff",
                              R"({"version":1,"number":"b"})"),
                409, "conflict");
}

TEST_F(BadInputTest, ConcurrentEditsOfOneRecordLetOneWin) {
    HttpResult current = server_->Send(Who::kAdmin, "GET", "/api/v1/people/pm-staff");
    ASSERT_EQ(current.status, 200);
    const std::int64_t version = current.Json()["version"].get<std::int64_t>();
    constexpr int kEditors = 8;
    std::atomic<int> won{0};
    std::atomic<int> conflicts{0};
    std::vector<std::thread> editors;
    for (int i = 0; i < kEditors; ++i) {
        editors.emplace_back([&, i] {
            const nlohmann::json body = {{"version", version}, {"phone", std::to_string(i)}};
            HttpResult result =
                server_->Send(Who::kAdmin, "PATCH", "/api/v1/people/pm-staff", body.dump());
            if (result.status == 200)
                ++won;
            if (result.status == 409 && result.ErrorCode() == "conflict")
                ++conflicts;
        });
    }
    for (std::thread& editor : editors)
        editor.join();
    EXPECT_EQ(won.load(), 1);
    EXPECT_EQ(conflicts.load(), kEditors - 1);
}

TEST_F(BadInputTest, UnknownRouteIs404AndWrongMethodIs405) {
    ExpectError(server_->Send(Who::kAdmin, "GET", "/api/v1/nothing-here"), 404, "not_found");
    ExpectError(server_->Send(Who::kAnonymous, "GET", "/api/v2/estates"), 404, "not_found");
    HttpResult wrong = server_->Send(Who::kAdmin, "PUT", "/api/v1/estates", "{}");
    ExpectError(wrong, 405, "method_not_allowed");
    auto allow = wrong.headers.find("Allow");
    ASSERT_NE(allow, wrong.headers.end());
    EXPECT_NE(allow->second.find("GET"), std::string::npos);
    EXPECT_NE(allow->second.find("POST"), std::string::npos);
    EXPECT_NE(allow->second.find("HEAD"), std::string::npos);
}

TEST_F(BadInputTest, HeadIsGetWithoutBody) {
    const HttpResult got = server_->Send(Who::kAdmin, "GET", "/api/v1/estates");
    const HttpResult head = server_->Send(Who::kAdmin, "HEAD", "/api/v1/estates");
    const HttpResult anonymous = server_->Send(Who::kAnonymous, "HEAD", "/api/v1/estates");
    const HttpResult post_only = server_->Send(Who::kAdmin, "HEAD", "/api/v1/auth/login");

    ASSERT_EQ(got.status, 200);
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.body, "");
    auto length = head.headers.find("Content-Length");
    ASSERT_NE(length, head.headers.end());
    EXPECT_EQ(length->second, std::to_string(got.body.size()));
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_EQ(anonymous.body, "");
    EXPECT_EQ(post_only.status, 405);
}

TEST_F(BadInputTest, BadCredentialsAre401) {
    ExpectError(server_->SendRaw("Bearer mjs_forged", "GET", "/api/v1/estates", "", ""), 401,
                "unauthenticated");
    ExpectError(server_->SendRaw("Bearer mjd_forged", "GET", "/api/v1/gates/g1", "", ""), 401,
                "unauthenticated");
    ExpectError(server_->SendRaw("Basic YWRtaW46eA==", "GET", "/api/v1/estates", "", ""), 401,
                "unauthenticated");
    ExpectError(server_->SendRaw("", "GET", "/api/v1/estates", "", "",
                                 {{"Cookie", "menjin_session=mjs_forged"}}),
                401, "unauthenticated");
}

}  // namespace
}  // namespace menjin::testing
