#include "access/decision.h"

#include <limits>

#include <gtest/gtest.h>

namespace menjin {
namespace {

using Kind = MatchOutcome::Kind;

Thresholds MakeThresholds(float reject, float accept) {
    Thresholds thresholds;
    thresholds.reject = reject;
    thresholds.accept = accept;
    return thresholds;
}

const Thresholds kThresholds = MakeThresholds(0.45f, 0.60f);
constexpr float kMargin = 0.05f;

TEST(MatchCandidatesTest, FusesFramesByMean) {
    const MatchOutcome match =
        MatchCandidates({{"alice", {0.90f, 0.50f, 0.70f}}}, 3, kThresholds, kMargin);

    EXPECT_EQ(match.kind, Kind::kMatch);
    EXPECT_EQ(match.person_id, "alice");
    EXPECT_FLOAT_EQ(match.score, 0.70f);
    EXPECT_EQ(match.frames, 3);
}

TEST(MatchCandidatesTest, MeanNotMaximumDecides) {
    // The best single frame passes, but the mean stays below accept.
    const MatchOutcome match =
        MatchCandidates({{"alice", {0.95f, 0.20f}}}, 2, kThresholds, kMargin);

    EXPECT_EQ(match.kind, Kind::kUncertain);
    EXPECT_FLOAT_EQ(match.score, 0.575f);
}

TEST(MatchCandidatesTest, SmallMarginIsAmbiguous) {
    const MatchOutcome match =
        MatchCandidates({{"alice", {0.80f}}, {"bob", {0.78f}}}, 1, kThresholds, kMargin);

    EXPECT_EQ(match.kind, Kind::kAmbiguous);
    EXPECT_EQ(match.person_id, "alice");
    EXPECT_NEAR(match.margin, 0.02f, 1e-6);
}

TEST(MatchCandidatesTest, MarginIsOverBestOtherPerson) {
    const MatchOutcome match = MatchCandidates(
        {{"carol", {0.50f}}, {"alice", {0.90f}}, {"bob", {0.70f}}}, 1, kThresholds, kMargin);

    EXPECT_EQ(match.kind, Kind::kMatch);
    EXPECT_EQ(match.person_id, "alice");
    EXPECT_NEAR(match.margin, 0.20f, 1e-6);
}

TEST(MatchCandidatesTest, EqualScoresAreAmbiguous) {
    const MatchOutcome match =
        MatchCandidates({{"alice", {0.80f}}, {"bob", {0.80f}}}, 1, kThresholds, kMargin);

    EXPECT_EQ(match.kind, Kind::kAmbiguous);
    EXPECT_FLOAT_EQ(match.margin, 0.0f);
}

TEST(MatchCandidatesTest, MarginAtMinimumMatches) {
    const MatchOutcome match =
        MatchCandidates({{"alice", {0.75f}}, {"bob", {0.50f}}}, 1, kThresholds, 0.25f);

    EXPECT_EQ(match.kind, Kind::kMatch);
}

TEST(MatchCandidatesTest, BelowRejectIsUnknown) {
    const MatchOutcome match = MatchCandidates({{"alice", {0.40f}}}, 1, kThresholds, kMargin);

    EXPECT_EQ(match.kind, Kind::kUnknown);
    EXPECT_FLOAT_EQ(match.score, 0.40f);
}

TEST(MatchCandidatesTest, BetweenThresholdsIsUncertain) {
    const MatchOutcome match = MatchCandidates({{"alice", {0.50f}}}, 1, kThresholds, kMargin);

    EXPECT_EQ(match.kind, Kind::kUncertain);
    EXPECT_EQ(match.person_id, "alice");
}

TEST(MatchCandidatesTest, ThresholdBoundariesAreInclusive) {
    const MatchOutcome at_reject = MatchCandidates({{"alice", {0.45f}}}, 1, kThresholds, kMargin);
    const MatchOutcome at_accept = MatchCandidates({{"alice", {0.60f}}}, 1, kThresholds, kMargin);

    EXPECT_EQ(at_reject.kind, Kind::kUncertain);
    EXPECT_EQ(at_accept.kind, Kind::kMatch);
}

TEST(MatchCandidatesTest, NoFramesIsNoUsableFace) {
    for (int frames : {0, -1}) {
        const MatchOutcome match = MatchCandidates({{"alice", {}}}, frames, kThresholds, kMargin);
        EXPECT_EQ(match.kind, Kind::kNoUsableFace) << frames;
        EXPECT_TRUE(match.person_id.empty()) << frames;
    }
}

TEST(MatchCandidatesTest, SingleCandidateHasUnboundedMargin) {
    const MatchOutcome match = MatchCandidates({{"alice", {0.61f}}}, 1, kThresholds, 5.0f);

    EXPECT_EQ(match.kind, Kind::kMatch);
    EXPECT_EQ(match.margin, std::numeric_limits<float>::max());
}

TEST(MatchCandidatesTest, WrongFrameCountIsIgnored) {
    // bob has a score for only one of the two frames, so his high score must not count,
    // neither as the best candidate nor as alice's competitor.
    const MatchOutcome match =
        MatchCandidates({{"bob", {0.99f}}, {"alice", {0.80f, 0.80f}}}, 2, kThresholds, kMargin);

    EXPECT_EQ(match.kind, Kind::kMatch);
    EXPECT_EQ(match.person_id, "alice");
    EXPECT_EQ(match.margin, std::numeric_limits<float>::max());
}

TEST(MatchCandidatesTest, OnlyIgnoredCandidatesIsUnknown) {
    const MatchOutcome match =
        MatchCandidates({{"bob", {0.99f, 0.99f, 0.99f}}}, 2, kThresholds, kMargin);

    EXPECT_EQ(match.kind, Kind::kUnknown);
    EXPECT_TRUE(match.person_id.empty());
}

TEST(MatchCandidatesTest, NoCandidatesIsUnknown) {
    const MatchOutcome match = MatchCandidates({}, 2, kThresholds, kMargin);

    EXPECT_EQ(match.kind, Kind::kUnknown);
    EXPECT_TRUE(match.person_id.empty());
    EXPECT_EQ(match.frames, 2);
}

MatchOutcome MakeMatch(Kind kind) {
    MatchOutcome match;
    match.kind = kind;
    match.person_id = "alice";
    match.score = 0.7f;
    match.margin = 0.2f;
    match.frames = 2;
    return match;
}

TEST(DecideTest, NoUsableFaceAsksForRetry) {
    const AccessDecision decision = Decide(MakeMatch(Kind::kNoUsableFace), {});

    EXPECT_EQ(decision.band, DecisionBand::kRetry);
    EXPECT_EQ(decision.reason, "no_usable_face");
    EXPECT_TRUE(decision.person_id.empty());
}

TEST(DecideTest, UnknownIsDenied) {
    const AccessDecision decision = Decide(MakeMatch(Kind::kUnknown), {true, ""});

    EXPECT_EQ(decision.band, DecisionBand::kDeny);
    EXPECT_EQ(decision.reason, "unknown_face");
    EXPECT_TRUE(decision.person_id.empty());
}

TEST(DecideTest, UncertainAsksForRetry) {
    const AccessDecision decision = Decide(MakeMatch(Kind::kUncertain), {true, ""});

    EXPECT_EQ(decision.band, DecisionBand::kRetry);
    EXPECT_EQ(decision.reason, "uncertain_match");
    EXPECT_TRUE(decision.person_id.empty());
}

TEST(DecideTest, AmbiguousAsksForRetry) {
    const AccessDecision decision = Decide(MakeMatch(Kind::kAmbiguous), {true, ""});

    EXPECT_EQ(decision.band, DecisionBand::kRetry);
    EXPECT_EQ(decision.reason, "ambiguous_match");
    EXPECT_TRUE(decision.person_id.empty());
}

TEST(DecideTest, MatchWithGrantIsGranted) {
    const AccessDecision decision = Decide(MakeMatch(Kind::kMatch), {true, ""});

    EXPECT_EQ(decision.band, DecisionBand::kGrant);
    EXPECT_EQ(decision.reason, "granted");
    EXPECT_EQ(decision.person_id, "alice");
    EXPECT_FLOAT_EQ(decision.score, 0.7f);
    EXPECT_FLOAT_EQ(decision.margin, 0.2f);
}

TEST(DecideTest, MatchWithoutGrantIsDenied) {
    for (const char* reason : {"no_grant", "grant_expired", "grant_not_started", "outside_schedule",
                               "staff_validity_ended"}) {
        const AccessDecision decision = Decide(MakeMatch(Kind::kMatch), {false, reason});
        EXPECT_EQ(decision.band, DecisionBand::kDeny) << reason;
        EXPECT_EQ(decision.reason, reason);
        EXPECT_EQ(decision.person_id, "alice") << reason;
    }
}

TEST(DecideTest, CopiesScoreAndMargin) {
    for (Kind kind : {Kind::kUnknown, Kind::kUncertain, Kind::kAmbiguous, Kind::kMatch}) {
        const AccessDecision decision = Decide(MakeMatch(kind), {true, ""});
        EXPECT_FLOAT_EQ(decision.score, 0.7f) << static_cast<int>(kind);
        EXPECT_FLOAT_EQ(decision.margin, 0.2f) << static_cast<int>(kind);
    }
}

}  // namespace
}  // namespace menjin
