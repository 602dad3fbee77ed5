#include "gallery/gallery_set.h"

#include <iterator>
#include <mutex>
#include <string>
#include <utility>

namespace menjin {

Result<std::unique_ptr<GallerySet>> GallerySet::Create(int dimension) {
    MENJIN_ASSIGN_OR_RETURN(std::unique_ptr<EstateGallery> empty_gallery,
                            EstateGallery::Create(dimension));
    return std::unique_ptr<GallerySet>(new GallerySet(dimension, std::move(empty_gallery)));
}

GallerySet::GallerySet(int dimension, std::unique_ptr<EstateGallery> empty_gallery)
    : dimension_(dimension), empty_gallery_(std::move(empty_gallery)) {}

const EstateGallery& GallerySet::FindGallery(const std::string& estate_id) const {
    auto found = galleries_.find(estate_id);
    return found == galleries_.end() ? *empty_gallery_ : *found->second;
}

Status GallerySet::Add(const std::string& estate_id, std::int64_t template_id,
                       const std::string& person_id, std::span<const float> values) {
    if (estate_id.empty()) {
        return InvalidArgument(
            "gallery: missing estate id for template " + std::to_string(template_id), "estate_id");
    }
    std::unique_lock lock(mutex_);
    auto found = galleries_.find(estate_id);
    if (found != galleries_.end()) {
        return found->second->Add(template_id, person_id, values);
    }

    // The gallery joins the set only once its first template is in, so a rejected Add leaves
    // no empty gallery behind.
    MENJIN_ASSIGN_OR_RETURN(std::unique_ptr<EstateGallery> gallery,
                            EstateGallery::Create(dimension_));
    MENJIN_RETURN_IF_ERROR(gallery->Add(template_id, person_id, values));
    galleries_.emplace(estate_id, std::move(gallery));
    return Status::Ok();
}

Result<int> GallerySet::RemovePerson(const std::string& person_id) {
    std::unique_lock lock(mutex_);
    int removed = 0;
    Status first_failure;
    for (auto it = galleries_.begin(); it != galleries_.end();) {
        Result<int> removed_here = it->second->RemovePerson(person_id);
        if (removed_here.ok()) {
            removed += *removed_here;
        } else if (first_failure.ok()) {
            first_failure = removed_here.status();
        }
        it = it->second->size() == 0 ? galleries_.erase(it) : std::next(it);
    }
    if (!first_failure.ok()) {
        return first_failure;
    }
    return removed;
}

Result<int> GallerySet::RemovePersonFromEstate(const std::string& estate_id,
                                               const std::string& person_id) {
    std::unique_lock lock(mutex_);
    auto found = galleries_.find(estate_id);
    if (found == galleries_.end()) {
        return 0;
    }
    MENJIN_ASSIGN_OR_RETURN(int removed, found->second->RemovePerson(person_id));
    if (found->second->size() == 0) {
        galleries_.erase(found);
    }
    return removed;
}

Result<std::vector<PersonHit>> GallerySet::Search(const std::string& estate_id,
                                                  std::span<const float> query,
                                                  int max_people) const {
    std::shared_lock lock(mutex_);
    return FindGallery(estate_id).Search(query, max_people);
}

Result<std::vector<GalleryEntry>> GallerySet::Entries(const std::string& estate_id) const {
    std::shared_lock lock(mutex_);
    return FindGallery(estate_id).Entries();
}

std::size_t GallerySet::Size(const std::string& estate_id) const {
    std::shared_lock lock(mutex_);
    return FindGallery(estate_id).size();
}

std::size_t GallerySet::TotalSize() const {
    std::shared_lock lock(mutex_);
    std::size_t total = 0;
    for (const auto& entry : galleries_) {
        total += entry.second->size();
    }
    return total;
}

bool GallerySet::ContainsPerson(const std::string& estate_id, const std::string& person_id) const {
    std::shared_lock lock(mutex_);
    return FindGallery(estate_id).ContainsPerson(person_id);
}

bool GallerySet::ContainsTemplate(const std::string& estate_id, std::int64_t template_id) const {
    std::shared_lock lock(mutex_);
    return FindGallery(estate_id).ContainsTemplate(template_id);
}

std::size_t GallerySet::PeopleCount(const std::string& estate_id) const {
    std::shared_lock lock(mutex_);
    return FindGallery(estate_id).people();
}

Result<std::optional<float>> GallerySet::BestInnerProduct(const std::string& estate_id,
                                                          const std::string& person_id,
                                                          std::span<const float> query) const {
    std::shared_lock lock(mutex_);
    return FindGallery(estate_id).BestInnerProduct(person_id, query);
}

void GallerySet::Clear() {
    std::unique_lock lock(mutex_);
    galleries_.clear();
}

}  // namespace menjin
