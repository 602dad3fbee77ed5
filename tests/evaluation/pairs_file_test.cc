#include "evaluation/pairs_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace menjin {
namespace {

namespace fs = std::filesystem;
using ::menjin::testing::TempDir;
using ::testing::HasSubstr;

const fs::path kRoot = "/photos";

TEST(ReadPairsFileTest, ReadsPairsAndResolvesPaths) {
    TempDir dir;
    const fs::path path = dir.Write("pairs.tsv",
                                    "file_a\tfile_b\tlabel\n"
                                    "a/1.jpg\ta/2.jpg\tsame\n"
                                    "a/1.jpg\tb/1.jpg\tdifferent\n");

    Result<std::vector<LabelledPair>> pairs = ReadPairsFile(path, kRoot);

    ASSERT_TRUE(pairs.ok()) << pairs.status().message();
    ASSERT_EQ(pairs->size(), 2u);
    EXPECT_EQ((*pairs)[0].file_a, kRoot / "a/1.jpg");
    EXPECT_EQ((*pairs)[0].file_b, kRoot / "a/2.jpg");
    EXPECT_TRUE((*pairs)[0].same);
    EXPECT_EQ((*pairs)[1].file_b, kRoot / "b/1.jpg");
    EXPECT_FALSE((*pairs)[1].same);
}

TEST(ReadPairsFileTest, ExtraColumnsAreIgnored) {
    TempDir dir;
    const fs::path path = dir.Write("pairs.tsv",
                                    "pair_id\tlabel\tfile_b\tfile_a\tnote\n"
                                    "p1\tdifferent\tb.jpg\ta.jpg\tanything\n");

    Result<std::vector<LabelledPair>> pairs = ReadPairsFile(path, kRoot);

    ASSERT_TRUE(pairs.ok()) << pairs.status().message();
    ASSERT_EQ(pairs->size(), 1u);
    EXPECT_EQ((*pairs)[0].file_a, kRoot / "a.jpg");
    EXPECT_EQ((*pairs)[0].file_b, kRoot / "b.jpg");
    EXPECT_FALSE((*pairs)[0].same);
}

TEST(ReadPairsFileTest, CrlfLineEndingsAreAccepted) {
    TempDir dir;
    const fs::path path = dir.Write("pairs.tsv",
                                    "file_a\tfile_b\tlabel\r\n"
                                    "a.jpg\tb.jpg\tsame\r\n"
                                    "c.jpg\td.jpg\tdifferent\r\n");

    Result<std::vector<LabelledPair>> pairs = ReadPairsFile(path, kRoot);

    ASSERT_TRUE(pairs.ok()) << pairs.status().message();
    ASSERT_EQ(pairs->size(), 2u);
    EXPECT_TRUE((*pairs)[0].same);
    EXPECT_EQ((*pairs)[1].file_b, kRoot / "d.jpg");
    EXPECT_FALSE((*pairs)[1].same);
}

TEST(ReadPairsFileTest, BlankLinesAreSkipped) {
    TempDir dir;
    const fs::path path = dir.Write("pairs.tsv", "file_a\tfile_b\tlabel\n\na.jpg\tb.jpg\tsame\n\n");

    Result<std::vector<LabelledPair>> pairs = ReadPairsFile(path, kRoot);

    ASSERT_TRUE(pairs.ok()) << pairs.status().message();
    EXPECT_EQ(pairs->size(), 1u);
}

TEST(ReadPairsFileTest, AbsolutePathsAreKept) {
    TempDir dir;
    const fs::path path = dir.Write("pairs.tsv", "file_a\tfile_b\tlabel\n/x/a.jpg\tb.jpg\tsame\n");

    Result<std::vector<LabelledPair>> pairs = ReadPairsFile(path, kRoot);

    ASSERT_TRUE(pairs.ok()) << pairs.status().message();
    ASSERT_EQ(pairs->size(), 1u);
    EXPECT_EQ((*pairs)[0].file_a, fs::path("/x/a.jpg"));
}

TEST(ReadPairsFileTest, MissingFileIsNotFound) {
    TempDir dir;
    const fs::path path = dir.path() / "pairs.tsv";

    Result<std::vector<LabelledPair>> pairs = ReadPairsFile(path, kRoot);

    ASSERT_FALSE(pairs.ok());
    EXPECT_EQ(pairs.status().code(), ErrorCode::kNotFound);
    EXPECT_THAT(pairs.status().message(), HasSubstr(path.string()));
}

TEST(ReadPairsFileTest, EmptyFileIsInvalid) {
    TempDir dir;

    Result<std::vector<LabelledPair>> pairs = ReadPairsFile(dir.Write("pairs.tsv", ""), kRoot);

    ASSERT_FALSE(pairs.ok());
    EXPECT_EQ(pairs.status().code(), ErrorCode::kInvalidArgument);
}

TEST(ReadPairsFileTest, MissingColumnIsInvalid) {
    TempDir dir;
    const fs::path path = dir.Write("pairs.tsv", "file_a\tfile_b\na.jpg\tb.jpg\n");

    Result<std::vector<LabelledPair>> pairs = ReadPairsFile(path, kRoot);

    ASSERT_FALSE(pairs.ok());
    EXPECT_EQ(pairs.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(pairs.status().message(), HasSubstr("label"));
    EXPECT_THAT(pairs.status().message(), HasSubstr(path.string()));
}

TEST(ReadPairsFileTest, BadLabelNamesLineAndValue) {
    TempDir dir;
    const fs::path path = dir.Write("pairs.tsv",
                                    "file_a\tfile_b\tlabel\n"
                                    "a.jpg\tb.jpg\tsame\n"
                                    "a.jpg\tc.jpg\tmaybe\n");

    Result<std::vector<LabelledPair>> pairs = ReadPairsFile(path, kRoot);

    ASSERT_FALSE(pairs.ok());
    EXPECT_EQ(pairs.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(pairs.status().message(), HasSubstr(path.string() + ":3"));
    EXPECT_THAT(pairs.status().message(), HasSubstr("'maybe'"));
}

TEST(ReadPairsFileTest, LabelIsCaseSensitive) {
    TempDir dir;
    const fs::path path = dir.Write("pairs.tsv", "file_a\tfile_b\tlabel\na.jpg\tb.jpg\tSame\n");

    Result<std::vector<LabelledPair>> pairs = ReadPairsFile(path, kRoot);

    ASSERT_FALSE(pairs.ok());
    EXPECT_THAT(pairs.status().message(), HasSubstr("'Same'"));
}

TEST(ReadPairsFileTest, ShortRowNamesLine) {
    TempDir dir;
    const fs::path path = dir.Write("pairs.tsv",
                                    "file_a\tfile_b\tlabel\n"
                                    "a.jpg\tb.jpg\tsame\n"
                                    "a.jpg\tb.jpg\n");

    Result<std::vector<LabelledPair>> pairs = ReadPairsFile(path, kRoot);

    ASSERT_FALSE(pairs.ok());
    EXPECT_EQ(pairs.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(pairs.status().message(), HasSubstr(path.string() + ":3"));
}

TEST(ReadPairsFileTest, EmptyLabelIsInvalid) {
    // A trailing tab makes an empty third field, which is a present but invalid label.
    TempDir dir;
    const fs::path path = dir.Write("pairs.tsv", "file_a\tfile_b\tlabel\na.jpg\tb.jpg\t\n");

    Result<std::vector<LabelledPair>> pairs = ReadPairsFile(path, kRoot);

    ASSERT_FALSE(pairs.ok());
    EXPECT_THAT(pairs.status().message(), HasSubstr("label ''"));
}

}  // namespace
}  // namespace menjin
