// `menjin alerts evaluate`, `menjin alerts list` and `menjin leads evaluate`: the welfare and
// lead evaluations that `menjin serve` runs on its schedule, run once from the command line.
//
// `--now` replaces the system clock with a ManualClock at that instant, so tests and staff can
// evaluate a data folder as of any time. The commands may run while `menjin serve` has the
// same data folder open. SQLite in WAL mode lets both processes read at once, and each write
// waits up to the store's busy timeout for the other's write lock. Every alert and lead is
// created inside an IMMEDIATE transaction, so the two processes never raise the same alert or
// lead twice.

#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "cli/core_setup.h"
#include "common/local_time.h"
#include "common/log.h"
#include "crypto/data_key.h"
#include "domain/welfare_json.h"
#include "sqlite/sqlite_store.h"
#include "vision/model_manifest.h"
#include "welfare/lead_finder.h"
#include "welfare/welfare_monitor.h"

namespace menjin::cli {

namespace {

// Largest page that `alerts list` prints.
constexpr int kMaxListedAlerts = 1000;

struct EvaluateFlags {
    DataFlags data;
    std::string estate_id;
    std::string now;
    bool sweep_duplicates = false;
};

struct ListFlags {
    DataFlags data;
    std::string estate_id;
    std::string status;
    int limit = 100;
    std::int64_t before_id = 0;
};

// Returns the clock of the evaluation: a ManualClock at `--now`, or the system clock.
Result<std::shared_ptr<const Clock>> ClockOf(const std::string& now) {
    if (now.empty())
        return std::shared_ptr<const Clock>(std::make_shared<SystemClock>());
    Result<UnixSeconds> parsed = ParseUtc(now);
    if (!parsed.ok()) {
        return InvalidArgument("invalid --now '" + now +
                                   "': use YYYY-MM-DDTHH:MM:SSZ (UTC), e.g. 2026-12-20T08:00:00Z",
                               "now");
    }
    return std::shared_ptr<const Clock>(std::make_shared<ManualClock>(*parsed));
}

// Runs `evaluate_estate` on the one estate of `--estate`, or `evaluate_all`, and returns
// {"now": ..., "estates": [...]}. A failure of the named estate is an error; with every
// estate, an estate that fails is logged and left out.
template <typename Evaluation, typename EvaluateEstate, typename EvaluateAll>
Result<nlohmann::json> EvaluateEstates(const std::string& estate_id, UnixSeconds now,
                                       EvaluateEstate evaluate_estate, EvaluateAll evaluate_all) {
    std::vector<Evaluation> evaluations;
    if (!estate_id.empty()) {
        MENJIN_ASSIGN_OR_RETURN(Evaluation one, evaluate_estate(estate_id));
        evaluations.push_back(std::move(one));
    } else {
        MENJIN_ASSIGN_OR_RETURN(evaluations, evaluate_all());
    }
    nlohmann::json estates = nlohmann::json::array();
    for (const Evaluation& evaluation : evaluations)
        estates.push_back(ToJson(evaluation));
    return nlohmann::json{{"now", FormatUtc(now)}, {"estates", estates}};
}

Result<nlohmann::json> EvaluateAlerts(const EvaluateFlags& f) {
    MENJIN_ASSIGN_OR_RETURN(std::shared_ptr<const Clock> clock, ClockOf(f.now));
    MENJIN_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, OpenStoreOnly(f.data.data_dir));
    WelfareMonitor monitor(*store, *clock);
    return EvaluateEstates<WelfareEvaluation>(
        f.estate_id, clock->Now(),
        [&](const std::string& id) { return monitor.EvaluateEstate(id); },
        [&] { return monitor.EvaluateAll(); });
}

Result<nlohmann::json> ListAlerts(const ListFlags& f) {
    MENJIN_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, OpenStoreOnly(f.data.data_dir));
    MENJIN_RETURN_IF_ERROR(store->GetEstate(f.estate_id).status());
    AlertQuery query;
    query.estate_id = f.estate_id;
    query.limit = f.limit;
    query.before_id = f.before_id;
    if (!f.status.empty()) {
        std::optional<AlertStatus> status = ParseAlertStatus(f.status);
        if (!status) {
            return InvalidArgument(
                "invalid --status '" + f.status + "': use open, acknowledged or resolved",
                "status");
        }
        query.statuses = {*status};
    }
    MENJIN_ASSIGN_OR_RETURN(std::vector<WelfareAlert> alerts, store->ListWelfareAlerts(query));
    nlohmann::json out = nlohmann::json::array();
    for (const WelfareAlert& alert : alerts) {
        nlohmann::json entry = ToJson(alert);
        // Staff write the notes freely, so they may name relatives or addresses.
        entry.erase("acknowledge_note");
        entry.erase("resolve_note");
        out.push_back(std::move(entry));
    }
    return out;
}

// Compacts the store when the evaluations purged unknown faces, as `menjin serve` does after
// purges, so that their sealed templates also leave the free pages and the WAL file. Returns
// whether it compacted. A running server's readers can keep the WAL checkpoint from finishing,
// which is logged and is not an error, because a later compaction removes them.
bool CompactAfterPurge(AccessCore& core, const nlohmann::json& estates) {
    int purged = 0;
    for (const nlohmann::json& estate : estates)
        purged += estate.value("attempts_purged", 0);
    if (purged == 0)
        return false;
    Status compacted = core.store().Compact();
    if (!compacted.ok()) {
        MENJIN_LOG_WARN("leads: compaction after purging {} unknown faces failed: {}", purged,
                        compacted.ToString());
        return false;
    }
    return true;
}

