#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "domain/records.h"
#include "domain/security_records.h"
#include "domain/welfare_records.h"

namespace menjin {

// Filter and page for passage queries. Empty or unset fields do not filter.
struct PassageQuery {
    std::string estate_id;
    std::string gate_id;
    std::string person_id;
    std::optional<DecisionBand> band;
    std::optional<UnixSeconds> from;  // inclusive
    std::optional<UnixSeconds> to;    // exclusive
    int limit = 100;
    // Return only passages with id < before_id (newest first), for paging; 0 = from newest.
    std::int64_t before_id = 0;
};

// Number of passages per estate, gate and decision band, for aggregate reports.
struct PassageCount {
    std::string estate_id;
    std::string gate_id;
    DecisionBand band = DecisionBand::kDeny;
    std::int64_t count = 0;
};

// Filter and page for welfare alert lists, newest first. Empty or unset fields do not filter.
struct AlertQuery {
    std::string estate_id;
    std::string person_id;
    std::vector<AlertStatus> statuses;       // alerts in any of these; empty for every status
    std::optional<UnixSeconds> raised_from;  // inclusive
    std::optional<UnixSeconds> raised_to;    // exclusive
    int limit = 100;
    std::int64_t before_id = 0;  // only alerts with id < before_id; 0 = from the newest
};

// Filter and page for lead lists, newest first. Empty or unset fields do not filter.
struct LeadQuery {
    std::string estate_id;
    std::optional<LeadKind> kind;
    std::optional<LeadStatus> status;
    std::string subject;
    int limit = 100;
    std::int64_t before_id = 0;  // only leads with id < before_id; 0 = from the newest
};

// Number of passages of one band in one interval [start, start + interval).
struct PassageIntervalCount {
    UnixSeconds start = 0;
    DecisionBand band = DecisionBand::kDeny;
    std::int64_t count = 0;
};

// Filter and page for audit log reads, in ascending seq order. Empty fields do not filter.
struct AuditQuery {
    std::int64_t after_seq = 0;  // entries with seq > after_seq
    int limit = 100;
    std::string actor;
    std::string action;
    std::string record_id;
};

// The persistent state of menjin behind one interface, so that the embedded SQLite store and a
// PostgreSQL store are interchangeable for every caller.
//
// Errors: kNotFound for an unknown id (the message names the kind and id), kAlreadyExists for a
// duplicate id or unique key, kConflict when `expected_version` differs from the stored version,
// kFailedPrecondition when a reference is missing (e.g. a gate of an unknown estate),
// kIoError/kDataLoss for database or decryption failures. A failed call changes nothing.
//
// Face templates and thumbnails are encrypted at rest with an AEAD cipher; the store decrypts
// them on read. Names and addresses are in other tables than templates.
//
// Thread safety: all methods may be called from several threads at once. Transaction() runs
// `body` atomically: calls made by `body` on the same thread join the transaction, and other
// threads wait until it ends.
class Store {
  public:
    virtual ~Store() = default;

    // Runs `body` in one transaction, committing when it returns ok and rolling back otherwise
    // (its Status is returned). Nested calls join the outer transaction.
    virtual Status Transaction(const std::function<Status()>& body) = 0;

    // --- Estates and gates
    virtual Status CreateEstate(const Estate& estate) = 0;
    virtual Result<Estate> GetEstate(const std::string& id) = 0;
    virtual Result<std::vector<Estate>> ListEstates() = 0;
    // Stores `estate` (all fields but id) when the stored version equals `estate.version`,
    // and increments the version. Returns the stored record.
    virtual Result<Estate> UpdateEstate(const Estate& estate) = 0;

    virtual Status CreateGate(const Gate& gate) = 0;
    virtual Result<Gate> GetGate(const std::string& id) = 0;
    virtual Result<std::vector<Gate>> ListGates(const std::string& estate_id) = 0;
    virtual Result<Gate> UpdateGate(const Gate& gate) = 0;

    // --- Units and households
    virtual Status CreateUnit(const Unit& unit) = 0;
    virtual Result<Unit> GetUnit(const std::string& id) = 0;
    virtual Result<std::vector<Unit>> ListUnits(const std::string& estate_id) = 0;
    virtual Result<Unit> UpdateUnit(const Unit& unit) = 0;

    // A unit has at most one household (kAlreadyExists otherwise).
    virtual Status CreateHousehold(const Household& household) = 0;
    virtual Result<Household> GetHousehold(const std::string& id) = 0;
    virtual Result<std::optional<Household>> FindHouseholdOfUnit(const std::string& unit_id) = 0;
    virtual Result<Household> UpdateHousehold(const Household& household) = 0;

