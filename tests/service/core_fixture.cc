#include "service/core_fixture.h"

#include <sqlite3.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "support/test_paths.h"

namespace menjin::testing {

namespace fs = std::filesystem;

namespace {

// A read-write connection of the test's own to a database file, closed on destruction. It
// never writes. Read-write lets it share the WAL index with the store's connection.
class RawDatabase {
  public:
    explicit RawDatabase(const fs::path& file) {
        if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
            ADD_FAILURE() << "cannot open " << file << ": " << sqlite3_errmsg(db_);
        }
    }
    ~RawDatabase() { sqlite3_close(db_); }
    RawDatabase(const RawDatabase&) = delete;
    RawDatabase& operator=(const RawDatabase&) = delete;

    // Runs `sql` with text parameters and calls `row` for each result row.
    template <typename Row>
    void Query(const std::string& sql, const std::vector<std::string>& parameters, Row row) {
        sqlite3_stmt* statement = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
            ADD_FAILURE() << "cannot prepare '" << sql << "': " << sqlite3_errmsg(db_);
            return;
        }
        for (std::size_t i = 0; i < parameters.size(); ++i) {
            sqlite3_bind_text(statement, static_cast<int>(i + 1), parameters[i].c_str(), -1,
                              SQLITE_TRANSIENT);
        }
        int step = SQLITE_ROW;
        while ((step = sqlite3_step(statement)) == SQLITE_ROW)
            row(statement);
        if (step != SQLITE_DONE)
            ADD_FAILURE() << "query '" << sql << "' failed: " << sqlite3_errmsg(db_);
        sqlite3_finalize(statement);
    }

    std::vector<std::string> Tables() {
        std::vector<std::string> tables;
        Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
              {}, [&](sqlite3_stmt* s) { tables.push_back(Text(s, 0)); });
        return tables;
    }

    std::vector<std::string> Columns(const std::string& table) {
        std::vector<std::string> columns;
        Query("SELECT name FROM pragma_table_info(?)", {table},
              [&](sqlite3_stmt* s) { columns.push_back(Text(s, 0)); });
        return columns;
    }

    static std::string Text(sqlite3_stmt* statement, int column) {
        const unsigned char* text = sqlite3_column_text(statement, column);
        return text == nullptr ? "" : reinterpret_cast<const char*>(text);
    }

  private:
    sqlite3* db_ = nullptr;
};

}  // namespace

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

bool ContainsBytes(const std::vector<std::uint8_t>& haystack,
                   const std::vector<std::uint8_t>& needle) {
    if (needle.empty())
        return false;
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
           haystack.end();
}

std::vector<std::uint8_t> FloatBytes(const std::vector<float>& values) {
    static_assert(std::endian::native == std::endian::little, "the store seals little-endian");
    std::vector<std::uint8_t> bytes(values.size() * sizeof(float));
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return bytes;
}

fs::path AstronautPath() {
    return SourceDir() / "tests/data/astronaut.jpg";
}

std::vector<std::uint8_t> AstronautJpeg() {
    std::vector<std::uint8_t> bytes = ReadFileBytes(AstronautPath());
    EXPECT_FALSE(bytes.empty()) << "cannot read " << AstronautPath();
    return bytes;
}

cv::Mat AstronautBgr() {
    cv::Mat bgr = cv::imread(AstronautPath().string(), cv::IMREAD_COLOR);
    EXPECT_FALSE(bgr.empty()) << "cannot decode " << AstronautPath();
    return bgr;
}

std::vector<std::uint8_t> EncodeJpeg(const cv::Mat& bgr) {
    std::vector<std::uint8_t> jpeg;
    EXPECT_TRUE(cv::imencode(".jpg", bgr, jpeg, {cv::IMWRITE_JPEG_QUALITY, 92}));
    return jpeg;
}

std::vector<std::uint8_t> AstronautProbeJpeg() {
    cv::Mat mirrored;
    cv::flip(AstronautBgr(), mirrored, 1);
    cv::Mat scaled;
    cv::resize(mirrored, scaled, cv::Size(), 0.9, 0.9, cv::INTER_AREA);
    return EncodeJpeg(scaled);
}

std::map<std::string, std::int64_t> TableRowCounts(const fs::path& db_file) {
    RawDatabase db(db_file);
    std::map<std::string, std::int64_t> counts;
    for (const std::string& table : db.Tables()) {
        db.Query("SELECT count(*) FROM \"" + table + "\"", {},
                 [&](sqlite3_stmt* s) { counts[table] = sqlite3_column_int64(s, 0); });
    }
    return counts;
}

