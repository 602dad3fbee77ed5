// `menjin init` and the commands that add and list estates, gates, units, households,
// people, service companies, service staff, grants and alternative credentials.

#include <iostream>

#include "cli/commands.h"
#include "cli/core_setup.h"
#include "common/local_time.h"
#include "domain/record_json.h"
#include "domain/schedule_text.h"
#include "server/audit_log.h"

namespace menjin::cli {

namespace {

// Adds a subcommand whose callback opens the core and runs `body`, which returns the JSON to
// print or an error. Keeps every command's error handling in one place.
template <typename Flags>
CLI::App* AddCoreCommand(CLI::App* parent, const std::string& name, const std::string& help,
                         std::shared_ptr<Flags> flags, int* exit_code,
                         std::function<Result<nlohmann::json>(AccessCore&, const Flags&)> body) {
    CLI::App* command = parent->add_subcommand(name, help);
    AddDataFlags(command, &flags->data);
    const std::string label = parent->get_name().empty() ? name : parent->get_name() + " " + name;
    command->callback([flags, exit_code, body, label] {
        Result<std::unique_ptr<AccessCore>> core = OpenCore(flags->data);
        if (!core.ok()) {
            *exit_code = ReportError(label, core.status());
            return;
        }
        Result<nlohmann::json> out = body(**core, *flags);
        if (!out.ok()) {
            *exit_code = ReportError(label, out.status());
            return;
        }
        PrintJson(*out);
        *exit_code = 0;
    });
    return command;
}

struct EstateFlags {
    DataFlags data;
    Estate estate;
};

void AddEstateCommands(CLI::App& app, int* exit_code) {
    CLI::App* group = app.add_subcommand("estate", "Add and list estates");
    group->require_subcommand(1);
    auto flags = std::make_shared<EstateFlags>();
    CLI::App* add = AddCoreCommand<EstateFlags>(
        group, "add", "Add an estate", flags, exit_code,
        [](AccessCore& core, const EstateFlags& f) -> Result<nlohmann::json> {
            MENJIN_RETURN_IF_ERROR(core.AddEstate(f.estate));
            return ToJson(f.estate);
        });
    add->add_option("--id", flags->estate.id, "Estate id")->required();
    add->add_option("--name", flags->estate.name, "Estate name")->required();
    add->add_option("--timezone", flags->estate.timezone, "IANA time zone of the estate");
    add->add_option("--fpir", flags->estate.target_fpir,
                    "Target false-positive identification rate of a gate search (0.003 = 0.3%)");
    add->add_option("--margin", flags->estate.min_margin,
                    "Minimum score gap to the best different person for a grant");
    add->add_option("--welfare-days", flags->estate.welfare_days,
                    "Days without a passage before a welfare alert");

    auto list_flags = std::make_shared<EstateFlags>();
    AddCoreCommand<EstateFlags>(group, "list", "List estates", list_flags, exit_code,
                                [](AccessCore& core, const EstateFlags&) -> Result<nlohmann::json> {
                                    MENJIN_ASSIGN_OR_RETURN(auto estates,
                                                            core.store().ListEstates());
                                    nlohmann::json out = nlohmann::json::array();
                                    for (const Estate& e : estates)
                                        out.push_back(ToJson(e));
                                    return out;
                                });
}

struct GateFlags {
    DataFlags data;
    Gate gate;
    std::string direction = "both";
};

void AddGateCommands(CLI::App& app, int* exit_code) {
    CLI::App* group = app.add_subcommand("gate", "Add and list gates");
    group->require_subcommand(1);
    auto flags = std::make_shared<GateFlags>();
    CLI::App* add = AddCoreCommand<GateFlags>(
        group, "add", "Add a gate to an estate", flags, exit_code,
        [](AccessCore& core, const GateFlags& f) -> Result<nlohmann::json> {
            Gate gate = f.gate;
            gate.direction = *ParseGateDirection(f.direction);
            MENJIN_RETURN_IF_ERROR(core.AddGate(gate));
            return ToJson(gate);
        });
    add->add_option("--id", flags->gate.id, "Gate id")->required();
    add->add_option("--estate", flags->gate.estate_id, "Estate id")->required();
    add->add_option("--name", flags->gate.name, "Gate name");
    add->add_option("--direction", flags->direction, "entry, exit or both")
        ->check(CLI::IsMember({"entry", "exit", "both"}));

    auto list_flags = std::make_shared<GateFlags>();
    CLI::App* list = AddCoreCommand<GateFlags>(
        group, "list", "List the gates of an estate", list_flags, exit_code,
        [](AccessCore& core, const GateFlags& f) -> Result<nlohmann::json> {
            MENJIN_ASSIGN_OR_RETURN(auto gates, core.store().ListGates(f.gate.estate_id));
            nlohmann::json out = nlohmann::json::array();
            for (const Gate& g : gates)
                out.push_back(ToJson(g));
            return out;
        });
    list->add_option("--estate", list_flags->gate.estate_id, "Estate id")->required();
}

struct UnitFlags {
    DataFlags data;
    Unit unit;
    std::string household_id;
};

void AddUnitCommands(CLI::App& app, int* exit_code) {
    CLI::App* group = app.add_subcommand("unit", "Add units (a unit gets its household)");
    group->require_subcommand(1);
    auto flags = std::make_shared<UnitFlags>();
    CLI::App* add = AddCoreCommand<UnitFlags>(
        group, "add", "Add a unit and its (empty) household", flags, exit_code,
        [](AccessCore& core, const UnitFlags& f) -> Result<nlohmann::json> {
            MENJIN_RETURN_IF_ERROR(core.AddUnitWithHousehold(f.unit, f.household_id));
            MENJIN_ASSIGN_OR_RETURN(auto household, core.store().FindHouseholdOfUnit(f.unit.id));
            return nlohmann::json{{"unit", ToJson(f.unit)}, {"household", ToJson(*household)}};
        });
    add->add_option("--id", flags->unit.id, "Unit id")->required();
    add->add_option("--estate", flags->unit.estate_id, "Estate id")->required();
    add->add_option("--building", flags->unit.building, "Building")->required();
    add->add_option("--number", flags->unit.number, "Unit number in the building")->required();
    add->add_option("--address", flags->unit.address, "Postal address");
    add->add_option("--household", flags->household_id, "Household id (default: the unit id)");
}

struct PersonFlags {
    DataFlags data;
    Person person;
    std::string role = "tenant";
    std::string household_id;
    std::string id;
    int grant_days = 3650;
    std::string operator_id = "cli";
};

Result<nlohmann::json> AddPersonBody(AccessCore& core, const PersonFlags& f) {
    Person person = f.person;
    person.role = *ParsePersonRole(f.role);
    if (!f.household_id.empty())
        person.household_id = f.household_id;
    if (person.role == PersonRole::kServiceStaff) {
        MENJIN_RETURN_IF_ERROR(core.AddPerson(person));
    } else {
        MENJIN_RETURN_IF_ERROR(core.AddResident(person, f.grant_days));
    }
    MENJIN_ASSIGN_OR_RETURN(Person stored, core.store().GetPerson(person.id));
    return ToJson(stored);
}

void AddPersonCommands(CLI::App& app, int* exit_code) {
    CLI::App* group = app.add_subcommand("person", "Add, show and list people; move-out");
    group->require_subcommand(1);
    auto flags = std::make_shared<PersonFlags>();
    CLI::App* add = AddCoreCommand<PersonFlags>(
        group, "add", "Add a person. Tenants and family members get a grant for their estate",
        flags, exit_code, AddPersonBody);
    add->add_option("--id", flags->person.id, "Person id")->required();
    add->add_option("--name", flags->person.name, "Full name")->required();
    add->add_option("--role", flags->role, "tenant, family_member or service_staff")
        ->check(CLI::IsMember({"tenant", "family_member", "service_staff"}));
    add->add_option("--household", flags->household_id, "Household id (residents)");
    add->add_option("--birth-year", flags->person.birth_year, "Year of birth");
    add->add_option("--phone", flags->person.phone, "Contact phone");
    add->add_option("--grant-days", flags->grant_days,
                    "Days a resident's grant for their estate lasts from today")
        ->check(CLI::Range(1, 36500));

    auto show_flags = std::make_shared<PersonFlags>();
    CLI::App* show = AddCoreCommand<PersonFlags>(
        group, "show", "Show a person with grants and credentials", show_flags, exit_code,
        [](AccessCore& core, const PersonFlags& f) -> Result<nlohmann::json> {
            MENJIN_ASSIGN_OR_RETURN(Person person, core.store().GetPerson(f.id));
            MENJIN_ASSIGN_OR_RETURN(auto grants, core.store().ListGrantsOfPerson(f.id));
            MENJIN_ASSIGN_OR_RETURN(auto credentials, core.store().ListAltCredentials(f.id));
            MENJIN_ASSIGN_OR_RETURN(auto templates, core.store().ListTemplatesOfPerson(f.id));
            nlohmann::json out = ToJson(person);
            out["grants"] = nlohmann::json::array();
            for (const AccessGrant& g : grants)
                out["grants"].push_back(ToJson(g));
            out["credentials"] = nlohmann::json::array();
            for (const AltCredential& c : credentials)
                out["credentials"].push_back(ToJson(c));
            out["face_templates"] = templates.size();
            return out;
        });
    show->add_option("--id", show_flags->id, "Person id")->required();

    auto out_flags = std::make_shared<PersonFlags>();
    CLI::App* move_out = AddCoreCommand<PersonFlags>(
        group, "move-out",
        "Erase a person's personal and biometric data and print the deletion receipt", out_flags,
        exit_code, [](AccessCore& core, const PersonFlags& f) -> Result<nlohmann::json> {
            MENJIN_ASSIGN_OR_RETURN(DeletionReceipt receipt, core.MoveOut(f.id, f.operator_id));
            // Every move-out is audited, also those run from the command line.
            AuditLog audit(core.store(), core.clock());
            MENJIN_RETURN_IF_ERROR(audit.Record(
                AuditEvent{f.operator_id, "cli", "person.move_out", "person", f.id, "local"}));
            return ToJson(receipt);
        });
    move_out->add_option("--id", out_flags->id, "Person id")->required();
    move_out->add_option("--operator", out_flags->operator_id, "Who performs the move-out");
}

struct CompanyFlags {
    DataFlags data;
    ServiceCompany company;
    std::string kind = "courier";
};

void AddCompanyCommands(CLI::App& app, int* exit_code) {
    CLI::App* group = app.add_subcommand("company", "Add service companies");
    group->require_subcommand(1);
    auto flags = std::make_shared<CompanyFlags>();
    CLI::App* add = AddCoreCommand<CompanyFlags>(
        group, "add", "Add a courier or delivery company", flags, exit_code,
        [](AccessCore& core, const CompanyFlags& f) -> Result<nlohmann::json> {
            ServiceCompany company = f.company;
            company.kind = *ParseCompanyKind(f.kind);
            MENJIN_RETURN_IF_ERROR(core.AddCompany(company));
            return ToJson(company);
        });
    add->add_option("--id", flags->company.id, "Company id")->required();
    add->add_option("--name", flags->company.name, "Company name")->required();
    add->add_option("--kind", flags->kind, "courier, food_delivery or other")
        ->check(CLI::IsMember({"courier", "food_delivery", "other"}));
    add->add_option("--contact-name", flags->company.contact_name,
                    "Company contact who confirms staff identities")
        ->required();
    add->add_option("--contact-phone", flags->company.contact_phone, "Contact phone");
}

struct StaffFlags {
    DataFlags data;
    ServiceStaff staff;
    std::string estates, valid_from, valid_to, verified_at;
};

Result<nlohmann::json> AddStaffBody(AccessCore& core, const StaffFlags& f) {
    ServiceStaff staff = f.staff;
    staff.estate_ids = SplitCommas(f.estates);
    const UnixSeconds now = core.clock().Now();
    MENJIN_ASSIGN_OR_RETURN(staff.verified_at, ParseTimeFlag(f.verified_at, now, "verified_at"));
    MENJIN_ASSIGN_OR_RETURN(staff.valid_from, ParseTimeFlag(f.valid_from, now, "valid_from"));
    MENJIN_ASSIGN_OR_RETURN(staff.valid_to, ParseTimeFlag(f.valid_to, 0, "valid_to"));
    MENJIN_RETURN_IF_ERROR(core.AddServiceStaffWithGrants(staff));
    return ToJson(staff);
}

void AddStaffCommands(CLI::App& app, int* exit_code) {
    CLI::App* group = app.add_subcommand("staff", "Record verified couriers and delivery staff");
    group->require_subcommand(1);
    auto flags = std::make_shared<StaffFlags>();
    CLI::App* add = AddCoreCommand<StaffFlags>(
        group, "add",
        "Record that a company confirmed a staff member, and grant the estates served", flags,
        exit_code, AddStaffBody);
    add->add_option("--person", flags->staff.person_id, "Person id (role service_staff)")
        ->required();
    add->add_option("--company", flags->staff.company_id, "Company id")->required();
    add->add_option("--verified-by", flags->staff.verified_by, "Operator who verified")->required();
    add->add_option("--verified-contact", flags->staff.verified_contact,
                    "Company contact who confirmed the identity")
        ->required();
    add->add_option("--verified-at", flags->verified_at, "When (UTC; default now)");
    add->add_option("--valid-from", flags->valid_from, "Start of validity (UTC; default now)");
    add->add_option("--valid-to", flags->valid_to, "End of validity (UTC)")->required();
    add->add_option("--estates", flags->estates, "Estates served, comma-separated")->required();
}

struct GrantFlags {
    DataFlags data;
    AccessGrant grant;
    std::string valid_from, valid_to, schedule;
};

void AddGrantCommands(CLI::App& app, int* exit_code) {
    CLI::App* group = app.add_subcommand("grant", "Add and remove access grants");
    group->require_subcommand(1);
    auto flags = std::make_shared<GrantFlags>();
    CLI::App* add = AddCoreCommand<GrantFlags>(
        group, "add", "Grant a person access to an estate", flags, exit_code,
        [](AccessCore& core, const GrantFlags& f) -> Result<nlohmann::json> {
            AccessGrant grant = f.grant;
            const UnixSeconds now = core.clock().Now();
            MENJIN_ASSIGN_OR_RETURN(grant.valid_from, ParseTimeFlag(f.valid_from, now, "from"));
            MENJIN_ASSIGN_OR_RETURN(grant.valid_to, ParseTimeFlag(f.valid_to, 0, "to"));
            MENJIN_ASSIGN_OR_RETURN(grant.schedule, ParseWeeklySchedule(f.schedule));
            MENJIN_RETURN_IF_ERROR(core.AddGrant(grant));
            return ToJson(grant);
        });
    add->add_option("--id", flags->grant.id, "Grant id")->required();
    add->add_option("--person", flags->grant.person_id, "Person id")->required();
    add->add_option("--estate", flags->grant.estate_id, "Estate id")->required();
    add->add_option("--from", flags->valid_from, "Start (UTC; default now)");
    add->add_option("--to", flags->valid_to, "End, exclusive (UTC)")->required();
    add->add_option("--schedule", flags->schedule,
                    "Weekly hours in estate time, e.g. 'mon-fri 07:00-22:00; sat 09:00-12:00'");

    auto remove_flags = std::make_shared<GrantFlags>();
    CLI::App* remove = AddCoreCommand<GrantFlags>(
        group, "remove", "Remove a grant", remove_flags, exit_code,
        [](AccessCore& core, const GrantFlags& f) -> Result<nlohmann::json> {
            MENJIN_RETURN_IF_ERROR(core.RemoveGrant(f.grant.id));
            return nlohmann::json{{"removed", f.grant.id}};
        });
    remove->add_option("--id", remove_flags->grant.id, "Grant id")->required();
}

struct CredentialFlags {
    DataFlags data;
    std::string person_id, kind = "card", secret;
};

void AddCredentialCommands(CLI::App& app, int* exit_code) {
    CLI::App* group = app.add_subcommand("credential", "Issue cards, PINs and QR tokens");
    group->require_subcommand(1);
    auto flags = std::make_shared<CredentialFlags>();
    CLI::App* add = AddCoreCommand<CredentialFlags>(
        group, "add", "Issue an alternative credential to a person who refuses face recognition",
        flags, exit_code, [](AccessCore& core, const CredentialFlags& f) -> Result<nlohmann::json> {
            MENJIN_ASSIGN_OR_RETURN(
                AltCredential credential,
                core.AddAltCredential(f.person_id, *ParseCredentialKind(f.kind), f.secret));
            return ToJson(credential);
        });
    add->add_option("--person", flags->person_id, "Person id")->required();
    add->add_option("--kind", flags->kind, "card, pin or qr")
        ->check(CLI::IsMember({"card", "pin", "qr"}));
    add->add_option("--secret", flags->secret,
                    "Card number, PIN (6+ digits) or QR token; only a keyed hash is stored")
        ->required();
}

}  // namespace

void AddInitCommand(CLI::App& app, int* exit_code) {
    auto data_dir = std::make_shared<std::string>();
    auto mode = std::make_shared<std::string>("default");
    CLI::App* command = app.add_subcommand(
        "init", "Create a data folder: encrypted database and key file (mode 0600)");
    command->add_option("--data", *data_dir, "Data folder to create")->required();
    command
        ->add_option("--mode", *mode,
                     "Recognition mode of this folder: default or accurate (fixed for life)")
        ->check(CLI::IsMember({"default", "accurate"}));
    command->callback([data_dir, mode, exit_code] {
        Status status = AccessCore::InitDataDir(*data_dir, *ParseRecognitionMode(*mode));
        if (!status.ok()) {
            *exit_code = ReportError("init", status);
            return;
        }
        PrintJson({{"data", *data_dir},
                   {"mode", *mode},
                   {"database", DatabasePath(*data_dir)},
                   {"key_file", KeyFilePath(*data_dir)}});
        *exit_code = 0;
    });
}

void AddDirectoryCommands(CLI::App& app, int* exit_code) {
    AddEstateCommands(app, exit_code);
    AddGateCommands(app, exit_code);
    AddUnitCommands(app, exit_code);
    AddPersonCommands(app, exit_code);
    AddCompanyCommands(app, exit_code);
    AddStaffCommands(app, exit_code);
    AddGrantCommands(app, exit_code);
    AddCredentialCommands(app, exit_code);
}

}  // namespace menjin::cli
