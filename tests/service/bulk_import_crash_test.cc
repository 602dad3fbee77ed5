// `menjin import` killed with SIGKILL part-way through a bulk enrolment of real photos: every
// row is one transaction, so each person in the store afterwards is complete, and running the
// import again finishes the rest.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "service/core_fixture.h"
#include "support/test_paths.h"

namespace menjin::testing {
namespace {

namespace fs = std::filesystem;

// Rows in the CSV, and how many rows the first run reports before it is killed.
constexpr std::size_t kRows = 60;
constexpr std::size_t kRowsBeforeKill = 8;

// Starts `args` (args[0] is the program) with stdout and stderr in files. Returns its pid.
pid_t StartProcess(const std::vector<std::string>& args, const fs::path& out, const fs::path& err) {
    const pid_t child = ::fork();
    if (child == 0) {
        const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(out_fd, STDOUT_FILENO);
        ::dup2(err_fd, STDERR_FILENO);
        std::vector<char*> argv;
        for (const std::string& arg : args)
            argv.push_back(const_cast<char*>(arg.c_str()));
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    return child;
}

// One data row of an import report: line,person_id,status,reason.
struct ReportRow {
    std::string person_id;
    std::string status;
};

// Reads the complete data rows of a report. A row cut short by the kill is left out.
std::vector<ReportRow> ReadReport(const fs::path& report) {
    std::ifstream in(report);
    std::vector<ReportRow> rows;
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        std::stringstream fields(line);
        std::string number, person, status;
        if (!std::getline(fields, number, ',') || !std::getline(fields, person, ',') ||
            !std::getline(fields, status, ',')) {
            continue;
        }
        person.erase(std::remove(person.begin(), person.end(), '"'), person.end());
        rows.push_back({person, status});
    }
    return rows;
}

std::set<std::string> PeopleWithStatus(const std::vector<ReportRow>& rows,
                                       const std::string& status) {
    std::set<std::string> people;
    for (const ReportRow& row : rows) {
        if (row.status == status)
            people.insert(row.person_id);
    }
    return people;
}

class BulkImportCrashTest : public AccessCoreTest {
  protected:
    void SetUp() override {
        AccessCoreTest::SetUp();
        if (IsSkipped() || HasFatalFailure())
            return;
        MENJIN_REQUIRE_FACES(faces);
        photos_ = faces / "identities";
        AddEstatesAndUnit();
        WriteCsv();
        CloseCore();
    }

    // Writes one row per identity, with its first photo, and a unit and household for each.
    void WriteCsv() {
        std::vector<fs::path> folders;
        for (const auto& entry : fs::directory_iterator(photos_)) {
            if (entry.is_directory())
                folders.push_back(entry.path());
        }
        std::sort(folders.begin(), folders.end());
        ASSERT_GE(folders.size(), kRows);
        csv_ = temp_.path() / "residents.csv";
        std::ofstream csv(csv_);
        csv << "person_id,name,household_id,photo\n";
        for (std::size_t i = 0; i < kRows; ++i) {
            std::vector<fs::path> files;
            for (const auto& file : fs::directory_iterator(folders[i]))
                files.push_back(file.path());
            std::sort(files.begin(), files.end());
            const std::string id = folders[i].filename().string();
            AddUnit("u-" + id, "e1");
            csv << id << ",Resident " << id << ",u-" << id << ","
                << fs::relative(files.front(), photos_).string() << "\n";
        }
    }

    std::vector<std::string> ImportArgs(const fs::path& report) const {
        return {MENJIN_EXECUTABLE, "import",
                "--data",          data_dir_.string(),
                "--models",        model_dir_.string(),
                "--csv",           csv_.string(),
                "--photos",        photos_.string(),
                "--report",        report.string()};
    }

