#include "crypto/secure_bytes.h"

#include <new>
#include <utility>

#include <sodium.h>

namespace menjin {

SecureBytes::SecureBytes(std::size_t size) : size_(size) {
    data_ = static_cast<std::uint8_t*>(sodium_malloc(size));
    if (data_ == nullptr)
        throw std::bad_alloc();
    // A failed lock (RLIMIT_MEMLOCK reached) leaves the bytes usable but swappable, which is
    // no reason to stop the service.
    sodium_mlock(data_, size_);
}

SecureBytes::~SecureBytes() {
    Release();
}

SecureBytes::SecureBytes(SecureBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecureBytes& SecureBytes::operator=(SecureBytes&& other) noexcept {
    if (this != &other) {
        Release();
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

void SecureBytes::Release() {
    if (data_ == nullptr)
        return;
    sodium_memzero(data_, size_);
    sodium_free(data_);
    data_ = nullptr;
    size_ = 0;
}

}  // namespace menjin
