#include "gallery/quantised_templates.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>

#include <sodium.h>

// The error bound. For a query q and a template x of n floats, let q' = s_q d and x' = s_x c
// be their quantised forms and r_q = q - q', r_x = x - x' the residuals. Then
//
//   q.x = q'.x' + q'.r_x + r_q.x,  so  |q.x - q'.x'| <= ||q'|| ||r_x|| + ||r_q|| ||x||
//
// by the Cauchy-Schwarz inequality, for any vectors, normalised or not. FAISS computes the
// inner product S in float32 (faiss::fvec_inner_product, which IndexFlatIP's search uses).
// Summed in any order with round-to-nearest, |S - q.x| <= gamma_n ||q|| ||x|| with u = 2^-24
// and gamma_n = n u / (1 - n u), plus at most n 2^-150 for products that underflow.
//
// The int8 sum d.c is exact (int8_inner_product.h). Let M_q = ||q|| + ||r_q|| >= ||q'|| and
// M_x = ||x|| + ||r_x|| >= ||x'||, so |q'.x'| <= M_q M_x. A = float(d.c) * s_x * s_q, rounded
// three times in float32, is within 3.0001 u M_q M_x of q'.x'. Forming A + E and A - E rounds
// once more, by at most u (|A| + E) <= 1.0001 u M_q M_x + u E. So the interval
//
//   [A - E, A + E],  E = alpha ||r_x|| + beta ||x|| + 2^-100,
//   alpha = ||q'|| + 5 u M_q,  beta = ||r_q|| + gamma_n ||q|| + 5 u M_q
//
// contains S: the 5 u M_q terms add 5 u M_q M_x to E, which covers both roundings of A, and
// the margin below covers u E. Fused multiply-adds, which GCC may use in ComputeBounds, only
// remove roundings. The 2^-100 term covers underflow, which is below 2^-133 for n <= 2^16.
//
// The norms are computed in double, with a relative error below 2^-36 for n <= 2^16, then
// multiplied by 1 + 2^-20 and rounded up to float32. That margin covers the double error, the
// up to four roundings of E in float32 and the u E above, because
// (1 + 2^-20)(1 - 2^-36)(1 - 2^-24)^5 > 1. Limiting the largest magnitude of q and x to
// [2^-50, 2^50] keeps every product and sum far from float32 overflow and keeps a nonzero A a
// normal number.

