#pragma once

#include <cstddef>
#include <new>

#include <sodium.h>

namespace menjin {

// Allocator for buffers that contain face templates or values derived from them. Every block is
// aligned to kAlignment bytes, so SIMD loads of 64-byte rows never straddle a cache line, and
// is overwritten with zeros before it is freed. With it a std::vector leaves no copy of its
// elements behind when it grows into a new buffer or is destroyed.
//
// Elements that a container destroys without freeing their memory (pop_back, a shrinking
// resize) are not overwritten, so callers zero those themselves.
template <typename T>
class ZeroingAllocator {
  public:
    using value_type = T;

    static constexpr std::size_t kAlignment = 64;

    ZeroingAllocator() = default;
    template <typename U>
    ZeroingAllocator(const ZeroingAllocator<U>&) noexcept {}  // NOLINT: rebinding is implicit

    T* allocate(std::size_t count) {
        return static_cast<T*>(::operator new (count * sizeof(T), std::align_val_t{kAlignment}));
    }

    // sodium_memzero is used because the compiler may drop plain stores to memory that is
    // freed right after.
    void deallocate(T* block, std::size_t count) noexcept {
        sodium_memzero(block, count * sizeof(T));
        ::operator delete (block, std::align_val_t{kAlignment});
    }

    template <typename U>
    bool operator==(const ZeroingAllocator<U>&) const noexcept {
        return true;
    }
};

}  // namespace menjin
