#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "access/decision.h"
#include "access/thresholds.h"
#include "common/clock.h"
#include "common/status.h"
#include "crypto/record_cipher.h"
#include "domain/records.h"
#include "frames/image_decoder.h"
#include "gallery/gallery_set.h"
#include "service/pipeline_pool.h"
#include "storage/store.h"
#include "vision/face_quality.h"
#include "vision/recognition_engine.h"

namespace menjin {

// Where an AccessCore keeps its data, and how it recognises faces.
struct AccessCoreOptions {
    // Folder holding menjin.db and data.key (created by `menjin init`).
    std::filesystem::path data_dir;
    // Folder holding manifest.json, calibration.json and the models.
    std::filesystem::path model_dir;
    PipelineOptions pipeline;
    // Pipelines for concurrent decisions and enrolments.
    int pipelines = 2;
    // Limits for uploaded and camera images.
    DecodeLimits decode_limits;
};

// Returns the database path inside a data folder.
std::filesystem::path DatabasePath(const std::filesystem::path& data_dir);
// Returns the key file path inside a data folder.
std::filesystem::path KeyFilePath(const std::filesystem::path& data_dir);

// Result of an enrolment attempt. A rejected photo is a normal outcome, not an error.
struct EnrolmentResult {
    bool accepted = false;
    // Why it was rejected: "no_face", "multiple_faces", a quality reason code
    // (face_too_small, blurred, pose_yaw, ...) or "already_enrolled".
    std::vector<std::string> reasons;
    int faces_found = 0;
    std::optional<AssessedFace> face;  // the face that was assessed, when exactly one
    // When reasons has "already_enrolled": the other person and the similarity score.
    std::string duplicate_person_id;
    float duplicate_score = 0;
    std::int64_t template_id = 0;  // of the stored template when accepted
};

// A gate decision as the gate may show it, plus what was logged.
struct GateOutcome {
    AccessDecision decision;
    std::string gate_id;
    std::string estate_id;
    // Masked name of the granted person (e.g. 张○明); empty unless granted.
    std::string display_name;
    // True when the granted person has a display thumbnail (fetch it by person id).
    bool has_thumbnail = false;
    std::int64_t passage_id = 0;
    Thresholds thresholds;
    int frames_received = 0;
    int frames_usable = 0;
};

// The access core: directory, enrolment, estate galleries, gate decisions and move-out over
// one store. Validation of ids, references and time windows happens here; the store only
// enforces keys.
//
// Thread safety: all public methods may be called from several threads. Searches run in
// parallel; changes that alter gallery membership (enrolment, grants, move-out) are
// serialised by membership_mutex_ so the galleries always match the store.
class AccessCore {
  public:
    // Opens the data folder (which must exist, see InitDataDir) and loads the models in the
    // folder's recording mode (options.pipeline.mode is replaced by it), then builds every
    // estate gallery from the stored templates.
    static Result<std::unique_ptr<AccessCore>> Open(const AccessCoreOptions& options,
                                                    std::shared_ptr<const Clock> clock);

    // Creates the data folder (mode 0700), its key file (0600) and database, and records the
    // recognition mode that every later Open uses (templates of different modes never mix).
    // Returns ok when the folder is already set up with the same mode, and
    // kFailedPrecondition when it was set up with another.
    static Status InitDataDir(const std::filesystem::path& data_dir, RecognitionMode mode);

    Store& store() { return *store_; }
    const GallerySet& galleries() const { return *galleries_; }
    const RecordCipher& cipher() const { return cipher_; }
    const std::string& template_kind() const { return pool_->template_kind(); }
    const Clock& clock() const { return *clock_; }

    // --- Directory, with validation (ids, references, windows)
    Status AddEstate(const Estate& estate);
    Status AddGate(const Gate& gate);
    Status AddUnit(const Unit& unit);
    // Creates the unit's household; the tenant, when given, must be a tenant of that unit.
    Status AddHousehold(const Household& household);
    Status AddPerson(const Person& person);
    // Adds a unit with its household (id `household_id`, or the unit id when empty), atomically.
    Status AddUnitWithHousehold(const Unit& unit, const std::string& household_id);
    // Adds a tenant or family member and grants them their estate from now for `grant_days`
    // days; a tenant becomes the household's registered tenant when it has none. Atomic.
    Status AddResident(const Person& person, int grant_days);
    Status AddCompany(const ServiceCompany& company);
    // Records a verified service staff member. Needs the verification fields and a window
    // with valid_from < valid_to; every served estate must exist.
    Status AddServiceStaff(const ServiceStaff& staff);
    // AddServiceStaff plus one grant per served estate over the validity window. Atomic.
    Status AddServiceStaffWithGrants(const ServiceStaff& staff);
    // Adds a grant and puts the person's templates into that estate's gallery at once.
    Status AddGrant(const AccessGrant& grant);
    // Returns the id used for the grant that AddResident and AddServiceStaffWithGrants create.
    static std::string DefaultGrantId(const std::string& person_id, const std::string& estate_id);
    // Deletes a grant and takes the person out of the estate's gallery when it was their last
    // grant there.
    Status RemoveGrant(const std::string& grant_id);
    // Stores a keyed hash of `secret` (card number, PIN or QR token) for the person.
    Result<AltCredential> AddAltCredential(const std::string& person_id, CredentialKind kind,
                                           const std::string& secret);

