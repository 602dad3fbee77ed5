#include "welfare/unknown_face_clusters.h"

#include <algorithm>
#include <set>

#include "common/local_time.h"

namespace menjin {

namespace {

struct Group {
    std::vector<const UnknownAttempt*> members;
};

float MeanScore(const Group& group, const UnknownAttempt& attempt, const TemplateScorer& score) {
    float sum = 0;
    for (const UnknownAttempt* member : group.members)
        sum += score(member->values, attempt.values);
    return sum / static_cast<float>(group.members.size());
}

Result<UnknownCluster> Describe(const Group& group, const std::string& time_zone) {
    UnknownCluster cluster;
    std::set<std::string> gates;
    std::set<std::int64_t> days;
    cluster.first = group.members.front()->at;
    for (const UnknownAttempt* member : group.members) {
        cluster.attempt_ids.push_back(member->id);
        gates.insert(member->gate_id);
        MENJIN_ASSIGN_OR_RETURN(LocalTime local, ToLocalTime(member->at, time_zone));
        days.insert(local.local_day_number);
        cluster.first = std::min(cluster.first, member->at);
        cluster.last = std::max(cluster.last, member->at);
    }
    cluster.gates.assign(gates.begin(), gates.end());
    cluster.distinct_days = static_cast<int>(days.size());
    return cluster;
}

}  // namespace

Result<std::vector<UnknownCluster>> ClusterUnknownAttempts(std::vector<UnknownAttempt> attempts,
                                                           const TemplateScorer& score,
                                                           float threshold,
                                                           const std::string& time_zone) {
    std::sort(attempts.begin(), attempts.end(),
              [](const UnknownAttempt& a, const UnknownAttempt& b) { return a.at < b.at; });
    std::vector<Group> groups;
    for (const UnknownAttempt& attempt : attempts) {
        Group* best = nullptr;
        float best_score = threshold;
        for (Group& group : groups) {
            const float mean = MeanScore(group, attempt, score);
            if (mean >= best_score) {
                best_score = mean;
                best = &group;
            }
        }
        if (best == nullptr) {
            groups.push_back(Group{{&attempt}});
        } else {
            best->members.push_back(&attempt);
        }
    }
    std::vector<UnknownCluster> clusters;
    for (const Group& group : groups) {
        MENJIN_ASSIGN_OR_RETURN(UnknownCluster cluster, Describe(group, time_zone));
        clusters.push_back(std::move(cluster));
    }
    return clusters;
}

}  // namespace menjin
