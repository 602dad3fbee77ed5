#include "crypto/password_hash.h"

#include <sodium.h>

namespace menjin {

Result<std::string> HashPassword(std::string_view password) {
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(
            hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return Internal("crypto: Argon2id password hashing failed: out of memory");
    }
    return std::string(hash);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
    // crypto_pwhash_str_verify reads a NUL-terminated string of at most STRBYTES.
    if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES)
        return false;
    const std::string terminated(hash);
    return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

}  // namespace menjin
