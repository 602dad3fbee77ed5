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

// Returns a vector of random multiples of 1/16 in [-steps / 16, steps / 16]. Inner products of
// two such vectors, and of such vectors scaled by powers of two, are exact in float32 while
// dimension * steps^2 < 2^24 and nothing underflows, so a search over them can be checked for
// exact ties.
inline std::vector<float> GridVector(int dimension, int steps, std::mt19937& random) {
    std::uniform_int_distribution<int> step(-steps, steps);
    std::vector<float> values(dimension);
    for (float& value : values) {
        value = static_cast<float>(step(random)) / 16.0f;
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

// A query and two templates that make the int8 error bound of QuantisedTemplates nearly
// tight. The int8 inner product underestimates that of `best` and overestimates that of
// `decoy`, each by almost the Cauchy-Schwarz bound, so `decoy` ranks far above `best` in int8
// while `best` is higher by 0.01 to 0.02 in exact arithmetic. A bound a few percent too small
// would rule `best` out. Both templates score above 1, and random unit vectors scaled by 0.1
// score below it.
struct BoundStressCase {
    std::vector<float> query;
    std::vector<float> best;
    std::vector<float> decoy;
};

// Builds a BoundStressCase. With `residual_in_query` false, the templates carry the largest
// possible quantisation residual (half an int8 step on every value, with the signs of the
// query) and the query has none. With it true, the query carries it and the templates have none.
// Every vector has the int8 scale 2^-7: its largest magnitude is 127 * 2^-7 and comes first.
inline BoundStressCase MakeBoundStressCase(int dimension, bool residual_in_query,
                                           std::mt19937& random) {
    const float scale = 1.0f / 128.0f;
    const float half_step = 63.0f / 128.0f;  // just under half an int8 step, in steps
    std::vector<float> signs(dimension, 1.0f);
    for (int i = 1; i < dimension; ++i) {
        signs[i] = random() % 2 == 0 ? 1.0f : -1.0f;
    }
    BoundStressCase stress;
    stress.query.assign(dimension, 127 * scale);
    stress.best.assign(dimension, 127 * scale);
    stress.decoy.assign(dimension, 127 * scale);
    std::vector<float> codes(dimension, 0.0f);  // of the query or of the templates
    std::uniform_int_distribution<int> code(-100, 100);
    for (int i = 1; i < dimension; ++i) {
        codes[i] = static_cast<float>(code(random));
    }
    if (residual_in_query) {
        // The decoy starts as the negative of `best`. The signs of the query codes keep
        // sum(code * sign) in [0, 100], so the decoy starts below `best` and close enough
        // to catch up with few steps, keeping nearly all of its residual term.
        float alignment = 0;
        for (int i = 1; i < dimension; ++i) {
            const float magnitude = std::fabs(codes[i]);
            codes[i] = alignment > 0 ? -magnitude * signs[i] : magnitude * signs[i];
            alignment += codes[i] * signs[i];
        }
        for (int i = 1; i < dimension; ++i) {
            codes[i] = alignment < 0 ? -codes[i] : codes[i];
            stress.query[i] = scale * (codes[i] + half_step * signs[i]);
            stress.best[i] = 127 * scale * signs[i];
            stress.decoy[i] = -127 * scale * signs[i];
        }
    } else {
        // Template codes with the signs of the query put `best` far above random vectors.
        for (int i = 1; i < dimension; ++i) {
            codes[i] = std::fabs(codes[i]) * signs[i];
            stress.query[i] = 127 * scale * signs[i];
            stress.best[i] = scale * (codes[i] + half_step * signs[i]);
            stress.decoy[i] = scale * (codes[i] - half_step * signs[i]);
        }
    }

    // Raises the decoy one int8 step at a time, on values where that raises its inner
    // product, until the next step would bring it within 0.01 of `best`.
    const double best_score = InnerProduct(stress.query, stress.best);
    bool raised = true;
    while (raised) {
        raised = false;
        for (int i = 1; i < dimension; ++i) {
            const bool helps = residual_in_query ? codes[i] * signs[i] > 0 : true;
            const float next = stress.decoy[i] + scale * signs[i];
            if (!helps || std::fabs(next) > 126.5f * scale) {
                continue;
            }
            const float current = stress.decoy[i];
            stress.decoy[i] = next;
            if (best_score - InnerProduct(stress.query, stress.decoy) < 0.01) {
                stress.decoy[i] = current;
                continue;
            }
            raised = true;
        }
    }
    return stress;
}

}  // namespace menjin::testing
