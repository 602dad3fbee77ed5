#include "access/thresholds.h"

#include <algorithm>
#include <cmath>

namespace menjin {

Thresholds ComputeThresholds(const ImpostorTail& tail, double target_fpir, int gallery_people,
                             double retry_factor) {
    Thresholds t;
    t.gallery_people = std::max(gallery_people, 1);
    const double fpir = std::clamp(target_fpir, 1e-12, 0.5);
    // 1 - (1 - fpir)^(1/N), written with log1p/expm1 to stay accurate for tiny rates.
    t.comparison_far = -std::expm1(std::log1p(-fpir) / t.gallery_people);
    t.accept = tail.ThresholdForFar(t.comparison_far);
    t.reject = std::min(t.accept, tail.ThresholdForFar(t.comparison_far * retry_factor));
    return t;
}

}  // namespace menjin
