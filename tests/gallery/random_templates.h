#pragma once

#include <cmath>
#include <random>
#include <span>
#include <vector>

namespace menjin::testing {

// Returns a random L2-normalised vector of `dimension` floats, uniform on the unit sphere.
inline std::vector<float> RandomUnitVector(int dimension, std::mt19937& random) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> values(dimension);
    double squared_norm = 0;
    for (float& value : values) {
        value = normal(random);
        squared_norm += static_cast<double>(value) * value;
    }
    const float scale = static_cast<float>(1.0 / std::sqrt(squared_norm));
    for (float& value : values) {
        value *= scale;
    }
    return values;
}

// Returns `base` moved towards a random direction by `noise` and normalised again, so its
// inner product with `base` is close to 1 for a small `noise`.
inline std::vector<float> NearbyUnitVector(std::span<const float> base, float noise,
                                           std::mt19937& random) {
    std::vector<float> direction = RandomUnitVector(static_cast<int>(base.size()), random);
    std::vector<float> values(base.size());
    double squared_norm = 0;
    for (std::size_t i = 0; i < base.size(); ++i) {
        values[i] = base[i] + noise * direction[i];
        squared_norm += static_cast<double>(values[i]) * values[i];
    }
    const float scale = static_cast<float>(1.0 / std::sqrt(squared_norm));
    for (float& value : values) {
        value *= scale;
    }
    return values;
}

inline float InnerProduct(std::span<const float> a, std::span<const float> b) {
    double sum = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sum += static_cast<double>(a[i]) * b[i];
    }
    return static_cast<float>(sum);
}

}  // namespace menjin::testing
