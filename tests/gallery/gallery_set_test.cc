#include "gallery/gallery_set.h"

#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gallery/random_templates.h"

namespace menjin {
namespace {

using ::menjin::testing::RandomUnitVector;

constexpr int kDimension = 64;

std::unique_ptr<GallerySet> MakeSet() {
    Result<std::unique_ptr<GallerySet>> set = GallerySet::Create(kDimension);
    EXPECT_TRUE(set.ok()) << set.status().ToString();
    return std::move(set).value();
}

// Returns the people of a search that is expected to succeed.
std::vector<std::string> SearchPeople(const GallerySet& set, const std::string& estate_id,
                                      const std::vector<float>& query, int max_people) {
    Result<std::vector<PersonHit>> hits = set.Search(estate_id, query, max_people);
    EXPECT_TRUE(hits.ok()) << hits.status().ToString();
    std::vector<std::string> people;
    if (hits.ok()) {
        for (const PersonHit& hit : *hits) {
            people.push_back(hit.person_id);
        }
    }
    return people;
}

TEST(GallerySetTest, CreateRejectsNonPositiveDimension) {
    EXPECT_EQ(GallerySet::Create(0).status().code(), ErrorCode::kInvalidArgument);
}

TEST(GallerySetTest, EstatesAreIsolated) {
    std::mt19937 random(41);
    auto set = MakeSet();
    const std::vector<float> east_face = RandomUnitVector(kDimension, random);
    const std::vector<float> west_face = RandomUnitVector(kDimension, random);
    ASSERT_TRUE(set->Add("east", 1, "east-tenant", east_face).ok());
    ASSERT_TRUE(set->Add("west", 2, "west-tenant", west_face).ok());

    EXPECT_THAT(SearchPeople(*set, "east", east_face, 5), ::testing::ElementsAre("east-tenant"));
    EXPECT_THAT(SearchPeople(*set, "east", west_face, 5), ::testing::ElementsAre("east-tenant"));
    EXPECT_THAT(SearchPeople(*set, "west", east_face, 5), ::testing::ElementsAre("west-tenant"));
    EXPECT_TRUE(set->ContainsPerson("east", "east-tenant"));
    EXPECT_FALSE(set->ContainsPerson("west", "east-tenant"));
    EXPECT_EQ(set->Size("east"), 1u);
    EXPECT_EQ(set->Size("west"), 1u);
    EXPECT_EQ(set->TotalSize(), 2u);
}

TEST(GallerySetTest, TemplateIdsAreUniquePerEstate) {
    std::mt19937 random(43);
    auto set = MakeSet();
    const std::vector<float> values = RandomUnitVector(kDimension, random);
    ASSERT_TRUE(set->Add("east", 1, "alice", values).ok());
    EXPECT_TRUE(set->Add("west", 1, "alice", values).ok());
    EXPECT_EQ(set->Add("east", 1, "alice", values).code(), ErrorCode::kAlreadyExists);
    EXPECT_EQ(set->TotalSize(), 2u);
}

TEST(GallerySetTest, CourierInTwoEstates) {
    std::mt19937 random(47);
    auto set = MakeSet();
    const std::vector<float> courier_face = RandomUnitVector(kDimension, random);
    ASSERT_TRUE(set->Add("east", 10, "courier", courier_face).ok());
    ASSERT_TRUE(set->Add("east", 11, "courier", RandomUnitVector(kDimension, random)).ok());
    ASSERT_TRUE(set->Add("west", 10, "courier", courier_face).ok());
    ASSERT_TRUE(set->Add("east", 1, "east-tenant", RandomUnitVector(kDimension, random)).ok());
    ASSERT_TRUE(set->Add("west", 2, "west-tenant", RandomUnitVector(kDimension, random)).ok());

    EXPECT_EQ(SearchPeople(*set, "east", courier_face, 1), std::vector<std::string>{"courier"});
    EXPECT_EQ(SearchPeople(*set, "west", courier_face, 1), std::vector<std::string>{"courier"});

    Result<int> removed_from_east = set->RemovePersonFromEstate("east", "courier");
    ASSERT_TRUE(removed_from_east.ok()) << removed_from_east.status().ToString();
    EXPECT_EQ(*removed_from_east, 2);
    EXPECT_FALSE(set->ContainsPerson("east", "courier"));
    EXPECT_TRUE(set->ContainsPerson("west", "courier"));
    EXPECT_THAT(SearchPeople(*set, "east", courier_face, 5), ::testing::ElementsAre("east-tenant"));
    EXPECT_EQ(SearchPeople(*set, "west", courier_face, 1), std::vector<std::string>{"courier"});

    ASSERT_TRUE(set->Add("east", 10, "courier", courier_face).ok());
    Result<int> removed_everywhere = set->RemovePerson("courier");
    ASSERT_TRUE(removed_everywhere.ok()) << removed_everywhere.status().ToString();
    EXPECT_EQ(*removed_everywhere, 2);
    EXPECT_FALSE(set->ContainsPerson("east", "courier"));
    EXPECT_FALSE(set->ContainsPerson("west", "courier"));
    EXPECT_EQ(set->TotalSize(), 2u);
}

TEST(GallerySetTest, UnknownEstateSearchesAsEmpty) {
    std::mt19937 random(53);
    auto set = MakeSet();
    ASSERT_TRUE(set->Add("east", 1, "alice", RandomUnitVector(kDimension, random)).ok());
    const std::vector<float> query = RandomUnitVector(kDimension, random);

    Result<std::vector<PersonHit>> hits = set->Search("nowhere", query, 5);
    ASSERT_TRUE(hits.ok()) << hits.status().ToString();
    EXPECT_TRUE(hits->empty());
    EXPECT_EQ(set->Search("nowhere", std::vector<float>(3, 0.5f), 5).status().code(),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(set->Size("nowhere"), 0u);
    EXPECT_FALSE(set->ContainsPerson("nowhere", "alice"));
    Result<int> removed = set->RemovePersonFromEstate("nowhere", "alice");
    ASSERT_TRUE(removed.ok());
    EXPECT_EQ(*removed, 0);
    Result<std::vector<GalleryEntry>> entries = set->Entries("nowhere");
    ASSERT_TRUE(entries.ok());
    EXPECT_TRUE(entries->empty());
}

TEST(GallerySetTest, RejectedAddLeavesNoEstate) {
    auto set = MakeSet();
    EXPECT_EQ(set->Add("east", 1, "alice", std::vector<float>(kDimension + 1, 0.1f)).code(),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(set->Add("", 1, "alice", std::vector<float>(kDimension, 0.1f)).code(),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(set->Size("east"), 0u);
    EXPECT_EQ(set->TotalSize(), 0u);
}

TEST(GallerySetTest, EntriesSnapshotOneEstate) {
    std::mt19937 random(59);
    auto set = MakeSet();
    const std::vector<float> east_values = RandomUnitVector(kDimension, random);
    ASSERT_TRUE(set->Add("east", 1, "alice", east_values).ok());
    ASSERT_TRUE(set->Add("west", 2, "bob", RandomUnitVector(kDimension, random)).ok());

    Result<std::vector<GalleryEntry>> entries = set->Entries("east");
    ASSERT_TRUE(entries.ok()) << entries.status().ToString();
    ASSERT_EQ(entries->size(), 1u);
    EXPECT_EQ((*entries)[0].template_id, 1);
    EXPECT_EQ((*entries)[0].person_id, "alice");
    EXPECT_EQ((*entries)[0].values, east_values);
}

TEST(GallerySetTest, ClearRemovesEveryEstate) {
    std::mt19937 random(61);
    auto set = MakeSet();
    ASSERT_TRUE(set->Add("east", 1, "alice", RandomUnitVector(kDimension, random)).ok());
    ASSERT_TRUE(set->Add("west", 2, "bob", RandomUnitVector(kDimension, random)).ok());
    set->Clear();
    EXPECT_EQ(set->TotalSize(), 0u);
    EXPECT_FALSE(set->ContainsPerson("east", "alice"));
    EXPECT_TRUE(set->Add("east", 1, "alice", RandomUnitVector(kDimension, random)).ok());
}

// Readers search for residents who stay enrolled while writers add and remove other people
// in the same and another estate. Every search must find the resident first, with their own
// template, and return distinct people in order.
TEST(GallerySetTest, ConcurrentSearchesAndChanges) {
    constexpr int kResidents = 100;
    constexpr int kReaders = 3;
    constexpr int kWriters = 2;
    constexpr int kSearchesPerReader = 2000;
    constexpr int kRoundsPerWriter = 300;
    std::mt19937 random(67);
    auto set = MakeSet();
    std::vector<std::vector<float>> resident_faces;
    for (int i = 0; i < kResidents; ++i) {
        resident_faces.push_back(RandomUnitVector(kDimension, random));
        ASSERT_TRUE(set->Add("east", i, fmt::format("resident-{}", i), resident_faces[i]).ok());
    }

    std::atomic<int> failed_calls = 0;
    std::atomic<int> wrong_results = 0;
    std::vector<std::thread> threads;
    for (int reader = 0; reader < kReaders; ++reader) {
        threads.emplace_back([&, reader] {
            for (int i = 0; i < kSearchesPerReader; ++i) {
                const int resident = (i * 7 + reader) % kResidents;
                Result<std::vector<PersonHit>> hits =
                    set->Search("east", resident_faces[resident], 5);
                if (!hits.ok()) {
                    ++failed_calls;
                    continue;
                }
                const bool found = !hits->empty() &&
                                   (*hits)[0].person_id == fmt::format("resident-{}", resident) &&
                                   (*hits)[0].template_id == resident;
                bool ordered_and_distinct = true;
                for (std::size_t j = 1; j < hits->size(); ++j) {
                    ordered_and_distinct &=
                        (*hits)[j - 1].inner_product >= (*hits)[j].inner_product;
                    ordered_and_distinct &= (*hits)[j - 1].person_id != (*hits)[j].person_id;
                }
                if (!found || !ordered_and_distinct || hits->size() != 5) {
                    ++wrong_results;
                }
            }
        });
    }
    for (int writer = 0; writer < kWriters; ++writer) {
        threads.emplace_back([&, writer] {
            std::mt19937 writer_random(100 + writer);
            for (int round = 0; round < kRoundsPerWriter; ++round) {
                const std::string person_id = fmt::format("visitor-{}-{}", writer, round);
                const std::int64_t template_id = 100000 * (writer + 1) + round;
                const std::vector<float> face = RandomUnitVector(kDimension, writer_random);
                if (!set->Add("east", template_id, person_id, face).ok() ||
                    !set->Add("west", template_id, person_id, face).ok()) {
                    ++failed_calls;
                }
                // Remove every other visitor at once and the rest from one estate at a time.
                Result<int> removed = round % 2 == 0
                                          ? set->RemovePerson(person_id)
                                          : set->RemovePersonFromEstate("west", person_id);
                if (round % 2 == 1 && removed.ok()) {
                    removed = set->RemovePersonFromEstate("east", person_id);
                }
                if (!removed.ok() || *removed != (round % 2 == 0 ? 2 : 1)) {
                    ++failed_calls;
                }
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }

    EXPECT_EQ(failed_calls.load(), 0);
    EXPECT_EQ(wrong_results.load(), 0);
    EXPECT_EQ(set->Size("east"), static_cast<std::size_t>(kResidents));
    EXPECT_EQ(set->Size("west"), 0u);
    EXPECT_EQ(set->TotalSize(), static_cast<std::size_t>(kResidents));
}

}  // namespace
}  // namespace menjin
