#include "gallery/quantised_templates.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <faiss/utils/distances.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gallery/random_templates.h"

namespace menjin {
namespace {

using ::menjin::testing::GridVector;
using ::menjin::testing::RandomUnitVector;

constexpr int kDimension = 96;

// Kinds of vectors that stress different terms of the error bound.
enum class VectorKind {
    kUnit,       // L2-normalised, as FacePipeline produces
    kWideScale,  // normalised, then scaled by 2^-40 to 2^40
    kSpiky,      // one large value among tiny ones, which all quantise to zero
    kOneHot,     // quantised without error
    kGrid,       // multiples of 1/16 in [-0.5, 0.5], with many exact ties
    kZero,
};
constexpr VectorKind kAllKinds[] = {VectorKind::kUnit,   VectorKind::kWideScale, VectorKind::kSpiky,
                                    VectorKind::kOneHot, VectorKind::kGrid,      VectorKind::kZero};

std::vector<float> MakeVector(VectorKind kind, std::mt19937& random) {
    std::vector<float> values(kDimension, 0.0f);
    switch (kind) {
        case VectorKind::kUnit:
            return RandomUnitVector(kDimension, random);
        case VectorKind::kWideScale: {
            values = RandomUnitVector(kDimension, random);
            const int exponent = std::uniform_int_distribution<int>(-40, 40)(random);
            for (float& value : values) {
                value = std::ldexp(value, exponent);
            }
            return values;
        }
        case VectorKind::kSpiky: {
            std::normal_distribution<float> tiny(0.0f, 1e-3f);
            for (float& value : values) {
                value = tiny(random);
            }
            values[random() % kDimension] = random() % 2 == 0 ? 1000.0f : -1000.0f;
            return values;
        }
        case VectorKind::kOneHot:
            values[random() % kDimension] = random() % 2 == 0 ? 1.0f : -1.0f;
            return values;
        case VectorKind::kGrid:
            return GridVector(kDimension, 8, random);
        case VectorKind::kZero:
            return values;
    }
    return values;
}

float ExactInnerProduct(std::span<const float> a, std::span<const float> b) {
    return faiss::fvec_inner_product(a.data(), b.data(), a.size());
}

// A QuantisedTemplates with the float values of each row kept beside it.
class TestStore {
  public:
    TestStore() : store_(kDimension) {}

    void Append(std::int64_t template_id, const std::string& person, std::vector<float> values) {
        const std::string* key = &*people_.insert(person).first;
        store_.Append(template_id, key, values);
        values_of_template_[template_id] = std::move(values);
    }

    void Remove(std::size_t row) {
        values_of_template_.erase(store_.template_id(row));
        store_.Remove(row);
    }

    const QuantisedTemplates& store() const { return store_; }
    const std::vector<float>& values(std::size_t row) const {
        return values_of_template_.at(store_.template_id(row));
    }

    // Returns the rows whose float32 inner product with `query` is at least that of the k-th
    // best person: every row when there are fewer than k people.
    std::set<std::size_t> RowsAtOrAboveKthPerson(std::span<const float> query, int k) const {
        std::map<const std::string*, float> best_of_person;
        std::vector<float> inner_products(store_.size());
        for (std::size_t row = 0; row < store_.size(); ++row) {
            inner_products[row] = ExactInnerProduct(query, values(row));
            auto [entry, inserted] =
                best_of_person.try_emplace(store_.person(row), inner_products[row]);
            entry->second = std::max(entry->second, inner_products[row]);
        }
        std::vector<float> person_bests;
        for (const auto& [person, best] : best_of_person) {
            person_bests.push_back(best);
        }
        std::sort(person_bests.begin(), person_bests.end(), std::greater<>());
        const float kth = person_bests.size() < static_cast<std::size_t>(k)
                              ? -std::numeric_limits<float>::infinity()
                              : person_bests[k - 1];
        std::set<std::size_t> rows;
        for (std::size_t row = 0; row < store_.size(); ++row) {
            if (inner_products[row] >= kth) {
                rows.insert(row);
            }
        }
        return rows;
    }

