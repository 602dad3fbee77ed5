#pragma once

#include <string>

namespace menjin {

// Returns the name as a gate screen may show it: the first and last characters are kept and
// the ones between become "○", e.g. 张三明 -> 张○明, 李四 -> 李○, "Mary Jones" -> "M○○y J○○○s"
// (each word of a Latin-script name is masked the same way). A one-character name or word
// stays as it is. Works on UTF-8 code points; invalid UTF-8 bytes count as one character each.
std::string MaskName(const std::string& utf8_name);

}  // namespace menjin
