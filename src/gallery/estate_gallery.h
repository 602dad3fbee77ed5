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

// The face templates of one estate, searched exactly by inner product with FAISS. Every
// search compares the query with every template (faiss::IndexFlatIP) and makes no
// approximation, so its time grows linearly with size(). Removing a template deletes its
// vector from the index (faiss remove_ids) and overwrites its stored floats with zeros, so a
// removed person cannot be returned by later searches.
//
// Ids are the template_ids of the store. Templates are float[dimension()] vectors of the kind
// FacePipeline produces, and the gallery does not normalise them.
//
// Errors: kInvalidArgument for a template or query of the wrong dimension or with a NaN or
// infinite value, kAlreadyExists for a template_id already present, kInternal when FAISS
// throws or its index disagrees with the gallery's id maps. A call that fails with
// kInvalidArgument or kAlreadyExists changes nothing. After kInternal from a Remove method,
// some of the templates may already be zeroed or removed.
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
    // `max_people` is not positive. `query` has dimension() floats.
    Result<std::vector<PersonHit>> Search(std::span<const float> query, int max_people) const;

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

  private:
    struct FaissIndex;

    EstateGallery(int dimension, std::unique_ptr<FaissIndex> index);

    Status CheckVector(std::span<const float> values, const std::string& label) const;
    // Removes the templates from the FAISS index and then from the id maps.
    Status RemoveTemplates(const std::vector<std::int64_t>& template_ids);
    // Drops the ids from the id maps once they are out of the FAISS index.
    void ForgetTemplates(const std::vector<std::int64_t>& template_ids);
    std::size_t SearchDepth(int max_people) const;

    int dimension_ = 0;
    std::unique_ptr<FaissIndex> index_;
    std::unordered_map<std::int64_t, std::string> person_of_template_;
    std::unordered_map<std::string, std::unordered_set<std::int64_t>> templates_of_person_;
    // Largest number of templates of any one person, which bounds the search depth.
    std::size_t max_templates_per_person_ = 0;
};

}  // namespace menjin
