#include "gallery/int8_inner_product.h"

#include <cstdint>
#include <random>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace menjin {
namespace {

// Returns the exact inner products, computed in 64 bits.
std::vector<std::int32_t> ReferenceInnerProducts(const std::vector<std::int16_t>& query,
                                                 const std::vector<std::int8_t>& rows,
                                                 std::size_t row_length) {
    std::vector<std::int32_t> sums;
    for (std::size_t first = 0; first < rows.size(); first += row_length) {
        std::int64_t sum = 0;
        for (std::size_t i = 0; i < row_length; ++i) {
            sum += static_cast<std::int64_t>(query[i]) * rows[first + i];
        }
        sums.push_back(static_cast<std::int32_t>(sum));
    }
    return sums;
}

std::vector<SimdLevel> SupportedLevels() {
    std::vector<SimdLevel> levels = {SimdLevel::kBaseline};
    if (DetectSimdLevel() >= SimdLevel::kAvx2) {
        levels.push_back(SimdLevel::kAvx2);
    }
    if (DetectSimdLevel() >= SimdLevel::kAvx512) {
        levels.push_back(SimdLevel::kAvx512);
    }
    return levels;
}

TEST(Int8InnerProductTest, EveryLevelMatchesReference) {
    std::mt19937 random(71);
    std::uniform_int_distribution<int> row_value(-128, 127);
    std::uniform_int_distribution<int> query_value(-128, 128);
    // Row counts around the prefetch distance (8 KiB) and lengths of one to several vectors.
    for (std::size_t row_length : {64u, 128u, 192u, 512u}) {
        for (std::size_t row_count : {0u, 1u, 5u, 43u, 300u}) {
            std::vector<std::int16_t> query(row_length);
            for (std::int16_t& value : query) {
                value = static_cast<std::int16_t>(query_value(random));
            }
            std::vector<std::int8_t> rows(row_length * row_count);
            for (std::int8_t& value : rows) {
                value = static_cast<std::int8_t>(row_value(random));
            }
            const std::vector<std::int32_t> expected =
                ReferenceInnerProducts(query, rows, row_length);
            for (SimdLevel level : SupportedLevels()) {
                SCOPED_TRACE(fmt::format("length {}, rows {}, level {}", row_length, row_count,
                                         static_cast<int>(level)));
                std::vector<std::int32_t> sums(row_count, -1);
                Int8InnerProducts(level, query.data(), rows.data(), row_length, row_count,
                                  sums.data());
                EXPECT_EQ(sums, expected);
            }
        }
    }
}

// The largest sums allowed, 65,536 * 128 * 128 = 2^30 in magnitude, must not overflow.
TEST(Int8InnerProductTest, ExtremeValuesDoNotOverflow) {
    constexpr std::size_t kRowLength = 65536;
    const std::vector<std::int16_t> query(kRowLength, 128);
    std::vector<std::int8_t> rows(2 * kRowLength, -128);
    std::fill(rows.begin() + kRowLength, rows.end(), std::int8_t{127});
    const std::vector<std::int32_t> expected = {-(1 << 30), 65536 * 128 * 127};
    for (SimdLevel level : SupportedLevels()) {
        SCOPED_TRACE(fmt::format("level {}", static_cast<int>(level)));
        std::vector<std::int32_t> sums(2, 0);
        Int8InnerProducts(level, query.data(), rows.data(), kRowLength, 2, sums.data());
        EXPECT_EQ(sums, expected);
    }
}

}  // namespace
}  // namespace menjin
