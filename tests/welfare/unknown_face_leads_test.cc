// LeadFinder's recurring unknown face signal with the real recognition engine: photos of
// people who are not enrolled are presented at an estate's gates at different times, kept as
// encrypted templates, clustered and purged after the retention window.

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_paths.h"
#include "welfare/lead_finder.h"
#include "welfare/welfare_fixture.h"

namespace menjin::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAreArray;

constexpr UnixSeconds kHour = 3600;
// Identities of the shared photo set whose five and four photos all pass the gate's quality
// check. Their genuine scores are printed by RecurringStrangerBecomesOneLead.
constexpr const char* kRecurring = "p0216";
constexpr const char* kOtherRecurring = "p0018";
// One-photo strangers with a usable face: the test expects at least this many.
constexpr std::size_t kMinOneTimeStrangers = 40;

// Returns the photos of `folder` in name order.
std::vector<fs::path> PhotosIn(const fs::path& folder) {
    std::vector<fs::path> photos;
    for (const auto& entry : fs::directory_iterator(folder))
        photos.push_back(entry.path());
    std::sort(photos.begin(), photos.end());
    return photos;
}

// Returns the raw `sealed` column of every row of unknown_face_attempts, read through a
// connection of the test's own.
std::map<std::int64_t, std::vector<std::uint8_t>> SealedAttempts(const fs::path& db_file) {
    std::map<std::int64_t, std::vector<std::uint8_t>> sealed;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(db_file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        ADD_FAILURE() << "cannot open " << db_file;
        sqlite3_close(db);
        return sealed;
    }
    sqlite3_stmt* select = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT id, sealed FROM unknown_face_attempts", -1, &select,
                                 nullptr),
              SQLITE_OK);
    while (select != nullptr && sqlite3_step(select) == SQLITE_ROW) {
        const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(select, 1));
        sealed[sqlite3_column_int64(select, 0)].assign(data,
                                                       data + sqlite3_column_bytes(select, 1));
    }
    sqlite3_finalize(select);
    sqlite3_close(db);
    return sealed;
}

// Returns true when any 32-byte run of `secret`, taken every 4 bytes, is in any file of
// `folder` other than the key file.
bool AnyRunInFolder(const fs::path& folder, const std::vector<std::uint8_t>& secret) {
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
        if (!entry.is_regular_file() || entry.path().filename() == "data.key")
            continue;
        const std::vector<std::uint8_t> file = ReadFileBytes(entry.path());
        for (std::size_t start = 0; start + 32 <= secret.size(); start += 4) {
            const std::vector<std::uint8_t> run(secret.begin() + start,
                                                secret.begin() + start + 32);
            if (ContainsBytes(file, run))
                return true;
        }
    }
    return false;
}

class UnknownFaceLeadsTest : public WelfareTest {
  protected:
    void SetUp() override {
        WelfareTest::SetUp();
        if (IsSkipped() || HasFatalFailure())
            return;
        std::optional<fs::path> faces = SharedFacesDir();
        if (!faces)
            GTEST_SKIP() << "needs the shared photo set (../shared/faces or $MENJIN_FACES_DIR)";
        faces_ = *faces;
        if (!fs::is_directory(faces_ / "identities" / kRecurring) ||
            !fs::is_directory(faces_ / "identities" / kOtherRecurring)) {
            GTEST_SKIP() << "the shared photo set lacks identities " << kRecurring << " and "
                         << kOtherRecurring;
        }
        Gate side;
        side.id = "g1b";
        side.estate_id = "e1";
        side.name = "Side entrance";
        side.direction = GateDirection::kEntry;
        ASSERT_TRUE(IsOk(core_->AddGate(side)));
        // An enrolled resident, so the strangers are searched in a real gallery.
        AddEnrolledResident("p1", "张三明");
    }

    std::vector<fs::path> Photos(const char* identity) {
        return PhotosIn(faces_ / "identities" / identity);
    }

