#include "gallery/estate_gallery.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <utility>

#include <faiss/IndexFlat.h>
#include <faiss/IndexIDMap.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/utils/distances.h>
#include <fmt/format.h>
#include <sodium.h>

#include "gallery/quantised_templates.h"

namespace menjin {

namespace {

using FaissId = faiss::Index::idx_t;

// FAISS marks an empty result slot with this label, so it cannot be a template id.
constexpr FaissId kNoResultLabel = -1;

Status FaissFailure(const std::string& action, const faiss::FaissException& error) {
    return Internal(fmt::format("gallery: {} failed: {}", action, error.what()));
}

}  // namespace

// The FAISS objects of one gallery. IndexIDMap2 keeps a pointer to `flat`, so this struct
// stays at one address for its whole life.
struct EstateGallery::FaissIndex {
    explicit FaissIndex(int dimension) : flat(dimension), id_map(&flat) {}
    // Overwrites the stored templates before the storage is freed. sodium_memzero is used
    // because the compiler may drop plain stores to memory that is freed right after.
    ~FaissIndex() { sodium_memzero(flat.codes.data(), flat.codes.size()); }

    faiss::IndexFlatIP flat;
    faiss::IndexIDMap2 id_map;
};

Result<std::unique_ptr<EstateGallery>> EstateGallery::Create(int dimension) {
    if (dimension <= 0) {
        return InvalidArgument(
            fmt::format("gallery: invalid dimension {}: must be positive", dimension), "dimension");
    }
    auto index = std::make_unique<FaissIndex>(dimension);
    std::unique_ptr<QuantisedTemplates> quantised;
    if (dimension <= QuantisedTemplates::kMaxDimension) {
        quantised = std::make_unique<QuantisedTemplates>(dimension);
    }
    return std::unique_ptr<EstateGallery>(
        new EstateGallery(dimension, std::move(index), std::move(quantised)));
}

EstateGallery::EstateGallery(int dimension, std::unique_ptr<FaissIndex> index,
                             std::unique_ptr<QuantisedTemplates> quantised)
    : dimension_(dimension), index_(std::move(index)), quantised_(std::move(quantised)) {}

EstateGallery::~EstateGallery() = default;

Status EstateGallery::CheckVector(std::span<const float> values, const std::string& label) const {
    if (values.size() != static_cast<std::size_t>(dimension_)) {
        return InvalidArgument(fmt::format("gallery: invalid {}: {} values, expected {}", label,
                                           values.size(), dimension_),
                               "values");
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i])) {
            return InvalidArgument(
                fmt::format("gallery: invalid {}: value {} is NaN or infinite", label, i),
                "values");
        }
    }
    return Status::Ok();
}

Status EstateGallery::Add(std::int64_t template_id, const std::string& person_id,
                          std::span<const float> values) {
    if (template_id < 0) {
        return InvalidArgument(
            fmt::format("gallery: invalid template id {}: must not be negative", template_id),
            "template_id");
    }
    if (person_id.empty()) {
        return InvalidArgument(
            fmt::format("gallery: missing person id for template {}", template_id), "person_id");
    }
    MENJIN_RETURN_IF_ERROR(CheckVector(values, fmt::format("template {}", template_id)));
    if (person_of_template_.contains(template_id)) {
        return Status(ErrorCode::kAlreadyExists,
                      fmt::format("gallery: template {} is already present", template_id),
                      "template_id");
    }

    try {
        const FaissId id = template_id;
        index_->id_map.add_with_ids(1, values.data(), &id);
    } catch (const faiss::FaissException& error) {
        return FaissFailure(fmt::format("adding template {}", template_id), error);
    }
    auto person_entry = templates_of_person_.try_emplace(person_id).first;
    person_entry->second.insert(template_id);
    max_templates_per_person_ = std::max(max_templates_per_person_, person_entry->second.size());
    TemplateRecord& record = person_of_template_[template_id];
    record.person_id = person_id;
    if (quantised_) {
        record.row = quantised_->Append(template_id, &person_entry->first, values);
    }
    return Status::Ok();
}

