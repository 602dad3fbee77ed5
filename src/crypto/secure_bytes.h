#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace menjin {

// A fixed-size byte buffer for key material, allocated with sodium_malloc (guard pages and a
// canary) and locked with sodium_mlock so that it is not swapped to disk. The bytes are wiped
// by sodium_free on destruction. Move-only; a moved-from buffer is empty.
//
// libsodium must be initialised (sodium_init) before the first buffer is made; DataKey's
// factories do that. Allocation failure throws std::bad_alloc, as operator new does.
// Concurrent reads are safe while no thread writes to the buffer.
class SecureBytes {
  public:
    explicit SecureBytes(std::size_t size);
    ~SecureBytes();

    SecureBytes(SecureBytes&& other) noexcept;
    SecureBytes& operator=(SecureBytes&& other) noexcept;
    SecureBytes(const SecureBytes&) = delete;
    SecureBytes& operator=(const SecureBytes&) = delete;

    std::uint8_t* data() { return data_; }
    const std::uint8_t* data() const { return data_; }
    std::size_t size() const { return size_; }
    std::span<const std::uint8_t> span() const { return {data_, size_}; }

  private:
    void Release();

    std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace menjin