    // Checks that the person has one template, a thumbnail, one grant and a gallery entry.
    void ExpectComplete(const std::string& person_id) {
        Result<std::vector<FaceTemplateRecord>> templates =
            core_->store().ListTemplatesOfPerson(person_id);
        ASSERT_TRUE(IsOk(templates));
        EXPECT_EQ(templates->size(), 1u) << person_id;
        Result<std::optional<std::vector<std::uint8_t>>> thumbnail =
            core_->store().GetThumbnail(person_id);
        ASSERT_TRUE(IsOk(thumbnail));
        EXPECT_TRUE(thumbnail->has_value()) << person_id;
        Result<std::vector<AccessGrant>> grants = core_->store().ListGrantsOfPerson(person_id);
        ASSERT_TRUE(IsOk(grants));
        EXPECT_EQ(grants->size(), 1u) << person_id;
        EXPECT_TRUE(core_->galleries().ContainsPerson("e1", person_id)) << person_id;
    }

    // Checks that every person in the store is completely enrolled, and returns their ids.
    std::set<std::string> ExpectCompletePeople() {
        Result<std::vector<Person>> people = core_->store().ListPeopleInEstate("e1", "", 1000);
        EXPECT_TRUE(IsOk(people));
        std::set<std::string> ids;
        if (!people.ok())
            return ids;
        for (const Person& person : *people) {
            ids.insert(person.id);
            ExpectComplete(person.id);
        }
        Result<std::vector<FaceTemplateRecord>> all =
            core_->store().ListTemplatesOfKind(core_->template_kind());
        EXPECT_TRUE(IsOk(all));
        if (all.ok()) {
            EXPECT_EQ(all->size(), ids.size());
        }
        return ids;
    }

    fs::path photos_;
    fs::path csv_;
};

TEST_F(BulkImportCrashTest, KilledImportLeavesNoHalfEnrolledPerson) {
    const fs::path first_report = temp_.path() / "first.report.csv";
    const pid_t child = StartProcess(ImportArgs(first_report), temp_.path() / "first.out",
                                     temp_.path() / "first.err");
    ASSERT_GT(child, 0);

    // Kill the import as soon as its report shows enough rows, wherever it is in the next.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    while (ReadReport(first_report).size() < kRowsBeforeKill &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the import ended before it was killed";
    const std::vector<ReportRow> first = ReadReport(first_report);
    ASSERT_LT(first.size(), kRows);

    OpenCore();
    const std::set<std::string> after_crash = ExpectCompletePeople();
    // Each reported enrolment is stored. At most one more row, the one in progress at the kill,
    // may have been committed without being reported.
    const std::set<std::string> reported = PeopleWithStatus(first, "enrolled");
    EXPECT_TRUE(
        std::includes(after_crash.begin(), after_crash.end(), reported.begin(), reported.end()));
    EXPECT_LE(after_crash.size(), reported.size() + 1);
    EXPECT_GE(after_crash.size(), 1u);
    CloseCore();

    const fs::path second_report = temp_.path() / "second.report.csv";
    const pid_t rerun = StartProcess(ImportArgs(second_report), temp_.path() / "second.out",
                                     temp_.path() / "second.err");
    ASSERT_GT(rerun, 0);
    ::waitpid(rerun, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    const std::vector<ReportRow> second = ReadReport(second_report);
    ASSERT_EQ(second.size(), kRows);

    EXPECT_EQ(PeopleWithStatus(second, "skipped"), after_crash);
    EXPECT_TRUE(PeopleWithStatus(second, "failed").empty());
    const std::set<std::string> enrolled_now = PeopleWithStatus(second, "enrolled");
    for (const std::string& id : enrolled_now)
        EXPECT_EQ(after_crash.count(id), 0u) << id;
    OpenCore();
    std::set<std::string> expected = after_crash;
    expected.insert(enrolled_now.begin(), enrolled_now.end());
    EXPECT_EQ(ExpectCompletePeople(), expected);
}

}  // namespace
}  // namespace menjin::testing
