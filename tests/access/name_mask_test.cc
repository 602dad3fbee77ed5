#include "access/name_mask.h"

#include <gtest/gtest.h>

namespace menjin {
namespace {

TEST(MaskNameTest, ThreeCharacterChineseName) {
    EXPECT_EQ(MaskName("张三明"), "张○明");
}

TEST(MaskNameTest, TwoCharacterChineseName) {
    EXPECT_EQ(MaskName("李四"), "李○");
}

TEST(MaskNameTest, FourCharacterChineseName) {
    EXPECT_EQ(MaskName("欧阳娜娜"), "欧○○娜");
}

TEST(MaskNameTest, SingleCharacterStays) {
    EXPECT_EQ(MaskName("王"), "王");
    EXPECT_EQ(MaskName("A"), "A");
}

TEST(MaskNameTest, EmptyNameStaysEmpty) {
    EXPECT_EQ(MaskName(""), "");
}

TEST(MaskNameTest, LatinWordsMaskedEach) {
    EXPECT_EQ(MaskName("Mary Jones"), "M○○y J○○○s");
    EXPECT_EQ(MaskName("Jo Ann Li"), "J○ A○n L○");
}

TEST(MaskNameTest, SingleLetterWordStays) {
    EXPECT_EQ(MaskName("John F Kennedy"), "J○○n F K○○○○○y");
}

TEST(MaskNameTest, HidesEveryInnerCharacter) {
    const std::string masked = MaskName("Alexander");

    EXPECT_EQ(masked.find('l'), std::string::npos);
    EXPECT_EQ(masked, "A○○○○○○○r");
}

TEST(MaskNameTest, InvalidUtf8DoesNotCrash) {
    const std::string inputs[] = {"\xff",     "\xff\xfe\xfd", "\xe5", "张\xe5",
                                  "\xf0\x9f", "\x80\x80",     "\xc3", "a\xe5\xbc"};
    for (const std::string& input : inputs) {
        const std::string masked = MaskName(input);
        EXPECT_FALSE(masked.empty()) << "input of " << input.size() << " bytes";
    }
}

TEST(MaskNameTest, InvalidBytesCountAsOneCharacterEach) {
    EXPECT_EQ(MaskName("\xff\xfe\xfd"), "\xff○\xfd");
    EXPECT_EQ(MaskName("张\xe5"), "张○");
}

TEST(MaskNameTest, InvalidLeadByteDoesNotRevealLetters) {
    // A four-byte lead byte followed by ASCII letters is invalid UTF-8: each byte is one
    // character, so the letters between the first and last are masked.
    EXPECT_EQ(MaskName("\xf0"
                       "abcdef"),
              "\xf0○○○○○f");
}

}  // namespace
}  // namespace menjin
