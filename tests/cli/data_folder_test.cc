// Data-folder commands against hostile use: text that is not UTF-8 (a GBK file), a report path
// inside the data folder, photo paths that leave the photos folder, and a second process on a
// folder that another process holds.

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/temp_dir.h"
#include "support/test_paths.h"

namespace menjin {
namespace {

namespace fs = std::filesystem;
using ::menjin::testing::TempDir;
using ::testing::HasSubstr;

struct CommandResult {
    int exit_code = -1;  // -1 when killed by a signal
    std::string out;
    std::string err;
};

std::string ReadFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream contents;
    contents << in.rdbuf();
    return contents.str();
}

std::string ShellQuoted(const std::string& text) {
    std::string quoted = "'";
    for (char c : text)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

class DataFolderTest : public ::testing::Test {
  protected:
    void SetUp() override {
        models_ = ::menjin::testing::ModelDir();
        if (!models_)
            GTEST_SKIP() << "needs the converted models (run the setup command)";
        data_ = scratch_.path() / "data";
        ASSERT_EQ(Run({"init", "--data", data_.string()}).exit_code, 0);
    }

    // Runs menjin with `args`; data-folder commands get --models.
    CommandResult Run(std::vector<std::string> args) {
        if (args.front() != "init") {
            args.push_back("--models");
            args.push_back(models_->string());
        }
        std::string command = ShellQuoted(MENJIN_EXECUTABLE);
        for (const std::string& arg : args) {
            command += ' ';
            command += ShellQuoted(arg);
        }
        const fs::path out = scratch_.path() / "out.txt";
        const fs::path err = scratch_.path() / "err.txt";
        command += " >";
        command += ShellQuoted(out.string());
        command += " 2>";
        command += ShellQuoted(err.string());
        const int status = std::system(command.c_str());
        CommandResult result;
        if (status != -1 && WIFEXITED(status))
            result.exit_code = WEXITSTATUS(status);
        result.out = ReadFile(out);
        result.err = ReadFile(err);
        return result;
    }

    TempDir scratch_;
    std::optional<fs::path> models_;
    fs::path data_;
};

TEST_F(DataFolderTest, NonUtf8TextIsRejected) {
    // "张伟" in GBK, as a zh-CN spreadsheet program saves it.
    const std::string gbk = "\xD5\xC5\xCE\xB0";
    CommandResult added =
        Run({"estate", "add", "--data", data_.string(), "--id", "e1", "--name", gbk});
    EXPECT_EQ(added.exit_code, 1);
    EXPECT_THAT(added.err, HasSubstr("name"));
    EXPECT_THAT(added.err, HasSubstr("UTF-8"));

    CommandResult control =
        Run({"estate", "add", "--data", data_.string(), "--id", "e1", "--name", "a\tb"});
    EXPECT_EQ(control.exit_code, 1);
    EXPECT_THAT(control.err, HasSubstr("control character"));

    ASSERT_EQ(
        Run({"estate", "add", "--data", data_.string(), "--id", "e1", "--name", "东区"}).exit_code,
        0);
    CommandResult listed = Run({"estate", "list", "--data", data_.string()});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_THAT(listed.out, HasSubstr("东区"));
}

TEST_F(DataFolderTest, ReportInsideDataFolderRejected) {
    const fs::path csv = scratch_.path() / "people.csv";
    std::ofstream(csv) << "person_id,name,household_id,photo\n";
    const std::string key_before = ReadFile(data_ / "data.key");
    for (const std::string target : {"menjin.db", "data.key", "sub/../report.csv"}) {
        CommandResult imported =
            Run({"import", "--data", data_.string(), "--csv", csv.string(), "--photos",
                 scratch_.path().string(), "--report", (data_ / target).string()});
        EXPECT_EQ(imported.exit_code, 1) << target;
        EXPECT_THAT(imported.err, HasSubstr("inside the data folder")) << target;
    }
    EXPECT_TRUE(ReadFile(data_ / "data.key") == key_before) << "the key file changed";
    EXPECT_EQ(Run({"estate", "list", "--data", data_.string()}).exit_code, 0);
}

TEST_F(DataFolderTest, ImportPhotoOutsidePhotosRejected) {
    const fs::path photos = scratch_.path() / "photos";
    fs::create_directories(photos);
    std::ofstream(scratch_.path() / "secret.jpg") << "not for import";
    fs::create_symlink(scratch_.path() / "secret.jpg", photos / "link.jpg");
    const fs::path csv = scratch_.path() / "people.csv";
    std::ofstream(csv) << "person_id,name,household_id,photo\n"
                       << "p1,A,h1,../secret.jpg\n"
                       << "p2,B,h1," << (scratch_.path() / "secret.jpg").string() << "\n"
                       << "p3,C,h1,link.jpg\n"
                       << "p4,D,h1,\n"
                       << "p5,E,h1,a\x01../secret.jpg\n"
                       << "p6,F,h1," << std::string(5000, 'x') << "\n"
                       << "p7,G,h1,link.jpg\x7f\n";
    const fs::path report = scratch_.path() / "report.csv";

    CommandResult imported = Run({"import", "--data", data_.string(), "--csv", csv.string(),
                                  "--photos", photos.string(), "--report", report.string()});

    EXPECT_EQ(imported.exit_code, 1) << imported.err;
    const std::string lines = ReadFile(report);
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"p1", "leads outside the photos folder"},
        {"p2", "absolute path"},
        {"p3", "leads outside the photos folder"},
        {"p4", "no photo given"},
        {"p5", "control character"},
        {"p6", "cannot be resolved"},
        {"p7", "control character"}};
    for (const auto& [id, reason] : expected) {
        const std::size_t row = lines.find(",\"" + id + "\",failed,");
        ASSERT_NE(row, std::string::npos) << id << ": " << lines;
        EXPECT_LT(lines.find(reason, row), lines.find('\n', row)) << id << ": " << lines;
    }
}

TEST_F(DataFolderTest, HeldFolderRejectsSecondProcess) {
    // Hold the folder's lock as `menjin serve` would.
    const fs::path lock = data_ / "menjin.lock";
    const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
    const std::string pid = std::to_string(::getpid());
    ASSERT_EQ(::pwrite(fd, pid.data(), pid.size(), 0), static_cast<ssize_t>(pid.size()));

    CommandResult refused =
        Run({"estate", "add", "--data", data_.string(), "--id", "e1", "--name", "East"});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_THAT(refused.err, HasSubstr("in use by another menjin process (pid " + pid));

    ::close(fd);  // releases the lock
    CommandResult added =
        Run({"estate", "add", "--data", data_.string(), "--id", "e1", "--name", "East"});
    EXPECT_EQ(added.exit_code, 0) << added.err;
}

}  // namespace
}  // namespace menjin