  private:
    QuantisedTemplates store_;
    std::set<std::string> people_;
    std::map<std::int64_t, std::vector<float>> values_of_template_;
};

// Checks that FindCandidates returns every row that can decide the k best people.
void ExpectCandidatesCoverKthPerson(const TestStore& store, std::span<const float> query, int k) {
    std::optional<std::vector<std::size_t>> candidates = store.store().FindCandidates(query, k);
    ASSERT_TRUE(candidates.has_value());
    const std::set<std::size_t> found(candidates->begin(), candidates->end());
    int missing = 0;
    for (std::size_t row : store.RowsAtOrAboveKthPerson(query, k)) {
        missing += found.contains(row) ? 0 : 1;
    }
    EXPECT_EQ(missing, 0) << "k " << k;
}

TEST(QuantisedTemplatesTest, CandidatesCoverKthPersonForEveryKind) {
    std::mt19937 random(73);
    TestStore store;
    std::vector<std::vector<float>> added;
    std::int64_t next_id = 1;
    for (int person = 0; person < 1200; ++person) {
        const int templates = 1 + static_cast<int>(random() % 4);
        for (int i = 0; i < templates; ++i) {
            // One template in ten copies an earlier one, so that other people tie exactly.
            std::vector<float> values = !added.empty() && random() % 10 == 0
                                            ? added[random() % added.size()]
                                            : MakeVector(kAllKinds[random() % 6], random);
            added.push_back(values);
            store.Append(next_id++, fmt::format("person-{}", person), values);
        }
    }

    for (int query_index = 0; query_index < 60; ++query_index) {
        const VectorKind kind = kAllKinds[query_index % 6];
        SCOPED_TRACE(fmt::format("query {}, kind {}", query_index, static_cast<int>(kind)));
        // Every third query repeats a stored template, which puts exact ties at the top.
        const std::vector<float> query =
            query_index % 3 == 0 ? added[random() % added.size()] : MakeVector(kind, random);
        for (int k : {1, 5, 20}) {
            ExpectCandidatesCoverKthPerson(store, query, k);
        }
    }
}

TEST(QuantisedTemplatesTest, CandidatesCoverKthPersonAfterRemovals) {
    std::mt19937 random(79);
    TestStore store;
    for (int i = 0; i < 2000; ++i) {
        store.Append(i, fmt::format("person-{}", i / 5), MakeVector(kAllKinds[i % 5], random));
    }
    for (int i = 0; i < 900; ++i) {
        store.Remove(random() % store.store().size());
    }
    for (int i = 0; i < 300; ++i) {
        store.Append(5000 + i, fmt::format("person-{}", i), MakeVector(VectorKind::kUnit, random));
    }
    ASSERT_EQ(store.store().size(), 1400u);

    for (int query_index = 0; query_index < 30; ++query_index) {
        SCOPED_TRACE(fmt::format("query {}", query_index));
        const std::vector<float> query = MakeVector(kAllKinds[query_index % 5], random);
        for (int k : {1, 5}) {
            ExpectCandidatesCoverKthPerson(store, query, k);
        }
    }
}

// The int8 inner product ranks the decoy far above the best template, by almost the whole
// error bound of both, while the best is higher in float32 by 0.01 to 0.02.
TEST(QuantisedTemplatesTest, NearlyTightBoundKeepsBest) {
    std::mt19937 random(103);
    for (bool residual_in_query : {false, true}) {
        for (int trial = 0; trial < 10; ++trial) {
            SCOPED_TRACE(fmt::format("residual in query {}, trial {}", residual_in_query, trial));
            const ::menjin::testing::BoundStressCase stress =
                ::menjin::testing::MakeBoundStressCase(kDimension, residual_in_query, random);
            TestStore store;
            store.Append(1, "decoy", stress.decoy);
            store.Append(2, "best", stress.best);
            for (int i = 0; i < 20; ++i) {
                std::vector<float> stranger = RandomUnitVector(kDimension, random);
                for (float& value : stranger) {
                    value *= 0.1f;
                }
                store.Append(10 + i, fmt::format("stranger-{}", i), stranger);
            }
            ASSERT_GT(ExactInnerProduct(stress.query, stress.best),
                      ExactInnerProduct(stress.query, stress.decoy));

            std::optional<std::vector<std::size_t>> candidates =
                store.store().FindCandidates(stress.query, 1);
            ASSERT_TRUE(candidates.has_value());
            std::vector<std::int64_t> ids;
            for (std::size_t row : *candidates) {
                ids.push_back(store.store().template_id(row));
            }
            EXPECT_THAT(ids, ::testing::Contains(2));
        }
    }
}

// On random unit vectors the int8 bound rules out nearly every template.
TEST(QuantisedTemplatesTest, UnitVectorsLeaveFewCandidates) {
    std::mt19937 random(83);
    QuantisedTemplates store(kDimension);
    std::deque<std::string> people;
    for (int i = 0; i < 20000; ++i) {
        if (i % 3 == 0) {
            people.push_back(fmt::format("person-{}", i / 3));
        }
        store.Append(i, &people.back(), RandomUnitVector(kDimension, random));
    }
    std::size_t candidates = 0;
    for (int query_index = 0; query_index < 20; ++query_index) {
        std::optional<std::vector<std::size_t>> found =
            store.FindCandidates(RandomUnitVector(kDimension, random), 5);
        ASSERT_TRUE(found.has_value());
        candidates += found->size();
    }
    EXPECT_LT(candidates / 20, 200u) << "mean candidates per query";
}

TEST(QuantisedTemplatesTest, OutOfRangeTemplatesAreAlwaysCandidates) {
    std::mt19937 random(89);
    TestStore store;
    for (int i = 0; i < 300; ++i) {
        store.Append(i, fmt::format("person-{}", i), RandomUnitVector(kDimension, random));
    }
    std::vector<float> huge = RandomUnitVector(kDimension, random);
    std::vector<float> tiny = huge;
    for (std::size_t i = 0; i < huge.size(); ++i) {
        huge[i] *= 1e20f;
        tiny[i] *= 1e-20f;
    }
    store.Append(1000, "huge", huge);
    store.Append(1001, "tiny", tiny);

    for (int query_index = 0; query_index < 10; ++query_index) {
        const std::vector<float> query = RandomUnitVector(kDimension, random);
        std::optional<std::vector<std::size_t>> candidates = store.store().FindCandidates(query, 1);
        ASSERT_TRUE(candidates.has_value());
        std::vector<std::int64_t> ids;
        for (std::size_t row : *candidates) {
            ids.push_back(store.store().template_id(row));
        }
        EXPECT_THAT(ids, ::testing::IsSupersetOf({1000, 1001}));
        ExpectCandidatesCoverKthPerson(store, query, 1);
    }
}

TEST(QuantisedTemplatesTest, RejectsQueryOutOfRange) {
    std::mt19937 random(97);
    QuantisedTemplates store(kDimension);
    const std::string person = "alice";
    store.Append(1, &person, RandomUnitVector(kDimension, random));

    std::vector<float> query(kDimension, 0.0f);
    EXPECT_TRUE(store.FindCandidates(query, 1).has_value()) << "zero query";
    query[3] = 1e16f;
    EXPECT_FALSE(store.FindCandidates(query, 1).has_value()) << "above 2^50";
    query[3] = 1e-16f;
    EXPECT_FALSE(store.FindCandidates(query, 1).has_value()) << "below 2^-50";
    query[3] = 1e15f;
    EXPECT_TRUE(store.FindCandidates(query, 1).has_value()) << "just below 2^50";
}

TEST(QuantisedTemplatesTest, RemoveMovesLastRowIntoGap) {
    std::mt19937 random(101);
    QuantisedTemplates store(kDimension);
    const std::string alice = "alice";
    const std::string bob = "bob";
    const std::vector<float> removed = RandomUnitVector(kDimension, random);
    store.Append(10, &alice, removed);
    store.Append(11, &alice, RandomUnitVector(kDimension, random));
    store.Append(12, &bob, RandomUnitVector(kDimension, random));

    EXPECT_EQ(store.Remove(0), std::optional<std::int64_t>(12));
    ASSERT_EQ(store.size(), 2u);
    EXPECT_EQ(store.template_id(0), 12);
    EXPECT_EQ(store.person(0), &bob);
    EXPECT_EQ(store.template_id(1), 11);
    EXPECT_EQ(store.Remove(1), std::nullopt);
    ASSERT_EQ(store.size(), 1u);

    // The removed template's own values, the best possible query for it, find only bob.
    std::optional<std::vector<std::size_t>> candidates = store.FindCandidates(removed, 1);
    ASSERT_TRUE(candidates.has_value());
    EXPECT_THAT(*candidates, ::testing::ElementsAre(0u));
    EXPECT_EQ(store.template_id(0), 12);
}

}  // namespace
}  // namespace menjin