    // --- Updates. Each stores the record when `version` equals the stored version (kConflict
    // otherwise, kNotFound for an unknown id) and returns the stored record with its new
    // version. Fields are validated as when the record is added.
    Result<Estate> UpdateEstate(const Estate& estate);
    // A gate cannot move to another estate (kInvalidArgument on estate_id).
    Result<Gate> UpdateGate(const Gate& gate);
    // A unit cannot move to another estate (kInvalidArgument on estate_id).
    Result<Unit> UpdateUnit(const Unit& unit);
    // Role, household and created_at cannot change (kInvalidArgument naming the field).
    Result<Person> UpdatePerson(const Person& person);
    Result<ServiceCompany> UpdateCompany(const ServiceCompany& company);
    // Sets or clears (nullopt) the registered tenant; the tenant must be a tenant living in the
    // household.
    Result<Household> SetHouseholdTenant(const std::string& household_id,
                                         const std::optional<std::string>& tenant_person_id,
                                         std::int64_t version);
    // Records a new verification or validity window or set of served estates for a staff
    // member, and moves their default grants (DefaultGrantId) to the new window and estates,
    // keeping each grant's schedule. Atomic; the galleries follow after the commit.
    Result<ServiceStaff> UpdateServiceStaff(const ServiceStaff& staff);
    // Adds a service staff person (no household) with their verification and one grant per
    // served estate over the validity window, in one transaction.
    Status AddServiceStaffPerson(const Person& person, const ServiceStaff& staff);
    // Returns the estates a person belongs to, sorted and without repeats: the estate they
    // live in, the estates they serve as staff and the estates they hold grants for. Empty
    // when none; kNotFound for an unknown person.
    Result<std::vector<std::string>> EstatesOfPerson(const std::string& person_id);
    // Returns the estates whose staff manage the person's record: the estate of their household
    // for a resident, the served estates for service staff, and otherwise the estates they hold
    // grants for. A grant for another estate (a visit) lets that estate's gates admit the person
    // but gives its staff no access to the record. kNotFound for an unknown person.
    Result<std::vector<std::string>> ManagingEstatesOfPerson(const std::string& person_id);

    // --- Enrolment
    // Enrols a face for an existing person from an encoded photo. The photo is discarded after
    // the template and display thumbnail are made. Errors (not rejections): kNotFound for an
    // unknown person, kUnprocessable/kTooLarge for a bad image.
    Result<EnrolmentResult> Enrol(const std::string& person_id,
                                  std::span<const std::uint8_t> photo);
    // Adds a resident (as AddResident) and enrols their photo in one transaction, so a crash
    // leaves either both or neither. A rejected photo adds nobody.
    Result<EnrolmentResult> AddResidentAndEnrol(const Person& person, int grant_days,
                                                std::span<const std::uint8_t> photo);

    // --- Gate decisions; each one is written to the passage log.
    // Decides on the frames of one approach (encoded images) at `gate_id`.
    Result<GateOutcome> DecideFaces(const std::string& gate_id,
                                    const std::vector<std::span<const std::uint8_t>>& frames);
    // Decides on an alternative credential presented at `gate_id`.
    Result<GateOutcome> DecideCredential(const std::string& gate_id, CredentialKind kind,
                                         const std::string& secret);
    // Returns the current thresholds of an estate (they depend on its gallery size).
    Result<Thresholds> ThresholdsOf(const std::string& estate_id) const;

    // --- Recognition for the welfare and lead evaluations
    // Returns the similarity score of two templates of this core's kind, as FacePipeline::Score
    // does (inner product minus the pipeline's score offset). Thread-safe.
    float Score(std::span<const float> a, std::span<const float> b) const;
    // Returns what a gallery's inner product exceeds the score by (FacePipeline::score_offset).
    float score_offset() const { return pool_->score_offset(); }
    // Returns the calibrated impostor tail of this core's template kind; kNotFound when the
    // calibration has none.
    Result<ImpostorTail> ImpostorTailOfKind() const;
    // Returns the thresholds of the enrolment duplicate check: a search over every enrolled
    // person of every estate (kAllEstatesGallery) at the default target FPIR.
    Result<Thresholds> DuplicateThresholds() const;

