#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/status.h"
#include "domain/records.h"
#include "domain/welfare_records.h"
#include "storage/store.h"
#include "welfare/absence_rule.h"

namespace menjin {

// Result of one welfare evaluation of an estate.
struct WelfareEvaluation {
    std::string estate_id;
    int residents = 0;                 // tenants and family members checked
    int watched = 0;                   // of them, watched by age or by their own watch flag
    int absent = 0;                    // watched residents absent now, with or without an alert
    std::vector<std::int64_t> raised;  // alerts this evaluation raised
    int seen_again = 0;  // unresolved alerts whose resident this evaluation found at a gate
};

nlohmann::json ToJson(const WelfareEvaluation& evaluation);

// The welfare state of one resident at the evaluation time.
struct ResidentWelfare {
    Person person;
    AbsenceCheck check;
    std::optional<Passage> last_passage;  // the latest passage naming the person
    std::optional<WelfareAlert> alert;    // the person's latest alert, if any
};

// Applies the welfare rule (absence_rule.h) to the residents of an estate and keeps the alert
// lifecycle: open -> acknowledged -> resolved, or open -> resolved.
//
// Any passage that names the resident counts as a sign of life: every gate of every estate,
// every band (a deny for an expired grant still shows the person is well) and every credential
// (face, card, PIN or QR). A resident has at most one unresolved alert. After an alert is
// resolved, the resident is not raised again until a passage after the resolution is followed
// by a new absence. Each new alert is committed together with its webhook message, when the
// estate has a webhook URL.
//
// Holds references to `store` and `clock`, which must outlive it. Thread-safe as far as the
// store is: concurrent evaluations of one estate cannot raise two alerts for one person,
// because the store rejects a second unresolved alert.
class WelfareMonitor {
  public:
    WelfareMonitor(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

    // Evaluates every resident of the estate at the clock's time and raises the due alerts.
    // kNotFound for an unknown estate, kInvalidArgument for an unknown time zone.
    Result<WelfareEvaluation> EvaluateEstate(const std::string& estate_id);
    // Evaluates every estate. An estate that fails is logged and left out, so one bad estate
    // does not stop the others. Fails only when the estates cannot be listed.
    Result<std::vector<WelfareEvaluation>> EvaluateAll();

    // Returns the watched residents of the estate with their state now, ordered by unit and
    // person id.
    Result<std::vector<ResidentWelfare>> WatchedResidents(const std::string& estate_id);

    // Records that `operator_id` has seen the open alert, with a note. kConflict when
    // `version` is not the stored version, kFailedPrecondition unless the alert is open,
    // kNotFound for an unknown id. Returns the stored alert.
    Result<WelfareAlert> Acknowledge(std::int64_t alert_id, std::int64_t version,
                                     const std::string& operator_id, const std::string& note);
    // Closes an open or acknowledged alert with an outcome and a note. Errors as Acknowledge;
    // kFailedPrecondition for a resolved alert.
    Result<WelfareAlert> Resolve(std::int64_t alert_id, std::int64_t version,
                                 const std::string& operator_id, AlertOutcome outcome,
                                 const std::string& note);

  private:
    // The residents (tenants and family members) of the estate with their state at `now`.
    Result<std::vector<ResidentWelfare>> AssessResidents(const Estate& estate, UnixSeconds now);
    Result<ResidentWelfare> Assess(const Person& person, const Estate& estate,
                                   const WelfarePolicy& policy, UnixSeconds now);
    // Creates the alert and its webhook message in one transaction. Returns nullopt when a
    // concurrent evaluation raised one first.
    Result<std::optional<std::int64_t>> RaiseAlert(const ResidentWelfare& resident,
                                                   const std::string& estate_id, UnixSeconds now);
    // Records seen_again_at on an unresolved alert whose resident passed a gate after it was
    // raised. Returns true when it changed the alert.
    Result<bool> NoteSeenAgain(const ResidentWelfare& resident);
    Result<WelfareAlert> LoadForChange(std::int64_t alert_id, std::int64_t version);

    Store& store_;
    const Clock& clock_;
};

}  // namespace menjin