    // Presents `photo` at `gate_id` at `at` and returns the id of the kept unknown-face
    // attempt, or nullopt when the gate did not deny it as an unknown face (for example no
    // usable face in the photo).
    std::optional<std::int64_t> TryPresent(const fs::path& photo, const std::string& gate_id,
                                           UnixSeconds at) {
        clock_->Set(at);
        Result<GateOutcome> outcome = core_->DecideFaces(gate_id, {ReadFileBytes(photo)});
        if (!outcome.ok() || outcome->decision.reason != "unknown_face")
            return std::nullopt;
        Result<std::vector<UnknownFaceAttempt>> kept = core_->store().ListUnknownAttempts("e1", at);
        EXPECT_TRUE(IsOk(kept));
        if (kept.ok()) {
            for (const UnknownFaceAttempt& attempt : *kept) {
                if (attempt.passage_id == outcome->passage_id)
                    return attempt.id;
            }
        }
        ADD_FAILURE() << "no attempt kept for " << photo;
        return std::nullopt;
    }

    // As TryPresent, but fails the test unless the attempt is kept.
    std::int64_t Present(const fs::path& photo, const std::string& gate_id, UnixSeconds at) {
        std::optional<std::int64_t> id = TryPresent(photo, gate_id, at);
        EXPECT_TRUE(id.has_value()) << photo << " was not kept as an unknown face";
        return id.value_or(0);
    }

    // Presents the recurring stranger's photos on days 0, 1, 3, 6 and 9 after kStartTime at
    // alternating gates and returns the attempt ids.
    std::vector<std::int64_t> PresentRecurring() {
        const std::vector<fs::path> photos = Photos(kRecurring);
        const UnixSeconds times[] = {kStartTime, kStartTime + kDay + 8 * kHour,
                                     kStartTime + 3 * kDay - 2 * kHour,
                                     kStartTime + 6 * kDay + 11 * kHour, kStartTime + 9 * kDay};
        std::vector<std::int64_t> ids;
        for (std::size_t i = 0; i < photos.size() && i < std::size(times); ++i)
            ids.push_back(Present(photos[i], i % 2 == 0 ? "g1" : "g1b", times[i]));
        return ids;
    }

    // Presents every one-photo stranger whose photo has a usable face, spread over days 0 to
    // 9, and returns the attempt ids.
    std::vector<std::int64_t> PresentOneTimeStrangers() {
        std::vector<std::int64_t> ids;
        int presented = 0;
        for (const fs::path& folder : PhotosIn(faces_ / "distractors")) {
            const UnixSeconds at = kStartTime + (presented % 10) * kDay + (presented / 10) * kHour;
            std::optional<std::int64_t> id = TryPresent(PhotosIn(folder).front(), "g1", at);
            ++presented;
            if (id)
                ids.push_back(*id);
        }
        return ids;
    }

    Result<LeadEvaluation> EvaluateAt(UnixSeconds now) {
        clock_->Set(now);
        return LeadFinder(*core_).EvaluateEstate("e1");
    }

    // Returns the attempt ids named in a lead's evidence.
    static std::vector<std::int64_t> AttemptIdsOf(const Lead& lead) {
        const nlohmann::json evidence = nlohmann::json::parse(lead.evidence);
        std::vector<std::int64_t> ids;
        for (const nlohmann::json& entry : evidence["attempts"])
            ids.push_back(entry["id"].get<std::int64_t>());
        return ids;
    }

    // Returns the decrypted kept templates by attempt id.
    std::map<std::int64_t, std::vector<float>> KeptTemplates() {
        std::map<std::int64_t, std::vector<float>> templates;
        Result<std::vector<UnknownFaceAttempt>> kept = core_->store().ListUnknownAttempts("e1", 0);
        EXPECT_TRUE(IsOk(kept));
        if (kept.ok()) {
            for (const UnknownFaceAttempt& attempt : *kept)
                templates[attempt.id] = attempt.values;
        }
        return templates;
    }

    fs::path faces_;
};

