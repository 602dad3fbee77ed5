#pragma once

#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "crypto/record_cipher.h"
#include "domain/records.h"

namespace menjin {

// Short-lived links to a person's display thumbnail that need no session, for gate screens.
// A token is the person id and expiry sealed with the RecordCipher (XChaCha20-Poly1305 with
// associated data "thumbnail-link"), in base64url: it cannot be forged or altered without the
// data key, and it does not reveal the person id. Holds references to `cipher` and `clock`,
// which must outlive it. Thread-safe.
class ThumbnailLinks {
  public:
    // Path prefix of the links; the token follows it.
    static constexpr const char* kPathPrefix = "/api/v1/thumbnails/";

    ThumbnailLinks(const RecordCipher& cipher, const Clock& clock, int lifetime_seconds)
        : cipher_(cipher), clock_(clock), lifetime_seconds_(lifetime_seconds) {}

    // Returns a path (kPathPrefix + token) valid for lifetime_seconds from now.
    std::string PathFor(const std::string& person_id) const;
    // Returns the expiry of a link made now.
    UnixSeconds ExpiryOfNewLink() const { return clock_.Now() + lifetime_seconds_; }

    // Returns the person id of a valid, unexpired token; kNotFound otherwise, with the same
    // message for a forged, altered or expired token.
    Result<std::string> PersonOf(const std::string& token) const;

  private:
    const RecordCipher& cipher_;
    const Clock& clock_;
    const int lifetime_seconds_;
};

}  // namespace menjin
