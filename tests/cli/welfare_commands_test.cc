// Runs `menjin alerts evaluate`, `menjin alerts list` and `menjin leads evaluate` as a user
// would, on a data folder set up with the directory commands, and checks their JSON, their
// errors and that they wait for another process's write lock on the same data folder.

#include <sqlite3.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/local_time.h"
#include "support/temp_dir.h"
#include "support/test_paths.h"

namespace menjin {
namespace {

namespace fs = std::filesystem;
using ::menjin::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t kDay = 86400;

struct CommandResult {
    int exit_code = -1;  // -1 when the process was killed by a signal
    std::string out;
    std::string err;
};

std::string ShellQuoted(const std::string& text) {
    std::string quoted = "'";
    for (char c : text) {
        if (c == '\'') {
            quoted += "'\\''";
        } else {
            quoted += c;
        }
    }
    return quoted + "'";
}

std::string ReadFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream contents;
    contents << in.rdbuf();
    return contents.str();
}

// Runs menjin with `args`, capturing stdout and stderr in files named after `tag` inside
// `scratch`, so that several runs may overlap.
CommandResult RunMenjin(const std::vector<std::string>& args, const TempDir& scratch,
                        const std::string& tag = "run") {
    const fs::path out = scratch.path() / (tag + ".stdout");
    const fs::path err = scratch.path() / (tag + ".stderr");
    std::string command = ShellQuoted(MENJIN_EXECUTABLE);
    for (const std::string& arg : args) {
        command += ' ';
        command += ShellQuoted(arg);
    }
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

// Parses the one JSON line a command printed; fails the test on anything else.
nlohmann::json OutputJson(const CommandResult& result) {
    nlohmann::json parsed = nlohmann::json::parse(result.out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << result.out << result.err;
    return parsed;
}

std::string NowPlusDays(int days) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return FormatUtc(std::chrono::duration_cast<std::chrono::seconds>(now).count() + days * kDay);
}

class WelfareCommandsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        MENJIN_REQUIRE_MODELS(models);
        models_ = models;
        data_ = (scratch_.path() / "data").string();
        Run({"init", "--data", data_});
        Run({"estate", "add", "--data", data_, "--id", "e1", "--name", "East Estate"});
        Run({"gate", "add", "--data", data_, "--id", "g1", "--estate", "e1", "--direction",
             "entry"});
        Run({"unit", "add", "--data", data_, "--id", "u1", "--estate", "e1", "--building", "3",
             "--number", "1202"});
        Run({"person", "add", "--data", data_, "--id", "p1", "--name", "张三明", "--household",
             "u1", "--birth-year", "1940", "--phone", "13800000000"});
    }

    // Runs a setup command with the test's models; fails the test unless it succeeds.
    void Run(std::vector<std::string> args) {
        if (args.front() != "init") {
            args.push_back("--models");
            args.push_back(models_.string());
        }
        const CommandResult result = RunMenjin(args, scratch_);
        ASSERT_EQ(result.exit_code, 0) << args[0] << ": " << result.err;
    }

    TempDir scratch_;
    fs::path models_;
    std::string data_;
};

TEST_F(WelfareCommandsTest, EvaluateRaisesAlertOnce) {
    const std::string now = NowPlusDays(10);

    const CommandResult first =
        RunMenjin({"alerts", "evaluate", "--data", data_, "--now", now}, scratch_);
    const CommandResult second = RunMenjin(
        {"alerts", "evaluate", "--data", data_, "--estate", "e1", "--now", now}, scratch_);

    ASSERT_EQ(first.exit_code, 0) << first.err;
    const nlohmann::json summary = OutputJson(first);
    EXPECT_EQ(summary["now"], now);
    ASSERT_EQ(summary["estates"].size(), 1u);
    const nlohmann::json& e1 = summary["estates"][0];
    EXPECT_EQ(e1["estate_id"], "e1");
    EXPECT_EQ(e1["residents"], 1);
    EXPECT_EQ(e1["watched"], 1);
    EXPECT_EQ(e1["absent"], 1);
    EXPECT_EQ(e1["raised"].size(), 1u);
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_TRUE(OutputJson(second)["estates"][0]["raised"].empty());
}

