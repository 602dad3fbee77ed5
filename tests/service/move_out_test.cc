// Move-out: the person's rows, gallery entries and template bytes are gone from every table
// and every file of the data folder, their passages are pseudonymised and a receipt is kept.

#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "service/core_fixture.h"

namespace menjin::testing {
namespace {

namespace fs = std::filesystem;

// Bytes that must not survive the move-out, with a name for failure messages.
struct Secret {
    std::string name;
    std::vector<std::uint8_t> bytes;
};

// Splits `bytes` into overlapping runs of `length` bytes every `step` bytes, so that a part
// of a deleted record that survived alone (a page split, a freed cell) is still found.
std::vector<std::vector<std::uint8_t>> Runs(const std::vector<std::uint8_t>& bytes,
                                            std::size_t length, std::size_t step) {
    std::vector<std::vector<std::uint8_t>> runs;
    for (std::size_t start = 0; start + length <= bytes.size(); start += step)
        runs.emplace_back(bytes.begin() + start, bytes.begin() + start + length);
    return runs;
}

class MoveOutTest : public AccessCoreTest {
  protected:
    void SetUp() override {
        AccessCoreTest::SetUp();
        if (IsSkipped() || HasFatalFailure())
            return;
        AddEstatesAndUnit();
        AddEnrolledResident("p-leaving", "欧阳娜娜");
        // A neighbour with a card, who stays: the move-out must remove one person only.
        AddUnit("u2", "e1");
        ASSERT_TRUE(IsOk(core_->AddResident(MakeResident("p-staying", "李四", "u2"), 365)));
        ASSERT_TRUE(
            IsOk(core_->AddAltCredential("p-staying", CredentialKind::kCard, "CARD-77770002")));
        ASSERT_TRUE(IsOk(core_->DecideCredential("g1", CredentialKind::kCard, "CARD-77770002")));
        Result<AltCredential> card =
            core_->AddAltCredential("p-leaving", CredentialKind::kCard, "CARD-77770001");
        ASSERT_TRUE(IsOk(card));
        ASSERT_EQ(DecideFace("g1", AstronautProbeJpeg()).decision.person_id, "p-leaving");
        Result<GateOutcome> by_card =
            core_->DecideCredential("g1", CredentialKind::kCard, "CARD-77770001");
        ASSERT_TRUE(IsOk(by_card));
        ASSERT_EQ(by_card->decision.band, DecisionBand::kGrant);
        secrets_ = ReadSecrets("p-leaving");
        ASSERT_EQ(secrets_.size(), 4u);
    }

    // The person's template values, sealed template, sealed thumbnail and decrypted
    // thumbnail, read before the move-out.
    std::vector<Secret> ReadSecrets(const std::string& person_id) {
        std::vector<Secret> secrets;
        Result<std::vector<FaceTemplateRecord>> templates =
            core_->store().ListTemplatesOfPerson(person_id);
        EXPECT_TRUE(IsOk(templates));
        if (templates.ok() && templates->size() == 1)
            secrets.push_back({"template values", FloatBytes(templates->front().values)});
        for (const char* table : {"face_templates", "thumbnails"}) {
            for (auto& blob : SealedBlobs(db_file(), table, person_id))
                secrets.push_back({std::string("sealed ") + table, std::move(blob)});
        }
        Result<std::optional<std::vector<std::uint8_t>>> thumbnail =
            core_->store().GetThumbnail(person_id);
        EXPECT_TRUE(IsOk(thumbnail));
        if (thumbnail.ok() && thumbnail->has_value())
            secrets.push_back({"thumbnail", **thumbnail});
        return secrets;
    }

    // Checks that no run of any secret is in any file of the data folder except the key.
    void ExpectNoSecretInDataFolder() {
        for (const auto& entry : fs::recursive_directory_iterator(data_dir_)) {
            if (!entry.is_regular_file() || entry.path().filename() == "data.key")
                continue;
            const std::vector<std::uint8_t> file = ReadFileBytes(entry.path());
            for (const Secret& secret : secrets_) {
                int found = 0;
                for (const auto& run : Runs(secret.bytes, 32, 4))
                    found += ContainsBytes(file, run);
                EXPECT_EQ(found, 0) << secret.name << " in " << entry.path().filename();
            }
        }
    }

