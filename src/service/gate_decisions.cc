// Gate decisions: a 1:N search in the gate's estate gallery only, frames of one approach
// fused, then the matched person's grants checked. Every decision is logged. Unknown faces
// leave no image; their template is kept, encrypted, only while the estate's retention window
// for finding recurring strangers is on (EstateWelfareSettings::unknown_face_retention_days).

#include <set>

#include "access/name_mask.h"
#include "common/local_time.h"
#include "common/log.h"
#include "service/access_core.h"
#include "vision/face_selection.h"

namespace menjin {

namespace {

// More frames than this in one approach are refused; a gate sends a handful.
constexpr std::size_t kMaxFramesPerApproach = 10;
// Candidates taken from each frame's search before fusion.
constexpr int kCandidatesPerFrame = 5;

}  // namespace

Result<std::vector<AccessCore::UsableFrame>> AccessCore::UsableTemplates(
    const std::vector<std::span<const std::uint8_t>>& frames) {
    std::vector<UsableFrame> usable;
    PipelinePool::Lease pipeline = pool_->Acquire();
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const std::string label = "frame " + std::to_string(i + 1);
        MENJIN_ASSIGN_OR_RETURN(DecodedImage image,
                                DecodeImage(frames[i], options_.decode_limits, label));
        MENJIN_ASSIGN_OR_RETURN(std::vector<DetectedFace> faces, pipeline->Detect(image.bgr));
        std::optional<std::size_t> primary = PrimaryFaceIndex(faces, image.bgr.size());
        if (!primary)
            continue;
        const QualityReport quality =
            AssessQuality(image.bgr, faces[*primary], QualityPolicy::Gate());
        if (!quality.passed())
            continue;
        MENJIN_ASSIGN_OR_RETURN(cv::Mat templates,
                                pipeline->Templates(image.bgr, {faces[*primary]}));
        UsableFrame frame;
        frame.values.assign(templates.ptr<float>(0), templates.ptr<float>(0) + templates.cols);
        frame.detector_score = faces[*primary].score;
        usable.push_back(std::move(frame));
    }
    return usable;
}

Result<GrantCheck> AccessCore::CheckPersonGrants(const std::string& person_id,
                                                 const Estate& estate) {
    MENJIN_ASSIGN_OR_RETURN(Person person, store_->GetPerson(person_id));
    MENJIN_ASSIGN_OR_RETURN(std::vector<AccessGrant> grants, store_->ListGrantsOfPerson(person_id));
    const UnixSeconds now = clock_->Now();
    MENJIN_ASSIGN_OR_RETURN(LocalTime local, ToLocalTime(now, estate.timezone));
    if (person.role != PersonRole::kServiceStaff) {
        return CheckGrants(grants, estate.id, now, local, nullptr);
    }
    Result<ServiceStaff> staff = store_->GetServiceStaff(person_id);
    if (!staff.ok())
        return GrantCheck{false, "staff_not_verified"};
    return CheckGrants(grants, estate.id, now, local, &staff.value());
}

Result<GateOutcome> AccessCore::DecideFaces(
    const std::string& gate_id, const std::vector<std::span<const std::uint8_t>>& frames) {
    MENJIN_ASSIGN_OR_RETURN(Gate gate, store_->GetGate(gate_id));
    MENJIN_ASSIGN_OR_RETURN(Estate estate, store_->GetEstate(gate.estate_id));
    if (frames.empty() || frames.size() > kMaxFramesPerApproach) {
        return InvalidArgument("gate: an approach needs 1 to " +
                                   std::to_string(kMaxFramesPerApproach) + " frames, got " +
                                   std::to_string(frames.size()),
                               "frames");
    }
    MENJIN_ASSIGN_OR_RETURN(std::vector<UsableFrame> usable, UsableTemplates(frames));

    // Candidates from every frame, then each candidate's exact score in every frame.
    std::set<std::string> people;
    for (const UsableFrame& frame : usable) {
        MENJIN_ASSIGN_OR_RETURN(std::vector<PersonHit> hits,
                                galleries_->Search(estate.id, frame.values, kCandidatesPerFrame));
        for (const PersonHit& hit : hits)
            people.insert(hit.person_id);
    }
    std::vector<CandidateScores> candidates;
    for (const std::string& person_id : people) {
        CandidateScores candidate{person_id, {}};
        for (const UsableFrame& frame : usable) {
            MENJIN_ASSIGN_OR_RETURN(
                std::optional<float> best,
                galleries_->BestInnerProduct(estate.id, person_id, frame.values));
            if (!best)
                break;  // removed while deciding: skip the candidate
            candidate.frame_scores.push_back(*best - pool_->score_offset());
        }
        candidates.push_back(std::move(candidate));
    }

    GateOutcome outcome;
    outcome.gate_id = gate.id;
    outcome.estate_id = estate.id;
    outcome.frames_received = static_cast<int>(frames.size());
    outcome.frames_usable = static_cast<int>(usable.size());
    MENJIN_ASSIGN_OR_RETURN(outcome.thresholds, ThresholdsOf(estate.id));
    const MatchOutcome match =
        MatchCandidates(candidates, outcome.frames_usable, outcome.thresholds,
                        static_cast<float>(estate.min_margin));
    GrantCheck grant;
    if (match.kind == MatchOutcome::Kind::kMatch) {
        MENJIN_ASSIGN_OR_RETURN(grant, CheckPersonGrants(match.person_id, estate));
    }
    outcome.decision = Decide(match, grant);
    MENJIN_ASSIGN_OR_RETURN(outcome, LogOutcome(gate, std::move(outcome), "face"));
    if (outcome.decision.band == DecisionBand::kDeny && outcome.decision.reason == "unknown_face") {
        // The decision is already logged and must reach the gate, so a failure to keep the
        // attempt only costs a data point for the recurring-stranger lead.
        Status kept = KeepUnknownAttempt(outcome, usable);
        if (!kept.ok()) {
            MENJIN_LOG_WARN("gate {}: unknown face of passage {} not kept for lead finding: {}",
                            gate.id, outcome.passage_id, kept.ToString());
        }
    }
    return outcome;
}

