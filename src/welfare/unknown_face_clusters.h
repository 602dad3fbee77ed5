#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/records.h"

namespace menjin {

// A face at a gate that matched no enrolled person. Its template is kept for the short
// retention window only.
struct UnknownAttempt {
    std::int64_t id = 0;
    std::string gate_id;
    UnixSeconds at = 0;
    std::vector<float> values;  // the face template, decrypted
};

// Attempts that the recognition engine judges to be one person.
struct UnknownCluster {
    std::vector<std::int64_t> attempt_ids;
    std::vector<std::string> gates;  // distinct, sorted
    int distinct_days = 0;           // local calendar days with at least one attempt
    UnixSeconds first = 0;
    UnixSeconds last = 0;
};

// Scores two templates as FacePipeline::Score does.
using TemplateScorer = std::function<float(std::span<const float>, std::span<const float>)>;

// Groups attempts in time order: each attempt joins the cluster whose members it matches best
// on average, when that average is at or above `threshold`, and starts a new cluster
// otherwise. Averaging over all members keeps two different strangers from merging through a
// chain of look-alike photos, which single-linkage grouping would allow. Days are local
// calendar days of `time_zone`. Fails only for an unknown time zone.
Result<std::vector<UnknownCluster>> ClusterUnknownAttempts(std::vector<UnknownAttempt> attempts,
                                                           const TemplateScorer& score,
                                                           float threshold,
                                                           const std::string& time_zone);

}  // namespace menjin