TEST_F(UnknownFaceLeadsTest, RecurringStrangerBecomesOneLead) {
    const auto rows_before = TableRowCounts(db_file());
    const std::vector<std::int64_t> recurring = PresentRecurring();
    const std::vector<std::int64_t> strangers = PresentOneTimeStrangers();
    // A second recurring stranger, four photos on days 2, 4, 7 and 8.
    std::vector<std::int64_t> other;
    const std::vector<fs::path> other_photos = Photos(kOtherRecurring);
    for (std::size_t i = 0; i < other_photos.size(); ++i) {
        const int day = std::vector<int>{2, 4, 7, 8}[i % 4];
        other.push_back(Present(other_photos[i], "g1b", kStartTime + day * kDay + 3 * kHour));
    }
    ASSERT_EQ(recurring.size(), 5u);
    ASSERT_GE(strangers.size(), kMinOneTimeStrangers);
    ASSERT_EQ(other.size(), 4u);

    Result<LeadEvaluation> evaluation = EvaluateAt(kStartTime + 10 * kDay);

    ASSERT_TRUE(IsOk(evaluation));
    EXPECT_EQ(evaluation->unknown_attempts, static_cast<int>(9 + strangers.size()));
    EXPECT_EQ(evaluation->attempts_purged, 0);
    ASSERT_EQ(evaluation->raised.size(), 2u);
    std::map<std::string, Lead> by_subject;
    for (std::int64_t id : evaluation->raised) {
        Result<Lead> lead = core_->store().GetLead(id);
        ASSERT_TRUE(IsOk(lead));
        EXPECT_EQ(lead->kind, LeadKind::kRecurringUnknownFace);
        EXPECT_EQ(lead->estate_id, "e1");
        by_subject[lead->subject] = *lead;
    }
    const std::string subject = "unknown:" + std::to_string(recurring.front());
    ASSERT_EQ(by_subject.count(subject), 1u);
    const Lead& lead = by_subject[subject];
    // Exactly the recurring stranger's attempts: no one-time stranger merged into it.
    EXPECT_THAT(AttemptIdsOf(lead), UnorderedElementsAreArray(recurring));
    const nlohmann::json evidence = nlohmann::json::parse(lead.evidence);
    EXPECT_EQ(evidence["attempt_count"], 5);
    EXPECT_EQ(evidence["distinct_days"], 5);
    EXPECT_THAT(evidence["gates"].get<std::vector<std::string>>(), ElementsAre("g1", "g1b"));
    EXPECT_EQ(evidence["first_at"], FormatUtc(kStartTime));
    EXPECT_EQ(evidence["last_at"], FormatUtc(kStartTime + 9 * kDay));
    EXPECT_EQ(evidence["comparison_far"], LeadFinder::kClusterFar);
    Result<float> threshold = LeadFinder(*core_).ClusterThreshold();
    ASSERT_TRUE(IsOk(threshold));
    EXPECT_NEAR(evidence["threshold"].get<double>(), *threshold, 1e-6);
    for (const nlohmann::json& entry : evidence["attempts"]) {
        EXPECT_TRUE(entry.contains("passage_id"));
        EXPECT_TRUE(entry.contains("gate_id"));
        EXPECT_FALSE(entry.contains("values"));
    }
    // The second recurring stranger is a lead of its own.
    const std::string other_subject = "unknown:" + std::to_string(other.front());
    ASSERT_EQ(by_subject.count(other_subject), 1u);
    EXPECT_THAT(AttemptIdsOf(by_subject[other_subject]), UnorderedElementsAreArray(other));

    // No image was stored for any stranger: only passages and kept templates were added.
    auto rows_after = TableRowCounts(db_file());
    EXPECT_EQ(rows_after["thumbnails"], rows_before.at("thumbnails"));
    EXPECT_EQ(rows_after["face_templates"], rows_before.at("face_templates"));
    EXPECT_EQ(rows_after["unknown_face_attempts"], static_cast<std::int64_t>(9 + strangers.size()));

    // The scores behind the verdict, for the record.
    std::map<std::int64_t, std::vector<float>> templates = KeptTemplates();
    float lowest_genuine = 1;
    float highest_stranger = -1;
    for (std::size_t i = 0; i < recurring.size(); ++i) {
        for (std::size_t j = i + 1; j < recurring.size(); ++j) {
            lowest_genuine = std::min(
                lowest_genuine, core_->Score(templates[recurring[i]], templates[recurring[j]]));
        }
        for (std::int64_t id : strangers) {
            highest_stranger =
                std::max(highest_stranger, core_->Score(templates[recurring[i]], templates[id]));
        }
        for (std::int64_t id : other) {
            highest_stranger =
                std::max(highest_stranger, core_->Score(templates[recurring[i]], templates[id]));
        }
    }
    std::printf(
        "[ measured ] cluster threshold %.4f, lowest genuine pair %.4f, highest stranger "
        "pair %.4f over %zu strangers\n",
        *threshold, lowest_genuine, highest_stranger, strangers.size() + 1);
    EXPECT_GE(lowest_genuine, *threshold);
    EXPECT_LT(highest_stranger, *threshold);
}

