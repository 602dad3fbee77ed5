// `menjin demo` runs the main job end to end on a folder of real photos laid out as
// identities/<id>/<n>.<ext> and distractors/<id>/<n>.<ext>:
//
//  1. two estates, each with an entry gate;
//  2. every identity enrolled from its first photo that passes the enrolment gate: most as
//     residents of one estate, every kCourierEvery-th as a verified courier of both, and one
//     courier whose validity has already ended;
//  3. every other photo of an enrolled identity through a gate of the right estate, and every
//     kOtherEstateEvery-th resident probe also through the other estate;
//  4. every stranger through both gates;
//  5. one resident moved out and probed again.
//
// Each decision is printed as a JSON line, then one summary line.

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "cli/core_setup.h"
#include "cli/json_output.h"
#include "domain/record_json.h"
#include "service/gate_outcome_json.h"

namespace menjin::cli {

namespace {

namespace fs = std::filesystem;

constexpr int kCourierEvery = 25;
constexpr int kOtherEstateEvery = 5;
constexpr UnixSeconds kDay = 86400;

struct DemoFlags {
    DataFlags data;
    std::string faces_dir = MENJIN_DEFAULT_FACES_DIR;
    std::string mode = "default";
    bool keep = false;
};

enum class ProbeKind { kGenuine, kOtherEstate, kStranger, kExpiredCourier, kMovedOut };

const char* ProbeKindName(ProbeKind kind) {
    switch (kind) {
        case ProbeKind::kGenuine:
            return "genuine";
        case ProbeKind::kOtherEstate:
            return "other_estate";
        case ProbeKind::kStranger:
            return "stranger";
        case ProbeKind::kExpiredCourier:
            return "expired_courier";
        case ProbeKind::kMovedOut:
            return "moved_out";
    }
    return "unknown";
}

struct Identity {
    std::string id;
    std::vector<fs::path> photos;
    std::string estate_id;  // residents: their estate; couriers: empty (both)
    bool courier = false;
    bool expired = false;
    std::optional<std::size_t> enrolled_photo;  // index into photos
};

struct Tally {
    int genuine = 0, genuine_granted = 0, wrong_person = 0, genuine_retry = 0;
    int strangers = 0, stranger_granted = 0;
    int other_estate = 0, other_estate_granted = 0;
    int expired = 0, expired_granted = 0;
    int moved_out = 0, moved_out_granted = 0;
    int probes = 0, retries = 0;
    int enrolled = 0, enrol_fallbacks = 0, enrol_failed = 0;
};

std::vector<Identity> ListIdentities(const fs::path& folder) {
    std::vector<Identity> identities;
    if (!fs::is_directory(folder))
        return identities;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (!entry.is_directory())
            continue;
        Identity identity{entry.path().filename().string(), {}, "", false, false, std::nullopt};
        for (const auto& file : fs::directory_iterator(entry.path())) {
            if (file.is_regular_file())
                identity.photos.push_back(file.path());
        }
        std::sort(identity.photos.begin(), identity.photos.end());
        if (!identity.photos.empty())
            identities.push_back(std::move(identity));
    }
    std::sort(identities.begin(), identities.end(),
              [](const Identity& a, const Identity& b) { return a.id < b.id; });
    return identities;
}

Result<std::vector<std::uint8_t>> ReadBytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return NotFound("cannot open '" + path.string() + "'");
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

Status BuildEstates(AccessCore& core) {
    for (const char* id : {"estate-a", "estate-b"}) {
        Estate estate;
        estate.id = id;
        estate.name = std::string("Demo ") + id;
        MENJIN_RETURN_IF_ERROR(core.AddEstate(estate));
        Gate gate;
        gate.id = std::string("gate-") + (id + 7);
        gate.estate_id = id;
        gate.name = "Main entrance";
        gate.direction = GateDirection::kEntry;
        MENJIN_RETURN_IF_ERROR(core.AddGate(gate));
    }
    ServiceCompany company;
    company.id = "courier-co";
    company.name = "Demo Express";
    company.contact_name = "Dispatch desk";
    return core.AddCompany(company);
}

// Adds the identity as a person without a photo-dependent step, so the enrolment below can
// retry with the next photo.
Status AddIdentity(AccessCore& core, const Identity& identity, UnixSeconds now) {
    Person person;
    person.id = identity.id;
    person.name = "Person " + identity.id;
    if (!identity.courier) {
        Unit unit;
        unit.id = "unit-" + identity.id;
        unit.estate_id = identity.estate_id;
        unit.building = "1";
        unit.number = identity.id;
        MENJIN_RETURN_IF_ERROR(core.AddUnitWithHousehold(unit, ""));
        person.household_id = unit.id;
        return core.AddResident(person, 3650);
    }
    person.role = PersonRole::kServiceStaff;
    MENJIN_RETURN_IF_ERROR(core.AddPerson(person));
    ServiceStaff staff;
    staff.person_id = identity.id;
    staff.company_id = "courier-co";
    staff.verified_by = "demo-operator";
    staff.verified_at = now - 40 * kDay;
    staff.verified_contact = "Dispatch desk";
    staff.valid_from = now - 30 * kDay;
    staff.valid_to = identity.expired ? now - kDay : now + 90 * kDay;
    staff.estate_ids = {"estate-a", "estate-b"};
    return core.AddServiceStaffWithGrants(staff);
}

Status EnrolIdentity(AccessCore& core, Identity& identity, Tally& tally) {
    for (std::size_t i = 0; i < identity.photos.size(); ++i) {
        MENJIN_ASSIGN_OR_RETURN(std::vector<std::uint8_t> bytes, ReadBytes(identity.photos[i]));
        Result<EnrolmentResult> result = core.Enrol(identity.id, bytes);
        if (!result.ok()) {
            // An undecodable file is skipped like a rejected photo.
            if (result.status().code() == ErrorCode::kUnprocessable)
                continue;
            return result.status();
        }
        if (result->accepted) {
            identity.enrolled_photo = i;
            ++tally.enrolled;
            if (i > 0)
                ++tally.enrol_fallbacks;
            return Status::Ok();
        }
    }
    ++tally.enrol_failed;
    return Status::Ok();
}

void Count(Tally& t, ProbeKind kind, const std::string& expected, const GateOutcome& outcome) {
    const bool granted = outcome.decision.band == DecisionBand::kGrant;
    const bool retry = outcome.decision.band == DecisionBand::kRetry;
    ++t.probes;
    t.retries += retry;
    switch (kind) {
        case ProbeKind::kGenuine:
            ++t.genuine;
            t.genuine_retry += retry;
            if (granted && outcome.decision.person_id == expected)
                ++t.genuine_granted;
            if (granted && outcome.decision.person_id != expected)
                ++t.wrong_person;
            break;
        case ProbeKind::kOtherEstate:
            ++t.other_estate;
            t.other_estate_granted += granted;
            break;
        case ProbeKind::kStranger:
            ++t.strangers;
            t.stranger_granted += granted;
            break;
        case ProbeKind::kExpiredCourier:
            ++t.expired;
            t.expired_granted += granted;
            break;
        case ProbeKind::kMovedOut:
            ++t.moved_out;
            t.moved_out_granted += granted;
            break;
    }
}

Status Probe(AccessCore& core, const fs::path& photo, const fs::path& root, const std::string& gate,
             ProbeKind kind, const std::string& expected, Tally& tally) {
    MENJIN_ASSIGN_OR_RETURN(std::vector<std::uint8_t> bytes, ReadBytes(photo));
    Result<GateOutcome> outcome = core.DecideFaces(gate, {bytes});
    nlohmann::json line = {
        {"probe", ProbeKindName(kind)},
        {"file", fs::relative(photo, root).string()},
        {"expected_person", expected.empty() ? nlohmann::json(nullptr) : nlohmann::json(expected)}};
    if (!outcome.ok()) {
        if (outcome.status().code() != ErrorCode::kUnprocessable)
            return outcome.status();
        line["error"] = outcome.status().message();  // broken file: no decision
        PrintJson(line);
        return Status::Ok();
    }
    line.update(GateOutcomeToJson(*outcome));
    line["person_id"] = outcome->decision.person_id;
    Count(tally, kind, expected, *outcome);
    PrintJson(line);
    return Status::Ok();
}

std::string GateOf(const std::string& estate_id) {
    return estate_id == "estate-a" ? "gate-a" : "gate-b";
}

std::string OtherEstate(const std::string& estate_id) {
    return estate_id == "estate-a" ? "estate-b" : "estate-a";
}

Status ProbeIdentities(AccessCore& core, const std::vector<Identity>& identities,
                       const fs::path& root, Tally& tally) {
    int resident_probe = 0;
    for (const Identity& identity : identities) {
        if (!identity.enrolled_photo)
            continue;
        for (std::size_t i = 0; i < identity.photos.size(); ++i) {
            if (i == *identity.enrolled_photo)
                continue;
            const fs::path& photo = identity.photos[i];
            if (identity.expired) {
                for (const char* gate : {"gate-a", "gate-b"}) {
                    MENJIN_RETURN_IF_ERROR(Probe(core, photo, root, gate,
                                                 ProbeKind::kExpiredCourier, identity.id, tally));
                }
            } else if (identity.courier) {
                for (const char* gate : {"gate-a", "gate-b"}) {
                    MENJIN_RETURN_IF_ERROR(
                        Probe(core, photo, root, gate, ProbeKind::kGenuine, identity.id, tally));
                }
            } else {
                MENJIN_RETURN_IF_ERROR(Probe(core, photo, root, GateOf(identity.estate_id),
                                             ProbeKind::kGenuine, identity.id, tally));
                if (++resident_probe % kOtherEstateEvery == 0) {
                    MENJIN_RETURN_IF_ERROR(Probe(core, photo, root,
                                                 GateOf(OtherEstate(identity.estate_id)),
                                                 ProbeKind::kOtherEstate, identity.id, tally));
                }
            }
        }
    }
    return Status::Ok();
}

Status ProbeStrangers(AccessCore& core, const fs::path& root, Tally& tally) {
    for (const Identity& stranger : ListIdentities(root / "distractors")) {
        for (const fs::path& photo : stranger.photos) {
            for (const char* gate : {"gate-a", "gate-b"}) {
                MENJIN_RETURN_IF_ERROR(
                    Probe(core, photo, root, gate, ProbeKind::kStranger, "", tally));
            }
        }
    }
    return Status::Ok();
}

// Moves out the first resident with at least two probe photos and probes them again.
Status MoveOutAndProbe(AccessCore& core, const std::vector<Identity>& identities,
                       const fs::path& root, Tally& tally, nlohmann::json& receipt_json) {
    for (const Identity& identity : identities) {
        if (identity.courier || !identity.enrolled_photo || identity.photos.size() < 3)
            continue;
        MENJIN_ASSIGN_OR_RETURN(DeletionReceipt receipt, core.MoveOut(identity.id, "demo"));
        receipt_json = ToJson(receipt);
        for (const fs::path& photo : identity.photos) {
            MENJIN_RETURN_IF_ERROR(Probe(core, photo, root, GateOf(identity.estate_id),
                                         ProbeKind::kMovedOut, identity.id, tally));
        }
        return Status::Ok();
    }
    return Status::Ok();
}

double Rate(int part, int whole) {
    return whole == 0 ? 0.0 : Round(double(part) / whole, 4);
}

nlohmann::json Summary(const Tally& t, const nlohmann::json& receipt) {
    return {{"summary", true},
            {"enrolled", t.enrolled},
            {"enrolment_fallbacks", t.enrol_fallbacks},
            {"not_enrolled", t.enrol_failed},
            {"genuine_probes", t.genuine},
            {"genuine_granted_rate", Rate(t.genuine_granted, t.genuine)},
            {"genuine_retry_rate", Rate(t.genuine_retry, t.genuine)},
            {"wrong_person_grants", t.wrong_person},
            {"stranger_probes", t.strangers},
            {"stranger_grant_rate", Rate(t.stranger_granted, t.strangers)},
            {"other_estate_probes", t.other_estate},
            {"other_estate_grants", t.other_estate_granted},
            {"expired_probes", t.expired},
            {"expired_grants", t.expired_granted},
            {"moved_out_probes", t.moved_out},
            {"moved_out_grants", t.moved_out_granted},
            {"retry_rate", Rate(t.retries, t.probes)},
            {"deletion_receipt", receipt}};
}

Status RunDemoSteps(AccessCore& core, const fs::path& root, Tally& tally, nlohmann::json& receipt) {
    MENJIN_RETURN_IF_ERROR(BuildEstates(core));
    std::vector<Identity> identities = ListIdentities(root / "identities");
    if (identities.empty()) {
        return NotFound("demo: no identities/<id>/ photo folders under '" + root.string() + "'");
    }
    const UnixSeconds now = core.clock().Now();
    int residents = 0;
    for (std::size_t i = 0; i < identities.size(); ++i) {
        Identity& identity = identities[i];
        identity.courier = (i + 1) % kCourierEvery == 0;
        identity.expired = i + 1 == static_cast<std::size_t>(kCourierEvery);
        if (!identity.courier)
            identity.estate_id = residents++ % 2 == 0 ? "estate-a" : "estate-b";
        MENJIN_RETURN_IF_ERROR(AddIdentity(core, identity, now));
        MENJIN_RETURN_IF_ERROR(EnrolIdentity(core, identity, tally));
    }
    MENJIN_RETURN_IF_ERROR(ProbeIdentities(core, identities, root, tally));
    MENJIN_RETURN_IF_ERROR(ProbeStrangers(core, root, tally));
    return MoveOutAndProbe(core, identities, root, tally, receipt);
}

int RunDemo(DemoFlags flags) {
    const fs::path root = flags.faces_dir;
    if (!fs::is_directory(root / "identities")) {
        std::cerr << "menjin demo: '" << root.string()
                  << "' has no identities/ folder: pass --faces DIR\n";
        return 2;
    }
    bool temporary = false;
    if (flags.data.data_dir.empty()) {
        char pattern[] = "/tmp/menjin-demo-XXXXXX";
        if (mkdtemp(pattern) == nullptr) {
            std::cerr << "menjin demo: cannot create a temporary data folder\n";
            return 2;
        }
        flags.data.data_dir = pattern;
        temporary = !flags.keep;
    }
    Status init = AccessCore::InitDataDir(flags.data.data_dir, *ParseRecognitionMode(flags.mode));
    Result<std::unique_ptr<AccessCore>> core =
        init.ok() ? OpenCore(flags.data) : Result<std::unique_ptr<AccessCore>>(init);
    if (!core.ok())
        return ReportError("demo", core.status());
    Tally tally;
    nlohmann::json receipt = nullptr;
    Status status = RunDemoSteps(**core, root, tally, receipt);
    core->reset();
    if (temporary)
        fs::remove_all(flags.data.data_dir);
    if (!status.ok())
        return ReportError("demo", status);
    PrintJson(Summary(tally, receipt));
    return 0;
}

}  // namespace

void AddDemoCommand(CLI::App& app, int* exit_code) {
    auto flags = std::make_shared<DemoFlags>();
    CLI::App* command = app.add_subcommand(
        "demo", "Run the access core end to end on a folder of real photos; prints JSON lines");
    command->add_option("--faces", flags->faces_dir,
                        "Folder with identities/<id>/ and distractors/<id>/ photos");
    command->add_option("--data", flags->data.data_dir,
                        "Data folder to use (must be new; default: a temporary folder)");
    command->add_option("--models", flags->data.models_dir, "Model folder (as for detect)");
    command->add_option("--range", flags->data.range, "Detector range: full or short")
        ->check(CLI::IsMember({"full", "short"}));
    command->add_option("--mode", flags->mode, "Recognition mode: default or accurate")
        ->check(CLI::IsMember({"default", "accurate"}));
    command->add_flag("--keep", flags->keep, "Keep the temporary data folder");
    command->callback([flags, exit_code] { *exit_code = RunDemo(*flags); });
}

}  // namespace menjin::cli
