#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/record_cipher.h"
#include "domain/records.h"
#include "sqlite/sqlite_connection.h"
#include "storage/store.h"

namespace menjin {

// Store in one embedded SQLite file, in WAL mode with foreign keys and secure_delete on.
// Templates and thumbnails are sealed with the RecordCipher (see Store for the contract).
//
// Thread safety: the one connection is guarded by `mutex_`, a recursive mutex that every
// method takes, so calls from several threads run one at a time. Transaction() keeps it for
// the whole body: calls from the body's thread join the transaction (a nested Transaction()
// becomes a savepoint, rolled back alone when its body fails), and other threads wait.
// Each method is atomic by itself, also outside Transaction().
//
// Other processes may open the same file (SQLite locks it and waits up to the busy timeout,
// then returns kUnavailable), but they see this store's changes only after each commit.
class SqliteStore final : public Store {
  public:
    // Opens or creates `db_file` (created with mode 0600), applies the schema migrations and
    // checks that `cipher` was made from the key that sealed this database's records.
    // Errors: kIoError when the file cannot be opened or set up, kFailedPrecondition when the
    // schema is newer than this build, kDataLoss when the key does not match.
    static Result<std::unique_ptr<SqliteStore>> Open(const std::filesystem::path& db_file,
                                                     RecordCipher cipher);
    ~SqliteStore() override;

    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    Status Transaction(const std::function<Status()>& body) override;

    Status CreateEstate(const Estate& estate) override;
    Result<Estate> GetEstate(const std::string& id) override;
    Result<std::vector<Estate>> ListEstates() override;
    Result<Estate> UpdateEstate(const Estate& estate) override;

    Status CreateGate(const Gate& gate) override;
    Result<Gate> GetGate(const std::string& id) override;
    Result<std::vector<Gate>> ListGates(const std::string& estate_id) override;
    Result<Gate> UpdateGate(const Gate& gate) override;

    Status CreateUnit(const Unit& unit) override;
    Result<Unit> GetUnit(const std::string& id) override;
    Result<std::vector<Unit>> ListUnits(const std::string& estate_id) override;
    Result<Unit> UpdateUnit(const Unit& unit) override;

    Status CreateHousehold(const Household& household) override;
    Result<Household> GetHousehold(const std::string& id) override;
    Result<std::optional<Household>> FindHouseholdOfUnit(const std::string& unit_id) override;
    Result<Household> UpdateHousehold(const Household& household) override;

    // Person.created_at is kept from CreatePerson; UpdatePerson does not change it.
    Status CreatePerson(const Person& person) override;
    Result<Person> GetPerson(const std::string& id) override;
    Result<Person> UpdatePerson(const Person& person) override;
    // kFailedPrecondition names the rows that still refer to the person. A household whose
    // tenant is deleted keeps existing with no tenant.
    Status DeletePerson(const std::string& id) override;
    Result<std::vector<Person>> ListHouseholdMembers(const std::string& household_id) override;
    // `text` matches case-insensitively for ASCII letters; `limit` must be positive.
    Result<std::vector<Person>> ListPeopleInEstate(const std::string& estate_id,
                                                   const std::string& text, int limit) override;
    Result<std::optional<std::string>> ResidentEstateOf(const std::string& person_id) override;

    Status CreateCompany(const ServiceCompany& company) override;
    Result<ServiceCompany> GetCompany(const std::string& id) override;
    Result<std::vector<ServiceCompany>> ListCompanies() override;
    Result<ServiceCompany> UpdateCompany(const ServiceCompany& company) override;

    // kFailedPrecondition when the person's role is not service staff; kInvalidArgument when
    // estate_ids repeats an estate.
    Status CreateServiceStaff(const ServiceStaff& staff) override;
    Result<ServiceStaff> GetServiceStaff(const std::string& person_id) override;
    Result<ServiceStaff> UpdateServiceStaff(const ServiceStaff& staff) override;
    Status DeleteServiceStaff(const std::string& person_id) override;
    Result<std::vector<ServiceStaff>> ListStaffExpiringBefore(
        UnixSeconds before, const std::string& estate_id) override;

    // kInvalidArgument when valid_to <= valid_from or a schedule range is outside
    // [0, 1440) minutes or empty.
    Status CreateGrant(const AccessGrant& grant) override;
    Result<AccessGrant> GetGrant(const std::string& id) override;
    Result<std::vector<AccessGrant>> ListGrantsOfPerson(const std::string& person_id) override;
    Result<std::vector<AccessGrant>> ListGrantsOfEstate(const std::string& estate_id) override;
    Status DeleteGrant(const std::string& id) override;
    Result<int> DeleteGrantsOfPerson(const std::string& person_id) override;

