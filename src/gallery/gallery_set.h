#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "gallery/estate_gallery.h"

namespace menjin {

// The galleries of every estate, one EstateGallery per estate id, so that a gate searches only
// the templates of its own estate. A person who serves several estates (a courier) has a
// separate copy of their templates in each estate's gallery.
//
// An estate's gallery is created by its first Add and dropped when its last template is
// removed. An estate without templates behaves as an empty gallery: searches return no hits
// and sizes are 0, with no error.
//
// Errors are those of EstateGallery, plus kInvalidArgument for an empty estate id in Add.
//
// Thread safety: every method may be called from several threads at once. Searches and other
// reads share `mutex_`; Add, the Remove methods and Clear hold it exclusively.
class GallerySet {
  public:
    // Creates an empty set for templates of `dimension` floats. Fails with kInvalidArgument
    // when `dimension` is not positive.
    static Result<std::unique_ptr<GallerySet>> Create(int dimension);

    GallerySet(const GallerySet&) = delete;
    GallerySet& operator=(const GallerySet&) = delete;

    int dimension() const { return dimension_; }

    // Adds template `template_id` of `person_id` to the gallery of `estate_id`. Template ids
    // are unique within an estate; the same id may be added to several estates.
    Status Add(const std::string& estate_id, std::int64_t template_id, const std::string& person_id,
               std::span<const float> values);

    // Removes the person's templates from every estate and returns how many were removed.
    // Every estate is tried even when one fails; the first failure is then returned.
    Result<int> RemovePerson(const std::string& person_id);

    // Removes the person's templates from one estate and returns how many were removed.
    Result<int> RemovePersonFromEstate(const std::string& estate_id, const std::string& person_id);

    // Searches the gallery of `estate_id` as EstateGallery::Search does. An estate with no
    // templates returns no hits, but a malformed query still fails with kInvalidArgument.
    Result<std::vector<PersonHit>> Search(const std::string& estate_id,
                                          std::span<const float> query, int max_people) const;

    // Copies out every template of one estate, in no particular order. Returns none for an
    // estate without templates.
    Result<std::vector<GalleryEntry>> Entries(const std::string& estate_id) const;

    // Number of templates of one estate.
    std::size_t Size(const std::string& estate_id) const;
    // Number of templates over all estates, counting a template in two estates twice.
    std::size_t TotalSize() const;
    bool ContainsPerson(const std::string& estate_id, const std::string& person_id) const;
    bool ContainsTemplate(const std::string& estate_id, std::int64_t template_id) const;
    // Number of people with at least one template in the estate.
    std::size_t PeopleCount(const std::string& estate_id) const;
    // EstateGallery::BestInnerProduct in the gallery of `estate_id`; nullopt for an estate or
    // person without templates.
    Result<std::optional<float>> BestInnerProduct(const std::string& estate_id,
                                                  const std::string& person_id,
                                                  std::span<const float> query) const;
    // Removes every template of every estate.
    void Clear();

  private:
    GallerySet(int dimension, std::unique_ptr<EstateGallery> empty_gallery);

    // Returns the gallery of `estate_id`, or empty_gallery_ when the estate has no templates.
    // Callers hold mutex_.
    const EstateGallery& FindGallery(const std::string& estate_id) const;

    const int dimension_;
    // Gallery used for estates without templates, so reads of them validate their input and
    // return the results of an empty gallery. Never modified.
    const std::unique_ptr<const EstateGallery> empty_gallery_;
    // NOTE: libstdc++ builds std::shared_mutex on a glibc rwlock that prefers readers, so a
    // steady stream of overlapping searches can delay Add and the Remove methods for as long
    // as it lasts.
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, std::unique_ptr<EstateGallery>>
        galleries_;  // guarded by mutex_
};

}  // namespace menjin
