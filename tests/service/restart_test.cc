// Restart safety: what an enrolment committed survives the end of the process that made it,
// also when that process is killed without a chance to clean up.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "service/core_fixture.h"

namespace menjin::testing {
namespace {

// Starts `args` (args[0] is the program) with stdout on a pipe and stderr in `stderr_file`,
// waits for its first line of output and kills it with SIGKILL at once. Returns that line,
// empty when the process closed its output without one.
std::string RunUntilFirstLineThenKill(const std::vector<std::string>& args,
                                      const std::filesystem::path& stderr_file) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) {
        ADD_FAILURE() << "pipe failed";
        return "";
    }
    const pid_t child = ::fork();
    if (child == 0) {
        ::dup2(pipe_fds[1], STDOUT_FILENO);
        const int err = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(err, STDERR_FILENO);
        ::close(pipe_fds[0]);
        std::vector<char*> argv;
        for (const std::string& arg : args)
            argv.push_back(const_cast<char*>(arg.c_str()));
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    std::string line;
    char c = 0;
    while (::read(pipe_fds[0], &c, 1) == 1 && c != '\n')
        line += c;
    ::kill(child, SIGKILL);
    ::close(pipe_fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    return line;
}

class RestartTest : public AccessCoreTest {
  protected:
    void SetUp() override {
        AccessCoreTest::SetUp();
        if (IsSkipped() || HasFatalFailure())
            return;
        AddEstatesAndUnit();
        ASSERT_TRUE(IsOk(core_->AddResident(MakeResident("p1", "张三明"), 365)));
    }
};

TEST_F(RestartTest, EnrolmentSurvivesReopen) {
    Result<EnrolmentResult> enrolment = core_->Enrol("p1", AstronautJpeg());
    ASSERT_TRUE(IsOk(enrolment));
    ASSERT_TRUE(enrolment->accepted);

    CloseCore();
    OpenCore();

    EXPECT_TRUE(core_->galleries().ContainsPerson("e1", "p1"));
    const GateOutcome outcome = DecideFace("g1", AstronautProbeJpeg());
    EXPECT_EQ(outcome.decision.band, DecisionBand::kGrant);
    EXPECT_EQ(outcome.decision.person_id, "p1");
    EXPECT_TRUE(outcome.has_thumbnail);
}

TEST_F(RestartTest, GrantChangesSurviveReopen) {
    AddEnrolledResident("p2", "李四");
    ASSERT_TRUE(IsOk(core_->RemoveGrant(AccessCore::DefaultGrantId("p2", "e1"))));

    CloseCore();
    OpenCore();

    EXPECT_FALSE(core_->galleries().ContainsPerson("e1", "p2"));
    EXPECT_TRUE(core_->galleries().ContainsPerson(kAllEstatesGallery, "p2"));
    EXPECT_EQ(DecideFace("g1", AstronautProbeJpeg()).decision.reason, "unknown_face");
}

TEST_F(RestartTest, EnrolmentSurvivesKilledProcess) {
    CloseCore();

    const std::string line = RunUntilFirstLineThenKill(
        {MENJIN_EXECUTABLE, "enrol", "--data", data_dir_.string(), "--models", model_dir_.string(),
         "--person", "p1", AstronautPath().string()},
        temp_.path() / "enrol.err");

    const std::vector<std::uint8_t> errors = ReadFileBytes(temp_.path() / "enrol.err");
    ASSERT_NE(line.find("\"accepted\":true"), std::string::npos)
        << "stdout: " << line << "\nstderr: " << std::string(errors.begin(), errors.end());
    OpenCore();
    Result<std::vector<FaceTemplateRecord>> templates = core_->store().ListTemplatesOfPerson("p1");
    ASSERT_TRUE(IsOk(templates));
    EXPECT_EQ(templates->size(), 1u);
    const GateOutcome outcome = DecideFace("g1", AstronautProbeJpeg());
    EXPECT_EQ(outcome.decision.band, DecisionBand::kGrant);
    EXPECT_EQ(outcome.decision.person_id, "p1");
    EXPECT_TRUE(outcome.has_thumbnail);
}

TEST_F(RestartTest, KilledProcessLeavesUsableDatabase) {
    CloseCore();

    // Killed as soon as it prints, possibly before its connection closed cleanly.
    RunUntilFirstLineThenKill({MENJIN_EXECUTABLE, "enrol", "--data", data_dir_.string(), "--models",
                               model_dir_.string(), "--person", "p1", AstronautPath().string()},
                              temp_.path() / "enrol.err");
    OpenCore();

    ASSERT_TRUE(IsOk(core_->AddResident(MakeResident("p2", "李四"), 365)));
    Result<EnrolmentResult> duplicate = core_->Enrol("p2", AstronautProbeJpeg());
    ASSERT_TRUE(IsOk(duplicate));
    EXPECT_EQ(duplicate->duplicate_person_id, "p1");
}

}  // namespace
}  // namespace menjin::testing
