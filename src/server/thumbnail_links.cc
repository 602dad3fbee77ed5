#include "server/thumbnail_links.h"

#include <cstdint>
#include <vector>

#include <sodium.h>

namespace menjin {

namespace {

constexpr std::string_view kAssociatedData = "thumbnail-link";
// A sealed person id and expiry stays well under this; longer tokens are rejected unread.
constexpr std::size_t kMaxTokenLength = 512;

std::string Base64Url(const std::vector<std::uint8_t>& bytes) {
    std::string text(
        sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    text.pop_back();  // the terminating NUL
    return text;
}

std::optional<std::vector<std::uint8_t>> FromBase64Url(const std::string& text) {
    std::vector<std::uint8_t> bytes(text.size());
    std::size_t size = 0;
    if (sodium_base642bin(bytes.data(), bytes.size(), text.data(), text.size(), nullptr, &size,
                          nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
        return std::nullopt;
    }
    bytes.resize(size);
    return bytes;
}

Status InvalidLink() {
    return NotFound("thumbnail link is invalid or has expired: request a new one");
}

}  // namespace

std::string ThumbnailLinks::PathFor(const std::string& person_id) const {
    const std::string payload = std::to_string(ExpiryOfNewLink()) + "\n" + person_id;
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(payload.data());
    return kPathPrefix + Base64Url(cipher_.Seal({bytes, payload.size()}, kAssociatedData));
}

Result<std::string> ThumbnailLinks::PersonOf(const std::string& token) const {
    if (token.empty() || token.size() > kMaxTokenLength)
        return InvalidLink();
    std::optional<std::vector<std::uint8_t>> sealed = FromBase64Url(token);
    if (!sealed)
        return InvalidLink();
    Result<std::vector<std::uint8_t>> opened = cipher_.Open(*sealed, kAssociatedData);
    if (!opened.ok())
        return InvalidLink();
    const std::string payload(opened->begin(), opened->end());
    const std::size_t newline = payload.find('\n');
    if (newline == std::string::npos)
        return InvalidLink();
    UnixSeconds expiry = 0;
    try {
        expiry = std::stoll(payload.substr(0, newline));
    } catch (const std::exception&) {
        return InvalidLink();
    }
    if (clock_.Now() >= expiry)
        return InvalidLink();
    return payload.substr(newline + 1);
}

}  // namespace menjin
