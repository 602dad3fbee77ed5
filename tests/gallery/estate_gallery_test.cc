#include "gallery/estate_gallery.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gallery/random_templates.h"

namespace menjin {
namespace {

using ::menjin::testing::InnerProduct;
using ::menjin::testing::NearbyUnitVector;
using ::menjin::testing::RandomUnitVector;

constexpr int kDimension = 64;

std::unique_ptr<EstateGallery> MakeGallery(int dimension = kDimension) {
    Result<std::unique_ptr<EstateGallery>> gallery = EstateGallery::Create(dimension);
    EXPECT_TRUE(gallery.ok()) << gallery.status().ToString();
    return std::move(gallery).value();
}

// A template of the brute-force reference search.
struct ReferenceTemplate {
    std::int64_t template_id = 0;
    std::string person_id;
    std::vector<float> values;
};

// Exhaustive per-person search in double precision: every person's best inner product, best
// first, ties broken by person id.
std::vector<PersonHit> ReferenceSearch(const std::vector<ReferenceTemplate>& templates,
                                       std::span<const float> query, int max_people) {
    std::map<std::string, PersonHit> best_of_person;
    for (const ReferenceTemplate& entry : templates) {
        const float inner_product = InnerProduct(query, entry.values);
        auto [it, inserted] = best_of_person.try_emplace(
            entry.person_id, PersonHit{entry.person_id, inner_product, entry.template_id});
        if (!inserted && inner_product > it->second.inner_product) {
            it->second = PersonHit{entry.person_id, inner_product, entry.template_id};
        }
    }
    std::vector<PersonHit> hits;
    for (auto& [person_id, hit] : best_of_person) {
        hits.push_back(hit);
    }
    std::stable_sort(hits.begin(), hits.end(), [](const PersonHit& a, const PersonHit& b) {
        return a.inner_product > b.inner_product;
    });
    hits.resize(std::min<std::size_t>(hits.size(), max_people));
    return hits;
}

// Checks `hits` against the reference. Inner products are compared with a tolerance because
// FAISS sums in single precision. That rounding may swap two people in a near tie, so people
// are compared only where the reference's gap to its neighbours exceeds the tolerance.
void ExpectSameHits(const std::vector<PersonHit>& hits, const std::vector<PersonHit>& expected) {
    constexpr float kTolerance = 1e-5f;
    ASSERT_EQ(hits.size(), expected.size());
    for (std::size_t i = 0; i < hits.size(); ++i) {
        EXPECT_NEAR(hits[i].inner_product, expected[i].inner_product, kTolerance) << "rank " << i;
        const bool clear_gap_before =
            i == 0 || expected[i - 1].inner_product - expected[i].inner_product > kTolerance;
        const bool clear_gap_after =
            i + 1 == expected.size() ||
            expected[i].inner_product - expected[i + 1].inner_product > kTolerance;
        if (clear_gap_before && clear_gap_after) {
            EXPECT_EQ(hits[i].person_id, expected[i].person_id) << "rank " << i;
            EXPECT_EQ(hits[i].template_id, expected[i].template_id) << "rank " << i;
        }
    }
}

// Fills `gallery` with `people` people of 1 to 4 random templates each and returns them.
std::vector<ReferenceTemplate> AddRandomPeople(EstateGallery& gallery, int people,
                                               std::mt19937& random) {
    std::uniform_int_distribution<int> templates_per_person(1, 4);
    std::vector<ReferenceTemplate> templates;
    std::int64_t next_id = 1;
    for (int person = 0; person < people; ++person) {
        const std::string person_id = fmt::format("person-{}", person);
        const int count = templates_per_person(random);
        for (int i = 0; i < count; ++i) {
            ReferenceTemplate entry{next_id++, person_id,
                                    RandomUnitVector(gallery.dimension(), random)};
            EXPECT_TRUE(gallery.Add(entry.template_id, person_id, entry.values).ok());
            templates.push_back(std::move(entry));
        }
    }
    return templates;
}

std::vector<std::string> PeopleOf(const std::vector<PersonHit>& hits) {
    std::vector<std::string> people;
    for (const PersonHit& hit : hits) {
        people.push_back(hit.person_id);
    }
    return people;
}

TEST(EstateGalleryTest, CreateRejectsNonPositiveDimension) {
    EXPECT_EQ(EstateGallery::Create(0).status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(EstateGallery::Create(-3).status().code(), ErrorCode::kInvalidArgument);
}

TEST(EstateGalleryTest, SearchMatchesBruteForce) {
    constexpr int kPeople = 800;
    std::mt19937 random(7);
    auto gallery = MakeGallery(192);
    const std::vector<ReferenceTemplate> templates = AddRandomPeople(*gallery, kPeople, random);
    ASSERT_EQ(gallery->size(), templates.size());
    ASSERT_EQ(gallery->people(), static_cast<std::size_t>(kPeople));

    for (int query_index = 0; query_index < 100; ++query_index) {
        SCOPED_TRACE(fmt::format("query {}", query_index));
        // Half the queries are near a stored template, as at a gate, and half are strangers.
        const std::vector<float> query =
            query_index % 2 == 0
                ? NearbyUnitVector(templates[random() % templates.size()].values, 0.5f, random)
                : RandomUnitVector(192, random);
        Result<std::vector<PersonHit>> hits = gallery->Search(query, 5);
        ASSERT_TRUE(hits.ok()) << hits.status().ToString();
        ExpectSameHits(*hits, ReferenceSearch(templates, query, 5));
    }
}

TEST(EstateGalleryTest, SearchMatchesBruteForceAfterRemovals) {
    std::mt19937 random(11);
    auto gallery = MakeGallery();
    std::vector<ReferenceTemplate> templates = AddRandomPeople(*gallery, 300, random);

    // Remove every third person and every template whose id ends in 7.
    for (int person = 0; person < 300; person += 3) {
        ASSERT_TRUE(gallery->RemovePerson(fmt::format("person-{}", person)).ok());
    }
    for (const ReferenceTemplate& entry : templates) {
        if (entry.template_id % 10 == 7) {
            ASSERT_TRUE(gallery->RemoveTemplate(entry.template_id).ok());
        }
    }
    std::erase_if(templates, [](const ReferenceTemplate& entry) {
        const int person = std::stoi(entry.person_id.substr(entry.person_id.find('-') + 1));
        return person % 3 == 0 || entry.template_id % 10 == 7;
    });
    ASSERT_EQ(gallery->size(), templates.size());

    for (int query_index = 0; query_index < 50; ++query_index) {
        SCOPED_TRACE(fmt::format("query {}", query_index));
        const std::vector<float> query = RandomUnitVector(kDimension, random);
        Result<std::vector<PersonHit>> hits = gallery->Search(query, 10);
        ASSERT_TRUE(hits.ok()) << hits.status().ToString();
        ExpectSameHits(*hits, ReferenceSearch(templates, query, 10));
    }
}

TEST(EstateGalleryTest, AggregatesManyTemplatesOfOnePerson) {
    std::mt19937 random(3);
    auto gallery = MakeGallery();
    const std::vector<float> query = RandomUnitVector(kDimension, random);

    // 40 templates of one person all score above every other person's template, so a
    // search for the top templates alone would see only that person.
    for (int i = 0; i < 40; ++i) {
        ASSERT_TRUE(gallery->Add(100 + i, "many", NearbyUnitVector(query, 0.2f, random)).ok());
    }
    ASSERT_TRUE(gallery->Add(1, "near", NearbyUnitVector(query, 0.6f, random)).ok());
    ASSERT_TRUE(gallery->Add(2, "middle", NearbyUnitVector(query, 1.0f, random)).ok());
    // Strangers make the gallery larger than the search depth, so the depth matters.
    for (int i = 0; i < 200; ++i) {
        ASSERT_TRUE(
            gallery
                ->Add(1000 + i, fmt::format("stranger-{}", i), RandomUnitVector(kDimension, random))
                .ok());
    }

    Result<std::vector<PersonHit>> hits = gallery->Search(query, 3);
    ASSERT_TRUE(hits.ok()) << hits.status().ToString();
    EXPECT_THAT(PeopleOf(*hits), ::testing::ElementsAre("many", "near", "middle"));
}

TEST(EstateGalleryTest, ReportsBestTemplateOfEachPerson) {
    std::mt19937 random(5);
    auto gallery = MakeGallery();
    const std::vector<float> query = RandomUnitVector(kDimension, random);
    const std::vector<float> best = NearbyUnitVector(query, 0.1f, random);
    ASSERT_TRUE(gallery->Add(10, "alice", NearbyUnitVector(query, 0.8f, random)).ok());
    ASSERT_TRUE(gallery->Add(11, "alice", best).ok());
    ASSERT_TRUE(gallery->Add(12, "alice", NearbyUnitVector(query, 0.5f, random)).ok());

    Result<std::vector<PersonHit>> hits = gallery->Search(query, 5);
    ASSERT_TRUE(hits.ok()) << hits.status().ToString();
    ASSERT_EQ(hits->size(), 1u);
    EXPECT_EQ((*hits)[0].person_id, "alice");
    EXPECT_EQ((*hits)[0].template_id, 11);
    EXPECT_NEAR((*hits)[0].inner_product, InnerProduct(query, best), 1e-5f);
}

TEST(EstateGalleryTest, SecondHitIsBestDifferentPerson) {
    std::mt19937 random(9);
    auto gallery = MakeGallery();
    const std::vector<float> query = RandomUnitVector(kDimension, random);
    // Alice's second and third templates beat Bob, but the second hit must still be Bob.
    ASSERT_TRUE(gallery->Add(1, "alice", NearbyUnitVector(query, 0.05f, random)).ok());
    ASSERT_TRUE(gallery->Add(2, "alice", NearbyUnitVector(query, 0.1f, random)).ok());
    ASSERT_TRUE(gallery->Add(3, "alice", NearbyUnitVector(query, 0.15f, random)).ok());
    const std::vector<float> bob = NearbyUnitVector(query, 0.7f, random);
    ASSERT_TRUE(gallery->Add(4, "bob", bob).ok());
    ASSERT_TRUE(gallery->Add(5, "carol", NearbyUnitVector(query, 2.0f, random)).ok());

    Result<std::vector<PersonHit>> hits = gallery->Search(query, 2);
    ASSERT_TRUE(hits.ok()) << hits.status().ToString();
    ASSERT_EQ(hits->size(), 2u);
    EXPECT_EQ((*hits)[0].person_id, "alice");
    EXPECT_EQ((*hits)[1].person_id, "bob");
    EXPECT_EQ((*hits)[1].template_id, 4);
    EXPECT_NEAR((*hits)[1].inner_product, InnerProduct(query, bob), 1e-5f);
    EXPECT_GT((*hits)[0].inner_product, (*hits)[1].inner_product);
}

TEST(EstateGalleryTest, RemovePersonRemovesEveryTrace) {
    std::mt19937 random(13);
    auto gallery = MakeGallery();
    std::vector<std::vector<float>> leaver_templates;
    for (int i = 0; i < 3; ++i) {
        leaver_templates.push_back(RandomUnitVector(kDimension, random));
        ASSERT_TRUE(gallery->Add(50 + i, "leaver", leaver_templates.back()).ok());
    }
    for (int i = 0; i < 20; ++i) {
        ASSERT_TRUE(
            gallery->Add(i, fmt::format("stayer-{}", i), RandomUnitVector(kDimension, random))
                .ok());
    }
    ASSERT_EQ(gallery->size(), 23u);

    Result<int> removed = gallery->RemovePerson("leaver");
    ASSERT_TRUE(removed.ok()) << removed.status().ToString();
    EXPECT_EQ(*removed, 3);
    EXPECT_EQ(gallery->size(), 20u);
    EXPECT_EQ(gallery->people(), 20u);
    EXPECT_FALSE(gallery->ContainsPerson("leaver"));
    for (std::int64_t template_id : gallery->TemplateIds()) {
        EXPECT_LT(template_id, 50) << "template of the removed person still listed";
    }

    // Even the removed person's own templates, searched over every person, never return them.
    for (const std::vector<float>& query : leaver_templates) {
        Result<std::vector<PersonHit>> hits = gallery->Search(query, 100);
        ASSERT_TRUE(hits.ok()) << hits.status().ToString();
        EXPECT_EQ(hits->size(), 20u);
        EXPECT_THAT(PeopleOf(*hits), ::testing::Not(::testing::Contains("leaver")));
    }

    Result<int> removed_again = gallery->RemovePerson("leaver");
    ASSERT_TRUE(removed_again.ok());
    EXPECT_EQ(*removed_again, 0);
}

TEST(EstateGalleryTest, ReAddsTemplateIdAfterRemoval) {
    std::mt19937 random(17);
    auto gallery = MakeGallery();
    const std::vector<float> values = RandomUnitVector(kDimension, random);
    ASSERT_TRUE(gallery->Add(7, "returner", values).ok());
    ASSERT_TRUE(gallery->Add(8, "other", RandomUnitVector(kDimension, random)).ok());
    ASSERT_TRUE(gallery->RemovePerson("returner").ok());

    ASSERT_TRUE(gallery->Add(7, "returner", values).ok());
    EXPECT_EQ(gallery->size(), 2u);
    Result<std::vector<PersonHit>> hits = gallery->Search(values, 1);
    ASSERT_TRUE(hits.ok()) << hits.status().ToString();
    ASSERT_EQ(hits->size(), 1u);
    EXPECT_EQ((*hits)[0].person_id, "returner");
    EXPECT_EQ((*hits)[0].template_id, 7);
    EXPECT_NEAR((*hits)[0].inner_product, 1.0f, 1e-5f);
}

TEST(EstateGalleryTest, RemoveTemplateKeepsPersonUntilLastTemplate) {
    std::mt19937 random(19);
    auto gallery = MakeGallery();
    const std::vector<float> first = RandomUnitVector(kDimension, random);
    ASSERT_TRUE(gallery->Add(1, "alice", first).ok());
    ASSERT_TRUE(gallery->Add(2, "alice", RandomUnitVector(kDimension, random)).ok());

    Result<bool> removed = gallery->RemoveTemplate(1);
    ASSERT_TRUE(removed.ok());
    EXPECT_TRUE(*removed);
    EXPECT_TRUE(gallery->ContainsPerson("alice"));
    EXPECT_FALSE(gallery->ContainsTemplate(1));
    EXPECT_THAT(gallery->TemplateIds(), ::testing::ElementsAre(2));
    Result<std::vector<PersonHit>> hits = gallery->Search(first, 1);
    ASSERT_TRUE(hits.ok());
    ASSERT_EQ(hits->size(), 1u);
    EXPECT_EQ((*hits)[0].template_id, 2) << "the removed template was still searched";

    Result<bool> removed_again = gallery->RemoveTemplate(1);
    ASSERT_TRUE(removed_again.ok());
    EXPECT_FALSE(*removed_again);

    ASSERT_TRUE(gallery->RemoveTemplate(2).ok());
    EXPECT_FALSE(gallery->ContainsPerson("alice"));
    EXPECT_EQ(gallery->size(), 0u);
    EXPECT_EQ(gallery->people(), 0u);
}

TEST(EstateGalleryTest, AddRejectsInvalidInput) {
    std::mt19937 random(23);
    auto gallery = MakeGallery();
    const std::vector<float> valid = RandomUnitVector(kDimension, random);
    ASSERT_TRUE(gallery->Add(1, "alice", valid).ok());

    const std::vector<float> too_short(kDimension - 1, 0.1f);
    const std::vector<float> too_long(kDimension + 1, 0.1f);
    std::vector<float> with_nan = valid;
    with_nan[5] = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> with_infinity = valid;
    with_infinity[0] = std::numeric_limits<float>::infinity();

    EXPECT_EQ(gallery->Add(2, "bob", too_short).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(gallery->Add(2, "bob", too_long).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(gallery->Add(2, "bob", {}).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(gallery->Add(2, "bob", with_nan).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(gallery->Add(2, "bob", with_infinity).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(gallery->Add(-1, "bob", valid).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(gallery->Add(2, "", valid).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(gallery->Add(1, "alice", valid).code(), ErrorCode::kAlreadyExists);
    EXPECT_EQ(gallery->Add(1, "bob", valid).code(), ErrorCode::kAlreadyExists);

    EXPECT_EQ(gallery->size(), 1u);
    EXPECT_EQ(gallery->people(), 1u);
    EXPECT_FALSE(gallery->ContainsPerson("bob"));
}

TEST(EstateGalleryTest, SearchRejectsInvalidQuery) {
    std::mt19937 random(29);
    auto gallery = MakeGallery();
    ASSERT_TRUE(gallery->Add(1, "alice", RandomUnitVector(kDimension, random)).ok());
    std::vector<float> with_nan = RandomUnitVector(kDimension, random);
    with_nan[kDimension - 1] = std::numeric_limits<float>::quiet_NaN();

    EXPECT_EQ(gallery->Search(std::vector<float>(kDimension + 1, 0.1f), 1).status().code(),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(gallery->Search(with_nan, 1).status().code(), ErrorCode::kInvalidArgument);
}

TEST(EstateGalleryTest, SearchReturnsAtMostGalleryPeople) {
    std::mt19937 random(31);
    auto gallery = MakeGallery();
    const std::vector<float> query = RandomUnitVector(kDimension, random);

    Result<std::vector<PersonHit>> empty_gallery_hits = gallery->Search(query, 5);
    ASSERT_TRUE(empty_gallery_hits.ok());
    EXPECT_TRUE(empty_gallery_hits->empty());

    ASSERT_TRUE(gallery->Add(1, "alice", RandomUnitVector(kDimension, random)).ok());
    ASSERT_TRUE(gallery->Add(2, "alice", RandomUnitVector(kDimension, random)).ok());
    ASSERT_TRUE(gallery->Add(3, "bob", RandomUnitVector(kDimension, random)).ok());

    Result<std::vector<PersonHit>> hits = gallery->Search(query, 5);
    ASSERT_TRUE(hits.ok());
    EXPECT_THAT(PeopleOf(*hits), ::testing::UnorderedElementsAre("alice", "bob"));
    ASSERT_EQ(hits->size(), 2u);
    EXPECT_GE((*hits)[0].inner_product, (*hits)[1].inner_product);

    Result<std::vector<PersonHit>> no_hits = gallery->Search(query, 0);
    ASSERT_TRUE(no_hits.ok());
    EXPECT_TRUE(no_hits->empty());
}

TEST(EstateGalleryTest, EntriesCopyStoredTemplates) {
    std::mt19937 random(37);
    auto gallery = MakeGallery();
    std::map<std::int64_t, std::vector<float>> added;
    for (std::int64_t id = 1; id <= 5; ++id) {
        added[id] = RandomUnitVector(kDimension, random);
        ASSERT_TRUE(gallery->Add(id, id % 2 == 0 ? "even" : "odd", added[id]).ok());
    }
    ASSERT_TRUE(gallery->RemoveTemplate(3).ok());
    added.erase(3);

    Result<std::vector<GalleryEntry>> entries = gallery->Entries();
    ASSERT_TRUE(entries.ok()) << entries.status().ToString();
    ASSERT_EQ(entries->size(), added.size());
    for (const GalleryEntry& entry : *entries) {
        ASSERT_TRUE(added.contains(entry.template_id)) << entry.template_id;
        EXPECT_EQ(entry.person_id, entry.template_id % 2 == 0 ? "even" : "odd");
        EXPECT_EQ(entry.values, added[entry.template_id]) << entry.template_id;
    }
}

}  // namespace
}  // namespace menjin
