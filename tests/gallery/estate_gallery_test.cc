#include "gallery/estate_gallery.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gallery/random_templates.h"

namespace menjin {
namespace {

using ::menjin::testing::GridVector;
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

// Exhaustive per-person search in double precision for templates whose inner products with the
// query are exact in float32 (see GridVector). Templates are ordered as the quantised scan
// orders them, by inner product, highest first, then by lower template id. That order picks
// both each person's best template and the order of the people.
std::vector<PersonHit> ExactReferenceSearch(const std::vector<ReferenceTemplate>& templates,
                                            std::span<const float> query, int max_people) {
    std::vector<PersonHit> scored;
    for (const ReferenceTemplate& entry : templates) {
        scored.push_back(
            PersonHit{entry.person_id, InnerProduct(query, entry.values), entry.template_id});
    }
    std::sort(scored.begin(), scored.end(), [](const PersonHit& a, const PersonHit& b) {
        if (a.inner_product != b.inner_product) {
            return a.inner_product > b.inner_product;
        }
        return a.template_id < b.template_id;
    });
    std::vector<PersonHit> hits;
    std::set<std::string> people_seen;
    for (const PersonHit& hit : scored) {
        if (hits.size() == static_cast<std::size_t>(max_people)) {
            break;
        }
        if (people_seen.insert(hit.person_id).second) {
            hits.push_back(hit);
        }
    }
    return hits;
}

// Checks that `hits` equal `expected` exactly: people, templates and inner products.
void ExpectIdenticalHits(const std::vector<PersonHit>& hits,
                         const std::vector<PersonHit>& expected) {
    ASSERT_EQ(hits.size(), expected.size());
    for (std::size_t i = 0; i < hits.size(); ++i) {
        EXPECT_EQ(hits[i].person_id, expected[i].person_id) << "rank " << i;
        EXPECT_EQ(hits[i].template_id, expected[i].template_id) << "rank " << i;
        EXPECT_EQ(hits[i].inner_product, expected[i].inner_product) << "rank " << i;
    }
}

std::vector<float> InnerProductsOf(const std::vector<PersonHit>& hits) {
    std::vector<float> inner_products;
    for (const PersonHit& hit : hits) {
        inner_products.push_back(hit.inner_product);
    }
    return inner_products;
}

// Runs a search that is expected to succeed with `method`, and to use the quantised scan when
// `method` requests it.
std::vector<PersonHit> SearchWith(const EstateGallery& gallery, std::span<const float> query,
                                  int max_people, SearchMethod method) {
    SearchStats stats;
    Result<std::vector<PersonHit>> hits = gallery.Search(query, max_people, method, &stats);
    EXPECT_TRUE(hits.ok()) << hits.status().ToString();
    if (method == SearchMethod::kQuantisedScan) {
        EXPECT_EQ(stats.method, SearchMethod::kQuantisedScan);
    }
    return hits.ok() ? std::move(hits).value() : std::vector<PersonHit>();
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

// Random unit vectors have no exactly tied inner products, so both methods must return the same
// people, templates and inner products, bit for bit.
TEST(EstateGalleryTest, QuantisedScanMatchesFaissScan) {
    constexpr int kPeople = 2000;
    std::mt19937 random(41);
    auto gallery = MakeGallery(192);
    const std::vector<ReferenceTemplate> templates = AddRandomPeople(*gallery, kPeople, random);

    for (int query_index = 0; query_index < 60; ++query_index) {
        SCOPED_TRACE(fmt::format("query {}", query_index));
        const std::vector<float> query =
            query_index % 2 == 0
                ? NearbyUnitVector(templates[random() % templates.size()].values, 0.5f, random)
                : RandomUnitVector(192, random);
        for (int max_people : {1, 5, 30}) {
            SearchStats stats;
            Result<std::vector<PersonHit>> hits =
                gallery->Search(query, max_people, SearchMethod::kQuantisedScan, &stats);
            ASSERT_TRUE(hits.ok()) << hits.status().ToString();
            EXPECT_EQ(stats.method, SearchMethod::kQuantisedScan);
            EXPECT_LT(stats.templates_scored, templates.size() / 10) << "too few ruled out";
            ExpectIdenticalHits(*hits,
                                SearchWith(*gallery, query, max_people, SearchMethod::kFaissScan));
            ExpectSameHits(*hits, ReferenceSearch(templates, query, max_people));
        }
    }
}

// Grid vectors have exact float32 inner products and many exact ties. The gallery mixes scales
// from 2^-20 to 2^20, duplicated templates of different people, one person with 150 templates
// and zero vectors, then loses a third of its templates and gets some back under the same ids.
TEST(EstateGalleryTest, QuantisedScanIsExactOnAdversarialData) {
    std::mt19937 random(43);
    auto gallery = MakeGallery();
    std::vector<ReferenceTemplate> templates;
    auto add = [&](std::int64_t template_id, const std::string& person_id,
                   std::vector<float> values) {
        ASSERT_TRUE(gallery->Add(template_id, person_id, values).ok()) << template_id;
        templates.push_back(ReferenceTemplate{template_id, person_id, std::move(values)});
    };
    std::int64_t next_id = 1;
    for (int person = 0; person < 800; ++person) {
        const std::string person_id = fmt::format("person-{}", person);
        const int exponent =
            person % 4 == 0 ? std::uniform_int_distribution<int>(-20, 20)(random) : 0;
        const int count = 1 + static_cast<int>(random() % 4);
        for (int i = 0; i < count; ++i) {
            std::vector<float> values =
                !templates.empty() && random() % 8 == 0
                    ? templates[random() % templates.size()].values
                    : GridVector(kDimension, 2 + static_cast<int>(random() % 7), random);
            for (float& value : values) {
                value = std::ldexp(value, exponent);
            }
            add(next_id++, person_id, std::move(values));
        }
    }
    for (int i = 0; i < 150; ++i) {
        add(next_id++, "crowd", GridVector(kDimension, 8, random));
    }
    add(next_id++, "zero-a", std::vector<float>(kDimension, 0.0f));
    add(next_id++, "zero-b", std::vector<float>(kDimension, 0.0f));

    auto check_queries = [&](int queries) {
        for (int query_index = 0; query_index < queries; ++query_index) {
            SCOPED_TRACE(fmt::format("query {}", query_index));
            // Stored templates as queries put exact ties at the top, and the zero query ties
            // every template at 0.
            std::vector<float> query = query_index == 0 ? std::vector<float>(kDimension, 0.0f)
                                       : query_index % 2 == 0
                                           ? templates[random() % templates.size()].values
                                           : GridVector(kDimension, 8, random);
            for (int max_people : {1, 5, 12}) {
                const std::vector<PersonHit> expected =
                    ExactReferenceSearch(templates, query, max_people);
                ExpectIdenticalHits(
                    SearchWith(*gallery, query, max_people, SearchMethod::kQuantisedScan),
                    expected);
                ExpectIdenticalHits(
                    SearchWith(*gallery, query, max_people, SearchMethod::kAutomatic), expected);
                // FAISS may pick another of several tied people, but not other inner products.
                EXPECT_EQ(InnerProductsOf(
                              SearchWith(*gallery, query, max_people, SearchMethod::kFaissScan)),
                          InnerProductsOf(expected));
            }
        }
    };
    check_queries(40);

    std::vector<ReferenceTemplate> removed;
    for (std::size_t i = 0; i < templates.size(); ++i) {
        if (random() % 3 == 0) {
            ASSERT_TRUE(gallery->RemoveTemplate(templates[i].template_id).ok());
            removed.push_back(templates[i]);
        }
    }
    ASSERT_TRUE(gallery->RemovePerson("crowd").ok());
    std::erase_if(templates, [&](const ReferenceTemplate& entry) {
        return entry.person_id == "crowd" ||
               std::any_of(removed.begin(), removed.end(), [&](const ReferenceTemplate& gone) {
                   return gone.template_id == entry.template_id;
               });
    });
    for (std::size_t i = 0; i < removed.size(); i += 2) {
        add(removed[i].template_id, fmt::format("returner-{}", i % 50),
            GridVector(kDimension, 8, random));
    }
    ASSERT_EQ(gallery->size(), templates.size());
    check_queries(40);
}

// Seven people tie exactly at the k-th best inner product. The search must return the tied
// people whose templates have the lowest ids, whatever the order they were added in, and
// must rank templates by their float32 inner products where their int8 codes are identical.
TEST(EstateGalleryTest, TiesAtCutPreferLowerIds) {
    std::mt19937 random(47);
    auto gallery = MakeGallery();
    const std::vector<float> query = GridVector(kDimension, 8, random);
    std::vector<ReferenceTemplate> templates;
    auto add = [&](std::int64_t template_id, const std::string& person_id,
                   const std::vector<float>& values) {
        ASSERT_TRUE(gallery->Add(template_id, person_id, values).ok()) << template_id;
        templates.push_back(ReferenceTemplate{template_id, person_id, values});
    };

    // The query itself leads. The tied template is the query with 10 values replaced, which
    // keeps it far above random strangers. Tied templates are added in an order unrelated to
    // their ids.
    add(1, "leader", query);
    std::vector<float> tied = query;
    const std::vector<float> replacements = GridVector(10, 8, random);
    for (std::size_t i = 0; i < replacements.size(); ++i) {
        tied[random() % tied.size()] = replacements[i];
    }
    for (std::int64_t template_id : {907, 903, 905, 901, 906, 902, 904}) {
        add(template_id, fmt::format("tied-{}", template_id), tied);
    }
    // Near misses: `tied` moved by 2^-12 on one value, far below the int8 step of about
    // 0.5 / 127 ~ 2^-8. Their int8 inner products differ from that of `tied` by much less than
    // the error bound, so only the float32 inner products rank them below or above the tie.
    const std::size_t moved = static_cast<std::size_t>(
        std::max_element(query.begin(), query.end(),
                         [](float a, float b) { return std::fabs(a) < std::fabs(b); }) -
        query.begin());
    const float step = std::ldexp(query[moved] >= 0 ? 1.0f : -1.0f, -12);
    std::vector<float> below = tied;
    below[moved] -= step;
    std::vector<float> above = tied;
    above[moved] += step;
    for (std::int64_t i = 0; i < 20; ++i) {
        add(100 + i, fmt::format("below-{}", i), below);
    }
    add(899, "above", above);
    for (int i = 0; i < 3000; ++i) {
        add(2000 + i, fmt::format("stranger-{}", i), GridVector(kDimension, 8, random));
    }
    // Strangers may beat the tie by chance, so the k that puts the tie at the cut is counted.
    const float tied_score = InnerProduct(query, tied);
    int people_above_tie = 0;
    for (const PersonHit& hit : ExactReferenceSearch(templates, query, 100)) {
        people_above_tie += hit.inner_product > tied_score ? 1 : 0;
    }
    ASSERT_LT(people_above_tie, 90) << "the tie is not near the top";

    for (int tied_wanted : {1, 2, 4}) {
        const int max_people = people_above_tie + tied_wanted;
        SCOPED_TRACE(fmt::format("max_people {}", max_people));
        const std::vector<PersonHit> hits =
            SearchWith(*gallery, query, max_people, SearchMethod::kQuantisedScan);
        ExpectIdenticalHits(hits, ExactReferenceSearch(templates, query, max_people));
        ASSERT_EQ(hits.size(), static_cast<std::size_t>(max_people));
        for (int i = 0; i < tied_wanted; ++i) {
            EXPECT_EQ(hits[people_above_tie + i].template_id, 901 + i);
        }
        EXPECT_THAT(PeopleOf(hits), ::testing::Contains("above"));
        EXPECT_THAT(PeopleOf(hits), ::testing::Not(::testing::Contains("below-0")));
    }
}

// The int8 inner product ranks the decoy far above the best template, by almost the whole
// error bound, while the best is higher in float32. Only one person is requested, so the
// decoy's lower bound alone could rule the best out.
TEST(EstateGalleryTest, QuantisedScanKeepsBestThatInt8RanksLow) {
    std::mt19937 random(67);
    for (int trial = 0; trial < 6; ++trial) {
        const bool residual_in_query = trial % 2 == 1;
        SCOPED_TRACE(fmt::format("trial {}", trial));
        const ::menjin::testing::BoundStressCase stress =
            ::menjin::testing::MakeBoundStressCase(kDimension, residual_in_query, random);
        auto gallery = MakeGallery();
        ASSERT_TRUE(gallery->Add(1, "decoy", stress.decoy).ok());
        ASSERT_TRUE(gallery->Add(2, "best", stress.best).ok());
        for (int i = 0; i < 50; ++i) {
            std::vector<float> stranger = RandomUnitVector(kDimension, random);
            for (float& value : stranger) {
                value *= 0.1f;
            }
            ASSERT_TRUE(gallery->Add(10 + i, fmt::format("stranger-{}", i), stranger).ok());
        }

        const std::vector<PersonHit> hits =
            SearchWith(*gallery, stress.query, 1, SearchMethod::kQuantisedScan);
        EXPECT_THAT(PeopleOf(hits), ::testing::ElementsAre("best"));
        ExpectIdenticalHits(hits, SearchWith(*gallery, stress.query, 1, SearchMethod::kFaissScan));
        ExpectIdenticalHits(SearchWith(*gallery, stress.query, 2, SearchMethod::kQuantisedScan),
                            SearchWith(*gallery, stress.query, 2, SearchMethod::kFaissScan));
    }
}

// Queries whose largest magnitude is outside [2^-50, 2^50] cannot be bounded and fall back to
// the FAISS scan. Templates outside that range are always scored exactly.
TEST(EstateGalleryTest, OutOfRangeMagnitudesStayExact) {
    std::mt19937 random(53);
    auto gallery = MakeGallery();
    std::vector<ReferenceTemplate> templates = AddRandomPeople(*gallery, 300, random);
    std::vector<float> huge = RandomUnitVector(kDimension, random);
    std::vector<float> tiny = huge;
    for (std::size_t i = 0; i < huge.size(); ++i) {
        huge[i] *= 1e20f;
        tiny[i] *= 1e-20f;
    }
    ASSERT_TRUE(gallery->Add(9001, "huge", huge).ok());
    ASSERT_TRUE(gallery->Add(9002, "tiny", tiny).ok());

    for (int query_index = 0; query_index < 20; ++query_index) {
        SCOPED_TRACE(fmt::format("query {}", query_index));
        const std::vector<float> query = RandomUnitVector(kDimension, random);
        ExpectIdenticalHits(SearchWith(*gallery, query, 5, SearchMethod::kQuantisedScan),
                            SearchWith(*gallery, query, 5, SearchMethod::kFaissScan));
    }

    std::vector<float> huge_query = RandomUnitVector(kDimension, random);
    huge_query[0] = 1e17f;
    SearchStats stats;
    Result<std::vector<PersonHit>> hits =
        gallery->Search(huge_query, 5, SearchMethod::kQuantisedScan, &stats);
    ASSERT_TRUE(hits.ok()) << hits.status().ToString();
    EXPECT_EQ(stats.method, SearchMethod::kFaissScan);
    EXPECT_EQ(stats.templates_scored, gallery->size());
    ExpectIdenticalHits(*hits, SearchWith(*gallery, huge_query, 5, SearchMethod::kFaissScan));
}

TEST(EstateGalleryTest, AutomaticSearchChoosesMethod) {
    std::mt19937 random(59);
    auto gallery = MakeGallery();
    AddRandomPeople(*gallery, 50, random);
    const std::vector<float> query = RandomUnitVector(kDimension, random);

    SearchStats stats;
    ASSERT_TRUE(gallery->Search(query, 5, SearchMethod::kAutomatic, &stats).ok());
    EXPECT_EQ(stats.method, SearchMethod::kQuantisedScan);
    // With fewer people than requested no template can be ruled out.
    ASSERT_TRUE(gallery->Search(query, 51, SearchMethod::kAutomatic, &stats).ok());
    EXPECT_EQ(stats.method, SearchMethod::kFaissScan);
    ASSERT_TRUE(gallery
                    ->Search(query, EstateGallery::kQuantisedScanMaxPeople + 1,
                             SearchMethod::kAutomatic, &stats)
                    .ok());
    EXPECT_EQ(stats.method, SearchMethod::kFaissScan);
    ASSERT_TRUE(gallery->Search(query, 5, SearchMethod::kFaissScan, &stats).ok());
    EXPECT_EQ(stats.method, SearchMethod::kFaissScan);
    EXPECT_EQ(stats.templates_scored, gallery->size());
}

// Removing a person removes their int8 rows too: searches with their own templates, which
// would put them first, never return them, and the moved rows keep their people.
TEST(EstateGalleryTest, QuantisedScanForgetsRemovedPeople) {
    std::mt19937 random(61);
    auto gallery = MakeGallery();
    std::vector<ReferenceTemplate> templates = AddRandomPeople(*gallery, 200, random);
    std::vector<ReferenceTemplate> leavers;
    for (int person = 0; person < 200; person += 4) {
        const std::string person_id = fmt::format("person-{}", person);
        ASSERT_TRUE(gallery->RemovePerson(person_id).ok());
        for (const ReferenceTemplate& entry : templates) {
            if (entry.person_id == person_id) {
                leavers.push_back(entry);
            }
        }
    }
    std::erase_if(templates, [](const ReferenceTemplate& entry) {
        return std::stoi(entry.person_id.substr(entry.person_id.find('-') + 1)) % 4 == 0;
    });

    for (const ReferenceTemplate& leaver : leavers) {
        SCOPED_TRACE(leaver.person_id);
        const std::vector<PersonHit> hits =
            SearchWith(*gallery, leaver.values, 5, SearchMethod::kQuantisedScan);
        EXPECT_THAT(PeopleOf(hits), ::testing::Not(::testing::Contains(leaver.person_id)));
        ExpectSameHits(hits, ReferenceSearch(templates, leaver.values, 5));
    }
    for (std::size_t i = 0; i < templates.size(); i += 7) {
        const std::vector<PersonHit> hits =
            SearchWith(*gallery, templates[i].values, 1, SearchMethod::kQuantisedScan);
        ASSERT_EQ(hits.size(), 1u);
        EXPECT_EQ(hits[0].template_id, templates[i].template_id);
        EXPECT_EQ(hits[0].person_id, templates[i].person_id);
    }
}

}  // namespace
}  // namespace menjin
