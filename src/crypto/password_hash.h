#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace menjin {

// Returns the Argon2id hash of `password` in libsodium's crypto_pwhash_str format (algorithm,
// parameters, random salt and hash in one ASCII string), with the interactive cost limits
// (crypto_pwhash_OPSLIMIT_INTERACTIVE, MEMLIMIT_INTERACTIVE: 64 MiB). Takes tens of
// milliseconds. Fails with kInternal when libsodium cannot allocate the memory. The password is
// never part of an error message. Thread-safe; libsodium must be initialised (sodium_init).
Result<std::string> HashPassword(std::string_view password);

// Returns true when `password` matches `hash`, made by HashPassword. Returns false for a wrong
// password and for a malformed hash. Takes as long as HashPassword. Thread-safe.
bool VerifyPassword(std::string_view hash, std::string_view password);

}  // namespace menjin