    std::vector<Secret> secrets_;
};

TEST_F(MoveOutTest, SealedBlobsFoundBeforeMoveOut) {
    // The search below must be able to find what it looks for: the sealed blobs are in the
    // database (or its WAL) before the move-out.
    std::vector<std::uint8_t> files = ReadFileBytes(db_file());
    const std::vector<std::uint8_t> wal = ReadFileBytes(db_file().string() + "-wal");
    files.insert(files.end(), wal.begin(), wal.end());
    for (const Secret& secret : secrets_) {
        if (secret.name.rfind("sealed", 0) == 0) {
            EXPECT_TRUE(ContainsBytes(files, Runs(secret.bytes, 32, 4).front())) << secret.name;
        }
    }
}

TEST_F(MoveOutTest, ReceiptCountsWhatWasDeleted) {
    Result<DeletionReceipt> receipt = core_->MoveOut("p-leaving", "operator-7");

    ASSERT_TRUE(IsOk(receipt));
    EXPECT_EQ(receipt->templates_deleted, 1);
    EXPECT_EQ(receipt->thumbnails_deleted, 1);
    EXPECT_EQ(receipt->grants_deleted, 1);
    EXPECT_EQ(receipt->credentials_deleted, 1);
    // One entry in e1's gallery and one in the all-estates gallery.
    EXPECT_EQ(receipt->gallery_entries_deleted, 2);
    EXPECT_EQ(receipt->passages_pseudonymised, 2);
    EXPECT_TRUE(receipt->person_record_deleted);
    EXPECT_FALSE(receipt->staff_record_deleted);
    EXPECT_EQ(receipt->operator_id, "operator-7");
    EXPECT_EQ(receipt->at, kStartTime);
    EXPECT_EQ(receipt->person_pseudonym, core_->cipher().Pseudonym("p-leaving"));
}

TEST_F(MoveOutTest, ReceiptIsStored) {
    Result<DeletionReceipt> receipt = core_->MoveOut("p-leaving", "operator-7");
    ASSERT_TRUE(IsOk(receipt));

    Result<DeletionReceipt> stored = core_->store().GetReceipt(receipt->id);

    ASSERT_TRUE(IsOk(stored));
    EXPECT_EQ(stored->person_pseudonym, receipt->person_pseudonym);
    EXPECT_EQ(stored->templates_deleted, 1);
    EXPECT_EQ(stored->passages_pseudonymised, 2);
    EXPECT_TRUE(stored->person_record_deleted);
}

TEST_F(MoveOutTest, NoRowMentionsPerson) {
    ASSERT_TRUE(IsOk(core_->MoveOut("p-leaving", "operator-7")));

    for (const auto& [table, rows] : RowsMentioning(db_file(), "p-leaving"))
        EXPECT_EQ(rows, 0) << table;
    for (const auto& [table, rows] : RowsMentioning(db_file(), "欧阳娜娜"))
        EXPECT_EQ(rows, 0) << table;
    EXPECT_EQ(core_->store().GetPerson("p-leaving").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(core_->store().GetPerson("p-staying").status().code(), ErrorCode::kOk);
}

TEST_F(MoveOutTest, NeighbourIsUntouched) {
    const auto before = RowsMentioning(db_file(), "p-staying");

    ASSERT_TRUE(IsOk(core_->MoveOut("p-leaving", "operator-7")));

    EXPECT_EQ(RowsMentioning(db_file(), "p-staying"), before);
    Result<GateOutcome> card =
        core_->DecideCredential("g1", CredentialKind::kCard, "CARD-77770002");
    ASSERT_TRUE(IsOk(card));
    EXPECT_EQ(card->decision.band, DecisionBand::kGrant);
}

TEST_F(MoveOutTest, GalleriesNoLongerContainPerson) {
    ASSERT_TRUE(IsOk(core_->MoveOut("p-leaving", "operator-7")));

    for (const char* estate : {"e1", "e2", kAllEstatesGallery}) {
        EXPECT_FALSE(core_->galleries().ContainsPerson(estate, "p-leaving")) << estate;
        Result<std::vector<GalleryEntry>> entries = core_->galleries().Entries(estate);
        ASSERT_TRUE(IsOk(entries));
        for (const GalleryEntry& entry : *entries)
            EXPECT_NE(entry.person_id, "p-leaving") << estate;
    }
    EXPECT_NE(DecideFace("g1", AstronautProbeJpeg()).decision.band, DecisionBand::kGrant);
}

TEST_F(MoveOutTest, PassagesArePseudonymised) {
    Result<DeletionReceipt> receipt = core_->MoveOut("p-leaving", "operator-7");
    ASSERT_TRUE(IsOk(receipt));

    PassageQuery query;
    query.estate_id = "e1";
    Result<std::vector<Passage>> passages = core_->store().QueryPassages(query);

    ASSERT_TRUE(IsOk(passages));
    ASSERT_EQ(passages->size(), 3u);
    int pseudonymised = 0;
    for (const Passage& passage : *passages) {
        if (passage.person_id == "p-staying") {
            EXPECT_TRUE(passage.pseudonym.empty());
            continue;
        }
        ++pseudonymised;
        EXPECT_TRUE(passage.person_id.empty()) << passage.id;
        EXPECT_EQ(passage.pseudonym, receipt->person_pseudonym) << passage.id;
        EXPECT_EQ(passage.band, DecisionBand::kGrant) << passage.id;
    }
    EXPECT_EQ(pseudonymised, 2);
}

TEST_F(MoveOutTest, CardNoLongerOpens) {
    ASSERT_TRUE(IsOk(core_->MoveOut("p-leaving", "operator-7")));

    Result<GateOutcome> outcome =
        core_->DecideCredential("g1", CredentialKind::kCard, "CARD-77770001");

    ASSERT_TRUE(IsOk(outcome));
    EXPECT_EQ(outcome->decision.reason, "unknown_credential");
}

TEST_F(MoveOutTest, TemplateBytesLeaveEveryFile) {
    ASSERT_TRUE(IsOk(core_->MoveOut("p-leaving", "operator-7")));

    ExpectNoSecretInDataFolder();
    CloseCore();
    ExpectNoSecretInDataFolder();
}

TEST_F(MoveOutTest, MovedOutPersonStaysGoneAfterRestart) {
    ASSERT_TRUE(IsOk(core_->MoveOut("p-leaving", "operator-7")));

    OpenCore();

    EXPECT_FALSE(core_->galleries().ContainsPerson(kAllEstatesGallery, "p-leaving"));
    EXPECT_EQ(core_->store().GetPerson("p-leaving").status().code(), ErrorCode::kNotFound);
    EXPECT_TRUE(IsOk(core_->store().GetPerson("p-staying")));
}

TEST_F(MoveOutTest, CourierMoveOutDeletesStaffRecord) {
    AddCompany();
    Person courier;
    courier.id = "s-leaving";
    courier.name = "刘快递";
    courier.role = PersonRole::kServiceStaff;
    ASSERT_TRUE(IsOk(core_->AddPerson(courier)));
    ASSERT_TRUE(IsOk(core_->AddServiceStaffWithGrants(MakeStaff("s-leaving", {"e1", "e2"}))));

    Result<DeletionReceipt> receipt = core_->MoveOut("s-leaving", "operator-7");

    ASSERT_TRUE(IsOk(receipt));
    EXPECT_TRUE(receipt->staff_record_deleted);
    EXPECT_EQ(receipt->grants_deleted, 2);
    EXPECT_EQ(receipt->templates_deleted, 0);
    EXPECT_EQ(receipt->gallery_entries_deleted, 0);
    EXPECT_EQ(core_->store().GetServiceStaff("s-leaving").status().code(), ErrorCode::kNotFound);
    for (const auto& [table, rows] : RowsMentioning(db_file(), "s-leaving"))
        EXPECT_EQ(rows, 0) << table;
}

TEST_F(MoveOutTest, MatchingUnknownFacesAreDeleted) {
    // The person tries a gate of e2, where they are not enrolled: their face is kept as unknown.
    const GateOutcome at_e2 = DecideFace("g2", AstronautProbeJpeg());
    ASSERT_EQ(at_e2.decision.reason, "unknown_face");
    // A stranger's template, far from the person's, must stay.
    Result<std::vector<FaceTemplateRecord>> templates =
        core_->store().ListTemplatesOfPerson("p-leaving");
    ASSERT_TRUE(IsOk(templates));
    ASSERT_EQ(templates->size(), 1u);
    const std::size_t dimension = templates->front().values.size();
    UnknownFaceAttempt stranger;
    stranger.estate_id = "e2";
    stranger.gate_id = "g2";
    stranger.passage_id = at_e2.passage_id;
    stranger.at = clock_->Now();
    for (std::size_t i = 0; i < dimension; ++i)
        stranger.values.push_back((i % 2 == 0 ? 1.0f : -1.0f) / std::sqrt(float(dimension)));
    ASSERT_TRUE(IsOk(core_->store().AddUnknownAttempt(stranger)));
    Result<std::vector<UnknownFaceAttempt>> before = core_->store().ListUnknownAttempts("e2", 0);
    ASSERT_TRUE(IsOk(before));
    ASSERT_EQ(before->size(), 2u);

    ASSERT_TRUE(IsOk(core_->MoveOut("p-leaving", "operator-7")));

    Result<std::vector<UnknownFaceAttempt>> after = core_->store().ListUnknownAttempts("e2", 0);
    ASSERT_TRUE(IsOk(after));
    ASSERT_EQ(after->size(), 1u);
    EXPECT_EQ(after->front().values, stranger.values);
    ExpectNoSecretInDataFolder();
}

TEST_F(MoveOutTest, UnknownPersonIsNotFound) {
    const auto before = TableRowCounts(db_file());

    Result<DeletionReceipt> receipt = core_->MoveOut("p-nobody", "operator-7");

    ASSERT_FALSE(receipt.ok());
    EXPECT_EQ(receipt.status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(TableRowCounts(db_file()), before);
}

}  // namespace
}  // namespace menjin::testing
