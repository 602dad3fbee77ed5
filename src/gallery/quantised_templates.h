#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gallery/int8_inner_product.h"
#include "gallery/zeroing_allocator.h"

namespace menjin {

// An int8 copy of the templates of one gallery that finds, for a query, the few templates that
// can be the best template of one of the people with the highest inner products. The caller
// computes the float32 inner products of those candidates only, which gives the same people as
// an exhaustive float32 search while reading about a quarter of the bytes.
//
// Each template x of n floats is stored as n int8 codes c in [-127, 127] and a scale
// s = max|x_i| / 127, so x ~= s * c, together with ||x|| and the norm of the residual
// x - s * c. A search quantises the query the same way and bounds, for every template, how far
// the scaled int8 inner product can be from the float32 inner product that FAISS computes
// (the bound is derived in quantised_templates.cc). Any float input is accepted: a template
// whose largest magnitude is outside [2^-50, 2^50] gets no codes and an infinite bound, so it
// is always a candidate.
//
// Rows are numbered 0 to size() - 1. Removing a row moves the last row into its place.
//
// Thread safety: not synchronised. Const methods may run concurrently with each other, but not
// with Append or Remove.
class QuantisedTemplates {
  public:
    // Largest dimension supported, so that an int8 inner product fits in 32 bits.
    static constexpr int kMaxDimension = 65536;

    // Creates an empty copy for templates of `dimension` floats. `dimension` must be in
    // [1, kMaxDimension], which EstateGallery checks.
    explicit QuantisedTemplates(int dimension);

    QuantisedTemplates(const QuantisedTemplates&) = delete;
    QuantisedTemplates& operator=(const QuantisedTemplates&) = delete;

    // Appends template `template_id` with its dimension() finite `values` as the last row and
    // returns the row. `person` identifies the template's person: rows of one person must pass
    // the same pointer, and it must stay valid until the row is removed. Throws std::bad_alloc
    // only before anything has changed.
    std::size_t Append(std::int64_t template_id, const std::string* person,
                       std::span<const float> values);

    // Removes `row` (< size()) by moving the last row into it, then overwrites the codes, scale
    // and norms of the freed last row with zeros. Returns the template id now stored at `row`, or
    // nullopt when `row` was the last row.
    std::optional<std::int64_t> Remove(std::size_t row);

    // Returns rows, in ascending order, among which are all rows whose float32 inner product
    // with `query` (dimension() finite floats), as faiss::fvec_inner_product computes it, is
    // at least that of the `max_people`-th best person (max_people > 0). Rows that tie with
    // that person are included. Returns every row when there are fewer than `max_people`
    // people, and nullopt when the largest magnitude in `query` is outside [2^-50, 2^50] and
    // not zero, because the bound does not hold there.
    std::optional<std::vector<std::size_t>> FindCandidates(std::span<const float> query,
                                                           int max_people) const;

    int dimension() const { return dimension_; }
    std::size_t size() const { return template_ids_.size(); }
    std::int64_t template_id(std::size_t row) const { return template_ids_[row]; }
    const std::string* person(std::size_t row) const { return persons_[row]; }

  private:
    // Grows every per-row array so that one more row fits without allocating.
    void ReserveOneMoreRow();

    int dimension_ = 0;
    // dimension_ rounded up to a multiple of kInt8RowPadding.
    std::size_t row_length_ = 0;
    SimdLevel simd_level_ = SimdLevel::kBaseline;

    // row_length_ codes per row, the padding zero.
    std::vector<std::int8_t, ZeroingAllocator<std::int8_t>> codes_;
    // Per row: the scale s, and upper bounds of ||x - s * c|| and ||x||. A row without codes
    // has s = 0 and both norms +infinity.
    std::vector<float, ZeroingAllocator<float>> scales_;
    std::vector<float, ZeroingAllocator<float>> residual_norms_;
    std::vector<float, ZeroingAllocator<float>> norms_;
    std::vector<std::int64_t> template_ids_;
    std::vector<const std::string*> persons_;
};

}  // namespace menjin