namespace menjin {

namespace {

constexpr double kUnitRoundoff = 0x1p-24;  // u of float32 with round-to-nearest
constexpr double kBoundMargin = 0x1p-20;
constexpr float kUnderflowAllowance = 0x1p-100f;
constexpr float kMinMagnitude = 0x1p-50f;
constexpr float kMaxMagnitude = 0x1p50f;
constexpr int kMaxCode = 127;
// Rows per call of the SIMD kernel. The kernel output and the bounds of one block stay on the
// stack, in 12 KiB. The kernel prefetches only within a block, so blocks are long.
constexpr std::size_t kBlockRows = 1024;

// Returns the smallest float that is not below `value`.
float RoundUpToFloat(double value) {
    float rounded = static_cast<float>(value);
    if (static_cast<double>(rounded) < value) {
        rounded = std::nextafter(rounded, std::numeric_limits<float>::infinity());
    }
    return rounded;
}

// Result of quantising one vector x to s * c.
struct Quantisation {
    float scale = 0;           // s
    double code_norm = 0;      // ||s * c||
    double residual_norm = 0;  // ||x - s * c||
    double norm = 0;           // ||x||
};

// Writes the codes c of `values` to `codes` (values.size() entries) and returns s and the norms.
// A zero vector gets zero codes and zero norms. Returns nullopt, leaving `codes` unchanged, when
// the largest magnitude is outside [kMinMagnitude, kMaxMagnitude] and not zero.
template <typename Code>
std::optional<Quantisation> Quantise(std::span<const float> values, Code* codes) {
    float max_magnitude = 0;
    for (float value : values) {
        max_magnitude = std::max(max_magnitude, std::fabs(value));
    }
    Quantisation result;
    if (max_magnitude == 0) {
        std::fill_n(codes, values.size(), Code{0});
        return result;
    }
    if (max_magnitude < kMinMagnitude || max_magnitude > kMaxMagnitude) {
        return std::nullopt;
    }

    result.scale = max_magnitude / kMaxCode;
    double code_squares = 0;
    double residual_squares = 0;
    double squares = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double value = values[i];
        // The clamp only guards against s rounding below max_magnitude / 127.
        const double code =
            std::clamp(std::nearbyint(value / result.scale), double{-kMaxCode}, double{kMaxCode});
        const double residual = value - result.scale * code;
        codes[i] = static_cast<Code>(code);
        code_squares += code * code;
        residual_squares += residual * residual;
        squares += value * value;
    }
    result.code_norm = result.scale * std::sqrt(code_squares);
    result.residual_norm = std::sqrt(residual_squares);
    result.norm = std::sqrt(squares);
    return result;
}

// Query terms of the bound E = alpha ||r_x|| + beta ||x|| + constant, each rounded up.
struct QueryBound {
    float scale = 0;  // s_q
    float alpha = 0;
    float beta = 0;
    float constant = kUnderflowAllowance;
};

// Returns the bound terms of a query quantised as `query` with `dimension` values. alpha and
// beta include the underflow allowance, so they are positive and a row with infinite norms gets
// an infinite bound, never 0 * infinity.
QueryBound BoundOfQuery(const Quantisation& query, int dimension) {
    const double n = dimension;
    const double gamma = n * kUnitRoundoff / (1 - n * kUnitRoundoff);
    const double float_rounding = 5 * kUnitRoundoff * (query.norm + query.residual_norm);
    const double margin = 1 + kBoundMargin;
    QueryBound bound;
    bound.scale = query.scale;
    bound.alpha = RoundUpToFloat((query.code_norm + float_rounding) * margin + kUnderflowAllowance);
    bound.beta = RoundUpToFloat(
        (query.residual_norm + gamma * query.norm + float_rounding) * margin + kUnderflowAllowance);
    return bound;
}

// Computes, for `count` rows, the approximate inner product A of each row from its int8 sum and
// stores the interval [A - E, A + E] that contains the float32 inner product. The function is
// cloned per instruction set, so the loop is vectorised with the widest registers the CPU has.
__attribute__((target_clones("avx512f", "avx2", "default"))) void ComputeBounds(
    const std::int32_t* __restrict code_sums, const float* __restrict scales,
    const float* __restrict residual_norms, const float* __restrict norms, std::size_t count,
    QueryBound query, float* __restrict lower, float* __restrict upper) {
    for (std::size_t i = 0; i < count; ++i) {
        const float approximate = static_cast<float>(code_sums[i]) * scales[i] * query.scale;
        const float error =
            query.alpha * residual_norms[i] + query.beta * norms[i] + query.constant;
        lower[i] = approximate - error;
        upper[i] = approximate + error;
    }
}

// Tracks a lower bound of the float32 inner product of the k-th best person. It keeps k
// different people, each with the highest lower bound offered for them, and replaces the one
// with the lowest bound when another person offers a higher one. Each of the k people has a
// template at least as good as the lowest of their bounds, so the k-th best person has too.
// Offer takes O(k) time, so it suits small k.
class KthPersonLowerBound {
  public:
    explicit KthPersonLowerBound(std::size_t k) : k_(k) {}

    // Returns the bound, or -infinity until k different people have been offered.
    float value() const { return value_; }

    // Records that `person` has a template whose inner product is at least `lower_bound`.
    void Offer(const std::string* person, float lower_bound) {
        auto same_person =
            std::find_if(entries_.begin(), entries_.end(),
                         [person](const Entry& entry) { return entry.person == person; });
        if (same_person != entries_.end()) {
            same_person->lower_bound = std::max(same_person->lower_bound, lower_bound);
        } else if (entries_.size() < k_) {
            entries_.push_back(Entry{person, lower_bound});
        } else {
            Entry& lowest = *LowestEntry();
            if (lower_bound <= lowest.lower_bound) {
                return;
            }
            lowest = Entry{person, lower_bound};
        }
        if (entries_.size() == k_) {
            value_ = LowestEntry()->lower_bound;
        }
    }

  private:
    struct Entry {
        const std::string* person;
        float lower_bound;
    };

    std::vector<Entry>::iterator LowestEntry() {
        return std::min_element(
            entries_.begin(), entries_.end(),
            [](const Entry& a, const Entry& b) { return a.lower_bound < b.lower_bound; });
    }

    std::size_t k_;
    std::vector<Entry> entries_;
    float value_ = -std::numeric_limits<float>::infinity();
};

}  // namespace

QuantisedTemplates::QuantisedTemplates(int dimension)
    : dimension_(dimension),
      row_length_((static_cast<std::size_t>(dimension) + kInt8RowPadding - 1) / kInt8RowPadding *
                  kInt8RowPadding),
      simd_level_(DetectSimdLevel()) {
    assert(dimension > 0);
    assert(dimension <= kMaxDimension);
}

void QuantisedTemplates::ReserveOneMoreRow() {
    if (template_ids_.capacity() > size()) {
        return;
    }
    const std::size_t rows = std::max<std::size_t>(16, 2 * size());
    codes_.reserve(rows * row_length_);
    scales_.reserve(rows);
    residual_norms_.reserve(rows);
    norms_.reserve(rows);
    persons_.reserve(rows);
    // Last, so that the capacity test above passes only when every array has grown.
    template_ids_.reserve(rows);
}