Result<nlohmann::json> EvaluateLeads(const EvaluateFlags& f) {
    MENJIN_ASSIGN_OR_RETURN(std::shared_ptr<const Clock> clock, ClockOf(f.now));
    MENJIN_ASSIGN_OR_RETURN(std::unique_ptr<AccessCore> core, OpenCoreWithClock(f.data, clock));
    LeadFinder finder(*core);
    MENJIN_ASSIGN_OR_RETURN(nlohmann::json out,
                            EvaluateEstates<LeadEvaluation>(
                                f.estate_id, clock->Now(),
                                [&](const std::string& id) { return finder.EvaluateEstate(id); },
                                [&] { return finder.EvaluateAll(); }));
    if (f.sweep_duplicates) {
        MENJIN_ASSIGN_OR_RETURN(LeadEvaluation sweep, finder.SweepDuplicates());
        out["duplicate_sweep"] = ToJson(sweep);
    }
    out["compacted"] = CompactAfterPurge(*core, out["estates"]);
    return out;
}

// Adds --data, and --models, --range and --pipelines when the command opens the engine.
void AddFlags(CLI::App* command, DataFlags* flags, bool with_engine) {
    if (with_engine) {
        AddDataFlags(command, flags);
        return;
    }
    command->add_option("--data", flags->data_dir, "Data folder made by `menjin init`")->required();
}

// Sets the callback of `command`: run `body`, print its JSON on success, report its error
// otherwise.
template <typename Flags, typename Body>
void SetCallback(CLI::App* command, const std::string& label, std::shared_ptr<Flags> flags,
                 int* exit_code, Body body) {
    command->callback([flags, exit_code, body, label] {
        Result<nlohmann::json> out = body(*flags);
        if (!out.ok()) {
            *exit_code = ReportError(label, out.status());
            return;
        }
        PrintJson(*out);
        *exit_code = 0;
    });
}

void AddEvaluateOptions(CLI::App* command, EvaluateFlags* flags) {
    command->add_option("--estate", flags->estate_id, "Only this estate (default: every estate)");
    command->add_option("--now", flags->now,
                        "Evaluate as of this instant, YYYY-MM-DDTHH:MM:SSZ in UTC (default: the "
                        "system clock)");
}

void AddAlertCommands(CLI::App& app, int* exit_code) {
    CLI::App* group = app.add_subcommand("alerts", "Evaluate and list welfare alerts");
    group->require_subcommand(1);

    auto evaluate_flags = std::make_shared<EvaluateFlags>();
    CLI::App* evaluate = group->add_subcommand(
        "evaluate",
        "Apply the welfare rule to the residents of every estate (or one), raise the alerts "
        "that are due and print a summary per estate as JSON. Needs no models");
    AddFlags(evaluate, &evaluate_flags->data, false);
    AddEvaluateOptions(evaluate, evaluate_flags.get());
    SetCallback(evaluate, "alerts evaluate", evaluate_flags, exit_code, EvaluateAlerts);

    auto list_flags = std::make_shared<ListFlags>();
    CLI::App* list = group->add_subcommand(
        "list",
        "List an estate's welfare alerts, newest first, as a JSON array of ids, "
        "statuses and times (no names, addresses or notes)");
    AddFlags(list, &list_flags->data, false);
    list->add_option("--estate", list_flags->estate_id, "Estate id")->required();
    list->add_option("--status", list_flags->status, "Only open, acknowledged or resolved alerts");
    list->add_option("--limit", list_flags->limit, "At most this many alerts")
        ->check(CLI::Range(1, kMaxListedAlerts));
    list->add_option("--before-id", list_flags->before_id,
                     "Only alerts with a smaller id, for paging");
    SetCallback(list, "alerts list", list_flags, exit_code, ListAlerts);
}

void AddLeadCommands(CLI::App& app, int* exit_code) {
    CLI::App* group = app.add_subcommand("leads", "Evaluate leads of subletting and misuse");
    group->require_subcommand(1);
    auto flags = std::make_shared<EvaluateFlags>();
    CLI::App* evaluate = group->add_subcommand(
        "evaluate",
        "Purge unknown faces older than each estate's retention window, look for the "
        "tenant-absent and recurring-stranger signals, raise or refresh leads and print a "
        "summary per estate as JSON");
    AddFlags(evaluate, &flags->data, true);
    AddEvaluateOptions(evaluate, flags.get());
    evaluate->add_flag("--sweep-duplicates", flags->sweep_duplicates,
                       "Also search every enrolled face against every other for one person "
                       "enrolled twice, in any estates");
    SetCallback(evaluate, "leads evaluate", flags, exit_code, EvaluateLeads);
}

}  // namespace

void AddWelfareCommands(CLI::App& app, int* exit_code) {
    AddAlertCommands(app, exit_code);
    AddLeadCommands(app, exit_code);
}

}  // namespace menjin::cli
