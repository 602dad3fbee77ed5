#include "service/gate_outcome_json.h"

#include <cmath>

namespace menjin {

namespace {

double Rounded(double value) {
    return std::round(value * 10000) / 10000;
}

}  // namespace

nlohmann::json GateOutcomeToJson(const GateOutcome& outcome) {
    const AccessDecision& d = outcome.decision;
    nlohmann::json out = {{"decision", DecisionBandName(d.band)},
                          {"reason", d.reason},
                          {"display_name", outcome.display_name},
                          {"gate_id", outcome.gate_id},
                          {"estate_id", outcome.estate_id},
                          {"score", Rounded(d.score)},
                          {"passage_id", outcome.passage_id},
                          {"frames_received", outcome.frames_received},
                          {"frames_usable", outcome.frames_usable},
                          {"thresholds",
                           {{"accept", Rounded(outcome.thresholds.accept)},
                            {"reject", Rounded(outcome.thresholds.reject)},
                            {"gallery_people", outcome.thresholds.gallery_people}}}};
    out["thumbnail"] = outcome.has_thumbnail ? nlohmann::json(d.person_id) : nullptr;
    return out;
}

}  // namespace menjin
