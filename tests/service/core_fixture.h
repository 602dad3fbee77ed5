#pragma once

// Shared set-up for the access-core tests. AccessCoreTest opens a real data folder (SQLite
// database and key file) in a private temporary folder with the built models and a ManualClock.
// The helpers make photos from the shipped astronaut portrait and read the database files from
// outside the store.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/core.hpp>

#include "common/clock.h"
#include "service/access_core.h"
#include "support/temp_dir.h"

namespace menjin::testing {

// 2025-03-05T02:00:00Z: a Wednesday, 10:00 in Asia/Shanghai.
inline constexpr UnixSeconds kStartTime = 1741140000;
inline constexpr UnixSeconds kDay = 86400;

::testing::AssertionResult IsOk(const Status& status);

template <typename T>
::testing::AssertionResult IsOk(const Result<T>& result) {
    return IsOk(result.status());
}

// Returns the whole file, or no bytes when it cannot be read.
std::vector<std::uint8_t> ReadFileBytes(const std::filesystem::path& path);
// Returns true when `needle` (not empty) occurs in `haystack`.
bool ContainsBytes(const std::vector<std::uint8_t>& haystack,
                   const std::vector<std::uint8_t>& needle);
// Returns the float values as the little-endian bytes the store seals.
std::vector<std::uint8_t> FloatBytes(const std::vector<float>& values);

// The shipped public-domain portrait: one upright face, 512x512 JPEG.
std::filesystem::path AstronautPath();
std::vector<std::uint8_t> AstronautJpeg();
cv::Mat AstronautBgr();
// Encodes BGR pixels as a JPEG of quality 92.
std::vector<std::uint8_t> EncodeJpeg(const cv::Mat& bgr);
// The astronaut mirrored and scaled to 90%: the same face as a different photo.
std::vector<std::uint8_t> AstronautProbeJpeg();

// Returns the row count of every table in the SQLite file, read through a connection of its
// own. Fails the test and returns nothing when the file cannot be read.
std::map<std::string, std::int64_t> TableRowCounts(const std::filesystem::path& db_file);

// Returns, per table, the rows in which any column equals `value`.
std::map<std::string, std::int64_t> RowsMentioning(const std::filesystem::path& db_file,
                                                   const std::string& value);

// Returns the raw `sealed` column of the rows of `table` whose person_id is `person_id`.
std::vector<std::vector<std::uint8_t>> SealedBlobs(const std::filesystem::path& db_file,
                                                   const std::string& table,
                                                   const std::string& person_id);

// An AccessCore on a fresh data folder in default mode, with the clock at kStartTime. Skips
// the test when the models are absent.
class AccessCoreTest : public ::testing::Test {
  protected:
    void SetUp() override;

    // Opens core_ on the data folder, closing it first when it is open.
    void OpenCore();
    void CloseCore() { core_.reset(); }

    std::filesystem::path db_file() const { return DatabasePath(data_dir_); }

    // Adds estates e1 and e2 (Asia/Shanghai) with entry gates g1 and g2, and unit u1 with
    // household u1 in e1.
    void AddEstatesAndUnit();
    // Adds unit `unit_id` with a household of the same id to `estate_id`.
    void AddUnit(const std::string& unit_id, const std::string& estate_id);
    // A tenant of household `household`, with a birth year and phone.
    static Person MakeResident(const std::string& id, const std::string& name,
                               const std::string& household = "u1");
    // Adds the courier company "express".
    void AddCompany();
    // Staff record of `person_id` verified 30 days ago, valid from 10 days ago for 60 days,
    // serving `estates`.
    ServiceStaff MakeStaff(const std::string& person_id,
                           const std::vector<std::string>& estates) const;

    // Adds a resident of household u1 and enrols the astronaut for them. Fails the test
    // unless the photo is accepted.
    void AddEnrolledResident(const std::string& id, const std::string& name);
    // Decides at `gate_id` on one frame. Fails the test on an error.
    GateOutcome DecideFace(const std::string& gate_id, const std::vector<std::uint8_t>& frame);

    TempDir temp_;
    std::filesystem::path data_dir_;
    std::filesystem::path model_dir_;
    std::shared_ptr<ManualClock> clock_;
    std::unique_ptr<AccessCore> core_;
};

}  // namespace menjin::testing
