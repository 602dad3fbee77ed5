#include "common/sha256.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include <sodium.h>

namespace menjin {

namespace {

std::string ToHex(const unsigned char* digest, std::size_t size) {
    static const char kDigits[] = "0123456789abcdef";
    std::string hex(size * 2, '0');
    for (std::size_t i = 0; i < size; ++i) {
        hex[2 * i] = kDigits[digest[i] >> 4];
        hex[2 * i + 1] = kDigits[digest[i] & 0xF];
    }
    return hex;
}

}  // namespace

std::string Sha256Hex(std::span<const std::uint8_t> data) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, data.data(), data.size());
    return ToHex(digest, sizeof(digest));
}

Result<std::string> Sha256OfFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return IoError("sha256: cannot open '" + path.string() + "': " + std::strerror(errno));
    }
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    std::vector<char> block(1 << 20);
    while (in) {
        in.read(block.data(), static_cast<std::streamsize>(block.size()));
        crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(block.data()),
                                  static_cast<unsigned long long>(in.gcount()));
    }
    if (in.bad())
        return IoError("sha256: read failed for '" + path.string() + "'");
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&state, digest);
    return ToHex(digest, sizeof(digest));
}

}  // namespace menjin