Result<int> EstateGallery::RemovePerson(const std::string& person_id) {
    auto found = templates_of_person_.find(person_id);
    if (found == templates_of_person_.end()) {
        return 0;
    }
    const std::vector<std::int64_t> template_ids(found->second.begin(), found->second.end());
    MENJIN_RETURN_IF_ERROR(RemoveTemplates(template_ids));
    return static_cast<int>(template_ids.size());
}

Result<bool> EstateGallery::RemoveTemplate(std::int64_t template_id) {
    if (!person_of_template_.contains(template_id)) {
        return false;
    }
    MENJIN_RETURN_IF_ERROR(RemoveTemplates({template_id}));
    return true;
}

Status EstateGallery::RemoveTemplates(const std::vector<std::int64_t>& template_ids) {
    std::size_t removed = 0;
    try {
        // remove_ids compacts the stored vectors but leaves stale floats past the new end of
        // the storage buffer, which may include the removed ones. Zeroing the removed rows
        // first keeps the removed templates out of that leftover memory.
        // NOTE: copies made when the storage vector grew and reallocated are freed without
        // being overwritten, so this does not scrub every copy from the process heap.
        float* stored = index_->flat.get_xb();
        for (std::int64_t template_id : template_ids) {
            auto position = index_->id_map.rev_map.find(template_id);
            if (position != index_->id_map.rev_map.end()) {
                sodium_memzero(stored + position->second * dimension_,
                               sizeof(float) * static_cast<std::size_t>(dimension_));
            }
        }
        const std::vector<FaissId> ids(template_ids.begin(), template_ids.end());
        const faiss::IDSelectorBatch selector(ids.size(), ids.data());
        removed = index_->id_map.remove_ids(selector);
    } catch (const faiss::FaissException& error) {
        return FaissFailure(fmt::format("removing {} templates", template_ids.size()), error);
    }

    // None of the ids is in the index any more, even when FAISS removed fewer than expected,
    // so the id maps drop them all.
    MENJIN_RETURN_IF_ERROR(ForgetTemplates(template_ids));
    if (removed != template_ids.size()) {
        return Internal(fmt::format("gallery: removed {} of {} templates from the index", removed,
                                    template_ids.size()));
    }
    return Status::Ok();
}

Status EstateGallery::ForgetTemplates(const std::vector<std::int64_t>& template_ids) {
    Status quantised_status;
    bool removed_from_largest = false;
    for (std::int64_t template_id : template_ids) {
        auto template_entry = person_of_template_.find(template_id);
        if (template_entry == person_of_template_.end()) {
            continue;
        }
        if (quantised_status.ok()) {
            quantised_status = RemoveQuantisedRow(template_id, template_entry->second.row);
        }
        auto person_entry = templates_of_person_.find(template_entry->second.person_id);
        removed_from_largest |= person_entry->second.size() == max_templates_per_person_;
        person_entry->second.erase(template_id);
        if (person_entry->second.empty()) {
            templates_of_person_.erase(person_entry);
        }
        person_of_template_.erase(template_entry);
    }

    if (removed_from_largest) {
        max_templates_per_person_ = 0;
        for (const auto& [person_id, templates] : templates_of_person_) {
            max_templates_per_person_ = std::max(max_templates_per_person_, templates.size());
        }
    }
    return quantised_status;
}

Status EstateGallery::RemoveQuantisedRow(std::int64_t template_id, std::size_t row) {
    if (!quantised_) {
        return Status::Ok();
    }
    // A row that contains another template means the bookkeeping is broken. Searching a wrong
    // copy could return removed people, so the copy is dropped and FAISS serves every search.
    if (row >= quantised_->size() || quantised_->template_id(row) != template_id) {
        quantised_.reset();
        return Internal(fmt::format(
            "gallery: removing template {} from the int8 copy failed: its row holds another "
            "template, so searches now use FAISS only",
            template_id));
    }
    std::optional<std::int64_t> moved = quantised_->Remove(row);
    if (moved) {
        auto moved_entry = person_of_template_.find(*moved);
        if (moved_entry == person_of_template_.end()) {
            quantised_.reset();
            return Internal(fmt::format(
                "gallery: int8 copy holds template {}, which the gallery does not list, so "
                "searches now use FAISS only",
                *moved));
        }
        moved_entry->second.row = row;
    }
    return Status::Ok();
}

