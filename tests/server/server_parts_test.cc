// The parts of the HTTP service that need no running server: JSON field validation, the
// status table, the event hub, signed thumbnail links and cookie parsing.

#include <sodium.h>

#include <thread>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "crypto/data_key.h"
#include "server/authenticator.h"
#include "server/gate_event_hub.h"
#include "server/http_status.h"
#include "server/json_fields.h"
#include "server/thumbnail_links.h"

namespace menjin {
namespace {

TEST(JsonFieldsTest, ReadsTypedFields) {
    Result<JsonFields> parsed = JsonFields::Parse(
        R"({"id":"a-1","name":"x","n":5,"f":0.5,"b":true,"t":"2026-01-02","ids":["e1","e2"]})");
    ASSERT_TRUE(parsed.ok());
    JsonFields& in = *parsed;
    EXPECT_EQ(in.Id("id"), "a-1");
    EXPECT_EQ(in.Text("name"), "x");
    EXPECT_EQ(in.Integer("n", 0, 10), 5);
    EXPECT_DOUBLE_EQ(in.OptionalNumber("f", 0, 0, 1), 0.5);
    EXPECT_TRUE(in.OptionalBool("b", false));
    EXPECT_EQ(in.Instant("t"), 1767312000);
    EXPECT_EQ(in.IdList("ids"), (std::vector<std::string>{"e1", "e2"}));
    EXPECT_EQ(in.OptionalText("absent", "fallback"), "fallback");
    EXPECT_TRUE(in.Finish().ok());
}

TEST(JsonFieldsTest, FirstErrorNamesItsField) {
    Result<JsonFields> parsed = JsonFields::Parse(R"({"n":"5","name":""})");
    ASSERT_TRUE(parsed.ok());
    parsed->Integer("n", 0, 10);
    parsed->Text("name");
    const Status status = parsed->Finish();
    EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(status.field(), "n");
}

TEST(JsonFieldsTest, UnknownAndNestedFieldsAreNamed) {
    Result<JsonFields> parsed = JsonFields::Parse(R"({"person":{"id":"p","nme":"typo"}})");
    ASSERT_TRUE(parsed.ok());
    JsonFields person = parsed->Object("person");
    person.Id("id");
    parsed->Check(person.Finish());
    EXPECT_EQ(parsed->Finish().field(), "person.nme");
}

TEST(JsonFieldsTest, RejectsRepeatsRangesAndNonObjects) {
    EXPECT_FALSE(JsonFields::Parse("[]").ok());
    EXPECT_FALSE(JsonFields::Parse("{").ok());
    Result<JsonFields> parsed = JsonFields::Parse(R"({"ids":["e1","e1"],"n":11})");
    ASSERT_TRUE(parsed.ok());
    parsed->IdList("ids");
    EXPECT_EQ(parsed->Finish().field(), "ids");
    Result<JsonFields> range = JsonFields::Parse(R"({"n":11})");
    range->Integer("n", 0, 10);
    EXPECT_EQ(range->Finish().field(), "n");
}

TEST(HttpStatusTest, OneStatusPerCode) {
    EXPECT_EQ(HttpStatusOf(ErrorCode::kInvalidArgument), 400);
    EXPECT_EQ(HttpStatusOf(ErrorCode::kUnauthenticated), 401);
    EXPECT_EQ(HttpStatusOf(ErrorCode::kPermissionDenied), 403);
    EXPECT_EQ(HttpStatusOf(ErrorCode::kNotFound), 404);
    EXPECT_EQ(HttpStatusOf(ErrorCode::kConflict), 409);
    EXPECT_EQ(HttpStatusOf(ErrorCode::kTooLarge), 413);
    EXPECT_EQ(HttpStatusOf(ErrorCode::kUnprocessable), 422);
    EXPECT_EQ(HttpStatusOf(ErrorCode::kDataLoss), 500);
    const nlohmann::json body = ErrorBody("not_found", "gone", "");
    EXPECT_TRUE(body["error"]["field"].is_null());
}

TEST(GateEventHubTest, DeliversToListenersOfTheGate) {
    GateEventHub hub(4);
    auto g1 = hub.Subscribe("g1");
    auto g2 = hub.Subscribe("g2");
    ASSERT_TRUE(g1.ok());
    ASSERT_TRUE(g2.ok());
    hub.Publish("g1", "one");
    EXPECT_EQ((*g1)->Next(std::chrono::milliseconds(10)), "one");
    EXPECT_EQ((*g2)->Next(std::chrono::milliseconds(10)), std::nullopt);
    EXPECT_FALSE((*g2)->closed());
}

TEST(GateEventHubTest, LimitsListenersAndClosesOnShutdown) {
    GateEventHub hub(1);
    auto first = hub.Subscribe("g1");
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(hub.Subscribe("g1").status().code(), ErrorCode::kUnavailable);
    std::thread closer([&] { hub.Close(); });
    EXPECT_EQ((*first)->Next(std::chrono::seconds(10)), std::nullopt);
    closer.join();
    EXPECT_TRUE((*first)->closed());
    EXPECT_EQ(hub.Subscribe("g2").status().code(), ErrorCode::kUnavailable);
}

TEST(GateEventHubTest, SlowListenerKeepsTheNewest) {
    GateEventHub hub(1);
    auto listener = hub.Subscribe("g1");
    for (std::size_t i = 0; i < GateEventHub::kMaxQueued + 3; ++i)
        hub.Publish("g1", std::to_string(i));
    EXPECT_EQ((*listener)->Next(std::chrono::milliseconds(1)), "3");
}

TEST(ThumbnailLinksTest, LinkNamesThePersonUntilItExpires) {
    ASSERT_GE(sodium_init(), 0);
    Result<DataKey> key = DataKey::Generate();
    ASSERT_TRUE(key.ok());
    RecordCipher cipher(*key);
    ManualClock clock(1767225600);
    ThumbnailLinks links(cipher, clock, 60);
    const std::string path = links.PathFor("p-1");
    ASSERT_EQ(path.rfind(ThumbnailLinks::kPathPrefix, 0), 0u);
    const std::string token = path.substr(std::string(ThumbnailLinks::kPathPrefix).size());
    EXPECT_EQ(token.find("p-1"), std::string::npos);
    EXPECT_EQ(links.PersonOf(token).value(), "p-1");
    clock.Advance(59);
    EXPECT_TRUE(links.PersonOf(token).ok());
    clock.Advance(1);
    EXPECT_EQ(links.PersonOf(token).status().code(), ErrorCode::kNotFound);
}

TEST(ThumbnailLinksTest, OtherKeysAndGarbageAreRejected) {
    ASSERT_GE(sodium_init(), 0);
    RecordCipher mine(*DataKey::Generate());
    RecordCipher theirs(*DataKey::Generate());
    ManualClock clock(1767225600);
    const std::string prefix = ThumbnailLinks::kPathPrefix;
    const std::string forged =
        ThumbnailLinks(theirs, clock, 60).PathFor("p-1").substr(prefix.size());
    ThumbnailLinks links(mine, clock, 60);
    EXPECT_FALSE(links.PersonOf(forged).ok());
    EXPECT_FALSE(links.PersonOf("").ok());
    EXPECT_FALSE(links.PersonOf("!!!").ok());
    EXPECT_FALSE(links.PersonOf(std::string(1000, 'A')).ok());
}

TEST(AuthenticatorTest, CookieValueFindsTheNamedCookie) {
    EXPECT_EQ(Authenticator::CookieValue("a=1; menjin_session=xyz; b=2", "menjin_session"), "xyz");
    EXPECT_EQ(Authenticator::CookieValue("menjin_session_old=1", "menjin_session"), "");
    EXPECT_EQ(Authenticator::CookieValue("", "menjin_session"), "");
}

}  // namespace
}  // namespace menjin
