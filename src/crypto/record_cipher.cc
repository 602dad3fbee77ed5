#include "crypto/record_cipher.h"

#include <fmt/format.h>
#include <sodium.h>

namespace menjin {

namespace {

constexpr std::size_t kNonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagSize = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::size_t kHeaderSize = 1 + kNonceSize;
constexpr std::size_t kHashSize = crypto_generichash_BYTES;  // 32 bytes, BLAKE2b-256
constexpr std::size_t kPseudonymHexDigits = 16;

// crypto_kdf contexts are exactly crypto_kdf_CONTEXTBYTES (8) characters.
constexpr char kRecordContext[] = "menjinTP";
constexpr char kCredentialContext[] = "menjinCH";
constexpr char kPseudonymContext[] = "menjinPS";
constexpr std::uint64_t kSubkeyId = 1;

static_assert(sizeof(kRecordContext) - 1 == crypto_kdf_CONTEXTBYTES);
static_assert(DataKey::kSize == crypto_kdf_KEYBYTES);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32);

SecureBytes DeriveSubkey(const DataKey& key, const char* context) {
    SecureBytes subkey(32);
    crypto_kdf_derive_from_key(subkey.data(), subkey.size(), kSubkeyId, context,
                               key.bytes().data());
    return subkey;
}

const unsigned char* Bytes(std::string_view text) {
    return reinterpret_cast<const unsigned char*>(text.data());
}

std::string ToHex(const unsigned char* bytes, std::size_t size) {
    std::string hex(2 * size + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), bytes, size);
    hex.pop_back();
    return hex;
}

Status SealedRecordError(std::string_view associated_data, std::string_view detail) {
    return Status(ErrorCode::kDataLoss, fmt::format("crypto: cannot open sealed record '{}': {}",
                                                    associated_data, detail));
}

}  // namespace

const std::size_t RecordCipher::kOverhead = kHeaderSize + kTagSize;

RecordCipher::RecordCipher(const DataKey& key)
    : record_key_(DeriveSubkey(key, kRecordContext)),
      credential_key_(DeriveSubkey(key, kCredentialContext)),
      pseudonym_key_(DeriveSubkey(key, kPseudonymContext)) {}

std::vector<std::uint8_t> RecordCipher::Seal(std::span<const std::uint8_t> plaintext,
                                             std::string_view associated_data) const {
    std::vector<std::uint8_t> sealed(kHeaderSize + plaintext.size() + kTagSize);
    sealed[0] = kFormatVersion;
    unsigned char* nonce = sealed.data() + 1;
    randombytes_buf(nonce, kNonceSize);
    unsigned long long ciphertext_size = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        sealed.data() + kHeaderSize, &ciphertext_size, plaintext.data(), plaintext.size(),
        Bytes(associated_data), associated_data.size(), nullptr, nonce, record_key_.data());
    sealed.resize(kHeaderSize + ciphertext_size);
    return sealed;
}

Result<std::vector<std::uint8_t>> RecordCipher::Open(std::span<const std::uint8_t> sealed,
                                                     std::string_view associated_data) const {
    if (sealed.size() < kOverhead) {
        return SealedRecordError(associated_data,
                                 fmt::format("only {} bytes, too short", sealed.size()));
    }
    if (sealed[0] != kFormatVersion) {
        return SealedRecordError(associated_data,
                                 fmt::format("unknown format version {}", sealed[0]));
    }
    std::vector<std::uint8_t> plaintext(sealed.size() - kOverhead);
    unsigned long long plaintext_size = 0;
    int result = crypto_aead_xchacha20poly1305_ietf_decrypt(
        plaintext.data(), &plaintext_size, nullptr, sealed.data() + kHeaderSize,
        sealed.size() - kHeaderSize, Bytes(associated_data), associated_data.size(),
        sealed.data() + 1, record_key_.data());
    if (result != 0) {
        return SealedRecordError(associated_data,
                                 "authentication failed (wrong key or altered data)");
    }
    plaintext.resize(plaintext_size);
    return plaintext;
}

std::string RecordCipher::CredentialHash(std::string_view kind, std::string_view secret) const {
    // Hashing in three updates avoids a heap copy of the secret.
    crypto_generichash_state state;
    crypto_generichash_init(&state, credential_key_.data(), credential_key_.size(), kHashSize);
    crypto_generichash_update(&state, Bytes(kind), kind.size());
    const unsigned char separator = 0;
    crypto_generichash_update(&state, &separator, 1);
    crypto_generichash_update(&state, Bytes(secret), secret.size());
    unsigned char hash[kHashSize];
    crypto_generichash_final(&state, hash, sizeof(hash));
    sodium_memzero(&state, sizeof(state));
    return ToHex(hash, sizeof(hash));
}

std::string RecordCipher::Pseudonym(std::string_view person_id) const {
    unsigned char hash[kHashSize];
    crypto_generichash(hash, sizeof(hash), Bytes(person_id), person_id.size(),
                       pseudonym_key_.data(), pseudonym_key_.size());
    return "anon-" + ToHex(hash, kPseudonymHexDigits / 2);
}

}  // namespace menjin
