#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"

namespace menjin {

class QuantisedTemplates;

// One person found by a gallery search.
struct PersonHit {
    std::string person_id;
    // Highest inner product of the query with any template of the person. Subtracting the
    // pipeline's score_offset() gives the score (see FacePipeline).
    float inner_product = 0;
    std::int64_t template_id = 0;  // the template that gave `inner_product`
};

// One template of a gallery as copied out by a snapshot.
struct GalleryEntry {
    std::int64_t template_id = 0;
    std::string person_id;
    std::vector<float> values;  // dimension() floats, as added
};

// Method by which EstateGallery::Search finds the best templates. Both methods return the same
// people with the same inner products, computed by FAISS in float32, except where inner
// products are equal (see Search).
enum class SearchMethod {
    // The quantised scan where it is faster: for galleries of at least
    // EstateGallery::kQuantisedScanMinTemplates templates and at least `max_people` people,
    // with `max_people` at most EstateGallery::kQuantisedScanMaxPeople. Else the FAISS scan.
    kAutomatic,
    // FAISS's exhaustive float32 search (IndexFlatIP), which reads every stored float.
    kFaissScan,
    // A SIMD scan of the int8 copy of the templates, followed by the exact float32 inner
    // product of every template that the int8 error bound cannot rule out. Falls back to the
    // FAISS scan for a query whose largest magnitude is outside [2^-50, 2^50] and not zero, and
    // for galleries of more than QuantisedTemplates::kMaxDimension dimensions. Its bookkeeping
    // takes O(max_people) time per template that raises the running bound, so it suits small
    // `max_people`.
    kQuantisedScan,
};

// Record of one search, for tests and benchmarks.
struct SearchStats {
    SearchMethod method = SearchMethod::kFaissScan;  // the method that ran, never kAutomatic
    // Templates whose float32 inner product was computed: size() for the FAISS scan, the
    // candidates for the quantised scan.
    std::size_t templates_scored = 0;
};

// The face templates of one estate, searched exactly by inner product. FAISS
// (faiss::IndexIDMap2 over faiss::IndexFlatIP) stores the templates and computes every
// returned inner product. Beside it the gallery keeps an int8 copy of each template
// (QuantisedTemplates), so that a search reads about a quarter of the bytes. It computes the
// float32 inner product of only the few templates that the int8 error bound cannot rule out,
// and returns the result of FAISS's exhaustive search. Search time still grows linearly with
// size(). Removing a template deletes its vector from the index (faiss remove_ids),
// overwrites its stored floats with zeros, and removes its int8 row, overwriting the freed
// row with zeros, so a removed person cannot be returned by later searches.
//
// Ids are the template_ids of the store. Templates are float[dimension()] vectors of the kind
// FacePipeline produces, and the gallery does not normalise them.
//
// Errors: kInvalidArgument for a template or query of the wrong dimension or with a NaN or
// infinite value, and kAlreadyExists for a template_id already present. kInternal when FAISS
// throws, or when its index or the int8 copy disagrees with the gallery's id maps. A call that
// fails with kInvalidArgument or kAlreadyExists changes nothing. After kInternal from a Remove
// method, some of the templates may already be zeroed or removed.
//
// Thread safety: not synchronised. Const methods may run concurrently with each other, but
// not with Add or the Remove methods. GallerySet provides that locking.
class EstateGallery {
  public:
    // Creates an empty gallery for templates of `dimension` floats. Fails with
    // kInvalidArgument when `dimension` is not positive.
    static Result<std::unique_ptr<EstateGallery>> Create(int dimension);

    ~EstateGallery();
    EstateGallery(const EstateGallery&) = delete;
    EstateGallery& operator=(const EstateGallery&) = delete;

    // Adds template `template_id` of `person_id` with `values` (dimension() floats). The
    // gallery copies the values.
    Status Add(std::int64_t template_id, const std::string& person_id,
               std::span<const float> values);

    // Removes every template of `person_id` and returns how many were removed (0 when the
    // person has none here). Both Remove methods take time linear in size(), because FAISS
    // compacts its storage and rebuilds its id map on every removal.
    Result<int> RemovePerson(const std::string& person_id);

    // Removes one template and returns whether it was present.
    Result<bool> RemoveTemplate(std::int64_t template_id);