std::size_t QuantisedTemplates::Append(std::int64_t template_id, const std::string* person,
                                       std::span<const float> values) {
    assert(values.size() == static_cast<std::size_t>(dimension_));
    ReserveOneMoreRow();
    const std::size_t row = size();
    codes_.resize(codes_.size() + row_length_);  // the padding stays zero
    std::optional<Quantisation> quantised = Quantise(values, codes_.data() + row * row_length_);
    if (quantised) {
        const double margin = 1 + kBoundMargin;
        scales_.push_back(quantised->scale);
        residual_norms_.push_back(RoundUpToFloat(quantised->residual_norm * margin));
        norms_.push_back(RoundUpToFloat(quantised->norm * margin));
    } else {
        // Zero codes and an infinite bound make the row a candidate of every search.
        scales_.push_back(0);
        residual_norms_.push_back(std::numeric_limits<float>::infinity());
        norms_.push_back(std::numeric_limits<float>::infinity());
    }
    persons_.push_back(person);
    template_ids_.push_back(template_id);
    return row;
}

std::optional<std::int64_t> QuantisedTemplates::Remove(std::size_t row) {
    assert(row < size());
    const std::size_t last = size() - 1;
    std::int8_t* codes = codes_.data();
    if (row != last) {
        std::memcpy(codes + row * row_length_, codes + last * row_length_, row_length_);
        scales_[row] = scales_[last];
        residual_norms_[row] = residual_norms_[last];
        norms_[row] = norms_[last];
        persons_[row] = persons_[last];
        template_ids_[row] = template_ids_[last];
    }
    // The vectors keep the values past their new end, so they are overwritten first.
    sodium_memzero(codes + last * row_length_, row_length_);
    sodium_memzero(&scales_[last], sizeof(float));
    sodium_memzero(&residual_norms_[last], sizeof(float));
    sodium_memzero(&norms_[last], sizeof(float));
    codes_.resize(last * row_length_);
    scales_.pop_back();
    residual_norms_.pop_back();
    norms_.pop_back();
    persons_.pop_back();
    template_ids_.pop_back();
    if (row == last) {
        return std::nullopt;
    }
    return template_ids_[row];
}

// Scans every row once. A row is kept while its upper bound reaches the running lower bound
// of the k-th best person, which only rises, so the kept rows are a superset of those whose
// upper bound reaches the final value. The last loop drops the rest. A template that is the
// best of one of the k best people has an inner product of at least the final value, and so
// an upper bound of at least it, so it is never dropped. The comparisons are not strict, so
// ties at the k-th inner product are kept too.
std::optional<std::vector<std::size_t>> QuantisedTemplates::FindCandidates(
    std::span<const float> query, int max_people) const {
    assert(query.size() == static_cast<std::size_t>(dimension_));
    assert(max_people > 0);
    std::vector<std::int16_t, ZeroingAllocator<std::int16_t>> query_codes(row_length_, 0);
    std::optional<Quantisation> quantised_query = Quantise(query, query_codes.data());
    if (!quantised_query) {
        return std::nullopt;
    }
    const QueryBound bound = BoundOfQuery(*quantised_query, dimension_);

    KthPersonLowerBound kth_person(static_cast<std::size_t>(max_people));
    std::vector<std::size_t> candidates;
    std::vector<float> candidate_upper_bounds;
    std::int32_t code_sums[kBlockRows];
    float lower[kBlockRows];
    float upper[kBlockRows];
    for (std::size_t first = 0; first < size(); first += kBlockRows) {
        const std::size_t count = std::min(kBlockRows, size() - first);
        Int8InnerProducts(simd_level_, query_codes.data(), codes_.data() + first * row_length_,
                          row_length_, count, code_sums);
        ComputeBounds(code_sums, scales_.data() + first, residual_norms_.data() + first,
                      norms_.data() + first, count, bound, lower, upper);
        for (std::size_t i = 0; i < count; ++i) {
            if (upper[i] < kth_person.value()) {
                continue;
            }
            candidates.push_back(first + i);
            candidate_upper_bounds.push_back(upper[i]);
            if (lower[i] > kth_person.value()) {
                kth_person.Offer(persons_[first + i], lower[i]);
            }
        }
    }

    std::size_t candidates_kept = 0;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        if (candidate_upper_bounds[i] >= kth_person.value()) {
            candidates[candidates_kept++] = candidates[i];
        }
    }
    candidates.resize(candidates_kept);
    return candidates;
}

}  // namespace menjin
