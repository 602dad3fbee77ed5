#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "crypto/secure_bytes.h"

namespace menjin {

// The installation's 32-byte master key, from which RecordCipher derives its sub-keys. The
// bytes live in locked memory (SecureBytes) and are wiped on destruction; they are never
// logged or printed, not even in error messages. Move-only. Reading the key from several
// threads is safe.
class DataKey {
  public:
    static constexpr std::size_t kSize = 32;
    // Name of the environment variable that, when set, overrides the key file.
    static constexpr const char* kEnvironmentVariable = "MENJIN_DATA_KEY";

    // Loads the key from $MENJIN_DATA_KEY when it is set, else from `key_file`, and creates
    // `key_file` with a new random key when it does not exist. Both hold 64 hex characters;
    // the file may end with one newline and must have mode 0600 or stricter.
    // Errors: kInvalidArgument for a malformed variable or file, kFailedPrecondition when the
    // file is readable or writable by group or others, kIoError when it cannot be read or
    // created, kInternal when libsodium fails to initialise.
    static Result<DataKey> LoadOrCreate(const std::filesystem::path& key_file);

    // Parses 64 hex characters; kInvalidArgument otherwise. The message never echoes `hex`.
    static Result<DataKey> FromHex(std::string_view hex);

    // Returns a new random key that is not stored anywhere, for tests and tools.
    static Result<DataKey> Generate();

    DataKey(DataKey&&) noexcept = default;
    DataKey& operator=(DataKey&&) noexcept = default;

    // The key bytes, valid while this DataKey lives.
    std::span<const std::uint8_t, kSize> bytes() const {
        return std::span<const std::uint8_t, kSize>(bytes_.data(), kSize);
    }

  private:
    explicit DataKey(SecureBytes bytes) : bytes_(std::move(bytes)) {}

    SecureBytes bytes_;
};

}  // namespace menjin
