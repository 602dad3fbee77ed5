// `menjin passages list` and `menjin passages purge`: read the passage log with filters, and
// enforce its retention period.

#include "cli/commands.h"
#include "cli/core_setup.h"
#include "domain/record_json.h"

namespace menjin::cli {

namespace {

struct PassageFlags {
    DataFlags data;
    PassageQuery query;
    std::string band, from, to;
    int retention_days = 0;
};

Result<nlohmann::json> ListPassages(AccessCore& core, const PassageFlags& f) {
    PassageQuery query = f.query;
    if (!f.band.empty()) {
        if (f.band == "grant") {
            query.band = DecisionBand::kGrant;
        } else if (f.band == "deny") {
            query.band = DecisionBand::kDeny;
        } else {
            query.band = DecisionBand::kRetry;
        }
    }
    if (!f.from.empty()) {
        MENJIN_ASSIGN_OR_RETURN(query.from, ParseTimeFlag(f.from, 0, "from"));
    }
    if (!f.to.empty()) {
        MENJIN_ASSIGN_OR_RETURN(query.to, ParseTimeFlag(f.to, 0, "to"));
    }
    MENJIN_ASSIGN_OR_RETURN(std::vector<Passage> passages, core.store().QueryPassages(query));
    nlohmann::json out = nlohmann::json::array();
    for (const Passage& p : passages)
        out.push_back(ToJson(p));
    return out;
}

Result<nlohmann::json> PurgePassages(AccessCore& core, const PassageFlags& f) {
    if (f.retention_days > 0) {
        MENJIN_RETURN_IF_ERROR(
            core.store().PutSetting("passage_retention_days", std::to_string(f.retention_days)));
    }
    MENJIN_ASSIGN_OR_RETURN(int purged, core.PurgeExpiredPassages());
    return nlohmann::json{{"purged", purged}};
}

template <typename Body>
void AddPassageCommand(CLI::App* group, const std::string& name, const std::string& help,
                       std::shared_ptr<PassageFlags> flags, int* exit_code, Body body) {
    CLI::App* command = group->add_subcommand(name, help);
    AddDataFlags(command, &flags->data);
    if (name == "list") {
        command->add_option("--estate", flags->query.estate_id, "Only this estate");
        command->add_option("--gate", flags->query.gate_id, "Only this gate");
        command->add_option("--person", flags->query.person_id, "Only this person");
        command->add_option("--band", flags->band, "Only grant, deny or retry")
            ->check(CLI::IsMember({"grant", "deny", "retry"}));
        command->add_option("--from", flags->from, "From this time (UTC), inclusive");
        command->add_option("--to", flags->to, "Up to this time (UTC), exclusive");
        command->add_option("--limit", flags->query.limit, "At most this many, newest first")
            ->check(CLI::Range(1, 1000));
        command->add_option("--before-id", flags->query.before_id,
                            "Only passages with a smaller id, for paging");
    } else {
        command
            ->add_option("--days", flags->retention_days,
                         "Set the retention period in days before purging (default 180)")
            ->check(CLI::Range(1, 36500));
    }
    command->callback([flags, exit_code, body, name] {
        Result<std::unique_ptr<AccessCore>> core = OpenCore(flags->data);
        Result<nlohmann::json> out =
            core.ok() ? body(**core, *flags) : Result<nlohmann::json>(core.status());
        if (!out.ok()) {
            *exit_code = ReportError("passages " + name, out.status());
            return;
        }
        PrintJson(*out);
        *exit_code = 0;
    });
}

}  // namespace

void AddPassageCommands(CLI::App& app, int* exit_code) {
    CLI::App* group = app.add_subcommand("passages", "Read and purge the passage log");
    group->require_subcommand(1);
    AddPassageCommand(group, "list", "List passages, newest first, as a JSON array",
                      std::make_shared<PassageFlags>(), exit_code, ListPassages);
    AddPassageCommand(group, "purge", "Delete passages older than the retention period",
                      std::make_shared<PassageFlags>(), exit_code, PurgePassages);
}

}  // namespace menjin::cli
