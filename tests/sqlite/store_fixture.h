#pragma once

// Shared set-up for the SqliteStore tests: a private temporary folder, a store on a real
// SQLite file inside it, and helpers that create small valid records.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/status.h"
#include "crypto/data_key.h"
#include "domain/records.h"
#include "sqlite/sqlite_connection.h"
#include "sqlite/sqlite_store.h"

namespace menjin::testing {

// A new empty folder under the system temporary folder, removed with its content on
// destruction.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

::testing::AssertionResult IsOk(const Status& status);

template <typename T>
::testing::AssertionResult IsOk(const Result<T>& result) {
    return IsOk(result.status());
}

// Returns the whole file as bytes, or nothing when it does not exist.
std::vector<std::uint8_t> ReadFileBytes(const std::filesystem::path& path);

// Returns true when `needle` occurs in `haystack`.
bool Contains(const std::vector<std::uint8_t>& haystack, const std::vector<std::uint8_t>& needle);

Estate MakeEstate(const std::string& id);
Gate MakeGate(const std::string& id, const std::string& estate_id);
Unit MakeUnit(const std::string& id, const std::string& estate_id);
Person MakePerson(const std::string& id, std::optional<std::string> household_id = std::nullopt,
                  PersonRole role = PersonRole::kTenant);
FaceTemplateRecord MakeTemplate(const std::string& person_id, std::size_t size = 8,
                                float offset = 0.0f);

class SqliteStoreTest : public ::testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override;

    std::filesystem::path db_file() const { return dir_.path() / "menjin.db"; }

    // Opens a second store on db_file() with `key`.
    Result<std::unique_ptr<SqliteStore>> OpenWith(const DataKey& key);
    // Closes and reopens store_ with the fixture's key.
    void Reopen();
    // A second connection to db_file() for raw SQL, outside the store.
    SqliteConnection RawConnection();

    // Creates estate "e1" with gate "g1", unit "u1", household "h1" and tenant "p1".
    void CreateResidentFixture();

    TempDir dir_;
    std::optional<DataKey> key_;
    std::unique_ptr<SqliteStore> store_;
};

}  // namespace menjin::testing
