#include "crypto/password_hash.h"

#include <set>

#include <gtest/gtest.h>
#include <sodium.h>

#include "crypto/secret_token.h"

namespace menjin {
namespace {

class PasswordHashTest : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_GE(sodium_init(), 0); }
};

TEST_F(PasswordHashTest, HashVerifiesOnlyTheSamePassword) {
    Result<std::string> hash = HashPassword("correct horse battery");
    ASSERT_TRUE(hash.ok());
    EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
    EXPECT_EQ(hash->find("correct horse"), std::string::npos);
    EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery"));
    EXPECT_FALSE(VerifyPassword(*hash, "correct horse batterY"));
    EXPECT_FALSE(VerifyPassword(*hash, ""));
}

TEST_F(PasswordHashTest, SamePasswordHashesDifferently) {
    Result<std::string> first = HashPassword("same password");
    Result<std::string> second = HashPassword("same password");
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE(second.ok());
    EXPECT_NE(*first, *second);  // random salt
}

TEST_F(PasswordHashTest, MalformedHashNeverVerifies) {
    EXPECT_FALSE(VerifyPassword("", "x"));
    EXPECT_FALSE(VerifyPassword("$argon2id$garbage", "x"));
    EXPECT_FALSE(VerifyPassword(std::string(500, 'a'), "x"));
}

TEST_F(PasswordHashTest, TokensAreRandomAndHashedAsSha256) {
    std::set<std::string> tokens;
    for (int i = 0; i < 100; ++i)
        tokens.insert(NewSecretToken());
    EXPECT_EQ(tokens.size(), 100u);
    const std::string token = *tokens.begin();
    EXPECT_EQ(token.size(), 43u);
    EXPECT_EQ(
        token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    EXPECT_EQ(SecretTokenHash("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace menjin