TEST_F(UnknownFaceLeadsTest, OneDayOfVisitsRaisesNothing) {
    const std::vector<fs::path> photos = Photos(kRecurring);
    for (int i = 0; i < 3; ++i)
        Present(photos[i], "g1", kStartTime + i * kHour);

    Result<LeadEvaluation> evaluation = EvaluateAt(kStartTime + 10 * kHour);

    ASSERT_TRUE(IsOk(evaluation));
    EXPECT_EQ(evaluation->unknown_attempts, 3);
    EXPECT_EQ(evaluation->unknown_clusters, 1);
    EXPECT_TRUE(evaluation->raised.empty());
}

TEST_F(UnknownFaceLeadsTest, OpenLeadTakesNewAttempts) {
    const std::vector<std::int64_t> recurring = PresentRecurring();
    Result<LeadEvaluation> first = EvaluateAt(kStartTime + 10 * kDay);
    ASSERT_TRUE(IsOk(first));
    ASSERT_EQ(first->raised.size(), 1u);

    const std::int64_t again =
        Present(Photos(kRecurring)[1], "g1", kStartTime + 10 * kDay + 2 * kHour);
    Result<LeadEvaluation> second = EvaluateAt(kStartTime + 11 * kDay);

    ASSERT_TRUE(IsOk(second));
    EXPECT_TRUE(second->raised.empty());
    EXPECT_THAT(second->updated, ElementsAre(first->raised[0]));
    Result<Lead> lead = core_->store().GetLead(first->raised[0]);
    ASSERT_TRUE(IsOk(lead));
    std::vector<std::int64_t> expected = recurring;
    expected.push_back(again);
    EXPECT_THAT(AttemptIdsOf(*lead), UnorderedElementsAreArray(expected));
    EXPECT_EQ(nlohmann::json::parse(lead->evidence)["attempt_count"], 6);
    EXPECT_EQ(Leads(LeadKind::kRecurringUnknownFace).size(), 1u);
}

TEST_F(UnknownFaceLeadsTest, ClosedLeadNeedsNewAttempts) {
    PresentRecurring();
    Result<LeadEvaluation> first = EvaluateAt(kStartTime + 10 * kDay);
    ASSERT_TRUE(IsOk(first));
    ASSERT_EQ(first->raised.size(), 1u);
    ASSERT_TRUE(IsOk(LeadFinder(*core_).Close(first->raised[0], 1, "op-1", LeadOutcome::kNoIssue,
                                              "visiting relative")));

    // The same attempts: nothing new.
    Result<LeadEvaluation> same = EvaluateAt(kStartTime + 10 * kDay + kHour);
    ASSERT_TRUE(IsOk(same));
    EXPECT_TRUE(same->raised.empty());
    EXPECT_TRUE(same->updated.empty());

    // Two new attempts on one day are not enough.
    const std::vector<fs::path> photos = Photos(kRecurring);
    std::vector<std::int64_t> fresh;
    fresh.push_back(Present(photos[0], "g1", kStartTime + 11 * kDay));
    fresh.push_back(Present(photos[2], "g1b", kStartTime + 11 * kDay + kHour));
    Result<LeadEvaluation> two = EvaluateAt(kStartTime + 11 * kDay + 2 * kHour);
    ASSERT_TRUE(IsOk(two));
    EXPECT_TRUE(two->raised.empty());

    // A third on another day: a new lead naming only the attempts after the closing.
    fresh.push_back(Present(photos[4], "g1", kStartTime + 12 * kDay));
    Result<LeadEvaluation> three = EvaluateAt(kStartTime + 12 * kDay + kHour);
    ASSERT_TRUE(IsOk(three));
    ASSERT_EQ(three->raised.size(), 1u);
    Result<Lead> lead = core_->store().GetLead(three->raised[0]);
    ASSERT_TRUE(IsOk(lead));
    EXPECT_THAT(AttemptIdsOf(*lead), UnorderedElementsAreArray(fresh));

    // The new lead takes later attempts, but never those of the closed lead, although they
    // are still in the same cluster.
    fresh.push_back(Present(photos[3], "g1b", kStartTime + 13 * kDay));
    Result<LeadEvaluation> four = EvaluateAt(kStartTime + 13 * kDay + kHour);
    ASSERT_TRUE(IsOk(four));
    EXPECT_TRUE(four->raised.empty());
    EXPECT_THAT(four->updated, ElementsAre(three->raised[0]));
    Result<Lead> refreshed = core_->store().GetLead(three->raised[0]);
    ASSERT_TRUE(IsOk(refreshed));
    EXPECT_THAT(AttemptIdsOf(*refreshed), UnorderedElementsAreArray(fresh));
}