// A person's best template is outranked only by templates of people whose best is higher, and
// each person has at most max_templates_per_person_ templates. So the top
// max_people * max_templates_per_person_ templates contain the best template of each of the
// max_people best people.
std::size_t EstateGallery::SearchDepth(int max_people) const {
    const std::size_t people_wanted = static_cast<std::size_t>(max_people);
    if (max_templates_per_person_ >= size() / people_wanted) {
        return size();
    }
    return people_wanted * max_templates_per_person_;
}

bool EstateGallery::UsesQuantisedScan(SearchMethod method, int max_people) const {
    switch (method) {
        case SearchMethod::kFaissScan:
            return false;
        case SearchMethod::kQuantisedScan:
            return quantised_ != nullptr;
        case SearchMethod::kAutomatic:
            // With fewer people than requested no template can be ruled out, so the quantised
            // scan would only add work.
            return quantised_ != nullptr && size() >= kQuantisedScanMinTemplates &&
                   max_people <= kQuantisedScanMaxPeople &&
                   people() >= static_cast<std::size_t>(max_people);
    }
    return false;
}

Result<std::vector<PersonHit>> EstateGallery::Search(std::span<const float> query, int max_people,
                                                     SearchMethod method,
                                                     SearchStats* stats) const {
    MENJIN_RETURN_IF_ERROR(CheckVector(query, "query"));
    SearchStats ignored_stats;
    SearchStats& search_stats = stats != nullptr ? *stats : ignored_stats;
    search_stats = SearchStats{};
    if (max_people <= 0 || size() == 0) {
        return std::vector<PersonHit>();
    }

    if (UsesQuantisedScan(method, max_people)) {
        std::optional<std::vector<std::size_t>> candidates =
            quantised_->FindCandidates(query, max_people);
        if (candidates) {
            search_stats.method = SearchMethod::kQuantisedScan;
            search_stats.templates_scored = candidates->size();
            return ScoreCandidates(query, *candidates, max_people);
        }
    }
    search_stats.method = SearchMethod::kFaissScan;
    search_stats.templates_scored = size();
    return SearchFaiss(query, max_people);
}

Result<std::vector<PersonHit>> EstateGallery::SearchFaiss(std::span<const float> query,
                                                          int max_people) const {
    std::vector<PersonHit> hits;
    const std::size_t depth = SearchDepth(max_people);
    std::vector<float> inner_products(depth);
    std::vector<FaissId> labels(depth);
    try {
        index_->id_map.search(1, query.data(), static_cast<FaissId>(depth), inner_products.data(),
                              labels.data());
    } catch (const faiss::FaissException& error) {
        return FaissFailure(fmt::format("searching {} templates", size()), error);
    }

    // FAISS returns the templates best first, so the first template seen of each person is
    // that person's best.
    const std::size_t max_hits = static_cast<std::size_t>(max_people);
    std::unordered_set<std::string_view> people_seen;
    for (std::size_t i = 0; i < depth && hits.size() < max_hits; ++i) {
        if (labels[i] == kNoResultLabel) {
            break;
        }
        auto owner = person_of_template_.find(labels[i]);
        if (owner == person_of_template_.end()) {
            return Internal(
                fmt::format("gallery: index returned template {} that has no person", labels[i]));
        }
        if (people_seen.insert(owner->second.person_id).second) {
            hits.push_back(PersonHit{owner->second.person_id, inner_products[i], labels[i]});
        }
    }
    return hits;
}

namespace {

// A candidate template with its exact inner product.
struct ScoredTemplate {
    float inner_product = 0;
    std::int64_t template_id = 0;
    const std::string* person = nullptr;
};

// Orders by inner product, highest first, then by template id. NaN, which only very large
// templates can produce, comes last, so that the order stays strict and weak.
bool Precedes(const ScoredTemplate& a, const ScoredTemplate& b) {
    const bool a_is_nan = std::isnan(a.inner_product);
    const bool b_is_nan = std::isnan(b.inner_product);
    if (a_is_nan != b_is_nan) {
        return b_is_nan;
    }
    if (!a_is_nan && a.inner_product != b.inner_product) {
        return a.inner_product > b.inner_product;
    }
    return a.template_id < b.template_id;
}

}  // namespace