    // --- People
    virtual Status CreatePerson(const Person& person) = 0;
    virtual Result<Person> GetPerson(const std::string& id) = 0;
    virtual Result<Person> UpdatePerson(const Person& person) = 0;
    // Deletes the person row; the caller deletes dependent rows first (move-out does).
    virtual Status DeletePerson(const std::string& id) = 0;
    virtual Result<std::vector<Person>> ListHouseholdMembers(const std::string& household_id) = 0;
    // People who live in the estate or hold a grant for it, optionally whose name or id
    // contains `text`, ordered by id, at most `limit`.
    virtual Result<std::vector<Person>> ListPeopleInEstate(const std::string& estate_id,
                                                           const std::string& text, int limit) = 0;
    // Returns the estate a resident lives in (through household and unit), if any.
    virtual Result<std::optional<std::string>> ResidentEstateOf(const std::string& person_id) = 0;

    // --- Service companies and staff
    virtual Status CreateCompany(const ServiceCompany& company) = 0;
    virtual Result<ServiceCompany> GetCompany(const std::string& id) = 0;
    virtual Result<std::vector<ServiceCompany>> ListCompanies() = 0;
    virtual Result<ServiceCompany> UpdateCompany(const ServiceCompany& company) = 0;

    // Creates the staff record of an existing person with role kServiceStaff.
    virtual Status CreateServiceStaff(const ServiceStaff& staff) = 0;
    virtual Result<ServiceStaff> GetServiceStaff(const std::string& person_id) = 0;
    virtual Result<ServiceStaff> UpdateServiceStaff(const ServiceStaff& staff) = 0;
    virtual Status DeleteServiceStaff(const std::string& person_id) = 0;
    // Staff whose validity ends before `before`, serving `estate_id` when it is not empty.
    virtual Result<std::vector<ServiceStaff>> ListStaffExpiringBefore(
        UnixSeconds before, const std::string& estate_id) = 0;

    // --- Grants
    virtual Status CreateGrant(const AccessGrant& grant) = 0;
    virtual Result<AccessGrant> GetGrant(const std::string& id) = 0;
    virtual Result<std::vector<AccessGrant>> ListGrantsOfPerson(const std::string& person_id) = 0;
    virtual Result<std::vector<AccessGrant>> ListGrantsOfEstate(const std::string& estate_id) = 0;
    virtual Status DeleteGrant(const std::string& id) = 0;
    // Returns how many grants were deleted.
    virtual Result<int> DeleteGrantsOfPerson(const std::string& person_id) = 0;

    // --- Alternative credentials
    virtual Status CreateAltCredential(const AltCredential& credential) = 0;
    // Finds an unrevoked credential by kind and keyed hash; nullopt when none matches.
    virtual Result<std::optional<AltCredential>> FindAltCredential(
        CredentialKind kind, const std::string& secret_hash) = 0;
    virtual Result<std::vector<AltCredential>> ListAltCredentials(const std::string& person_id) = 0;
    virtual Status RevokeAltCredential(const std::string& id) = 0;
    virtual Result<int> DeleteAltCredentialsOfPerson(const std::string& person_id) = 0;

    // --- Face templates and thumbnails (encrypted at rest)
    // Stores the template and returns it with its new template_id.
    virtual Result<FaceTemplateRecord> AddTemplate(const FaceTemplateRecord& record) = 0;
    // Templates of one person, decrypted.
    virtual Result<std::vector<FaceTemplateRecord>> ListTemplatesOfPerson(
        const std::string& person_id) = 0;
    // Every template of `template_kind`, decrypted, for building galleries at start.
    virtual Result<std::vector<FaceTemplateRecord>> ListTemplatesOfKind(
        const std::string& template_kind) = 0;
    virtual Result<int> DeleteTemplatesOfPerson(const std::string& person_id) = 0;

    // Stores (or replaces) the display thumbnail, an encoded JPEG.
    virtual Status PutThumbnail(const std::string& person_id,
                                const std::vector<std::uint8_t>& jpeg) = 0;
    // Returns the decrypted thumbnail, or nullopt when the person has none.
    virtual Result<std::optional<std::vector<std::uint8_t>>> GetThumbnail(
        const std::string& person_id) = 0;
    virtual Result<int> DeleteThumbnail(const std::string& person_id) = 0;

