// `menjin serve` with TLS: a certificate and key from configuration, HTTPS requests that
// verify the certificate, and session cookies marked Secure.

#include <cstdlib>

#include <gtest/gtest.h>

#include "server/test_server.h"
#include "support/temp_dir.h"
#include "support/test_paths.h"

namespace menjin::testing {
namespace {

// Makes a self-signed certificate for the address 127.0.0.1 with the openssl command; false
// when that fails.
bool MakeCertificate(const std::filesystem::path& certificate, const std::filesystem::path& key) {
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout '" +
        key.string() + "' -out '" + certificate.string() + "' >/dev/null 2>&1";
    return std::system(command.c_str()) == 0;
}

TEST(TlsTest, ServesHttpsWithSecureCookies) {
    MENJIN_REQUIRE_MODELS(models);
    TempDir dir;
    const std::filesystem::path certificate = dir.path() / "cert.pem";
    const std::filesystem::path key = dir.path() / "key.pem";
    if (!MakeCertificate(certificate, key))
        GTEST_SKIP() << "needs the openssl command to make a test certificate";
    ApiServerOptions options;
    options.tls_certificate = certificate;
    options.tls_private_key = key;
    Result<std::unique_ptr<TestServer>> server = TestServer::Start(models, options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    EXPECT_TRUE((*server)->server().tls());

    EXPECT_EQ((*server)->Send(Who::kAdmin, "GET", "/api/v1/people/p1").status, 200);
    const nlohmann::json login = {{"operator_id", "staff"}, {"password", kPassword}};
    HttpResult cookie =
        (*server)->SendRaw("", "POST", "/api/v1/auth/login", login.dump(), "application/json");
    ASSERT_EQ(cookie.status, 200);
    EXPECT_NE(cookie.headers.find("Set-Cookie")->second.find("; Secure"), std::string::npos);

    httplib::Client plain("127.0.0.1", (*server)->port());
    EXPECT_FALSE(plain.Get("/api/v1/health"));
}

TEST(TlsTest, BadConfigurationIsRejected) {
    MENJIN_REQUIRE_MODELS(models);
    ApiServerOptions only_certificate;
    only_certificate.tls_certificate = "/nonexistent/cert.pem";
    Result<std::unique_ptr<TestServer>> server = TestServer::Start(models, only_certificate);
    ASSERT_FALSE(server.ok());
    EXPECT_EQ(server.status().code(), ErrorCode::kInvalidArgument);

    ApiServerOptions missing_files;
    missing_files.tls_certificate = "/nonexistent/cert.pem";
    missing_files.tls_private_key = "/nonexistent/key.pem";
    server = TestServer::Start(models, missing_files);
    ASSERT_FALSE(server.ok());
    EXPECT_EQ(server.status().code(), ErrorCode::kIoError);
}

}  // namespace
}  // namespace menjin::testing
