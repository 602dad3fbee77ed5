#include "welfare/unknown_face_clusters.h"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

namespace menjin {
namespace {

constexpr UnixSeconds kDay = 86400;

float Dot(std::span<const float> a, std::span<const float> b) {
    float sum = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        sum += a[i] * b[i];
    return sum;
}

std::vector<float> Normalised(std::vector<float> v) {
    float norm = std::sqrt(Dot(v, v));
    for (float& x : v)
        x /= norm;
    return v;
}

// A person's face: a random direction; each photo adds noise so photos score about 0.7.
struct SyntheticPerson {
    std::vector<float> centre;

    std::vector<float> Photo(std::mt19937& rng) const {
        std::normal_distribution<float> noise(0, 0.06f);
        std::vector<float> v = centre;
        for (float& x : v)
            x += noise(rng);
        return Normalised(v);
    }
};

SyntheticPerson NewPerson(std::mt19937& rng) {
    std::normal_distribution<float> unit(0, 1);
    std::vector<float> v(128);
    for (float& x : v)
        x = unit(rng);
    return {Normalised(v)};
}

TEST(UnknownFaceClustersTest, OnePersonOverDaysIsOneCluster) {
    std::mt19937 rng(3);
    const SyntheticPerson stranger = NewPerson(rng);
    std::vector<UnknownAttempt> attempts;
    for (int i = 0; i < 6; ++i) {
        attempts.push_back({i + 1, i % 2 ? "g1" : "g2", i * kDay + 3600, stranger.Photo(rng)});
    }
    auto clusters = ClusterUnknownAttempts(attempts, Dot, 0.5f, "Asia/Shanghai");
    ASSERT_TRUE(clusters.ok());
    ASSERT_EQ(clusters->size(), 1u);
    EXPECT_EQ(clusters->front().attempt_ids.size(), 6u);
    EXPECT_EQ(clusters->front().distinct_days, 6);
    EXPECT_EQ(clusters->front().gates, (std::vector<std::string>{"g1", "g2"}));
}

TEST(UnknownFaceClustersTest, DifferentStrangersStaySeparate) {
    std::mt19937 rng(5);
    std::vector<UnknownAttempt> attempts;
    std::int64_t id = 0;
    for (int person = 0; person < 20; ++person) {
        const SyntheticPerson stranger = NewPerson(rng);
        for (int photo = 0; photo < 3; ++photo) {
            attempts.push_back({++id, "g1", id * 1000, stranger.Photo(rng)});
        }
    }
    auto clusters = ClusterUnknownAttempts(attempts, Dot, 0.5f, "Asia/Shanghai");
    ASSERT_TRUE(clusters.ok());
    EXPECT_EQ(clusters->size(), 20u);
    for (const UnknownCluster& c : *clusters)
        EXPECT_EQ(c.attempt_ids.size(), 3u);
}

TEST(UnknownFaceClustersTest, EmptyInputGivesNoCluster) {
    auto clusters = ClusterUnknownAttempts({}, Dot, 0.5f, "Asia/Shanghai");
    ASSERT_TRUE(clusters.ok());
    EXPECT_TRUE(clusters->empty());
}

}  // namespace
}  // namespace menjin