    // --- Move-out and retention
    // Deletes the person's templates, thumbnail, grants, credentials, staff record and person
    // record, removes them from every gallery, pseudonymises their passages, stores and
    // returns the deletion receipt, and compacts the database so no deleted bytes remain.
    Result<DeletionReceipt> MoveOut(const std::string& person_id, const std::string& operator_id);
    // Deletes passages older than the retention period (setting "passage_retention_days",
    // default 180). Returns the count.
    Result<int> PurgeExpiredPassages();

  private:
    AccessCore(AccessCoreOptions options, std::shared_ptr<const Clock> clock,
               std::unique_ptr<Store> store, RecordCipher cipher, RecognitionEngine engine,
               std::unique_ptr<PipelinePool> pool, std::unique_ptr<GallerySet> galleries);

    Status LoadGalleries();
    // Deletes the kept unknown faces (of any estate) that match one of the person's templates
    // and returns the count; runs inside the move-out transaction.
    Result<int> DeleteUnknownFacesOf(const std::string& person_id);
    // Resolves the person's unresolved welfare alerts for a move-out; runs inside its
    // transaction.
    Status ResolveAlertsOnMoveOut(const std::string& person_id, const std::string& operator_id,
                                  UnixSeconds at);
    // Checks the company, verification fields, validity window and served estates of `staff`.
    Status CheckStaffVerification(const ServiceStaff& staff);
    // Replaces the default grants of a staff member for `staff`'s window and estates; the caller
    // holds membership_mutex_ and runs it inside a transaction. Returns the estates whose
    // default grant was dropped.
    Result<std::vector<std::string>> ReplaceStaffGrants(const ServiceStaff& before,
                                                        const ServiceStaff& staff);
    // Takes the person out of each estate's gallery unless they still hold a grant there.
    Status DropFromGalleriesWithoutGrant(const std::string& person_id,
                                         const std::vector<std::string>& estate_ids);
    // AddGrant and AddResident without taking membership_mutex_; the caller holds it.
    Status AddGrantLocked(const AccessGrant& grant);
    Status AddResidentLocked(const Person& person, int grant_days);
    // Adds every template of the person to the galleries of the estates they hold grants for
    // and to the all-estates gallery used for duplicate checks.
    Status AddPersonToGalleries(const std::string& person_id);
    Result<GateOutcome> LogOutcome(const Gate& gate, GateOutcome outcome,
                                   const std::string& credential);
    Result<GrantCheck> CheckPersonGrants(const std::string& person_id, const Estate& estate);
    // The template of one frame whose primary face passed the gate's quality policy.
    struct UsableFrame {
        std::vector<float> values;
        float detector_score = 0;
    };
    Result<std::vector<UsableFrame>> UsableTemplates(
        const std::vector<std::span<const std::uint8_t>>& frames);
    // Keeps the template of the best usable frame of an unknown face for the estate's
    // retention window, when the estate's unknown_face_retention_days is above 0.
    Status KeepUnknownAttempt(const GateOutcome& outcome, const std::vector<UsableFrame>& usable);
    // Decodes, detects, checks quality and computes the template and thumbnail, without
    // writing anything. A rejection leaves `draft.result.reasons` non-empty.
    struct EnrolmentDraft {
        EnrolmentResult result;
        std::vector<float> values;
        std::vector<std::uint8_t> thumbnail;
    };
    Result<EnrolmentDraft> DraftEnrolment(const std::string& person_id,
                                          std::span<const std::uint8_t> photo);
    // Stores the draft's template and thumbnail; the caller holds membership_mutex_ and runs
    // it inside a transaction.
    Status StoreEnrolment(const std::string& person_id, EnrolmentDraft& draft);
    Status CheckDuplicate(const std::string& person_id, EnrolmentDraft& draft);

    AccessCoreOptions options_;
    std::shared_ptr<const Clock> clock_;
    std::unique_ptr<Store> store_;
    RecordCipher cipher_;
    RecognitionEngine engine_;
    std::unique_ptr<PipelinePool> pool_;
    std::unique_ptr<GallerySet> galleries_;
    std::mutex membership_mutex_;  // serialises gallery membership changes with their writes
};

// Id of the gallery that holds every template of every estate, for duplicate checks.
inline constexpr const char* kAllEstatesGallery = "*";

}  // namespace menjin
