// Enrolment: one photo in, one encrypted template and display thumbnail out. The photo itself
// is never stored.

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/log.h"
#include "service/access_core.h"

namespace menjin {

namespace {

// Side of the square display thumbnail in pixels, and its JPEG quality.
constexpr int kThumbnailSide = 160;
constexpr int kThumbnailQuality = 80;

// Returns a JPEG of the face with some margin, small enough that it is only good for showing
// on the gate screen.
std::vector<std::uint8_t> MakeThumbnail(const cv::Mat& bgr, const DetectedFace& face) {
    const float side = std::max(face.box.width, face.box.height) * 1.6f;
    const cv::Point2f centre(face.box.x + face.box.width / 2, face.box.y + face.box.height / 2);
    cv::Rect region(cvRound(centre.x - side / 2), cvRound(centre.y - side / 2), cvRound(side),
                    cvRound(side));
    region &= cv::Rect(0, 0, bgr.cols, bgr.rows);
    cv::Mat thumbnail;
    cv::resize(bgr(region), thumbnail, cv::Size(kThumbnailSide, kThumbnailSide), 0, 0,
               cv::INTER_AREA);
    std::vector<std::uint8_t> jpeg;
    cv::imencode(".jpg", thumbnail, jpeg, {cv::IMWRITE_JPEG_QUALITY, kThumbnailQuality});
    return jpeg;
}

// Faces narrower than this share of the largest face count as bystanders in the background.
constexpr float kBackgroundFaceRatio = 0.5f;

// Removes faces much smaller than the largest one, so that a distant passer-by behind the
// person does not make a good photo "multiple_faces". Two faces of similar size still do.
void DropBackgroundFaces(std::vector<AssessedFace>& faces) {
    float widest = 0;
    for (const AssessedFace& f : faces)
        widest = std::max(widest, f.face.box.width);
    std::erase_if(faces, [&](const AssessedFace& f) {
        return f.face.box.width < kBackgroundFaceRatio * widest;
    });
}

}  // namespace

Result<AccessCore::EnrolmentDraft> AccessCore::DraftEnrolment(const std::string& person_id,
                                                              std::span<const std::uint8_t> photo) {
    MENJIN_ASSIGN_OR_RETURN(DecodedImage image,
                            DecodeImage(photo, options_.decode_limits, "enrolment photo"));
    EnrolmentDraft draft;
    EnrolmentResult& result = draft.result;
    PipelinePool::Lease pipeline = pool_->Acquire();
    MENJIN_ASSIGN_OR_RETURN(std::vector<AssessedFace> faces,
                            pipeline->DetectAndAssess(image.bgr, QualityPolicy::Enrolment()));
    DropBackgroundFaces(faces);
    result.faces_found = static_cast<int>(faces.size());
    if (faces.size() != 1) {
        result.reasons.push_back(faces.empty() ? "no_face" : "multiple_faces");
        return draft;
    }
    result.face = faces.front();
    if (!result.face->quality.passed()) {
        result.reasons = result.face->quality.reasons;
        return draft;
    }
    MENJIN_ASSIGN_OR_RETURN(cv::Mat templates, pipeline->Templates(image.bgr, {result.face->face}));
    draft.values.assign(templates.ptr<float>(0), templates.ptr<float>(0) + templates.cols);
    draft.thumbnail = MakeThumbnail(image.bgr, result.face->face);
    MENJIN_LOG_DEBUG("core: enrolment photo for {} passed quality", person_id);
    return draft;
}

// Rejects the enrolment when the face already belongs to another person anywhere in the city,
// naming that person so staff can decide. The threshold is the accept threshold of a search
// over every enrolled person at the default FPIR, so a duplicate is flagged as surely as a
// gate would recognise the other person.
Status AccessCore::CheckDuplicate(const std::string& person_id, EnrolmentDraft& draft) {
    MENJIN_ASSIGN_OR_RETURN(const Thresholds thresholds, DuplicateThresholds());
    MENJIN_ASSIGN_OR_RETURN(std::vector<PersonHit> hits,
                            galleries_->Search(kAllEstatesGallery, draft.values, 2));
    for (const PersonHit& hit : hits) {
        if (hit.person_id == person_id)
            continue;
        const float score = hit.inner_product - pool_->score_offset();
        if (score >= thresholds.accept) {
            draft.result.reasons.push_back("already_enrolled");
            draft.result.duplicate_person_id = hit.person_id;
            draft.result.duplicate_score = score;
        }
        break;
    }
    return Status::Ok();
}

Status AccessCore::StoreEnrolment(const std::string& person_id, EnrolmentDraft& draft) {
    FaceTemplateRecord record;
    record.person_id = person_id;
    record.template_kind = template_kind();
    record.values = draft.values;
    record.created_at = clock_->Now();
    MENJIN_ASSIGN_OR_RETURN(record, store_->AddTemplate(record));
    MENJIN_RETURN_IF_ERROR(store_->PutThumbnail(person_id, draft.thumbnail));
    draft.result.template_id = record.template_id;
    draft.result.accepted = true;
    return Status::Ok();
}

Result<EnrolmentResult> AccessCore::Enrol(const std::string& person_id,
                                          std::span<const std::uint8_t> photo) {
    MENJIN_RETURN_IF_ERROR(store_->GetPerson(person_id).status());
    MENJIN_ASSIGN_OR_RETURN(EnrolmentDraft draft, DraftEnrolment(person_id, photo));
    if (!draft.result.reasons.empty())
        return draft.result;
    std::lock_guard lock(membership_mutex_);
    MENJIN_RETURN_IF_ERROR(CheckDuplicate(person_id, draft));
    if (!draft.result.reasons.empty())
        return draft.result;
    MENJIN_RETURN_IF_ERROR(store_->Transaction([&] { return StoreEnrolment(person_id, draft); }));
    MENJIN_RETURN_IF_ERROR(AddPersonToGalleries(person_id));
    MENJIN_LOG_INFO("core: enrolled template {} for person {}", draft.result.template_id,
                    person_id);
    return draft.result;
}

Result<EnrolmentResult> AccessCore::AddResidentAndEnrol(const Person& person, int grant_days,
                                                        std::span<const std::uint8_t> photo) {
    MENJIN_ASSIGN_OR_RETURN(EnrolmentDraft draft, DraftEnrolment(person.id, photo));
    if (!draft.result.reasons.empty())
        return draft.result;
    std::lock_guard lock(membership_mutex_);
    MENJIN_RETURN_IF_ERROR(CheckDuplicate(person.id, draft));
    if (!draft.result.reasons.empty())
        return draft.result;
    MENJIN_RETURN_IF_ERROR(store_->Transaction([&]() -> Status {
        MENJIN_RETURN_IF_ERROR(AddResidentLocked(person, grant_days));
        return StoreEnrolment(person.id, draft);
    }));
    MENJIN_RETURN_IF_ERROR(AddPersonToGalleries(person.id));
    MENJIN_LOG_INFO("core: added and enrolled person {} (template {})", person.id,
                    draft.result.template_id);
    return draft.result;
}

}  // namespace menjin
