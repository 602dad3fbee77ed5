#include "crypto/secret_token.h"

#include <cstdint>
#include <span>

#include <sodium.h>

#include "common/sha256.h"

namespace menjin {

namespace {

constexpr std::size_t kTokenBytes = 32;

}  // namespace

std::string NewSecretToken() {
    unsigned char random[kTokenBytes];
    randombytes_buf(random, sizeof(random));
    char text[sodium_base64_ENCODED_LEN(kTokenBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(text, sizeof(text), random, sizeof(random),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(random, sizeof(random));
    return std::string(text);
}

std::string SecretTokenHash(std::string_view token) {
    return Sha256Hex(std::span(reinterpret_cast<const std::uint8_t*>(token.data()), token.size()));
}

}  // namespace menjin
