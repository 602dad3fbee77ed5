#include "crypto/record_cipher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace menjin {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

constexpr const char* kHexKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
constexpr const char* kOtherHexKey =
    "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

RecordCipher CipherFrom(const char* hex) {
    Result<DataKey> key = DataKey::FromHex(hex);
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    return RecordCipher(*key);
}

std::vector<std::uint8_t> Bytes(const std::string& text) {
    return std::vector<std::uint8_t>(text.begin(), text.end());
}

TEST(RecordCipherTest, SealThenOpenRoundTrips) {
    RecordCipher cipher = CipherFrom(kHexKey);
    std::vector<std::uint8_t> plaintext = Bytes("template bytes");

    std::vector<std::uint8_t> sealed = cipher.Seal(plaintext, "template:1:p1");
    Result<std::vector<std::uint8_t>> opened = cipher.Open(sealed, "template:1:p1");

    EXPECT_EQ(sealed.size(), plaintext.size() + RecordCipher::kOverhead);
    EXPECT_EQ(sealed[0], RecordCipher::kFormatVersion);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(*opened, plaintext);
}

TEST(RecordCipherTest, EmptyPlaintextRoundTrips) {
    RecordCipher cipher = CipherFrom(kHexKey);
    Result<std::vector<std::uint8_t>> opened = cipher.Open(cipher.Seal({}, "ad"), "ad");
    ASSERT_TRUE(opened.ok());
    EXPECT_TRUE(opened->empty());
}

TEST(RecordCipherTest, SealUsesFreshNonce) {
    RecordCipher cipher = CipherFrom(kHexKey);
    std::vector<std::uint8_t> plaintext = Bytes("same input");
    EXPECT_NE(cipher.Seal(plaintext, "ad"), cipher.Seal(plaintext, "ad"));
}

TEST(RecordCipherTest, OtherAssociatedDataFails) {
    RecordCipher cipher = CipherFrom(kHexKey);
    std::vector<std::uint8_t> sealed = cipher.Seal(Bytes("x"), "template:1:p1");

    Result<std::vector<std::uint8_t>> opened = cipher.Open(sealed, "template:2:p1");

    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.status().code(), ErrorCode::kDataLoss);
    EXPECT_THAT(opened.status().message(), HasSubstr("template:2:p1"));
}

TEST(RecordCipherTest, EveryAlteredByteFails) {
    RecordCipher cipher = CipherFrom(kHexKey);
    std::vector<std::uint8_t> sealed = cipher.Seal(Bytes("abcdefgh"), "ad");
    for (std::size_t i = 0; i < sealed.size(); ++i) {
        std::vector<std::uint8_t> altered = sealed;
        altered[i] ^= 0x80;
        Result<std::vector<std::uint8_t>> opened = cipher.Open(altered, "ad");
        ASSERT_FALSE(opened.ok()) << "byte " << i;
        EXPECT_EQ(opened.status().code(), ErrorCode::kDataLoss) << "byte " << i;
    }
}

TEST(RecordCipherTest, TruncatedRecordFails) {
    RecordCipher cipher = CipherFrom(kHexKey);
    std::vector<std::uint8_t> sealed = cipher.Seal(Bytes("abc"), "ad");
    for (std::size_t size :
         {std::size_t{0}, std::size_t{1}, RecordCipher::kOverhead - 1, sealed.size() - 1}) {
        std::vector<std::uint8_t> truncated(sealed.begin(),
                                            sealed.begin() + static_cast<std::ptrdiff_t>(size));
        EXPECT_EQ(cipher.Open(truncated, "ad").status().code(), ErrorCode::kDataLoss) << size;
    }
}

TEST(RecordCipherTest, WrongKeyFails) {
    std::vector<std::uint8_t> sealed = CipherFrom(kHexKey).Seal(Bytes("x"), "ad");
    Result<std::vector<std::uint8_t>> opened = CipherFrom(kOtherHexKey).Open(sealed, "ad");
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.status().code(), ErrorCode::kDataLoss);
}

TEST(RecordCipherTest, CredentialHashIsStableAndKeyed) {
    RecordCipher cipher = CipherFrom(kHexKey);
    std::string hash = cipher.CredentialHash("card", "0012345678");

    EXPECT_THAT(hash, MatchesRegex("[0-9a-f]{64}"));
    EXPECT_EQ(hash, CipherFrom(kHexKey).CredentialHash("card", "0012345678"));
    EXPECT_NE(hash, CipherFrom(kOtherHexKey).CredentialHash("card", "0012345678"));
    EXPECT_NE(hash, cipher.CredentialHash("pin", "0012345678"));
    EXPECT_NE(hash, cipher.CredentialHash("card", "0012345679"));
    // The separator keeps kind and secret apart.
    EXPECT_NE(cipher.CredentialHash("ab", "c"), cipher.CredentialHash("a", "bc"));
}

TEST(RecordCipherTest, PseudonymIsStableAndKeyed) {
    RecordCipher cipher = CipherFrom(kHexKey);
    std::string pseudonym = cipher.Pseudonym("p1");

    EXPECT_THAT(pseudonym, MatchesRegex("anon-[0-9a-f]{16}"));
    EXPECT_EQ(pseudonym, CipherFrom(kHexKey).Pseudonym("p1"));
    EXPECT_NE(pseudonym, CipherFrom(kOtherHexKey).Pseudonym("p1"));
    EXPECT_NE(pseudonym, cipher.Pseudonym("p2"));
    EXPECT_THAT(pseudonym, ::testing::Not(HasSubstr("p1")));
}

}  // namespace
}  // namespace menjin