    // kAlreadyExists when an unrevoked credential of the same kind has the same secret hash.
    Status CreateAltCredential(const AltCredential& credential) override;
    Result<std::optional<AltCredential>> FindAltCredential(CredentialKind kind,
                                                           const std::string& secret_hash) override;
    Result<std::vector<AltCredential>> ListAltCredentials(const std::string& person_id) override;
    // Revoking a revoked credential is ok.
    Status RevokeAltCredential(const std::string& id) override;
    Result<int> DeleteAltCredentialsOfPerson(const std::string& person_id) override;

    // Templates are sealed as little-endian float32 bytes with associated data
    // "template:<template_id>:<person_id>", thumbnails with "thumbnail:<person_id>". Reads
    // return kDataLoss when a sealed blob was altered or moved to another row.
    Result<FaceTemplateRecord> AddTemplate(const FaceTemplateRecord& record) override;
    Result<std::vector<FaceTemplateRecord>> ListTemplatesOfPerson(
        const std::string& person_id) override;
    Result<std::vector<FaceTemplateRecord>> ListTemplatesOfKind(
        const std::string& template_kind) override;
    Result<int> DeleteTemplatesOfPerson(const std::string& person_id) override;

    Status PutThumbnail(const std::string& person_id,
                        const std::vector<std::uint8_t>& jpeg) override;
    Result<std::optional<std::vector<std::uint8_t>>> GetThumbnail(
        const std::string& person_id) override;
    Result<int> DeleteThumbnail(const std::string& person_id) override;

    // kFailedPrecondition when the gate or estate does not exist.
    Result<std::int64_t> AppendPassage(const Passage& passage) override;
    // kInvalidArgument unless 1 <= query.limit <= kMaxPassagePage.
    Result<std::vector<Passage>> QueryPassages(const PassageQuery& query) override;
    // kInvalidArgument for an empty person_id or pseudonym. The person need not exist.
    Result<int> PseudonymisePassages(const std::string& person_id,
                                     const std::string& pseudonym) override;
    Result<int> PurgePassagesBefore(UnixSeconds before) override;

    Status AddReceipt(const DeletionReceipt& receipt) override;
    Result<DeletionReceipt> GetReceipt(const std::string& id) override;
    // Newest first; `limit` must be positive.
    Result<std::vector<DeletionReceipt>> ListReceipts(int limit) override;

    // Keys follow the id rules (IsValidId).
    Result<std::optional<std::string>> GetSetting(const std::string& key) override;
    Status PutSetting(const std::string& key, const std::string& value) override;

    // `text` matches case-insensitively for ASCII letters; `limit` must be positive.
    Result<std::vector<Person>> SearchPeople(const std::string& text, int limit) override;
    Result<std::vector<PassageCount>> CountPassages(const PassageQuery& query) override;

    // kInvalidArgument (from a CHECK) when an estate staff member has no estate_id or another
    // role has one; kFailedPrecondition when the estate does not exist.
    Status CreateOperator(const Operator& account) override;
    Result<Operator> GetOperator(const std::string& id) override;
    Result<std::vector<Operator>> ListOperators() override;
    Result<Operator> UpdateOperator(const Operator& account) override;
    Status SetOperatorLoginState(const std::string& id, int failed_logins,
                                 UnixSeconds locked_until) override;

    // Sessions are deleted with their operator's row (ON DELETE CASCADE).
    Status CreateSession(const OperatorSession& session) override;
    Result<std::optional<OperatorSession>> FindSession(const std::string& token_hash) override;
    Status DeleteSession(const std::string& token_hash) override;
    Result<int> DeleteSessionsOfOperator(const std::string& operator_id) override;
    Result<int> PurgeExpiredSessions(UnixSeconds now) override;

    // kAlreadyExists when the token hash is already in use.
    Status CreateDeviceCredential(const DeviceCredential& credential) override;
    Result<std::optional<DeviceCredential>> FindDeviceCredential(
        const std::string& token_hash) override;
    Result<std::vector<DeviceCredential>> ListDeviceCredentials(
        const std::string& gate_id) override;
    Result<DeviceCredential> GetDeviceCredential(const std::string& id) override;
    Status RevokeDeviceCredential(const std::string& id, UnixSeconds at) override;

