#include "crypto/data_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <sodium.h>

#include "common/log.h"

namespace menjin {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kHexSize = 2 * DataKey::kSize;
// The largest valid key file: the hex digits and one newline.
constexpr std::size_t kMaxKeyFileSize = kHexSize + 1;

// Closes the descriptor on scope exit.
class FileDescriptor {
  public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;

    int get() const { return fd_; }
    // Closes now and returns the close(2) result, so that a deferred write error is seen.
    int Close() { return ::close(std::exchange(fd_, -1)); }

  private:
    int fd_;
};

Status ErrnoError(const std::string& action, const fs::path& path, int error) {
    return IoError(fmt::format("crypto: {} '{}': {}", action, path.string(), std::strerror(error)));
}

Status InitSodium() {
    if (sodium_init() < 0)
        return Internal("crypto: libsodium failed to initialise");
    return Status::Ok();
}

Status CheckKeyFileMode(const fs::path& path, const struct stat& info) {
    if (!S_ISREG(info.st_mode)) {
        return InvalidArgument(
            fmt::format("crypto: key file '{}' is not a regular file", path.string()));
    }
    if ((info.st_mode & 0077) != 0) {
        return Status(ErrorCode::kFailedPrecondition,
                      fmt::format("crypto: key file '{}' has mode {:04o}, so group or others may "
                                  "access it: run chmod 600 '{}'",
                                  path.string(), info.st_mode & 07777, path.string()));
    }
    return Status::Ok();
}

// Reads the whole file into locked memory; `size` receives the byte count. Reads one byte past
// the largest valid size so that a longer file is detected.
Status ReadSmallFile(int fd, const fs::path& path, SecureBytes& buffer, std::size_t& size) {
    size = 0;
    while (size < buffer.size()) {
        ssize_t n = ::read(fd, buffer.data() + size, buffer.size() - size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ErrnoError("cannot read key file", path, errno);
        if (n == 0)
            break;
        size += static_cast<std::size_t>(n);
    }
    return Status::Ok();
}

// Returns kNotFound when the file does not exist, so that the caller can create it.
Result<DataKey> ReadKeyFile(const fs::path& path) {
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0 && errno == ENOENT) {
        return NotFound(fmt::format("crypto: key file '{}' not found", path.string()));
    }
    if (fd.get() < 0)
        return ErrnoError("cannot open key file", path, errno);
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0)
        return ErrnoError("cannot stat key file", path, errno);
    MENJIN_RETURN_IF_ERROR(CheckKeyFileMode(path, info));

    SecureBytes text(kMaxKeyFileSize + 1);
    std::size_t size = 0;
    MENJIN_RETURN_IF_ERROR(ReadSmallFile(fd.get(), path, text, size));
    if (size == kMaxKeyFileSize && text.data()[kHexSize] == '\n')
        --size;
    Result<DataKey> key =
        DataKey::FromHex(std::string_view(reinterpret_cast<const char*>(text.data()), size));
    if (!key.ok()) {
        return InvalidArgument(fmt::format(
            "crypto: key file '{}' must contain exactly {} hex characters and an optional "
            "newline",
            path.string(), kHexSize));
    }
    return key;
}

Status WriteAll(int fd, const fs::path& path, const std::uint8_t* data, std::size_t size) {
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ErrnoError("cannot write key file", path, errno);
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return Status::Ok();
}

// Creates `path` (which must not exist) with mode 0600 and `text` as its content, flushed to
// disk. Leaves no file behind on failure.
Status WriteNewPrivateFile(const fs::path& path, const std::uint8_t* text, std::size_t size) {
    FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0)
        return ErrnoError("cannot create key file", path, errno);
    // open() applies the umask, which may clear more bits than wanted; set the exact mode.
    Status status = ::fchmod(fd.get(), 0600) == 0
                        ? Status::Ok()
                        : ErrnoError("cannot chmod key file", path, errno);
    if (status.ok())
        status = WriteAll(fd.get(), path, text, size);
    if (status.ok() && ::fsync(fd.get()) != 0)
        status = ErrnoError("cannot sync key file", path, errno);
    if (fd.Close() != 0 && status.ok())
        status = ErrnoError("cannot close key file", path, errno);
    if (!status.ok())
        ::unlink(path.c_str());
    return status;
}

void SyncDirectory(const fs::path& directory) {
    FileDescriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    // A failed directory sync only weakens durability after a power cut, so it is not fatal.
    if (fd.get() >= 0)
        ::fsync(fd.get());
}

fs::path ParentOrCurrent(const fs::path& path) {
    return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

// Writes a new random key to a private temporary file and hard-links it to `key_file`.
// link(2) fails when `key_file` exists, so a key is never replaced, and readers never see a
// partly written file. When another process wins the race, its key is loaded instead.
Result<DataKey> CreateKeyFile(const fs::path& key_file) {
    MENJIN_ASSIGN_OR_RETURN(DataKey key, DataKey::Generate());
    SecureBytes text(kHexSize + 1);
    sodium_bin2hex(reinterpret_cast<char*>(text.data()), text.size(), key.bytes().data(),
                   DataKey::kSize);
    text.data()[kHexSize] = '\n';

    fs::path temp = key_file;
    temp += fmt::format(".tmp-{}-{:08x}", ::getpid(), randombytes_random());
    MENJIN_RETURN_IF_ERROR(WriteNewPrivateFile(temp, text.data(), kMaxKeyFileSize));
    int link_result = ::link(temp.c_str(), key_file.c_str());
    int link_error = errno;
    ::unlink(temp.c_str());
    if (link_result != 0 && link_error == EEXIST)
        return ReadKeyFile(key_file);
    if (link_result != 0)
        return ErrnoError("cannot create key file", key_file, link_error);

    SyncDirectory(ParentOrCurrent(key_file));
    MENJIN_LOG_INFO("crypto: created a new data key file '{}'", key_file.string());
    return key;
}

}  // namespace

Result<DataKey> DataKey::LoadOrCreate(const fs::path& key_file) {
    MENJIN_RETURN_IF_ERROR(InitSodium());
    if (const char* hex = std::getenv(kEnvironmentVariable); hex != nullptr) {
        Result<DataKey> key = FromHex(hex);
        if (!key.ok()) {
            return InvalidArgument(fmt::format("crypto: {} is set but is not {} hex characters",
                                               kEnvironmentVariable, kHexSize));
        }
        return key;
    }
    Result<DataKey> key = ReadKeyFile(key_file);
    if (key.ok() || key.status().code() != ErrorCode::kNotFound)
        return key;
    return CreateKeyFile(key_file);
}

Result<DataKey> DataKey::FromHex(std::string_view hex) {
    MENJIN_RETURN_IF_ERROR(InitSodium());
    if (hex.size() != kHexSize) {
        return InvalidArgument(
            fmt::format("crypto: a data key must be {} hex characters", kHexSize));
    }
    SecureBytes bytes(kSize);
    std::size_t decoded = 0;
    const char* end = nullptr;
    int result =
        sodium_hex2bin(bytes.data(), bytes.size(), hex.data(), hex.size(), nullptr, &decoded, &end);
    if (result != 0 || decoded != kSize || end != hex.data() + hex.size()) {
        return InvalidArgument(
            fmt::format("crypto: a data key must be {} hex characters", kHexSize));
    }
    return DataKey(std::move(bytes));
}

Result<DataKey> DataKey::Generate() {
    MENJIN_RETURN_IF_ERROR(InitSodium());
    SecureBytes bytes(kSize);
    randombytes_buf(bytes.data(), bytes.size());
    return DataKey(std::move(bytes));
}

}  // namespace menjin
