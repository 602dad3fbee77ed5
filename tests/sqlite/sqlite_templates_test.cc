#include <bit>
#include <cmath>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sqlite/store_fixture.h"

namespace menjin {
namespace {

namespace fs = std::filesystem;
using ::menjin::testing::Contains;
using ::menjin::testing::IsOk;
using ::menjin::testing::MakePerson;
using ::menjin::testing::MakeTemplate;
using ::menjin::testing::ReadFileBytes;

using SqliteTemplatesTest = ::menjin::testing::SqliteStoreTest;

// The little-endian float32 bytes that the store seals.
std::vector<std::uint8_t> FloatBytes(const std::vector<float>& values) {
    std::vector<std::uint8_t> bytes;
    for (float value : values) {
        auto bits = std::bit_cast<std::uint32_t>(value);
        for (int shift = 0; shift < 32; shift += 8) {
            bytes.push_back(static_cast<std::uint8_t>(bits >> shift));
        }
    }
    return bytes;
}

// A template whose bytes are unlikely to occur anywhere else in the file.
FaceTemplateRecord DistinctiveTemplate(const std::string& person_id) {
    FaceTemplateRecord record = MakeTemplate(person_id, 0);
    for (std::uint32_t i = 0; i < 128; ++i) {
        record.values.push_back(std::bit_cast<float>(0x3E1DC0DEu + i * 0x00010001u));
    }
    return record;
}

std::vector<std::uint8_t> SealedBlob(SqliteConnection& raw, std::int64_t template_id) {
    Result<SqliteStatement> select =
        raw.Prepare("SELECT sealed FROM face_templates WHERE template_id = ?");
    if (!select.ok()) {
        ADD_FAILURE() << select.status().ToString();
        return {};
    }
    select->Bind(1, template_id);
    Result<bool> has_row = select->Step();
    if (!has_row.ok() || !*has_row) {
        ADD_FAILURE() << "no sealed blob for template " << template_id << ": "
                      << has_row.status().ToString();
        return {};
    }
    return select->ColumnBlob(0);
}

void WriteSealedBlob(SqliteConnection& raw, std::int64_t template_id,
                     const std::vector<std::uint8_t>& sealed) {
    Result<SqliteStatement> update =
        raw.Prepare("UPDATE face_templates SET sealed = ? WHERE template_id = ?");
    ASSERT_TRUE(IsOk(update));
    update->BindAll(sealed, template_id);
    ASSERT_TRUE(IsOk(update->Run()));
}

// Every byte of the database file and its -wal and -shm files.
std::vector<std::uint8_t> AllDatabaseBytes(const fs::path& db_file) {
    std::vector<std::uint8_t> all;
    for (const char* suffix : {"", "-wal", "-shm"}) {
        fs::path path = db_file;
        path += suffix;
        std::vector<std::uint8_t> bytes = ReadFileBytes(path);
        all.insert(all.end(), bytes.begin(), bytes.end());
        all.push_back(0);  // no match across file boundaries
    }
    return all;
}

std::vector<std::uint8_t> Slice(const std::vector<std::uint8_t>& bytes, std::size_t offset,
                                std::size_t size) {
    return std::vector<std::uint8_t>(bytes.begin() + static_cast<std::ptrdiff_t>(offset),
                                     bytes.begin() + static_cast<std::ptrdiff_t>(offset + size));
}

TEST_F(SqliteTemplatesTest, TemplateRoundTrip) {
    ASSERT_TRUE(IsOk(store_->CreatePerson(MakePerson("p1"))));
    FaceTemplateRecord record = MakeTemplate("p1", 512);
    record.values[0] = -0.0f;
    record.values[1] = std::numeric_limits<float>::denorm_min();
    record.values[2] = std::numeric_limits<float>::max();
    record.values[3] = -1.0f / 3.0f;

    Result<FaceTemplateRecord> added = store_->AddTemplate(record);
    ASSERT_TRUE(IsOk(added));
    EXPECT_GT(added->template_id, 0);

    Result<std::vector<FaceTemplateRecord>> listed = store_->ListTemplatesOfPerson("p1");
    ASSERT_TRUE(IsOk(listed));
    ASSERT_EQ(listed->size(), 1u);
    const FaceTemplateRecord& stored = (*listed)[0];
    EXPECT_EQ(stored.template_id, added->template_id);
    EXPECT_EQ(stored.person_id, "p1");
    EXPECT_EQ(stored.template_kind, "test-kind-v1");
    EXPECT_EQ(stored.created_at, 1700000100);
    EXPECT_EQ(FloatBytes(stored.values), FloatBytes(record.values));
    EXPECT_TRUE(std::signbit(stored.values[0]));
}

TEST_F(SqliteTemplatesTest, ListsTemplatesOfOneKind) {
    ASSERT_TRUE(IsOk(store_->CreatePerson(MakePerson("p1"))));
    ASSERT_TRUE(IsOk(store_->CreatePerson(MakePerson("p2"))));
    FaceTemplateRecord other_kind = MakeTemplate("p1");
    other_kind.template_kind = "other-kind-v2";
    ASSERT_TRUE(IsOk(store_->AddTemplate(MakeTemplate("p1"))));
    ASSERT_TRUE(IsOk(store_->AddTemplate(other_kind)));
    ASSERT_TRUE(IsOk(store_->AddTemplate(MakeTemplate("p2", 8, 1.0f))));

    Result<std::vector<FaceTemplateRecord>> of_kind = store_->ListTemplatesOfKind("test-kind-v1");

    ASSERT_TRUE(IsOk(of_kind));
    ASSERT_EQ(of_kind->size(), 2u);
    EXPECT_EQ((*of_kind)[0].person_id, "p1");
    EXPECT_EQ((*of_kind)[1].person_id, "p2");
    EXPECT_EQ((*of_kind)[1].values, MakeTemplate("p2", 8, 1.0f).values);
}

TEST_F(SqliteTemplatesTest, TemplateIdsAreNotReused) {
    ASSERT_TRUE(IsOk(store_->CreatePerson(MakePerson("p1"))));
    Result<FaceTemplateRecord> first = store_->AddTemplate(MakeTemplate("p1"));
    ASSERT_TRUE(IsOk(first));
    ASSERT_TRUE(IsOk(store_->DeleteTemplatesOfPerson("p1")));
    Reopen();

    Result<FaceTemplateRecord> second = store_->AddTemplate(MakeTemplate("p1"));

    ASSERT_TRUE(IsOk(second));
    EXPECT_GT(second->template_id, first->template_id);
}

TEST_F(SqliteTemplatesTest, EmptyTemplateIsInvalid) {
    ASSERT_TRUE(IsOk(store_->CreatePerson(MakePerson("p1"))));
    EXPECT_EQ(store_->AddTemplate(MakeTemplate("p1", 0)).status().code(),
              ErrorCode::kInvalidArgument);
}

TEST_F(SqliteTemplatesTest, PlaintextIsNotStored) {
    ASSERT_TRUE(IsOk(store_->CreatePerson(MakePerson("p1"))));
    FaceTemplateRecord record = DistinctiveTemplate("p1");
    Result<FaceTemplateRecord> added = store_->AddTemplate(record);
    ASSERT_TRUE(IsOk(added));

    std::vector<std::uint8_t> files = AllDatabaseBytes(db_file());
    std::vector<std::uint8_t> plaintext = FloatBytes(record.values);
    SqliteConnection raw = RawConnection();
    std::vector<std::uint8_t> sealed = SealedBlob(raw, added->template_id);

    EXPECT_TRUE(Contains(files, sealed));
    EXPECT_FALSE(Contains(files, Slice(plaintext, 0, 16)));
}

TEST_F(SqliteTemplatesTest, TamperedTemplateIsDataLoss) {
    ASSERT_TRUE(IsOk(store_->CreatePerson(MakePerson("p1"))));
    Result<FaceTemplateRecord> added = store_->AddTemplate(MakeTemplate("p1"));
    ASSERT_TRUE(IsOk(added));
    {
        SqliteConnection raw = RawConnection();
        std::vector<std::uint8_t> sealed = SealedBlob(raw, added->template_id);
        sealed[sealed.size() / 2] ^= 0x01;
        WriteSealedBlob(raw, added->template_id, sealed);
    }

    Result<std::vector<FaceTemplateRecord>> of_person = store_->ListTemplatesOfPerson("p1");
    Result<std::vector<FaceTemplateRecord>> of_kind = store_->ListTemplatesOfKind("test-kind-v1");

    EXPECT_EQ(of_person.status().code(), ErrorCode::kDataLoss);
    EXPECT_EQ(of_kind.status().code(), ErrorCode::kDataLoss);
    EXPECT_THAT(of_person.status().message(),
                ::testing::HasSubstr("template:" + std::to_string(added->template_id) + ":p1"));
}

TEST_F(SqliteTemplatesTest, SwappedTemplatesAreDataLoss) {
    ASSERT_TRUE(IsOk(store_->CreatePerson(MakePerson("p1"))));
    ASSERT_TRUE(IsOk(store_->CreatePerson(MakePerson("p2"))));
    Result<FaceTemplateRecord> first = store_->AddTemplate(MakeTemplate("p1"));
    Result<FaceTemplateRecord> second = store_->AddTemplate(MakeTemplate("p2", 8, 1.0f));
    ASSERT_TRUE(IsOk(first));
    ASSERT_TRUE(IsOk(second));
    {
        SqliteConnection raw = RawConnection();
        std::vector<std::uint8_t> first_blob = SealedBlob(raw, first->template_id);
        std::vector<std::uint8_t> second_blob = SealedBlob(raw, second->template_id);
        WriteSealedBlob(raw, first->template_id, second_blob);
        WriteSealedBlob(raw, second->template_id, first_blob);
    }

    EXPECT_EQ(store_->ListTemplatesOfPerson("p1").status().code(), ErrorCode::kDataLoss);
    EXPECT_EQ(store_->ListTemplatesOfPerson("p2").status().code(), ErrorCode::kDataLoss);
}

TEST_F(SqliteTemplatesTest, ThumbnailPutGetReplaceDelete) {
    ASSERT_TRUE(IsOk(store_->CreatePerson(MakePerson("p1"))));
    Result<std::optional<std::vector<std::uint8_t>>> none = store_->GetThumbnail("p1");
    ASSERT_TRUE(IsOk(none));
    EXPECT_FALSE(none->has_value());

    std::vector<std::uint8_t> first = {0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3};
    std::vector<std::uint8_t> second = {0xFF, 0xD8, 0xFF, 0xE0, 4, 5, 6, 7};
    ASSERT_TRUE(IsOk(store_->PutThumbnail("p1", first)));
    ASSERT_TRUE(IsOk(store_->PutThumbnail("p1", second)));

    Result<std::optional<std::vector<std::uint8_t>>> stored = store_->GetThumbnail("p1");
    ASSERT_TRUE(IsOk(stored));
    ASSERT_TRUE(stored->has_value());
    EXPECT_EQ(**stored, second);

    Result<int> deleted = store_->DeleteThumbnail("p1");
    ASSERT_TRUE(IsOk(deleted));
    EXPECT_EQ(*deleted, 1);
    EXPECT_EQ(store_->PutThumbnail("p9", first).code(), ErrorCode::kFailedPrecondition);
    EXPECT_EQ(store_->PutThumbnail("p1", {}).code(), ErrorCode::kInvalidArgument);
}

TEST_F(SqliteTemplatesTest, ThumbnailMovedToOtherPersonIsDataLoss) {
    ASSERT_TRUE(IsOk(store_->CreatePerson(MakePerson("p1"))));
    ASSERT_TRUE(IsOk(store_->CreatePerson(MakePerson("p2"))));
    ASSERT_TRUE(IsOk(store_->PutThumbnail("p1", {0xFF, 0xD8, 1})));
    {
        SqliteConnection raw = RawConnection();
        ASSERT_TRUE(IsOk(raw.Execute("PRAGMA foreign_keys = OFF")));
        ASSERT_TRUE(IsOk(raw.Execute("UPDATE thumbnails SET person_id = 'p2'")));
    }

    EXPECT_EQ(store_->GetThumbnail("p2").status().code(), ErrorCode::kDataLoss);
}

// After a delete and Compact(), neither the template's plaintext nor its sealed bytes may
// remain anywhere in the database file, its WAL or its shared-memory index.
TEST_F(SqliteTemplatesTest, DeletedTemplateLeavesNoBytesAfterCompact) {
    ASSERT_TRUE(IsOk(store_->CreatePerson(MakePerson("p1"))));
    ASSERT_TRUE(IsOk(store_->AddTemplate(MakeTemplate("p1", 64, 3.0f))));
    FaceTemplateRecord record = DistinctiveTemplate("p1");
    Result<FaceTemplateRecord> added = store_->AddTemplate(record);
    ASSERT_TRUE(IsOk(added));
    ASSERT_TRUE(IsOk(store_->AddTemplate(MakeTemplate("p1", 64, 5.0f))));
    std::vector<std::uint8_t> sealed;
    {
        SqliteConnection raw = RawConnection();
        sealed = SealedBlob(raw, added->template_id);
    }
    std::vector<std::uint8_t> plaintext = FloatBytes(record.values);
    const std::size_t nonce_offset = 1;
    const std::size_t middle = sealed.size() / 2;
    std::vector<std::vector<std::uint8_t>> needles = {
        sealed,
        Slice(sealed, nonce_offset, 24),
        Slice(sealed, middle, 32),
        Slice(sealed, sealed.size() - 16, 16),
        plaintext,
        Slice(plaintext, 0, 16),
        Slice(plaintext, plaintext.size() / 2, 16),
    };
    ASSERT_TRUE(Contains(AllDatabaseBytes(db_file()), sealed)) << "the search finds nothing";

    ASSERT_TRUE(IsOk(store_->DeleteTemplatesOfPerson("p1")));
    ASSERT_TRUE(IsOk(store_->Compact()));

    std::vector<std::uint8_t> files = AllDatabaseBytes(db_file());
    for (std::size_t i = 0; i < needles.size(); ++i) {
        EXPECT_FALSE(Contains(files, needles[i])) << "needle " << i << " is still on disk";
    }
    EXPECT_TRUE(IsOk(store_->GetPerson("p1")));
}

}  // namespace
}  // namespace menjin
