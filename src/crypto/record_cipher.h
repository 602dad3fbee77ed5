#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/data_key.h"
#include "crypto/secure_bytes.h"

namespace menjin {

// Encrypts records at rest and computes keyed hashes, with three sub-keys derived from the
// DataKey (crypto_kdf_derive_from_key): one for sealing templates and thumbnails, one for
// credential hashes and one for pseudonyms. The sub-keys live in locked memory and are wiped
// on destruction. Move-only. All methods are const and safe to call from several threads.
class RecordCipher {
  public:
    // Format byte at the start of every sealed record.
    static constexpr std::uint8_t kFormatVersion = 1;
    // Bytes that Seal adds to the plaintext: format byte, nonce and authentication tag.
    static const std::size_t kOverhead;

    // Derives the sub-keys. `key` may be destroyed afterwards.
    explicit RecordCipher(const DataKey& key);

    RecordCipher(RecordCipher&&) noexcept = default;
    RecordCipher& operator=(RecordCipher&&) noexcept = default;

    // Encrypts `plaintext` with XChaCha20-Poly1305 (IETF) under a random 24-byte nonce and
    // returns format byte || nonce || ciphertext with tag. `associated_data` is authenticated
    // but not stored: Open must be given the same text, so a record bound to one row
    // ("template:<id>:<person>") cannot be moved to another.
    std::vector<std::uint8_t> Seal(std::span<const std::uint8_t> plaintext,
                                   std::string_view associated_data) const;

    // Decrypts a record made by Seal. Returns kDataLoss naming `associated_data` when the
    // format is unknown, the record is truncated, or authentication fails. Authentication
    // fails for a wrong key, altered bytes or other associated data.
    Result<std::vector<std::uint8_t>> Open(std::span<const std::uint8_t> sealed,
                                           std::string_view associated_data) const;

    // Returns the lower-case hex keyed BLAKE2b-256 of kind + '\0' + secret. Equal inputs give
    // equal hashes under one key, so the hash can be looked up, but the secret cannot be
    // recovered from it without the key.
    std::string CredentialHash(std::string_view kind, std::string_view secret) const;

    // Returns "anon-" and 16 hex characters of a keyed BLAKE2b of `person_id`: stable for one
    // installation key, different under another, and not reversible without the key.
    std::string Pseudonym(std::string_view person_id) const;

  private:
    SecureBytes record_key_;
    SecureBytes credential_key_;
    SecureBytes pseudonym_key_;
};

}  // namespace menjin
