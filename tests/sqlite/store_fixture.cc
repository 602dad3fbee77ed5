#include "sqlite/store_fixture.h"

#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <system_error>

namespace menjin::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
    std::string pattern = (fs::temp_directory_path() / "menjin-store-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        ADD_FAILURE() << "cannot create a temporary folder from " << pattern;
    }
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code error;
    fs::remove_all(path_, error);
}

::testing::AssertionResult IsOk(const Status& status) {
    if (status.ok())
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << status.ToString();
}

std::vector<std::uint8_t> ReadFileBytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return {};
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in),
                                     std::istreambuf_iterator<char>());
}

bool Contains(const std::vector<std::uint8_t>& haystack, const std::vector<std::uint8_t>& needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
           haystack.end();
}

Estate MakeEstate(const std::string& id) {
    Estate estate;
    estate.id = id;
    estate.name = "Estate " + id;
    return estate;
}

Gate MakeGate(const std::string& id, const std::string& estate_id) {
    Gate gate;
    gate.id = id;
    gate.estate_id = estate_id;
    gate.name = "Gate " + id;
    gate.direction = GateDirection::kEntry;
    return gate;
}

Unit MakeUnit(const std::string& id, const std::string& estate_id) {
    return Unit{.id = id,
                .estate_id = estate_id,
                .building = "3",
                .number = "1201",
                .address = "Building 3, Room 1201"};
}

Person MakePerson(const std::string& id, std::optional<std::string> household_id, PersonRole role) {
    Person person;
    person.id = id;
    person.name = "Name of " + id;
    person.birth_year = 1980;
    person.phone = "13800000000";
    person.role = role;
    person.household_id = std::move(household_id);
    person.created_at = 1700000000;
    return person;
}

FaceTemplateRecord MakeTemplate(const std::string& person_id, std::size_t size, float offset) {
    FaceTemplateRecord record;
    record.person_id = person_id;
    record.template_kind = "test-kind-v1";
    record.created_at = 1700000100;
    for (std::size_t i = 0; i < size; ++i) {
        record.values.push_back(offset + 0.125f * static_cast<float>(i) - 0.5f);
    }
    return record;
}

void SqliteStoreTest::SetUp() {
    Result<DataKey> key = DataKey::Generate();
    ASSERT_TRUE(IsOk(key));
    key_.emplace(std::move(key).value());
    Result<std::unique_ptr<SqliteStore>> store = OpenWith(*key_);
    ASSERT_TRUE(IsOk(store));
    store_ = std::move(store).value();
}

void SqliteStoreTest::TearDown() {
    store_.reset();
}

Result<std::unique_ptr<SqliteStore>> SqliteStoreTest::OpenWith(const DataKey& key) {
    return SqliteStore::Open(db_file(), RecordCipher(key));
}

void SqliteStoreTest::Reopen() {
    store_.reset();
    Result<std::unique_ptr<SqliteStore>> store = OpenWith(*key_);
    ASSERT_TRUE(IsOk(store));
    store_ = std::move(store).value();
}

SqliteConnection SqliteStoreTest::RawConnection() {
    Result<SqliteConnection> connection = SqliteConnection::Open(db_file());
    EXPECT_TRUE(IsOk(connection));
    return std::move(connection).value();
}

void SqliteStoreTest::CreateResidentFixture() {
    ASSERT_TRUE(IsOk(store_->CreateEstate(MakeEstate("e1"))));
    ASSERT_TRUE(IsOk(store_->CreateGate(MakeGate("g1", "e1"))));
    ASSERT_TRUE(IsOk(store_->CreateUnit(MakeUnit("u1", "e1"))));
    ASSERT_TRUE(IsOk(store_->CreateHousehold(
        Household{.id = "h1", .unit_id = "u1", .tenant_person_id = std::nullopt, .version = 1})));
    ASSERT_TRUE(IsOk(store_->CreatePerson(MakePerson("p1", "h1"))));
}

}  // namespace menjin::testing
