#pragma once

// Plain records of the access-control domain, shared by storage, the access core and the
// service. They hold no behaviour beyond small helpers and do no I/O.
//
// Conventions: ids are short strings chosen by the caller or generated (see IsValidId);
// instants are Unix seconds (UTC) in std::int64_t; every mutable record carries a `version`
// that increases by one on each update and is checked to detect concurrent edits.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace menjin {

using UnixSeconds = std::int64_t;

// Returns true when `id` is 1 to 64 characters of ASCII letters, digits, '-', '_' or '.'.
bool IsValidId(const std::string& id);

enum class GateDirection { kEntry, kExit, kBoth };
const char* GateDirectionName(GateDirection direction);
std::optional<GateDirection> ParseGateDirection(const std::string& text);

enum class PersonRole { kTenant, kFamilyMember, kServiceStaff };
const char* PersonRoleName(PersonRole role);
std::optional<PersonRole> ParsePersonRole(const std::string& text);

struct Estate {
    std::string id;
    std::string name;
    // IANA time zone of the estate, e.g. "Asia/Shanghai"; schedules and reports use it.
    std::string timezone = "Asia/Shanghai";
    // Target false-positive identification rate of a gate search, e.g. 0.003 for 0.3%.
    double target_fpir = 0.003;
    // Minimum gap between the best and the best different person's score for a grant, in
    // the pipeline's score units.
    double min_margin = 0.05;
    // Days a resident may go unseen before a welfare alert (issue of the welfare module).
    int welfare_days = 3;
    std::int64_t version = 1;
};

struct Gate {
    std::string id;
    std::string estate_id;
    std::string name;
    GateDirection direction = GateDirection::kBoth;
    std::int64_t version = 1;
};

// A dwelling. The address lives here and nowhere else, so person records carry no address.
struct Unit {
    std::string id;
    std::string estate_id;
    std::string building;
    std::string number;
    std::string address;
    std::int64_t version = 1;
};

// The household living in a unit: one registered tenant and the family members with them.
struct Household {
    std::string id;
    std::string unit_id;
    std::optional<std::string> tenant_person_id;
    std::int64_t version = 1;
};

// Minimal personal data: name, birth year and a contact phone.
struct Person {
    std::string id;
    std::string name;
    int birth_year = 0;  // 0 when unknown
    std::string phone;
    PersonRole role = PersonRole::kTenant;
    // The household for tenants and family members; empty for service staff.
    std::optional<std::string> household_id;
    // Residents who asked, or whose family asked, to be watched get their own welfare period.
    std::optional<int> welfare_days;
    UnixSeconds created_at = 0;
    std::int64_t version = 1;
};

enum class CompanyKind { kCourier, kFoodDelivery, kOther };
const char* CompanyKindName(CompanyKind kind);
std::optional<CompanyKind> ParseCompanyKind(const std::string& text);

struct ServiceCompany {
    std::string id;
    std::string name;
    CompanyKind kind = CompanyKind::kCourier;
    // Who at the company confirms staff identities, and how to reach them.
    std::string contact_name;
    std::string contact_phone;
    std::int64_t version = 1;
};

// A courier or delivery worker. They may be granted access only after `verified_by` has
// recorded that the company confirmed who they are, and only inside the validity window.
struct ServiceStaff {
    std::string person_id;
    std::string company_id;
    std::string verified_by;  // operator who recorded the verification
    UnixSeconds verified_at = 0;
    std::string verified_contact;  // the company contact who confirmed the identity
    UnixSeconds valid_from = 0;
    UnixSeconds valid_to = 0;
    std::vector<std::string> estate_ids;  // estates served
    std::int64_t version = 1;
};

// Weekly opening hours of a grant in the estate's local time: for each day (0 = Monday) a
// list of [start, end) minute ranges since midnight. An empty schedule means always.
struct WeeklySchedule {
    struct Range {
        int start_minute = 0;
        int end_minute = 24 * 60;
    };
    std::array<std::vector<Range>, 7> days;

    bool IsAlways() const;
    // Returns true when minute `minute_of_day` of day `weekday` (0 = Monday) is inside.
    bool Allows(int weekday, int minute_of_day) const;
};

struct AccessGrant {
    std::string id;
    std::string person_id;
    std::string estate_id;
    UnixSeconds valid_from = 0;
    UnixSeconds valid_to = 0;  // exclusive
    WeeklySchedule schedule;
    std::int64_t version = 1;
};

enum class CredentialKind { kCard, kPin, kQrToken };
const char* CredentialKindName(CredentialKind kind);
std::optional<CredentialKind> ParseCredentialKind(const std::string& text);

// An alternative credential for people who do not use face recognition. Only a keyed hash of
// the secret is stored, so the store cannot give the card number, PIN or token back.
struct AltCredential {
    std::string id;
    std::string person_id;
    CredentialKind kind = CredentialKind::kCard;
    std::string secret_hash;  // hex, keyed with the store's credential key
    UnixSeconds created_at = 0;
    bool revoked = false;
};

// A face template as stored: the vector and the display thumbnail, both encrypted.
struct FaceTemplateRecord {
    std::int64_t template_id = 0;  // also the id in the estate galleries
    std::string person_id;
    std::string template_kind;  // FacePipeline::template_kind(); never mix kinds
    std::vector<float> values;  // decrypted template; empty when only metadata was read
    UnixSeconds created_at = 0;
};

enum class DecisionBand { kGrant, kDeny, kRetry };
const char* DecisionBandName(DecisionBand band);

// One gate decision in the passage log. Unknown faces leave no image and no template here.
struct Passage {
    std::int64_t id = 0;
    std::string gate_id;
    std::string estate_id;
    UnixSeconds at = 0;
    GateDirection direction = GateDirection::kEntry;
    // The person recognised or presenting a credential; empty for unknown faces and after
    // move-out, when it is replaced by `pseudonym`.
    std::string person_id;
    std::string pseudonym;
    DecisionBand band = DecisionBand::kDeny;
    std::string reason;  // stable code, e.g. "granted", "unknown_face", "no_valid_grant"
    double score = 0;
    std::string credential;  // "face", "card", "pin" or "qr"
};

// What a move-out deleted, kept after the person is gone as proof of the erasure.
struct DeletionReceipt {
    std::string id;
    std::string person_pseudonym;  // the same pseudonym as in the passage log
    UnixSeconds at = 0;
    std::string operator_id;
    int templates_deleted = 0;
    int thumbnails_deleted = 0;
    int grants_deleted = 0;
    int credentials_deleted = 0;
    int gallery_entries_deleted = 0;
    int passages_pseudonymised = 0;
    bool person_record_deleted = false;
    bool staff_record_deleted = false;
};

}  // namespace menjin