    // --- Passage log
    // Appends the passage and returns its id.
    virtual Result<std::int64_t> AppendPassage(const Passage& passage) = 0;
    // Matching passages, newest first.
    virtual Result<std::vector<Passage>> QueryPassages(const PassageQuery& query) = 0;
    // Replaces person_id by `pseudonym` in every passage of the person; returns the count.
    virtual Result<int> PseudonymisePassages(const std::string& person_id,
                                             const std::string& pseudonym) = 0;
    // Deletes passages older than `before`; returns the count.
    virtual Result<int> PurgePassagesBefore(UnixSeconds before) = 0;

    // --- Deletion receipts
    virtual Status AddReceipt(const DeletionReceipt& receipt) = 0;
    virtual Result<DeletionReceipt> GetReceipt(const std::string& id) = 0;
    virtual Result<std::vector<DeletionReceipt>> ListReceipts(int limit) = 0;

    // --- Settings: small named values such as retention days or an installation salt.
    virtual Result<std::optional<std::string>> GetSetting(const std::string& key) = 0;
    virtual Status PutSetting(const std::string& key, const std::string& value) = 0;

    // --- Search across estates
    // People whose name or id contains `text` (every person when it is empty), ordered by id,
    // at most `limit`.
    virtual Result<std::vector<Person>> SearchPeople(const std::string& text, int limit) = 0;
    // Passages matching `query` (limit and before_id are ignored), counted per estate, gate
    // and band, ordered by estate, gate and band.
    virtual Result<std::vector<PassageCount>> CountPassages(const PassageQuery& query) = 0;

    // --- Operators and their sessions
    // `account.role` kEstateStaff needs an existing estate_id; the other roles none.
    virtual Status CreateOperator(const Operator& account) = 0;
    virtual Result<Operator> GetOperator(const std::string& id) = 0;
    virtual Result<std::vector<Operator>> ListOperators() = 0;
    // Stores display_name, role, estate_id, password_hash and disabled when the stored version
    // equals `account.version`, and increments the version. Login counters are not changed.
    virtual Result<Operator> UpdateOperator(const Operator& account) = 0;
    // Sets the failed-login counter and lock of an operator without changing its version, so a
    // login attempt never conflicts with an edit of the account.
    virtual Status SetOperatorLoginState(const std::string& id, int failed_logins,
                                         UnixSeconds locked_until) = 0;

    virtual Status CreateSession(const OperatorSession& session) = 0;
    // Finds a session by token hash; nullopt when none matches (expired ones included).
    virtual Result<std::optional<OperatorSession>> FindSession(const std::string& token_hash) = 0;
    // Deleting an unknown session is ok.
    virtual Status DeleteSession(const std::string& token_hash) = 0;
    // Returns how many sessions were deleted.
    virtual Result<int> DeleteSessionsOfOperator(const std::string& operator_id) = 0;
    // Deletes sessions whose expires_at <= `now`; returns the count.
    virtual Result<int> PurgeExpiredSessions(UnixSeconds now) = 0;

    // --- Gate device credentials
    virtual Status CreateDeviceCredential(const DeviceCredential& credential) = 0;
    // Finds an unrevoked credential by token hash; nullopt when none matches.
    virtual Result<std::optional<DeviceCredential>> FindDeviceCredential(
        const std::string& token_hash) = 0;
    // Every credential of the gate, revoked ones included, oldest first.
    virtual Result<std::vector<DeviceCredential>> ListDeviceCredentials(
        const std::string& gate_id) = 0;
    virtual Result<DeviceCredential> GetDeviceCredential(const std::string& id) = 0;
    // Marks the credential revoked at `at`; revoking a revoked credential is ok and keeps the
    // first time.
    virtual Status RevokeDeviceCredential(const std::string& id, UnixSeconds at) = 0;

    // --- Audit log: append-only and hash-chained (see domain/audit_chain.h)
    // Appends `entry` (seq, prev_hash and hash are ignored) with the next seq, the previous
    // entry's hash and its own hash, atomically, and returns the stored entry.
    virtual Result<AuditEntry> AppendAuditEntry(const AuditEntry& entry) = 0;
    // Entries matching `query` in ascending seq order, as stored (not verified).
    virtual Result<std::vector<AuditEntry>> ListAuditEntries(const AuditQuery& query) = 0;
    // Returns the highest seq ever assigned, also when entries were deleted since; 0 when the
    // log has never had an entry.
    virtual Result<std::int64_t> LastAuditSeq() = 0;