TEST_F(WelfareCommandsTest, WithoutNowUsesSystemClock) {
    const CommandResult result = RunMenjin({"alerts", "evaluate", "--data", data_}, scratch_);

    ASSERT_EQ(result.exit_code, 0) << result.err;
    const nlohmann::json summary = OutputJson(result);
    EXPECT_EQ(summary["estates"][0]["absent"], 0);
    Result<std::int64_t> now = ParseUtc(summary["now"].get<std::string>());
    ASSERT_TRUE(now.ok());
    Result<std::int64_t> expected = ParseUtc(NowPlusDays(0));
    ASSERT_TRUE(expected.ok());
    EXPECT_NEAR(static_cast<double>(*now), static_cast<double>(*expected), 60);
}

TEST_F(WelfareCommandsTest, ListShowsIdsWithoutPersonalData) {
    ASSERT_EQ(RunMenjin({"alerts", "evaluate", "--data", data_, "--now", NowPlusDays(10)}, scratch_)
                  .exit_code,
              0);

    const CommandResult open = RunMenjin(
        {"alerts", "list", "--data", data_, "--estate", "e1", "--status", "open"}, scratch_);
    const CommandResult resolved = RunMenjin(
        {"alerts", "list", "--data", data_, "--estate", "e1", "--status", "resolved"}, scratch_);

    ASSERT_EQ(open.exit_code, 0) << open.err;
    const nlohmann::json alerts = OutputJson(open);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0]["person_id"], "p1");
    EXPECT_EQ(alerts[0]["status"], "open");
    EXPECT_EQ(alerts[0]["days_required"], 3);
    EXPECT_FALSE(alerts[0].contains("acknowledge_note"));
    EXPECT_FALSE(alerts[0].contains("resolve_note"));
    EXPECT_THAT(open.out, Not(HasSubstr("张三明")));
    EXPECT_THAT(open.out, Not(HasSubstr("13800000000")));
    EXPECT_THAT(open.out, Not(HasSubstr("1202")));
    ASSERT_EQ(resolved.exit_code, 0) << resolved.err;
    EXPECT_TRUE(OutputJson(resolved).empty());
}

TEST_F(WelfareCommandsTest, BadNowIsNamed) {
    const CommandResult result = RunMenjin(
        {"alerts", "evaluate", "--data", data_, "--now", "2026-13-40T08:00:00Z"}, scratch_);

    EXPECT_EQ(result.exit_code, 1);
    EXPECT_THAT(result.err, HasSubstr("invalid --now '2026-13-40T08:00:00Z'"));
    EXPECT_TRUE(result.out.empty());
}

TEST_F(WelfareCommandsTest, UnknownEstateIsNamed) {
    const CommandResult evaluate =
        RunMenjin({"alerts", "evaluate", "--data", data_, "--estate", "e9"}, scratch_);
    const CommandResult list =
        RunMenjin({"alerts", "list", "--data", data_, "--estate", "e9"}, scratch_);

    EXPECT_EQ(evaluate.exit_code, 1);
    EXPECT_THAT(evaluate.err, HasSubstr("estate 'e9' not found"));
    EXPECT_EQ(list.exit_code, 1);
    EXPECT_THAT(list.err, HasSubstr("estate 'e9' not found"));
}

TEST_F(WelfareCommandsTest, BadStatusIsNamed) {
    const CommandResult result = RunMenjin(
        {"alerts", "list", "--data", data_, "--estate", "e1", "--status", "closed"}, scratch_);

    EXPECT_EQ(result.exit_code, 1);
    EXPECT_THAT(result.err, HasSubstr("invalid --status 'closed'"));
}

TEST_F(WelfareCommandsTest, MissingDataFolderExitsTwo) {
    const std::string missing = (scratch_.path() / "nowhere").string();

    const CommandResult result = RunMenjin({"alerts", "evaluate", "--data", missing}, scratch_);

    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr("menjin init --data " + missing));
    EXPECT_FALSE(fs::exists(missing));
}