std::map<std::string, std::int64_t> RowsMentioning(const fs::path& db_file,
                                                   const std::string& value) {
    RawDatabase db(db_file);
    std::map<std::string, std::int64_t> rows;
    for (const std::string& table : db.Tables()) {
        std::string where;
        for (const std::string& column : db.Columns(table)) {
            where += (where.empty() ? "" : " OR ") + ("\"" + column + "\" = ?1");
        }
        db.Query("SELECT count(*) FROM \"" + table + "\" WHERE " + where, {value},
                 [&](sqlite3_stmt* s) { rows[table] = sqlite3_column_int64(s, 0); });
    }
    return rows;
}

std::vector<std::vector<std::uint8_t>> SealedBlobs(const fs::path& db_file,
                                                   const std::string& table,
                                                   const std::string& person_id) {
    RawDatabase db(db_file);
    std::vector<std::vector<std::uint8_t>> blobs;
    db.Query("SELECT sealed FROM \"" + table + "\" WHERE person_id = ?", {person_id},
             [&](sqlite3_stmt* s) {
                 const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(s, 0));
                 blobs.emplace_back(data, data + sqlite3_column_bytes(s, 0));
             });
    return blobs;
}

void AccessCoreTest::SetUp() {
    MENJIN_REQUIRE_MODELS(models);
    model_dir_ = models;
    data_dir_ = temp_.path() / "data";
    clock_ = std::make_shared<ManualClock>(kStartTime);
    ASSERT_TRUE(IsOk(AccessCore::InitDataDir(data_dir_, RecognitionMode::kDefault)));
    OpenCore();
}

void AccessCoreTest::OpenCore() {
    core_.reset();
    AccessCoreOptions options;
    options.data_dir = data_dir_;
    options.model_dir = model_dir_;
    Result<std::unique_ptr<AccessCore>> core = AccessCore::Open(options, clock_);
    ASSERT_TRUE(IsOk(core));
    core_ = std::move(core).value();
}

void AccessCoreTest::AddEstatesAndUnit() {
    for (const char* id : {"e1", "e2"}) {
        Estate estate;
        estate.id = id;
        estate.name = std::string("Estate ") + id;
        ASSERT_TRUE(IsOk(core_->AddEstate(estate)));
        Gate gate;
        gate.id = std::string("g") + (id + 1);
        gate.estate_id = id;
        gate.name = "Main entrance";
        gate.direction = GateDirection::kEntry;
        ASSERT_TRUE(IsOk(core_->AddGate(gate)));
    }
    AddUnit("u1", "e1");
}

void AccessCoreTest::AddUnit(const std::string& unit_id, const std::string& estate_id) {
    Unit unit;
    unit.id = unit_id;
    unit.estate_id = estate_id;
    unit.building = "3";
    unit.number = "1202";
    unit.address = "Building 3, Room 1202";
    ASSERT_TRUE(IsOk(core_->AddUnitWithHousehold(unit, "")));
}

Person AccessCoreTest::MakeResident(const std::string& id, const std::string& name,
                                    const std::string& household) {
    Person person;
    person.id = id;
    person.name = name;
    person.birth_year = 1980;
    person.phone = "13800000000";
    person.role = PersonRole::kTenant;
    person.household_id = household;
    return person;
}

void AccessCoreTest::AddCompany() {
    ServiceCompany company;
    company.id = "express";
    company.name = "Express Delivery";
    company.kind = CompanyKind::kCourier;
    company.contact_name = "Dispatch desk";
    company.contact_phone = "4000000000";
    ASSERT_TRUE(IsOk(core_->AddCompany(company)));
}

ServiceStaff AccessCoreTest::MakeStaff(const std::string& person_id,
                                       const std::vector<std::string>& estates) const {
    ServiceStaff staff;
    staff.person_id = person_id;
    staff.company_id = "express";
    staff.verified_by = "operator-1";
    staff.verified_at = clock_->Now() - 30 * kDay;
    staff.verified_contact = "Dispatch desk";
    staff.valid_from = clock_->Now() - 10 * kDay;
    staff.valid_to = clock_->Now() + 50 * kDay;
    staff.estate_ids = estates;
    return staff;
}

void AccessCoreTest::AddEnrolledResident(const std::string& id, const std::string& name) {
    ASSERT_TRUE(IsOk(core_->AddResident(MakeResident(id, name), 365)));
    Result<EnrolmentResult> enrolment = core_->Enrol(id, AstronautJpeg());
    ASSERT_TRUE(IsOk(enrolment));
    ASSERT_TRUE(enrolment->accepted) << ::testing::PrintToString(enrolment->reasons);
}

GateOutcome AccessCoreTest::DecideFace(const std::string& gate_id,
                                       const std::vector<std::uint8_t>& frame) {
    Result<GateOutcome> outcome = core_->DecideFaces(gate_id, {frame});
    EXPECT_TRUE(IsOk(outcome));
    return outcome.ok() ? *outcome : GateOutcome{};
}

}  // namespace menjin::testing
