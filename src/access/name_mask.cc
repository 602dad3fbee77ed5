#include "access/name_mask.h"

#include <vector>

namespace menjin {

namespace {

constexpr const char* kMask = "\u25CB";  // ○ WHITE CIRCLE

// Splits UTF-8 text into code points, each kept as its byte sequence.
std::vector<std::string> CodePoints(const std::string& text) {
    std::vector<std::string> points;
    for (std::size_t i = 0; i < text.size();) {
        const unsigned char lead = static_cast<unsigned char>(text[i]);
        std::size_t length = 1;
        if (lead >= 0xF0) {
            length = 4;
        } else if (lead >= 0xE0) {
            length = 3;
        } else if (lead >= 0xC0) {
            length = 2;
        }
        if (i + length > text.size())
            length = 1;
        // A lead byte counts only with its continuation bytes (10xxxxxx). Otherwise it counts
        // as one character, so a broken name never shows more than it masks.
        for (std::size_t k = 1; k < length; ++k) {
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) {
                length = 1;
                break;
            }
        }
        points.push_back(text.substr(i, length));
        i += length;
    }
    return points;
}

std::string MaskWord(const std::vector<std::string>& word) {
    if (word.size() <= 1)
        return word.empty() ? "" : word[0];
    std::string masked = word.front();
    if (word.size() == 2)
        return masked + kMask;
    for (std::size_t i = 1; i + 1 < word.size(); ++i)
        masked += kMask;
    return masked + word.back();
}

}  // namespace

std::string MaskName(const std::string& utf8_name) {
    std::string masked;
    std::vector<std::string> word;
    for (const std::string& point : CodePoints(utf8_name)) {
        if (point == " ") {
            masked += MaskWord(word) + " ";
            word.clear();
        } else {
            word.push_back(point);
        }
    }
    return masked + MaskWord(word);
}

}  // namespace menjin
