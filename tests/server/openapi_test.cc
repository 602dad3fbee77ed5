// The OpenAPI document and the server's route list describe the same API: every documented
// operation exists, every route is documented, with the same callers and audit action.

#include <set>

#include <gtest/gtest.h>

#include "server/openapi_document.h"
#include "server/test_server.h"
#include "support/test_paths.h"

namespace menjin::testing {
namespace {

std::string Lower(std::string text) {
    for (char& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

std::set<std::string> AudienceNames(unsigned audience) {
    std::set<std::string> names;
    const std::pair<unsigned, const char*> kNames[] = {
        {kAnyone, "anyone"},   {kCentreAdmin, "centre_admin"}, {kEstateStaff, "estate_staff"},
        {kAuditor, "auditor"}, {kGateDevice, "gate_device"},
    };
    for (const auto& [bit, name] : kNames) {
        if ((audience & bit) != 0)
            names.insert(name);
    }
    return names;
}

// Collects every "$ref" value in `node`.
void CollectRefs(const nlohmann::json& node, std::set<std::string>& refs) {
    if (node.is_object()) {
        for (const auto& [key, value] : node.items()) {
            if (key == "$ref" && value.is_string())
                refs.insert(value.get<std::string>());
            CollectRefs(value, refs);
        }
    } else if (node.is_array()) {
        for (const nlohmann::json& item : node)
            CollectRefs(item, refs);
    }
}

class OpenApiTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        std::optional<std::filesystem::path> models = ModelDir();
        if (!models)
            return;
        Result<std::unique_ptr<TestServer>> started = TestServer::Start(*models);
        ASSERT_TRUE(started.ok()) << started.status().ToString();
        server_ = std::move(started).value();
    }
    static void TearDownTestSuite() { server_.reset(); }

    void SetUp() override {
        if (!server_)
            GTEST_SKIP() << "needs the converted models (run the setup command)";
        document_ = nlohmann::json::parse(OpenApiDocument(), nullptr, false);
        ASSERT_TRUE(document_.is_object()) << "openapi.json is not a JSON object";
    }

    static std::unique_ptr<TestServer> server_;
    nlohmann::json document_;
};

std::unique_ptr<TestServer> OpenApiTest::server_;

TEST_F(OpenApiTest, DocumentIsOpenApi3) {
    EXPECT_EQ(document_.value("openapi", "").substr(0, 2), "3.");
    EXPECT_TRUE(document_["info"].contains("title"));
    EXPECT_TRUE(document_["paths"].is_object());
}

TEST_F(OpenApiTest, EveryReferenceResolves) {
    std::set<std::string> refs;
    CollectRefs(document_, refs);
    const std::string prefix = "#/components/schemas/";
    for (const std::string& ref : refs) {
        ASSERT_EQ(ref.rfind(prefix, 0), 0u) << ref;
        EXPECT_TRUE(document_["components"]["schemas"].contains(ref.substr(prefix.size())))
            << ref << " is not defined";
    }
}

TEST_F(OpenApiTest, DocumentAndRoutesNameTheSameOperations) {
    std::set<std::string> documented;
    for (const auto& [path, operations] : document_["paths"].items()) {
        for (const auto& [method, operation] : operations.items())
            documented.insert(Lower(method) + " " + path);
    }
    std::set<std::string> served;
    for (const Route& route : server_->server().router().routes())
        served.insert(Lower(HttpMethodName(route.method)) + " " + route.path);
    for (const std::string& operation : documented)
        EXPECT_TRUE(served.count(operation)) << operation << " is documented but not served";
    for (const std::string& operation : served)
        EXPECT_TRUE(documented.count(operation)) << operation << " is served but not documented";
}

TEST_F(OpenApiTest, AudienceAndAuditActionMatchRoutes) {
    for (const Route& route : server_->server().router().routes()) {
        const std::string method = Lower(HttpMethodName(route.method));
        const nlohmann::json& operation = document_["paths"][route.path][method];
        SCOPED_TRACE(method + " " + route.path);
        ASSERT_TRUE(operation.is_object());
        const std::set<std::string> documented =
            operation.value("x-menjin-audience", std::set<std::string>());
        EXPECT_EQ(documented, AudienceNames(route.audience));
        EXPECT_EQ(operation.value("x-menjin-audit-action", ""), route.audit_action);
    }
}

TEST_F(OpenApiTest, EveryOperationHasResponses) {
    for (const auto& [path, operations] : document_["paths"].items()) {
        for (const auto& [method, operation] : operations.items()) {
            SCOPED_TRACE(method + " " + path);
            const nlohmann::json responses = operation.value("responses", nlohmann::json());
            ASSERT_TRUE(responses.is_object());
            bool success = false;
            for (const auto& [status, response] : responses.items())
                success = success || status.front() == '2';
            EXPECT_TRUE(success);
            EXPECT_TRUE(responses.contains("default"));
            EXPECT_FALSE(operation.value("summary", "").empty());
        }
    }
}

TEST_F(OpenApiTest, ServedDocumentIsTheCompiledOne) {
    HttpResult result = server_->Send(Who::kAnonymous, "GET", "/api/v1/openapi.json");
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(result.body, OpenApiDocument());
}

// Sends each documented operation with made-up path parameters: the router must find it, so
// the response is never the unknown-route 404 or a 405.
TEST_F(OpenApiTest, EveryDocumentedOperationIsRouted) {
    const std::string token = server_->Login("admin");
    ASSERT_FALSE(token.empty());
    for (const auto& [path, operations] : document_["paths"].items()) {
        std::string concrete = path;
        for (std::size_t open; (open = concrete.find('{')) != std::string::npos;)
            concrete.replace(open, concrete.find('}', open) - open + 1, "no-such-id");
        for (const auto& [method, operation] : operations.items()) {
            if (path.find("/events") != std::string::npos)
                continue;  // a stream; routed as the role matrix shows
            SCOPED_TRACE(method + " " + concrete);
            std::string upper = method;
            for (char& c : upper)
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            HttpResult result =
                server_->SendRaw("Bearer " + token, upper, concrete, "{}", "application/json");
            EXPECT_NE(result.status, 405);
            EXPECT_EQ(result.body.find("no route for"), std::string::npos) << result.body;
        }
    }
}

}  // namespace
}  // namespace menjin::testing