    // Triggers reject every UPDATE and DELETE of audit_log rows, so the log can only grow.
    Result<AuditEntry> AppendAuditEntry(const AuditEntry& entry) override;
    // kInvalidArgument unless 1 <= query.limit <= 1000.
    Result<std::vector<AuditEntry>> ListAuditEntries(const AuditQuery& query) override;
    Result<std::int64_t> LastAuditSeq() override;

    Result<EstateWelfareSettings> GetWelfareSettings(const std::string& estate_id) override;
    // kConflict also when version 0 is given but settings were stored meanwhile.
    Result<EstateWelfareSettings> UpdateWelfareSettings(
        const EstateWelfareSettings& settings) override;

    Result<WelfareAlert> CreateWelfareAlert(const WelfareAlert& alert) override;
    Result<WelfareAlert> GetWelfareAlert(std::int64_t id) override;
    // kInvalidArgument unless 1 <= query.limit <= 1000.
    Result<std::vector<WelfareAlert>> ListWelfareAlerts(const AlertQuery& query) override;
    Result<WelfareAlert> UpdateWelfareAlert(const WelfareAlert& alert) override;

    // kFailedPrecondition when the estate does not exist.
    Result<Lead> CreateLead(const Lead& lead) override;
    Result<Lead> GetLead(std::int64_t id) override;
    // kInvalidArgument unless 1 <= query.limit <= 1000.
    Result<std::vector<Lead>> ListLeads(const LeadQuery& query) override;
    Result<Lead> UpdateLead(const Lead& lead) override;
    Result<int> PseudonymiseWelfareRecords(const std::string& person_id,
                                           const std::string& pseudonym) override;

    // kInvalidArgument for an empty person_id.
    Result<std::optional<Passage>> LastPassageOfPerson(const std::string& person_id,
                                                       UnixSeconds until) override;
    // kInvalidArgument unless interval_seconds >= 1.
    Result<std::vector<PassageIntervalCount>> CountPassagesPerInterval(
        const PassageQuery& query, int interval_seconds) override;

    // Templates are sealed as little-endian float32 bytes with associated data
    // "unknown_attempt:<id>:<estate_id>"; reads return kDataLoss for an altered or moved blob.
    // kFailedPrecondition when the estate or gate does not exist.
    Result<std::int64_t> AddUnknownAttempt(const UnknownFaceAttempt& attempt) override;
    Result<std::vector<UnknownFaceAttempt>> ListUnknownAttempts(const std::string& estate_id,
                                                                UnixSeconds since) override;
    Result<int> PurgeUnknownAttemptsBefore(const std::string& estate_id,
                                           UnixSeconds before) override;
    Status DeleteUnknownAttempt(std::int64_t id) override;

    Result<std::int64_t> EnqueueWebhook(const WebhookMessage& message) override;
    Result<std::vector<WebhookMessage>> ListDueWebhooks(UnixSeconds now, int limit) override;
    // kNotFound for an unknown id.
    Status UpdateWebhook(const WebhookMessage& message) override;
    Status DeleteWebhook(std::int64_t id) override;
    Result<std::vector<std::pair<WebhookStatus, std::int64_t>>> CountWebhooks(
        const std::string& estate_id) override;

    // Returns kFailedPrecondition inside a transaction and kUnavailable when another
    // connection's read keeps the WAL checkpoint from finishing.
    Status Compact() override;

    // Largest page that QueryPassages returns.
    static constexpr int kMaxPassagePage = 1000;

  private:
    SqliteStore(SqliteConnection db, RecordCipher cipher);

    Status ConfigureConnection();
    Status CheckDataKey();
    Status RunOutermostTransaction(const std::function<Status()>& body);
    Status RunNestedTransaction(const std::function<Status()>& body);
    Status CheckpointWal();

    Status WriteStaffEstates(const ServiceStaff& staff);
    Result<ServiceStaff> ReadStaff(const std::string& person_id);
    Result<std::vector<std::string>> ReadStaffEstates(const std::string& person_id);
    Status DescribePersonInUse(const std::string& person_id);
    Result<std::vector<FaceTemplateRecord>> OpenTemplates(SqliteStatement& statement);
    Status SealTemplate(FaceTemplateRecord& record);

    // Guards db_ and transaction_depth_. Recursive so that a Transaction() body can call the
    // other methods on its thread.
    std::recursive_mutex mutex_;
    SqliteConnection db_;
    // Number of Transaction() bodies running on the thread that holds mutex_.
    int transaction_depth_ = 0;
    // Const methods only, so it needs no lock.
    const RecordCipher cipher_;
};

}  // namespace menjin