TEST_F(UnknownFaceLeadsTest, PurgeRemovesTemplateBytes) {
    const std::vector<fs::path> photos = Photos(kRecurring);
    const std::int64_t day0 = Present(photos[0], "g1", kStartTime);
    const std::int64_t day1 = Present(photos[1], "g1", kStartTime + kDay);
    const std::int64_t day10 = Present(photos[2], "g1", kStartTime + 10 * kDay);
    std::map<std::int64_t, std::vector<std::uint8_t>> sealed = SealedAttempts(db_file());
    std::map<std::int64_t, std::vector<float>> plain = KeptTemplates();
    ASSERT_EQ(sealed.size(), 3u);
    ASSERT_EQ(plain.size(), 3u);
    // The search must be able to find what it looks for: the sealed bytes are in the files.
    EXPECT_TRUE(AnyRunInFolder(data_dir_, sealed[day0]));

    // Fourteen days after day 1 plus an hour: day 0 and day 1 are outside the window.
    Result<LeadEvaluation> evaluation = EvaluateAt(kStartTime + 15 * kDay + kHour);
    ASSERT_TRUE(IsOk(evaluation));
    EXPECT_EQ(evaluation->attempts_purged, 2);
    EXPECT_EQ(evaluation->unknown_attempts, 1);
    EXPECT_EQ(TableRowCounts(db_file())["unknown_face_attempts"], 1);
    ASSERT_TRUE(IsOk(core_->store().Compact()));

    for (std::int64_t id : {day0, day1}) {
        EXPECT_FALSE(AnyRunInFolder(data_dir_, sealed[id])) << "sealed attempt " << id;
        EXPECT_FALSE(AnyRunInFolder(data_dir_, FloatBytes(plain[id]))) << "values " << id;
    }
    EXPECT_TRUE(AnyRunInFolder(data_dir_, sealed[day10]));
    EXPECT_FALSE(AnyRunInFolder(data_dir_, FloatBytes(plain[day10])));
    CloseCore();
    for (std::int64_t id : {day0, day1})
        EXPECT_FALSE(AnyRunInFolder(data_dir_, sealed[id])) << "sealed attempt " << id;
}

TEST_F(UnknownFaceLeadsTest, RetentionOffPurgesEverything) {
    PresentRecurring();
    ChangeSettings("e1", [](EstateWelfareSettings& s) { s.unknown_face_retention_days = 0; });

    Result<LeadEvaluation> evaluation = EvaluateAt(kStartTime + 10 * kDay);

    ASSERT_TRUE(IsOk(evaluation));
    EXPECT_EQ(evaluation->attempts_purged, 5);
    EXPECT_EQ(evaluation->unknown_attempts, 0);
    EXPECT_TRUE(evaluation->raised.empty());
    EXPECT_EQ(TableRowCounts(db_file())["unknown_face_attempts"], 0);
    // New unknown faces are no longer kept.
    clock_->Set(kStartTime + 10 * kDay + kHour);
    Result<GateOutcome> outcome = core_->DecideFaces("g1", {ReadFileBytes(Photos(kRecurring)[0])});
    ASSERT_TRUE(IsOk(outcome));
    EXPECT_EQ(outcome->decision.reason, "unknown_face");
    EXPECT_EQ(TableRowCounts(db_file())["unknown_face_attempts"], 0);
}

TEST_F(UnknownFaceLeadsTest, WindowIsPerEstate) {
    // Attempts at e2's gate are neither clustered with nor purged by e1's evaluation.
    const std::vector<fs::path> photos = Photos(kRecurring);
    clock_->Set(kStartTime);
    ASSERT_TRUE(IsOk(core_->DecideFaces("g2", {ReadFileBytes(photos[0])})));
    Present(photos[1], "g1", kStartTime + kDay);

    Result<LeadEvaluation> evaluation = EvaluateAt(kStartTime + 30 * kDay);

    ASSERT_TRUE(IsOk(evaluation));
    EXPECT_EQ(evaluation->attempts_purged, 1);
    Result<std::vector<UnknownFaceAttempt>> e2 = core_->store().ListUnknownAttempts("e2", 0);
    ASSERT_TRUE(IsOk(e2));
    EXPECT_EQ(e2->size(), 1u);
}

}  // namespace
}  // namespace menjin::testing