TEST_F(WelfareCommandsTest, WaitsForOtherProcessWriteLock) {
    // Another process (here a connection of the test's own) holds the database's write lock
    // for a second, as `menjin serve` does while it logs a passage. The command waits for it
    // instead of failing.
    sqlite3* other = nullptr;
    ASSERT_EQ(sqlite3_open((fs::path(data_) / "menjin.db").c_str(), &other), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    const auto start = std::chrono::steady_clock::now();
    CommandResult result;
    std::thread command([&] {
        result = RunMenjin({"alerts", "evaluate", "--data", data_, "--now", NowPlusDays(10)},
                           scratch_, "locked");
    });
    std::this_thread::sleep_for(std::chrono::seconds(1));
    EXPECT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
    command.join();
    const auto waited = std::chrono::steady_clock::now() - start;
    sqlite3_close(other);

    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(OutputJson(result)["estates"][0]["raised"].size(), 1u);
    EXPECT_GE(waited, std::chrono::milliseconds(900));
}

TEST_F(WelfareCommandsTest, ConcurrentRunsRaiseOneAlert) {
    // Ten residents due at once, evaluated by two processes at the same time: each alert is
    // raised by exactly one of them.
    for (int i = 2; i <= 10; ++i) {
        const std::string number = std::to_string(i);
        Run({"person", "add", "--data", data_, "--id", std::string("p").append(number), "--name",
             std::string("Resident ").append(number), "--household", "u1", "--birth-year", "1941"});
    }
    const std::string now = NowPlusDays(10);
    CommandResult first;
    CommandResult second;
    std::thread other([&] {
        second =
            RunMenjin({"alerts", "evaluate", "--data", data_, "--now", now}, scratch_, "second");
    });
    first = RunMenjin({"alerts", "evaluate", "--data", data_, "--now", now}, scratch_, "first");
    other.join();

    ASSERT_EQ(first.exit_code, 0) << first.err;
    ASSERT_EQ(second.exit_code, 0) << second.err;
    const std::size_t raised = OutputJson(first)["estates"][0]["raised"].size() +
                               OutputJson(second)["estates"][0]["raised"].size();
    EXPECT_EQ(raised, 10u);
    const CommandResult list =
        RunMenjin({"alerts", "list", "--data", data_, "--estate", "e1"}, scratch_);
    ASSERT_EQ(list.exit_code, 0) << list.err;
    EXPECT_EQ(OutputJson(list).size(), 10u);
}

TEST_F(WelfareCommandsTest, LeadsEvaluatePrintsSummary) {
    const std::string now = NowPlusDays(40);

    const CommandResult result = RunMenjin({"leads", "evaluate", "--data", data_, "--models",
                                            models_.string(), "--now", now, "--sweep-duplicates"},
                                           scratch_);

    ASSERT_EQ(result.exit_code, 0) << result.err;
    const nlohmann::json summary = OutputJson(result);
    EXPECT_EQ(summary["now"], now);
    ASSERT_EQ(summary["estates"].size(), 1u);
    EXPECT_EQ(summary["estates"][0]["estate_id"], "e1");
    EXPECT_EQ(summary["estates"][0]["households"], 1);
    EXPECT_TRUE(summary["estates"][0]["raised"].empty());
    ASSERT_TRUE(summary.contains("duplicate_sweep"));
    EXPECT_TRUE(summary["duplicate_sweep"]["estate_id"].is_null());
    EXPECT_EQ(summary["duplicate_sweep"]["templates_checked"], 0);
    EXPECT_EQ(summary["compacted"], false);
}

TEST_F(WelfareCommandsTest, LeadsEvaluateNamesBadValues) {
    const CommandResult bad_now = RunMenjin(
        {"leads", "evaluate", "--data", data_, "--models", models_.string(), "--now", "soon"},
        scratch_);
    const CommandResult unknown = RunMenjin(
        {"leads", "evaluate", "--data", data_, "--models", models_.string(), "--estate", "e9"},
        scratch_);

    EXPECT_EQ(bad_now.exit_code, 1);
    EXPECT_THAT(bad_now.err, HasSubstr("invalid --now 'soon'"));
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_THAT(unknown.err, HasSubstr("estate 'e9' not found"));
    EXPECT_FALSE(
        OutputJson(RunMenjin({"leads", "evaluate", "--data", data_, "--models", models_.string()},
                             scratch_))
            .contains("duplicate_sweep"));
}

}  // namespace
}  // namespace menjin
