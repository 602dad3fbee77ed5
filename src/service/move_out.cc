// Move-out: verifiable erasure of a person's personal and biometric data, and the passage
// retention purge.

#include <sodium.h>

#include <algorithm>

#include "common/log.h"
#include "service/access_core.h"

namespace menjin {

namespace {

constexpr const char* kRetentionSetting = "passage_retention_days";
constexpr int kDefaultRetentionDays = 180;

// False accept rate at which a kept unknown face counts as the moved-out person, the same rate
// at which the lead finder joins two unknown faces into one stranger.
constexpr double kUnknownFaceMatchFar = 1e-4;

std::string NewReceiptId() {
    unsigned char random[8];
    randombytes_buf(random, sizeof(random));
    char hex[sizeof(random) * 2 + 1];
    sodium_bin2hex(hex, sizeof(hex), random, sizeof(random));
    return std::string("rcpt-") + hex;
}

}  // namespace

Result<DeletionReceipt> AccessCore::MoveOut(const std::string& person_id,
                                            const std::string& operator_id) {
    std::lock_guard lock(membership_mutex_);
    MENJIN_ASSIGN_OR_RETURN(Person person, store_->GetPerson(person_id));
    DeletionReceipt receipt;
    receipt.id = NewReceiptId();
    receipt.person_pseudonym = cipher_.Pseudonym(person_id);
    receipt.at = clock_->Now();
    receipt.operator_id = operator_id;

    bool gallery_cleared = false;
    const Status erased = store_->Transaction([&]() -> Status {
        MENJIN_ASSIGN_OR_RETURN(int unknown_faces, DeleteUnknownFacesOf(person_id));
        if (unknown_faces > 0) {
            MENJIN_LOG_INFO("core: move-out of {} also deletes {} kept unknown faces that match",
                            receipt.person_pseudonym, unknown_faces);
        }
        MENJIN_ASSIGN_OR_RETURN(receipt.templates_deleted,
                                store_->DeleteTemplatesOfPerson(person_id));
        MENJIN_ASSIGN_OR_RETURN(receipt.thumbnails_deleted, store_->DeleteThumbnail(person_id));
        MENJIN_ASSIGN_OR_RETURN(receipt.grants_deleted, store_->DeleteGrantsOfPerson(person_id));
        MENJIN_ASSIGN_OR_RETURN(receipt.credentials_deleted,
                                store_->DeleteAltCredentialsOfPerson(person_id));
        if (person.role == PersonRole::kServiceStaff) {
            Status staff = store_->DeleteServiceStaff(person_id);
            if (!staff.ok() && staff.code() != ErrorCode::kNotFound)
                return staff;
            receipt.staff_record_deleted = staff.ok();
        }
        if (person.household_id) {
            MENJIN_ASSIGN_OR_RETURN(Household household,
                                    store_->GetHousehold(*person.household_id));
            if (household.tenant_person_id == person_id) {
                household.tenant_person_id.reset();
                MENJIN_RETURN_IF_ERROR(store_->UpdateHousehold(household).status());
            }
        }
        MENJIN_RETURN_IF_ERROR(store_->DeletePerson(person_id));
        receipt.person_record_deleted = true;
        MENJIN_ASSIGN_OR_RETURN(receipt.passages_pseudonymised,
                                store_->PseudonymisePassages(person_id, receipt.person_pseudonym));
        MENJIN_RETURN_IF_ERROR(ResolveAlertsOnMoveOut(person_id, operator_id, receipt.at));
        MENJIN_RETURN_IF_ERROR(
            store_->PseudonymiseWelfareRecords(person_id, receipt.person_pseudonym).status());
        // The galleries are emptied last so the receipt can count their entries; when the
        // commit fails below, the person goes back into them.
        MENJIN_ASSIGN_OR_RETURN(receipt.gallery_entries_deleted,
                                galleries_->RemovePerson(person_id));
        gallery_cleared = true;
        return store_->AddReceipt(receipt);
    });
    if (!erased.ok()) {
        if (gallery_cleared) {
            Status restored = AddPersonToGalleries(person_id);
            if (!restored.ok()) {
                MENJIN_LOG_ERROR(
                    "core: move-out of {} failed and its gallery entries could not "
                    "be restored: {}; restart to rebuild the galleries",
                    person_id, restored.ToString());
            }
        }
        return erased;
    }
    // Freed pages still hold the deleted bytes until the file is rewritten.
    MENJIN_RETURN_IF_ERROR(store_->Compact());
    MENJIN_LOG_INFO("core: moved out {} by {}: receipt {}", receipt.person_pseudonym, operator_id,
                    receipt.id);
    return receipt;
}

// Deletes the kept unknown faces that are the person's, because a resident may have tried the
// gates of an estate where they are not enrolled. An attempt is theirs when it scores at or
// above the stranger clustering threshold against one of their templates. Runs inside the
// move-out transaction, before the person's templates are deleted.
Result<int> AccessCore::DeleteUnknownFacesOf(const std::string& person_id) {
    MENJIN_ASSIGN_OR_RETURN(std::vector<FaceTemplateRecord> templates,
                            store_->ListTemplatesOfPerson(person_id));
    if (templates.empty())
        return 0;
    MENJIN_ASSIGN_OR_RETURN(ImpostorTail tail, ImpostorTailOfKind());
    const float threshold = tail.ThresholdForFar(kUnknownFaceMatchFar);
    MENJIN_ASSIGN_OR_RETURN(std::vector<Estate> estates, store_->ListEstates());
    int deleted = 0;
    for (const Estate& estate : estates) {
        MENJIN_ASSIGN_OR_RETURN(std::vector<UnknownFaceAttempt> attempts,
                                store_->ListUnknownAttempts(estate.id, 0));
        for (const UnknownFaceAttempt& attempt : attempts) {
            const bool matches = std::any_of(
                templates.begin(), templates.end(), [&](const FaceTemplateRecord& record) {
                    return record.template_kind == template_kind() &&
                           Score(record.values, attempt.values) >= threshold;
                });
            if (!matches)
                continue;
            MENJIN_RETURN_IF_ERROR(store_->DeleteUnknownAttempt(attempt.id));
            ++deleted;
        }
    }
    return deleted;
}

// A resident who moved out cannot be visited, so their unresolved welfare alerts are closed
// with outcome "other" before the alerts are pseudonymised.
Status AccessCore::ResolveAlertsOnMoveOut(const std::string& person_id,
                                          const std::string& operator_id, UnixSeconds at) {
    AlertQuery query;
    query.person_id = person_id;
    query.statuses = {AlertStatus::kOpen, AlertStatus::kAcknowledged};
    MENJIN_ASSIGN_OR_RETURN(std::vector<WelfareAlert> alerts, store_->ListWelfareAlerts(query));
    for (WelfareAlert& alert : alerts) {
        alert.status = AlertStatus::kResolved;
        alert.resolved_by = operator_id;
        alert.resolved_at = at;
        alert.outcome = AlertOutcome::kOther;
        alert.resolve_note = "moved out";
        MENJIN_RETURN_IF_ERROR(store_->UpdateWelfareAlert(alert).status());
    }
    return Status::Ok();
}

Result<int> AccessCore::PurgeExpiredPassages() {
    MENJIN_ASSIGN_OR_RETURN(std::optional<std::string> setting,
                            store_->GetSetting(kRetentionSetting));
    int days = kDefaultRetentionDays;
    if (setting) {
        try {
            days = std::stoi(*setting);
        } catch (const std::exception&) {
            return InvalidArgument("core: setting " + std::string(kRetentionSetting) + " is '" +
                                   *setting + "', not a number of days");
        }
    }
    const UnixSeconds cutoff = clock_->Now() - static_cast<UnixSeconds>(days) * 86400;
    MENJIN_ASSIGN_OR_RETURN(int purged, store_->PurgePassagesBefore(cutoff));
    MENJIN_LOG_INFO("core: purged {} passages older than {} days", purged, days);
    return purged;
}

}  // namespace menjin
