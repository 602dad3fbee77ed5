#pragma once

#include <cstddef>
#include <cstdint>

namespace menjin {

// Instruction sets that Int8InnerProducts can use, weakest first.
enum class SimdLevel {
    kBaseline,  // x86-64 baseline, whose SSE2 the compiler may use
    kAvx2,
    kAvx512,  // AVX-512 F and BW
};

// Returns the strongest level that both this CPU and the operating system support (libgcc's
// __builtin_cpu_supports checks that the OS saves the AVX and AVX-512 registers). The result
// is computed once per process.
SimdLevel DetectSimdLevel();

// Row lengths passed to Int8InnerProducts must be a multiple of this many values, so that every
// SIMD step reads whole vectors. Callers pad rows and the query with zeros.
inline constexpr std::size_t kInt8RowPadding = 64;

// Computes out[r] = sum of query[i] * rows[r * row_length + i] over i < row_length, for every
// r < row_count, exactly in 32-bit integers. Rows are stored one after another, each
// row_length int8 values. `query` contains row_length int16 values.
//
// Requirements: row_length is a multiple of kInt8RowPadding and at most 65,536 (checked by
// assert in debug builds), and every query value is in [-128, 128] (not checked). Then no sum
// exceeds 65,536 * 128 * 128 = 2^30 in magnitude and nothing overflows.
//
// A `level` above DetectSimdLevel() is lowered to it. Every level returns the same values.
// Thread-safe.
void Int8InnerProducts(SimdLevel level, const std::int16_t* query, const std::int8_t* rows,
                       std::size_t row_length, std::size_t row_count, std::int32_t* out);

}  // namespace menjin
