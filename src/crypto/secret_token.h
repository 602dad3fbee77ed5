#pragma once

#include <string>
#include <string_view>

namespace menjin {

// Returns a new random bearer token: 32 bytes from libsodium's CSPRNG as 43 base64url
// characters without padding. Thread-safe; libsodium must be initialised.
std::string NewSecretToken();

// Returns the lower-case hex SHA-256 of `token`, the form in which sessions and device
// credentials are stored and looked up. A plain hash suffices because the tokens are 256-bit
// random values, so they cannot be guessed from the hash.
std::string SecretTokenHash(std::string_view token);

}  // namespace menjin
