#include "service/record_checks.h"

#include <string>

#include <gtest/gtest.h>

namespace menjin {
namespace {

TEST(CheckPlainTextTest, AcceptsUtf8Text) {
    EXPECT_TRUE(CheckPlainText("", "name").ok());
    EXPECT_TRUE(CheckPlainText("张伟 O'Brien-Smith", "name").ok());
    // U+00A0, the first code point after the C1 controls, is text.
    EXPECT_TRUE(CheckPlainText("a\xC2\xA0"
                               "b",
                               "name")
                    .ok());
}

TEST(CheckPlainTextTest, RejectsControlCharacters) {
    for (const std::string text :
         {std::string("a\tb"), std::string("a\x7F"), std::string("a\xC2\x85"),
          std::string("a\xC2\x9F"), std::string("a\0b", 3)}) {
        const Status status = CheckPlainText(text, "name");
        EXPECT_FALSE(status.ok()) << text;
        EXPECT_NE(status.message().find("control character at byte 2"), std::string::npos)
            << status.message();
    }
}

TEST(CheckPlainTextTest, RejectsNonUtf8) {
    // "张伟" in GBK.
    const Status status = CheckPlainText("\xD5\xC5\xCE\xB0", "name");
    EXPECT_FALSE(status.ok());
    EXPECT_NE(status.message().find("not UTF-8"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace menjin
