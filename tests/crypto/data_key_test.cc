#include "crypto/data_key.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace menjin {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kHexKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

// A new empty folder, removed with its content on destruction.
class TempDir {
  public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "menjin-key-test-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr)
            ADD_FAILURE() << "mkdtemp failed";
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code error;
        fs::remove_all(path_, error);
    }
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

// Sets or unsets MENJIN_DATA_KEY for the test's lifetime and restores the old value.
class ScopedKeyVariable {
  public:
    explicit ScopedKeyVariable(const char* value) {
        if (const char* old = ::getenv(DataKey::kEnvironmentVariable))
            old_ = old;
        if (value != nullptr) {
            ::setenv(DataKey::kEnvironmentVariable, value, 1);
        } else {
            ::unsetenv(DataKey::kEnvironmentVariable);
        }
    }
    ~ScopedKeyVariable() {
        if (old_) {
            ::setenv(DataKey::kEnvironmentVariable, old_->c_str(), 1);
        } else {
            ::unsetenv(DataKey::kEnvironmentVariable);
        }
    }

  private:
    std::optional<std::string> old_;
};

void WriteFile(const fs::path& path, const std::string& text, mode_t mode) {
    std::ofstream(path, std::ios::binary) << text;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

std::string ReadFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

mode_t ModeOf(const fs::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0);
    return info.st_mode & 07777;
}

bool SameKey(const DataKey& a, const DataKey& b) {
    return std::equal(a.bytes().begin(), a.bytes().end(), b.bytes().begin());
}

TEST(DataKeyTest, CreatesKeyFileWithMode0600) {
    ScopedKeyVariable no_variable(nullptr);
    TempDir dir;
    fs::path key_file = dir.path() / "data.key";
    // A permissive umask must not widen the file's mode.
    mode_t old_umask = ::umask(0);
    Result<DataKey> created = DataKey::LoadOrCreate(key_file);
    ::umask(old_umask);

    ASSERT_TRUE(created.ok()) << created.status().ToString();
    EXPECT_EQ(ModeOf(key_file), 0600);
    std::string text = ReadFile(key_file);
    ASSERT_EQ(text.size(), 65u);
    EXPECT_EQ(text.back(), '\n');
    EXPECT_EQ(text.find_first_not_of("0123456789abcdef"), 64u);

    Result<DataKey> loaded = DataKey::LoadOrCreate(key_file);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    EXPECT_TRUE(SameKey(*created, *loaded));
}

TEST(DataKeyTest, LeavesNoTemporaryFiles) {
    ScopedKeyVariable no_variable(nullptr);
    TempDir dir;
    ASSERT_TRUE(DataKey::LoadOrCreate(dir.path() / "data.key").ok());

    auto entries = std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator());

    EXPECT_EQ(entries, 1);
}

TEST(DataKeyTest, NewKeysDiffer) {
    ScopedKeyVariable no_variable(nullptr);
    TempDir dir;
    Result<DataKey> first = DataKey::LoadOrCreate(dir.path() / "a.key");
    Result<DataKey> second = DataKey::LoadOrCreate(dir.path() / "b.key");
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE(second.ok());
    EXPECT_FALSE(SameKey(*first, *second));
}

TEST(DataKeyTest, ReadsExistingKeyFile) {
    ScopedKeyVariable no_variable(nullptr);
    TempDir dir;
    fs::path key_file = dir.path() / "data.key";
    WriteFile(key_file, std::string(kHexKey) + "\n", 0600);

    Result<DataKey> key = DataKey::LoadOrCreate(key_file);

    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(key->bytes()[0], 0x00);
    EXPECT_EQ(key->bytes()[1], 0x11);
    EXPECT_EQ(key->bytes()[31], 0xff);
}

TEST(DataKeyTest, KeyFileWithoutNewlineIsAccepted) {
    ScopedKeyVariable no_variable(nullptr);
    TempDir dir;
    fs::path key_file = dir.path() / "data.key";
    WriteFile(key_file, kHexKey, 0400);

    EXPECT_TRUE(DataKey::LoadOrCreate(key_file).ok());
}

TEST(DataKeyTest, GroupReadableKeyFileIsRejected) {
    ScopedKeyVariable no_variable(nullptr);
    TempDir dir;
    fs::path key_file = dir.path() / "data.key";
    WriteFile(key_file, std::string(kHexKey) + "\n", 0644);

    Result<DataKey> key = DataKey::LoadOrCreate(key_file);

    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.status().code(), ErrorCode::kFailedPrecondition);
    EXPECT_THAT(key.status().message(), HasSubstr("chmod 600"));
    EXPECT_THAT(key.status().message(), HasSubstr("0644"));
}

TEST(DataKeyTest, MalformedKeyFileIsInvalidWithoutEcho) {
    ScopedKeyVariable no_variable(nullptr);
    TempDir dir;
    fs::path key_file = dir.path() / "data.key";
    const std::string secret_like = std::string(kHexKey).substr(0, 62) + "zz\n";
    const std::string too_long = std::string(kHexKey) + "00\n";
    for (const std::string& text :
         {secret_like, too_long, std::string(kHexKey) + "\n\n", std::string()}) {
        fs::remove(key_file);
        WriteFile(key_file, text, 0600);

        Result<DataKey> key = DataKey::LoadOrCreate(key_file);

        ASSERT_FALSE(key.ok());
        EXPECT_EQ(key.status().code(), ErrorCode::kInvalidArgument);
        EXPECT_THAT(key.status().message(), Not(HasSubstr("00112233")));
    }
}

TEST(DataKeyTest, MissingFolderIsIoError) {
    ScopedKeyVariable no_variable(nullptr);
    TempDir dir;
    Result<DataKey> key = DataKey::LoadOrCreate(dir.path() / "missing" / "data.key");
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.status().code(), ErrorCode::kIoError);
}

TEST(DataKeyTest, EnvironmentVariableOverridesFile) {
    ScopedKeyVariable variable(kHexKey);
    TempDir dir;
    fs::path key_file = dir.path() / "data.key";

    Result<DataKey> key = DataKey::LoadOrCreate(key_file);

    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(key->bytes()[1], 0x11);
    EXPECT_FALSE(fs::exists(key_file));
}

TEST(DataKeyTest, MalformedEnvironmentVariableIsNamedNotPrinted) {
    const std::string value = std::string(kHexKey).substr(0, 60);
    ScopedKeyVariable variable(value.c_str());
    TempDir dir;

    Result<DataKey> key = DataKey::LoadOrCreate(dir.path() / "data.key");

    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(key.status().message(), HasSubstr("MENJIN_DATA_KEY"));
    EXPECT_THAT(key.status().message(), Not(HasSubstr(value.substr(0, 8))));
}

TEST(DataKeyTest, FromHexRejectsBadInput) {
    EXPECT_TRUE(DataKey::FromHex(kHexKey).ok());
    EXPECT_FALSE(DataKey::FromHex("").ok());
    EXPECT_FALSE(DataKey::FromHex(std::string(kHexKey) + "0").ok());
    EXPECT_FALSE(DataKey::FromHex(std::string(63, '0') + "g").ok());
}

TEST(DataKeyTest, MovedKeyKeepsBytes) {
    Result<DataKey> key = DataKey::FromHex(kHexKey);
    ASSERT_TRUE(key.ok());
    DataKey moved = std::move(key).value();
    EXPECT_EQ(moved.bytes()[31], 0xff);
}

}  // namespace
}  // namespace menjin