    // --- Welfare alerts, leads and their settings (see domain/welfare_records.h)
    // Returns the estate's stored settings, or the defaults with version 0 when none are
    // stored. kNotFound for an unknown estate.
    virtual Result<EstateWelfareSettings> GetWelfareSettings(const std::string& estate_id) = 0;
    // Stores the settings when the stored version equals `settings.version` (0: none stored
    // yet) and returns them with the new version; kConflict otherwise.
    virtual Result<EstateWelfareSettings> UpdateWelfareSettings(
        const EstateWelfareSettings& settings) = 0;

    // Stores a new alert (id and version are assigned) and returns it. A person has at most one
    // alert that is not resolved: kAlreadyExists otherwise.
    virtual Result<WelfareAlert> CreateWelfareAlert(const WelfareAlert& alert) = 0;
    virtual Result<WelfareAlert> GetWelfareAlert(std::int64_t id) = 0;
    virtual Result<std::vector<WelfareAlert>> ListWelfareAlerts(const AlertQuery& query) = 0;
    // Stores every field but id, estate and person when the stored version equals
    // `alert.version`, increments the version and returns the stored alert.
    virtual Result<WelfareAlert> UpdateWelfareAlert(const WelfareAlert& alert) = 0;

    // Stores a new lead (id and version are assigned) and returns it.
    virtual Result<Lead> CreateLead(const Lead& lead) = 0;
    virtual Result<Lead> GetLead(std::int64_t id) = 0;
    virtual Result<std::vector<Lead>> ListLeads(const LeadQuery& query) = 0;
    // Stores every field but id, kind and estate when the stored version equals
    // `lead.version`, increments the version and returns the stored lead.
    virtual Result<Lead> UpdateLead(const Lead& lead) = 0;

    // Replaces `person_id` by `pseudonym` in alerts (person_id) and leads (subject and the
    // quoted id inside the evidence). Returns how many alerts and leads changed.
    virtual Result<int> PseudonymiseWelfareRecords(const std::string& person_id,
                                                   const std::string& pseudonym) = 0;

    // Returns the latest passage naming the person (any band and credential) at or before
    // `until`, or nullopt when there is none.
    virtual Result<std::optional<Passage>> LastPassageOfPerson(const std::string& person_id,
                                                               UnixSeconds until) = 0;
    // Passages matching `query` (limit and before_id are ignored), counted per band and per
    // interval of `interval_seconds` counted from the Unix epoch, ordered by start and band.
    virtual Result<std::vector<PassageIntervalCount>> CountPassagesPerInterval(
        const PassageQuery& query, int interval_seconds) = 0;

    // --- Templates of unknown faces (encrypted at rest, kept for a short window only)
    // Stores the attempt and returns its id.
    virtual Result<std::int64_t> AddUnknownAttempt(const UnknownFaceAttempt& attempt) = 0;
    // Attempts of the estate at or after `since`, oldest first, decrypted.
    virtual Result<std::vector<UnknownFaceAttempt>> ListUnknownAttempts(
        const std::string& estate_id, UnixSeconds since) = 0;
    // Deletes the estate's attempts older than `before` and returns the count.
    virtual Result<int> PurgeUnknownAttemptsBefore(const std::string& estate_id,
                                                   UnixSeconds before) = 0;
    // Deletes one attempt. Deleting an unknown id is ok.
    virtual Status DeleteUnknownAttempt(std::int64_t id) = 0;

    // --- Webhook outbox: notifications survive restarts until delivered or given up
    // Stores a pending message (id is assigned) and returns its id.
    virtual Result<std::int64_t> EnqueueWebhook(const WebhookMessage& message) = 0;
    // Pending messages whose next attempt is due at `now`, oldest first, at most `limit`.
    virtual Result<std::vector<WebhookMessage>> ListDueWebhooks(UnixSeconds now, int limit) = 0;
    // Stores attempts, next_attempt_at, last_error and status of an existing message.
    virtual Status UpdateWebhook(const WebhookMessage& message) = 0;
    // Deletes a delivered message; deleting an unknown id is ok.
    virtual Status DeleteWebhook(std::int64_t id) = 0;
    // Number of messages of the estate per status (every estate when it is empty).
    virtual Result<std::vector<std::pair<WebhookStatus, std::int64_t>>> CountWebhooks(
        const std::string& estate_id) = 0;

    // Reclaims free pages so deleted data leaves the database file (SQLite: VACUUM and a WAL
    // checkpoint). Safe to call at any time outside a transaction.
    virtual Status Compact() = 0;
};

}  // namespace menjin
