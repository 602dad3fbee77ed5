#include "cli/core_setup.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "common/local_time.h"
#include "common/log.h"
#include "crypto/data_key.h"
#include "vision/model_manifest.h"

namespace menjin::cli {

void AddDataFlags(CLI::App* command, DataFlags* flags) {
    command->add_option("--data", flags->data_dir, "Data folder made by `menjin init`")->required();
    command->add_option("--models", flags->models_dir,
                        "Folder with manifest.json and the models (default: models/ next to "
                        "the executable, or $MENJIN_MODELS)");
    command->add_option("--range", flags->range, "Detector range: full or short")
        ->check(CLI::IsMember({"full", "short"}));
    command->add_option("--pipelines", flags->pipelines, "Face pipelines for parallel work")
        ->check(CLI::Range(1, 64));
}

Result<std::unique_ptr<AccessCore>> OpenCore(const DataFlags& flags) {
    return OpenCore(flags, AccessCoreOptions{});
}

namespace {

// Name of the lock file in a data folder. Its content is the pid of the holder, for the error.
constexpr const char* kLockFile = "menjin.lock";

// Takes an exclusive lock on the data folder for the rest of the process, so that no second
// process keeps its own galleries of the same folder. Without it, an enrolment or move-out done
// by the command line while `menjin serve` runs would not reach the server's galleries. The
// kernel releases the lock when the process ends, also on a crash. A folder that does not exist
// is left to AccessCore::Open to report.
Status LockDataFolder(const std::string& data_dir) {
    static int held_fd = -1;
    if (held_fd >= 0)
        return Status::Ok();

    const std::filesystem::path path = std::filesystem::path(data_dir) / kLockFile;
    std::error_code error;
    if (!std::filesystem::is_directory(data_dir, error))
        return Status::Ok();
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return IoError("cannot open '" + path.string() + "': " + std::strerror(errno));

    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = {};
        const ssize_t n = ::pread(fd, pid, sizeof(pid) - 1, 0);
        ::close(fd);
        const std::string holder = n > 0 ? std::string(pid, static_cast<std::size_t>(n)) : "?";
        return Status(ErrorCode::kFailedPrecondition,
                      "data folder '" + data_dir + "' is in use by another menjin process (pid " +
                          holder +
                          ", e.g. `menjin serve`); stop it first, or make the change "
                          "through its HTTP API");
    }

    const std::string pid = std::to_string(::getpid());
    const bool noted = ::ftruncate(fd, 0) == 0 &&
                       ::pwrite(fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
    if (!noted) {
        // The lock is held all the same. Only the error of a second process lacks the pid.
        MENJIN_LOG_DEBUG("data folder: could not write the pid into '{}'", path.string());
    }
    held_fd = fd;
    return Status::Ok();
}

// Opens the access core with the folders, range and pipelines of `flags`.
Result<std::unique_ptr<AccessCore>> OpenCoreUnlocked(const DataFlags& flags,
                                                     AccessCoreOptions options,
                                                     std::shared_ptr<const Clock> clock) {
    options.data_dir = flags.data_dir;
    options.model_dir = ResolveModelDir(flags.models_dir);
    MENJIN_ASSIGN_OR_RETURN(options.pipeline.range, ParseDetectorRange(flags.range));
    options.pipelines = flags.pipelines;
    return AccessCore::Open(options, std::move(clock));
}

}  // namespace

Result<std::unique_ptr<AccessCore>> OpenCore(const DataFlags& flags, AccessCoreOptions options) {
    MENJIN_RETURN_IF_ERROR(LockDataFolder(flags.data_dir));
    return OpenCoreUnlocked(flags, std::move(options), std::make_shared<SystemClock>());
}

Result<std::unique_ptr<AccessCore>> OpenCoreWithClock(const DataFlags& flags,
                                                      std::shared_ptr<const Clock> clock) {
    return OpenCoreUnlocked(flags, AccessCoreOptions{}, std::move(clock));
}

Result<std::unique_ptr<SqliteStore>> OpenStoreOnly(const std::string& data_dir) {
    if (!std::filesystem::exists(DatabasePath(data_dir))) {
        return NotFound("no database in '" + data_dir + "': run `menjin init --data " + data_dir +
                        "` first");
    }
    if (std::getenv(DataKey::kEnvironmentVariable) == nullptr &&
        !std::filesystem::exists(KeyFilePath(data_dir))) {
        return NotFound("no key file in '" + data_dir + "' and " + DataKey::kEnvironmentVariable +
                        " is not set");
    }
    MENJIN_ASSIGN_OR_RETURN(DataKey key, DataKey::LoadOrCreate(KeyFilePath(data_dir)));
    return SqliteStore::Open(DatabasePath(data_dir), RecordCipher(key));
}

int ReportError(const std::string& command, const Status& status) {
    std::cerr << "menjin " << command << ": " << status.message() << "\n";
    return status.code() == ErrorCode::kNotFound &&
                   status.message().find("menjin init") != std::string::npos
               ? 2
               : 1;
}

Result<UnixSeconds> ParseTimeFlag(const std::string& text, UnixSeconds fallback,
                                  const std::string& flag) {
    if (text.empty())
        return fallback;
    Result<UnixSeconds> parsed = ParseUtc(text);
    if (!parsed.ok())
        return InvalidArgument(flag + ": " + parsed.status().message(), flag);
    return parsed;
}

std::vector<std::string> SplitCommas(const std::string& text) {
    std::vector<std::string> parts;
    std::stringstream stream(text);
    std::string part;
    while (std::getline(stream, part, ',')) {
        if (!part.empty())
            parts.push_back(part);
    }
    return parts;
}

}  // namespace menjin::cli