Status AccessCore::KeepUnknownAttempt(const GateOutcome& outcome,
                                      const std::vector<UsableFrame>& usable) {
    if (usable.empty())
        return Status::Ok();
    MENJIN_ASSIGN_OR_RETURN(EstateWelfareSettings settings,
                            store_->GetWelfareSettings(outcome.estate_id));
    if (settings.unknown_face_retention_days <= 0)
        return Status::Ok();
    const UsableFrame* best = &usable.front();
    for (const UsableFrame& frame : usable) {
        if (frame.detector_score > best->detector_score)
            best = &frame;
    }
    UnknownFaceAttempt attempt;
    attempt.estate_id = outcome.estate_id;
    attempt.gate_id = outcome.gate_id;
    attempt.passage_id = outcome.passage_id;
    attempt.at = clock_->Now();
    attempt.values = best->values;
    MENJIN_ASSIGN_OR_RETURN(std::int64_t id, store_->AddUnknownAttempt(attempt));
    MENJIN_LOG_DEBUG("gate {}: kept unknown face attempt {} of passage {}", outcome.gate_id, id,
                     outcome.passage_id);
    return Status::Ok();
}

Result<GateOutcome> AccessCore::DecideCredential(const std::string& gate_id, CredentialKind kind,
                                                 const std::string& secret) {
    MENJIN_ASSIGN_OR_RETURN(Gate gate, store_->GetGate(gate_id));
    MENJIN_ASSIGN_OR_RETURN(Estate estate, store_->GetEstate(gate.estate_id));
    GateOutcome outcome;
    outcome.gate_id = gate.id;
    outcome.estate_id = estate.id;
    const std::string hash = cipher_.CredentialHash(CredentialKindName(kind), secret);
    MENJIN_ASSIGN_OR_RETURN(std::optional<AltCredential> credential,
                            store_->FindAltCredential(kind, hash));
    if (!credential) {
        outcome.decision.band = DecisionBand::kDeny;
        outcome.decision.reason = "unknown_credential";
    } else {
        MENJIN_ASSIGN_OR_RETURN(GrantCheck grant, CheckPersonGrants(credential->person_id, estate));
        outcome.decision.person_id = credential->person_id;
        outcome.decision.band = grant.allowed ? DecisionBand::kGrant : DecisionBand::kDeny;
        outcome.decision.reason = grant.allowed ? "granted" : grant.reason;
    }
    return LogOutcome(gate, std::move(outcome), CredentialKindName(kind));
}

Result<GateOutcome> AccessCore::LogOutcome(const Gate& gate, GateOutcome outcome,
                                           const std::string& credential) {
    const AccessDecision& decision = outcome.decision;
    if (decision.band == DecisionBand::kGrant) {
        MENJIN_ASSIGN_OR_RETURN(Person person, store_->GetPerson(decision.person_id));
        outcome.display_name = MaskName(person.name);
        MENJIN_ASSIGN_OR_RETURN(auto thumbnail, store_->GetThumbnail(person.id));
        outcome.has_thumbnail = thumbnail.has_value();
    }
    Passage passage;
    passage.gate_id = gate.id;
    passage.estate_id = gate.estate_id;
    passage.at = clock_->Now();
    passage.direction = gate.direction;
    passage.person_id = decision.person_id;
    passage.band = decision.band;
    passage.reason = decision.reason;
    passage.score = decision.score;
    passage.credential = credential;
    MENJIN_ASSIGN_OR_RETURN(outcome.passage_id, store_->AppendPassage(passage));
    MENJIN_LOG_DEBUG("gate {}: {} {} score {:.3f} passage {}", gate.id,
                     DecisionBandName(decision.band), decision.reason, decision.score,
                     outcome.passage_id);
    return outcome;
}

}  // namespace menjin
