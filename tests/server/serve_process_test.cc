// `menjin serve` as a child process: no default password before `menjin operator add`, a
// graceful stop on SIGTERM that lets requests in flight finish, a kill in the middle of
// writes after which every acknowledged write is present and consistent, and the welfare
// scheduler's start, opt-out and prompt stop during a webhook delivery.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "server/test_server.h"
#include "support/temp_dir.h"
#include "support/test_paths.h"

extern char** environ;

namespace menjin::testing {
namespace {

namespace fs = std::filesystem;

int RunMenjin(const std::string& arguments) {
    const std::string command =
        std::string("'") + MENJIN_EXECUTABLE + "' " + arguments + " >/dev/null 2>&1";
    const int status = std::system(command.c_str());
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ReadAll(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A `menjin serve` child on 127.0.0.1 with a free port.
class ServeProcess {
  public:
    ServeProcess(const fs::path& data_dir, const fs::path& models,
                 const std::vector<std::string>& extra = {}) {
        int pipe_fds[2];
        if (::pipe(pipe_fds) != 0)
            return;
        log_ = data_dir / ("serve-" + std::to_string(++starts_) + ".log");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const std::string data = data_dir.string();
        const std::string model_dir = models.string();
        std::vector<const char*> argv = {
            MENJIN_EXECUTABLE, "serve",    "--data",      data.c_str(),  "--models",
            model_dir.c_str(), "--listen", "127.0.0.1:0", "--pipelines", "1"};
        for (const std::string& argument : extra)
            argv.push_back(argument.c_str());
        argv.push_back(nullptr);
        if (posix_spawn(&pid_, MENJIN_EXECUTABLE, &actions, nullptr,
                        const_cast<char**>(argv.data()), environ) != 0) {
            pid_ = -1;
        }
        posix_spawn_file_actions_destroy(&actions);
        ::close(pipe_fds[1]);
        port_ = ReadPort(pipe_fds[0]);
        ::close(pipe_fds[0]);
    }

    ~ServeProcess() {
        if (pid_ > 0 && !exited_) {
            ::kill(pid_, SIGKILL);
            Wait();
        }
    }

    int port() const { return port_; }
    void Signal(int signal) const { ::kill(pid_, signal); }
    // Waits for the child to end; returns its exit code, or 128 + signal.
    int Wait() {
        int status = 0;
        ::waitpid(pid_, &status, 0);
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::string Log() const { return ReadAll(log_); }

  private:
    // Reads the {"listening": "host:port"} line, waiting up to 60 s for the models to load.
    static int ReadPort(int fd) {
        std::string line;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (line.find('\n') == std::string::npos &&
               std::chrono::steady_clock::now() < deadline) {
            pollfd ready{fd, POLLIN, 0};
            if (::poll(&ready, 1, 1000) <= 0)
                continue;
            char buffer[256];
            const ssize_t got = ::read(fd, buffer, sizeof(buffer));
            if (got <= 0)
                break;
            line.append(buffer, static_cast<std::size_t>(got));
        }
        const nlohmann::json json =
            nlohmann::json::parse(line.substr(0, line.find('\n')), nullptr, false);
        if (!json.is_object())
            return 0;
        const std::string address = json.value("listening", "");
        return std::atoi(address.substr(address.rfind(':') + 1).c_str());
    }

    static inline int starts_ = 0;
    pid_t pid_ = -1;
    int port_ = 0;
    bool exited_ = false;
    fs::path log_;
};

std::string Login(int port, const std::string& password) {
    httplib::Client client("127.0.0.1", port);
    const nlohmann::json body = {
        {"operator_id", "admin"}, {"password", password}, {"session", "token"}};
    auto response = client.Post("/api/v1/auth/login", body.dump(), "application/json");
    if (!response || response->status != 200)
        return "";
    return nlohmann::json::parse(response->body).value("token", "");
}

// Runs SQL on the file through a connection of its own, waiting up to 5 s for the server's
// locks. Returns SQLite's error text or "", and stores the first row's columns in `row`.
std::string ExecuteSql(const fs::path& db_file, const std::string& sql,
                       std::vector<std::string>* row = nullptr) {
    sqlite3* db = nullptr;
    sqlite3_open(db_file.c_str(), &db);
    sqlite3_busy_timeout(db, 5000);
    auto keep_first_row = [](void* out, int columns, char** values, char**) {
        auto* first = static_cast<std::vector<std::string>*>(out);
        if (first != nullptr && first->empty()) {
            for (int i = 0; i < columns; ++i)
                first->push_back(values[i] != nullptr ? values[i] : "NULL");
        }
        return 0;
    };
    char* error = nullptr;
    sqlite3_exec(db, sql.c_str(), keep_first_row, row, &error);
    std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    return message;
}

// A webhook receiver on 127.0.0.1 that holds every POST /hook until Release() or 60 s.
class HangingReceiver {
  public:
    HangingReceiver() {
        server_.Post("/hook", [this](const httplib::Request&, httplib::Response& response) {
            std::unique_lock lock(mutex_);
            ++posts_;
            arrived_.notify_all();
            released_.wait_for(lock, std::chrono::seconds(60), [this] { return release_; });
            response.status = 204;
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~HangingReceiver() {
        Release();
        server_.stop();
        thread_.join();
    }
    int port() const { return port_; }
    bool WaitForPost(std::chrono::seconds timeout) {
        std::unique_lock lock(mutex_);
        return arrived_.wait_for(lock, timeout, [this] { return posts_ > 0; });
    }
    void Release() {
        {
            std::lock_guard lock(mutex_);
            release_ = true;
        }
        released_.notify_all();
    }

  private:
    httplib::Server server_;
    int port_ = 0;
    std::thread thread_;
    std::mutex mutex_;  // guards posts_ and release_
    std::condition_variable arrived_;
    std::condition_variable released_;
    int posts_ = 0;
    bool release_ = false;
};

class ServeProcessTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::optional<fs::path> models = ModelDir();
        if (!models)
            GTEST_SKIP() << "needs the converted models (run the setup command)";
        models_ = *models;
        data_ = dir_.path() / "data";
        ASSERT_EQ(RunMenjin("init --data '" + data_.string() + "'"), 0);
        ASSERT_EQ(RunMenjin("estate add --data '" + data_.string() + "' --id e1 --name East"), 0);
        ASSERT_EQ(RunMenjin("gate add --data '" + data_.string() + "' --id g1 --estate e1"), 0);
    }

    void AddAdmin() {
        const fs::path password = dir_.path() / "password.txt";
        std::ofstream(password) << kPassword << "\n";
        ASSERT_EQ(
            RunMenjin("operator add --data '" + data_.string() +
                      "' --id admin --name Admin --password-file '" + password.string() + "'"),
            0);
    }

    TempDir dir_;
    fs::path data_;
    fs::path models_;
};

// Creates units in a loop on several connections and records the ids acknowledged with 201,
// until the server stops responding.
class UnitWriters {
  public:
    UnitWriters(int port, const std::string& token, int writers) {
        for (int w = 0; w < writers; ++w) {
            threads_.emplace_back([this, port, token, w] { Write(port, token, w); });
        }
    }
    ~UnitWriters() { Join(); }

    void Join() {
        for (std::thread& thread : threads_) {
            if (thread.joinable())
                thread.join();
        }
    }
    std::set<std::string> acknowledged() {
        std::lock_guard lock(mutex_);
        return acknowledged_;
    }
    int failed_responses() const { return failed_responses_; }

  private:
    void Write(int port, const std::string& token, int writer) {
        httplib::Client client("127.0.0.1", port);
        const httplib::Headers headers = {{"Authorization", "Bearer " + token}};
        for (int i = 0; i < 100000; ++i) {
            const std::string id = fmt::format("w{}-{}", writer, i);
            const nlohmann::json body = {
                {"id", id}, {"estate_id", "e1"}, {"building", "7"}, {"number", id}};
            auto response = client.Post("/api/v1/units", headers, body.dump(), "application/json");
            if (!response)
                return;  // the server is gone or closed the connection
            if (response->status == 201) {
                std::lock_guard lock(mutex_);
                acknowledged_.insert(id);
            } else if (response->status >= 500) {
                ++failed_responses_;
            }
        }
    }

    std::mutex mutex_;
    std::set<std::string> acknowledged_;
    std::atomic<int> failed_responses_{0};
    std::vector<std::thread> threads_;
};

// Checks through a restarted server that every id exists as a unit with its household.
void ExpectUnitsWithHouseholds(const fs::path& data, const fs::path& models,
                               const std::set<std::string>& ids) {
    ServeProcess restarted(data, models);
    ASSERT_GT(restarted.port(), 0) << restarted.Log();
    const std::string token = Login(restarted.port(), kPassword);
    ASSERT_FALSE(token.empty());
    httplib::Client client("127.0.0.1", restarted.port());
    const httplib::Headers headers = {{"Authorization", "Bearer " + token}};
    auto listed = client.Get("/api/v1/estates/e1/units", headers);
    ASSERT_TRUE(listed);
    std::set<std::string> stored;
    const nlohmann::json units = nlohmann::json::parse(listed->body);
    for (const nlohmann::json& unit : units["units"])
        stored.insert(unit["id"].get<std::string>());
    for (const std::string& id : ids)
        EXPECT_TRUE(stored.count(id)) << "acknowledged unit " << id << " is missing";
    for (const std::string& id : stored) {
        auto unit = client.Get("/api/v1/units/" + id, headers);
        ASSERT_TRUE(unit);
        EXPECT_FALSE(nlohmann::json::parse(unit->body)["household"].is_null())
            << "unit " << id << " has no household";
    }
    restarted.Signal(SIGTERM);
    EXPECT_EQ(restarted.Wait(), 0);
}

TEST_F(ServeProcessTest, NoDefaultPasswordUntilOperatorAdd) {
    {
        ServeProcess serve(data_, models_);
        ASSERT_GT(serve.port(), 0) << serve.Log();
        for (const char* guess : {"admin", "password", "", "menjin"})
            EXPECT_EQ(Login(serve.port(), guess), "");
        serve.Signal(SIGTERM);
        EXPECT_EQ(serve.Wait(), 0);
    }
    AddAdmin();
    ServeProcess serve(data_, models_);
    EXPECT_NE(Login(serve.port(), kPassword), "");
    serve.Signal(SIGTERM);
    EXPECT_EQ(serve.Wait(), 0);
    const std::string log = serve.Log();
    EXPECT_NE(log.find("server: menjin"), std::string::npos) << log;
    EXPECT_NE(log.find("sha256"), std::string::npos);
    EXPECT_NE(log.find("server: stopped"), std::string::npos);
}

TEST_F(ServeProcessTest, PasswordFileFromWindowsEditor) {
    // A byte order mark before the password and CRLF after it, as Notepad may save the file.
    const fs::path password = dir_.path() / "password.txt";
    std::ofstream(password) << "\xEF\xBB\xBF" << kPassword << "\r\n";
    ASSERT_EQ(RunMenjin("operator add --data '" + data_.string() +
                        "' --id admin --name Admin --password-file '" + password.string() + "'"),
              0);
    ServeProcess serve(data_, models_);
    EXPECT_NE(Login(serve.port(), kPassword), "");
    serve.Signal(SIGTERM);
    EXPECT_EQ(serve.Wait(), 0);
}

TEST_F(ServeProcessTest, Utf16PasswordFileRejected) {
    // "UTF16-password" as Windows saves UTF-16: a byte order mark and a NUL after each byte.
    const fs::path password = dir_.path() / "password.txt";
    std::string utf16 = "\xFF\xFE";
    for (char c : std::string("UTF16-password\r\n")) {
        utf16 += c;
        utf16 += '\0';
    }
    std::ofstream(password, std::ios::binary) << utf16;
    EXPECT_NE(RunMenjin("operator add --data '" + data_.string() +
                        "' --id admin --name Admin --password-file '" + password.string() + "'"),
              0);
}

TEST_F(ServeProcessTest, SigtermLetsRequestsInFlightFinish) {
    AddAdmin();
    ServeProcess serve(data_, models_);
    ASSERT_GT(serve.port(), 0) << serve.Log();
    const std::string token = Login(serve.port(), kPassword);
    httplib::Client client("127.0.0.1", serve.port());
    auto issued = client.Post("/api/v1/gates/g1/device-credentials",
                              {{"Authorization", "Bearer " + token}}, "", "application/json");
    ASSERT_TRUE(issued);
    const std::string device = nlohmann::json::parse(issued->body)["token"];

    // Ten frames on one face pipeline take a few hundred milliseconds to decide.
    int decision_status = 0;
    std::chrono::steady_clock::time_point answered;
    std::thread slow([&] {
        httplib::Client gate("127.0.0.1", serve.port());
        gate.set_read_timeout(60);
        httplib::MultipartFormDataItems frames(10,
                                               {"frame", AstronautJpeg(), "f.jpg", "image/jpeg"});
        auto response = gate.Post("/api/v1/gates/g1/decisions",
                                  {{"Authorization", "Bearer " + device}}, frames);
        decision_status = response ? response->status : -1;
        answered = std::chrono::steady_clock::now();
    });
    UnitWriters writers(serve.port(), token, 4);
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    const auto signalled = std::chrono::steady_clock::now();
    serve.Signal(SIGTERM);
    slow.join();
    writers.Join();
    EXPECT_EQ(serve.Wait(), 0) << serve.Log();
    EXPECT_EQ(decision_status, 200) << "the decision in flight at SIGTERM got no response";
    EXPECT_GT(answered, signalled) << "the decision finished before SIGTERM: make it slower";
    RecordProperty("acknowledged_units", static_cast<int>(writers.acknowledged().size()));
    EXPECT_EQ(writers.failed_responses(), 0);
    EXPECT_NE(serve.Log().find("server: stopped"), std::string::npos);
    EXPECT_FALSE(writers.acknowledged().empty());
    ExpectUnitsWithHouseholds(data_, models_, writers.acknowledged());
    EXPECT_EQ(RunMenjin("audit verify --data '" + data_.string() + "'"), 0);
}

TEST_F(ServeProcessTest, KillDuringWritesKeepsAcknowledgedWrites) {
    AddAdmin();
    std::set<std::string> acknowledged;
    {
        ServeProcess serve(data_, models_);
        ASSERT_GT(serve.port(), 0) << serve.Log();
        const std::string token = Login(serve.port(), kPassword);
        UnitWriters writers(serve.port(), token, 6);
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        serve.Signal(SIGKILL);
        writers.Join();
        EXPECT_EQ(serve.Wait(), 128 + SIGKILL);
        acknowledged = writers.acknowledged();
    }
    EXPECT_GT(acknowledged.size(), 10u);
    RecordProperty("acknowledged_units", static_cast<int>(acknowledged.size()));
    ExpectUnitsWithHouseholds(data_, models_, acknowledged);
    EXPECT_EQ(RunMenjin("audit verify --data '" + data_.string() + "'"), 0);
}

TEST_F(ServeProcessTest, NoWelfareFlagSkipsScheduler) {
    ServeProcess serve(data_, models_, {"--no-welfare"});
    ASSERT_GT(serve.port(), 0) << serve.Log();
    serve.Signal(SIGTERM);
    EXPECT_EQ(serve.Wait(), 0);
    const std::string log = serve.Log();
    EXPECT_NE(log.find("welfare: scheduler off (--no-welfare)"), std::string::npos) << log;
    EXPECT_EQ(log.find("welfare: scheduler started"), std::string::npos) << log;
}

// SIGTERM while the scheduler waits for a receiver that does not respond: the request is
// cancelled at once instead of running into its 10 s timeout, and the message stays due.
TEST_F(ServeProcessTest, SigtermIsPromptDuringWebhookDelivery) {
    AddAdmin();
    HangingReceiver receiver;
    ServeProcess serve(data_, models_, {"--welfare-tick", "1"});
    ASSERT_GT(serve.port(), 0) << serve.Log();
    const std::string token = Login(serve.port(), kPassword);
    httplib::Client client("127.0.0.1", serve.port());
    const std::string url =
        "http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook?token=serve-secret";
    const nlohmann::json settings = {{"version", 0}, {"webhook_url", url}};
    auto patched =
        client.Patch("/api/v1/estates/e1/welfare-settings", {{"Authorization", "Bearer " + token}},
                     settings.dump(), "application/json");
    ASSERT_TRUE(patched);
    ASSERT_EQ(patched->status, 200) << patched->body;
    const fs::path db = data_ / "menjin.db";
    ASSERT_EQ(ExecuteSql(db,
                         "INSERT INTO webhook_outbox (estate_id, event, payload, created_at, "
                         "attempts, next_attempt_at, last_error, status) VALUES ('e1', "
                         "'alert.raised', '{\"event\":\"alert.raised\"}', 0, 0, 0, '', "
                         "'pending')"),
              "");
    ASSERT_TRUE(receiver.WaitForPost(std::chrono::seconds(30))) << serve.Log();

    const auto signalled = std::chrono::steady_clock::now();
    serve.Signal(SIGTERM);
    EXPECT_EQ(serve.Wait(), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - signalled, std::chrono::seconds(5));
    const std::string log = serve.Log();
    EXPECT_NE(log.find("welfare: scheduler started"), std::string::npos) << log;
    EXPECT_NE(log.find("welfare: scheduler stopped"), std::string::npos) << log;
    EXPECT_EQ(log.find("serve-secret"), std::string::npos) << log;
    EXPECT_EQ(log.find("/hook"), std::string::npos) << log;

    std::vector<std::string> row;
    ASSERT_EQ(ExecuteSql(db, "SELECT attempts, status FROM webhook_outbox", &row), "");
    EXPECT_EQ(row, (std::vector<std::string>{"0", "pending"}));
}

}  // namespace
}  // namespace menjin::testing
