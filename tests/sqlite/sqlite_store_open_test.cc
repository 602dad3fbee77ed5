#include <sys/stat.h>

#include <numeric>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sqlite/migrations.h"
#include "sqlite/store_fixture.h"

namespace menjin {
namespace {

using ::menjin::testing::IsOk;
using ::menjin::testing::MakeEstate;
using ::menjin::testing::MakePerson;
using ::menjin::testing::MakeTemplate;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

using SqliteStoreOpenTest = ::menjin::testing::SqliteStoreTest;

std::vector<int> AllVersions() {
    std::vector<int> versions(static_cast<std::size_t>(LatestSchemaVersion()));
    std::iota(versions.begin(), versions.end(), 1);
    return versions;
}

TEST_F(SqliteStoreOpenTest, MigrationsApplyOnce) {
    {
        SqliteConnection raw = RawConnection();
        Result<std::vector<int>> applied = AppliedMigrations(raw);
        ASSERT_TRUE(IsOk(applied));
        EXPECT_THAT(*applied, ElementsAreArray(AllVersions()));
    }
    ASSERT_TRUE(IsOk(store_->CreateEstate(MakeEstate("e1"))));

    Reopen();
    Reopen();

    SqliteConnection raw = RawConnection();
    Result<std::vector<int>> applied = AppliedMigrations(raw);
    ASSERT_TRUE(IsOk(applied));
    EXPECT_THAT(*applied, ElementsAreArray(AllVersions()));
    EXPECT_TRUE(IsOk(store_->GetEstate("e1")));
}

TEST_F(SqliteStoreOpenTest, MigrationsRecordTheirTime) {
    SqliteConnection raw = RawConnection();
    Result<SqliteStatement> select =
        raw.Prepare("SELECT applied_at FROM schema_migrations WHERE version = 1");
    ASSERT_TRUE(IsOk(select));
    Result<bool> has_row = select->Step();
    ASSERT_TRUE(IsOk(has_row));
    ASSERT_TRUE(*has_row);
    EXPECT_GT(select->ColumnInt64(0), 1700000000);
}

TEST_F(SqliteStoreOpenTest, NewerSchemaIsRejected) {
    store_.reset();
    {
        SqliteConnection raw = RawConnection();
        ASSERT_TRUE(
            IsOk(raw.Execute("INSERT INTO schema_migrations (version, applied_at) VALUES (" +
                             std::to_string(LatestSchemaVersion() + 1) + ", 0)")));
    }
    Result<std::unique_ptr<SqliteStore>> store = OpenWith(*key_);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), ErrorCode::kFailedPrecondition);
    EXPECT_THAT(store.status().message(), HasSubstr("upgrade menjin"));
}

TEST_F(SqliteStoreOpenTest, WrongKeyIsRejectedAtOpen) {
    store_.reset();
    Result<DataKey> other_key = DataKey::Generate();
    ASSERT_TRUE(IsOk(other_key));

    Result<std::unique_ptr<SqliteStore>> store = OpenWith(*other_key);

    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), ErrorCode::kDataLoss);
    EXPECT_THAT(store.status().message(), HasSubstr("data key does not match"));
}

// Without the key check row, a wrong key still cannot read any template.
TEST_F(SqliteStoreOpenTest, WrongKeyCannotOpenTemplates) {
    ASSERT_TRUE(IsOk(store_->CreatePerson(MakePerson("p1"))));
    ASSERT_TRUE(IsOk(store_->AddTemplate(MakeTemplate("p1"))));
    store_.reset();
    {
        SqliteConnection raw = RawConnection();
        ASSERT_TRUE(IsOk(raw.Execute("DELETE FROM store_meta")));
    }
    Result<DataKey> other_key = DataKey::Generate();
    ASSERT_TRUE(IsOk(other_key));
    Result<std::unique_ptr<SqliteStore>> store = OpenWith(*other_key);
    ASSERT_TRUE(IsOk(store));

    Result<std::vector<FaceTemplateRecord>> templates = (*store)->ListTemplatesOfPerson("p1");

    ASSERT_FALSE(templates.ok());
    EXPECT_EQ(templates.status().code(), ErrorCode::kDataLoss);
}

TEST_F(SqliteStoreOpenTest, DatabaseFilesArePrivate) {
    ASSERT_TRUE(IsOk(store_->CreateEstate(MakeEstate("e1"))));
    for (const std::string suffix : {"", "-wal", "-shm"}) {
        std::filesystem::path path = db_file();
        path += suffix;
        struct stat info {};
        ASSERT_EQ(::stat(path.c_str(), &info), 0) << path;
        EXPECT_EQ(info.st_mode & 0777, 0600) << path;
    }
}

TEST_F(SqliteStoreOpenTest, UsesWriteAheadLog) {
    SqliteConnection raw = RawConnection();
    Result<std::string> mode = raw.QueryText("PRAGMA journal_mode");
    ASSERT_TRUE(IsOk(mode));
    EXPECT_EQ(*mode, "wal");
}

TEST_F(SqliteStoreOpenTest, MissingFolderIsIoError) {
    Result<std::unique_ptr<SqliteStore>> store =
        SqliteStore::Open(dir_.path() / "missing" / "menjin.db", RecordCipher(*key_));
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), ErrorCode::kIoError);
    EXPECT_THAT(store.status().message(), HasSubstr("missing"));
}

TEST_F(SqliteStoreOpenTest, DataSurvivesReopen) {
    ASSERT_TRUE(IsOk(store_->CreateEstate(MakeEstate("e1"))));
    ASSERT_TRUE(IsOk(store_->PutSetting("retention.days", "30")));

    Reopen();

    EXPECT_TRUE(IsOk(store_->GetEstate("e1")));
    Result<std::optional<std::string>> setting = store_->GetSetting("retention.days");
    ASSERT_TRUE(IsOk(setting));
    EXPECT_EQ(setting->value_or(""), "30");
}

}  // namespace
}  // namespace menjin