    // Returns up to `max_people` distinct people, best inner product first, each with the best
    // of its templates. Returns fewer when the gallery has fewer people, and none when
    // `max_people` is not positive. `query` has dimension() floats. When `stats` is not null,
    // the search stores in it what it did.
    //
    // Equal inner products: the quantised scan orders tied templates by template id, lowest
    // first, and so keeps the lowest ids when a tie crosses the `max_people` cut. The FAISS
    // scan (FAISS 1.7.3) keeps the tied templates added first and lists them in its own order.
    // Both are correct exhaustive results.
    Result<std::vector<PersonHit>> Search(std::span<const float> query, int max_people,
                                          SearchMethod method = SearchMethod::kAutomatic,
                                          SearchStats* stats = nullptr) const;

    // Returns the best inner product of `query` with the templates of `person_id`, computed
    // exactly from the stored vectors, or nullopt when the person has no template here.
    Result<std::optional<float>> BestInnerProduct(const std::string& person_id,
                                                  std::span<const float> query) const;

    // Copies out every template, in no particular order.
    Result<std::vector<GalleryEntry>> Entries() const;

    int dimension() const { return dimension_; }
    // Number of templates.
    std::size_t size() const { return person_of_template_.size(); }
    // Number of people with at least one template.
    std::size_t people() const { return templates_of_person_.size(); }
    bool ContainsPerson(const std::string& person_id) const;
    bool ContainsTemplate(std::int64_t template_id) const;
    // Returns the ids of every template, in ascending order, to check that an erasure
    // removed them.
    std::vector<std::int64_t> TemplateIds() const;

    // Smallest gallery that SearchMethod::kAutomatic searches with the quantised scan. With
    // 192-float templates the FAISS scan took 2.7 us and the quantised scan 3.2 us at 10
    // templates, and 5.6 us and 3.9 us at 30 (docs/benchmarks.md).
    static constexpr std::size_t kQuantisedScanMinTemplates = 20;
    // Largest `max_people` that SearchMethod::kAutomatic searches with the quantised scan,
    // whose bookkeeping takes O(max_people) time per improving template.
    static constexpr int kQuantisedScanMaxPeople = 64;

  private:
    struct FaissIndex;

    // A template's person and its row in the int8 copy.
    struct TemplateRecord {
        std::string person_id;
        std::size_t row = 0;
    };

    EstateGallery(int dimension, std::unique_ptr<FaissIndex> index,
                  std::unique_ptr<QuantisedTemplates> quantised);

    Status CheckVector(std::span<const float> values, const std::string& label) const;
    // Removes the templates from the FAISS index and then from the id maps and the int8 copy.
    Status RemoveTemplates(const std::vector<std::int64_t>& template_ids);
    // Drops the ids from the id maps and the int8 copy once they are out of the FAISS index.
    Status ForgetTemplates(const std::vector<std::int64_t>& template_ids);
    // Removes one template's row from the int8 copy and updates the row of the template that
    // moved into its place.
    Status RemoveQuantisedRow(std::int64_t template_id, std::size_t row);
    bool UsesQuantisedScan(SearchMethod method, int max_people) const;
    std::size_t SearchDepth(int max_people) const;
    Result<std::vector<PersonHit>> SearchFaiss(std::span<const float> query, int max_people) const;
    // Computes the float32 inner product of each candidate row with FAISS's stored floats and
    // returns the best `max_people` people among them.
    Result<std::vector<PersonHit>> ScoreCandidates(std::span<const float> query,
                                                   const std::vector<std::size_t>& rows,
                                                   int max_people) const;

    int dimension_ = 0;
    std::unique_ptr<FaissIndex> index_;
    // Null for galleries of more than QuantisedTemplates::kMaxDimension dimensions, and after
    // the copy was found out of step with the id maps (an internal error), so that searches use
    // FAISS alone.
    std::unique_ptr<QuantisedTemplates> quantised_;
    std::unordered_map<std::int64_t, TemplateRecord> person_of_template_;
    // The keys identify people in quantised_ by address. unordered_map never moves its
    // elements, so an address stays valid until the person's last template is removed.
    std::unordered_map<std::string, std::unordered_set<std::int64_t>> templates_of_person_;
    // Largest number of templates of any one person, which bounds the search depth.
    std::size_t max_templates_per_person_ = 0;
};

}  // namespace menjin