// faiss::fvec_inner_product is the function that IndexFlatIP's search uses for one query, so
// the inner products are bit for bit those of the FAISS scan.
Result<std::vector<PersonHit>> EstateGallery::ScoreCandidates(std::span<const float> query,
                                                              const std::vector<std::size_t>& rows,
                                                              int max_people) const {
    const float* stored = index_->flat.get_xb();
    const auto& position_of_template = index_->id_map.rev_map;
    std::vector<ScoredTemplate> scored;
    scored.reserve(rows.size());
    for (std::size_t row : rows) {
        const std::int64_t template_id = quantised_->template_id(row);
        auto position = position_of_template.find(template_id);
        if (position == position_of_template.end()) {
            return Internal(fmt::format(
                "gallery: template {} of the int8 copy is missing from the index", template_id));
        }
        const float* values = stored + position->second * dimension_;
        scored.push_back(ScoredTemplate{
            faiss::fvec_inner_product(query.data(), values, static_cast<std::size_t>(dimension_)),
            template_id, quantised_->person(row)});
    }
    std::sort(scored.begin(), scored.end(), Precedes);

    // The first template of each person in that order is the person's best.
    std::vector<PersonHit> hits;
    const std::size_t max_hits = static_cast<std::size_t>(max_people);
    std::unordered_set<const std::string*> people_seen;
    for (const ScoredTemplate& candidate : scored) {
        if (hits.size() == max_hits) {
            break;
        }
        if (people_seen.insert(candidate.person).second) {
            hits.push_back(
                PersonHit{*candidate.person, candidate.inner_product, candidate.template_id});
        }
    }
    return hits;
}

Result<std::optional<float>> EstateGallery::BestInnerProduct(const std::string& person_id,
                                                             std::span<const float> query) const {
    MENJIN_RETURN_IF_ERROR(CheckVector(query, "query"));
    auto found = templates_of_person_.find(person_id);
    if (found == templates_of_person_.end()) {
        return std::optional<float>();
    }
    std::optional<float> best;
    std::vector<float> values(static_cast<std::size_t>(dimension_));
    try {
        for (std::int64_t template_id : found->second) {
            index_->id_map.reconstruct(template_id, values.data());
            float dot = 0;
            for (int i = 0; i < dimension_; ++i) {
                dot += values[static_cast<std::size_t>(i)] * query[static_cast<std::size_t>(i)];
            }
            if (!best || dot > *best) {
                best = dot;
            }
        }
    } catch (const faiss::FaissException& error) {
        return FaissFailure(fmt::format("reading the templates of {}", person_id), error);
    }
    return best;
}

Result<std::vector<GalleryEntry>> EstateGallery::Entries() const {
    std::vector<GalleryEntry> entries;
    entries.reserve(size());
    try {
        for (const auto& [template_id, record] : person_of_template_) {
            GalleryEntry entry{template_id, record.person_id, std::vector<float>(dimension_)};
            index_->id_map.reconstruct(template_id, entry.values.data());
            entries.push_back(std::move(entry));
        }
    } catch (const faiss::FaissException& error) {
        return FaissFailure(fmt::format("copying {} templates", size()), error);
    }
    return entries;
}

bool EstateGallery::ContainsPerson(const std::string& person_id) const {
    return templates_of_person_.contains(person_id);
}

bool EstateGallery::ContainsTemplate(std::int64_t template_id) const {
    return person_of_template_.contains(template_id);
}

std::vector<std::int64_t> EstateGallery::TemplateIds() const {
    std::vector<std::int64_t> ids;
    ids.reserve(person_of_template_.size());
    for (const auto& entry : person_of_template_) {
        ids.push_back(entry.first);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

}  // namespace menjin
