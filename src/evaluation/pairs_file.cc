#include "evaluation/pairs_file.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace menjin {

namespace {

std::vector<std::string> SplitTabs(const std::string& line) {
    std::vector<std::string> fields;
    std::stringstream stream(line);
    std::string field;
    while (std::getline(stream, field, '\t'))
        fields.push_back(field);
    if (!line.empty() && line.back() == '\t')
        fields.emplace_back();
    return fields;
}

int ColumnOf(const std::vector<std::string>& header, const std::string& name) {
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (header[i] == name)
            return static_cast<int>(i);
    }
    return -1;
}

}  // namespace

Result<std::vector<LabelledPair>> ReadPairsFile(const std::filesystem::path& path,
                                                const std::filesystem::path& root) {
    std::ifstream in(path);
    if (!in)
        return NotFound("eval: pairs file '" + path.string() + "' not found");
    std::string line;
    if (!std::getline(in, line)) {
        return InvalidArgument("eval: pairs file '" + path.string() + "' is empty");
    }
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    const std::vector<std::string> header = SplitTabs(line);
    const int col_a = ColumnOf(header, "file_a");
    const int col_b = ColumnOf(header, "file_b");
    const int col_label = ColumnOf(header, "label");
    if (col_a < 0 || col_b < 0 || col_label < 0) {
        return InvalidArgument("eval: pairs file '" + path.string() +
                               "' needs a header row with file_a, file_b and label columns");
    }
    const int needed = std::max({col_a, col_b, col_label}) + 1;
    std::vector<LabelledPair> pairs;
    int line_number = 1;
    while (std::getline(in, line)) {
        ++line_number;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty())
            continue;
        const std::vector<std::string> fields = SplitTabs(line);
        const std::string where = path.string() + ":" + std::to_string(line_number);
        if (static_cast<int>(fields.size()) < needed) {
            return InvalidArgument("eval: " + where + " has " + std::to_string(fields.size()) +
                                   " columns, expected at least " + std::to_string(needed));
        }
        const std::string& label = fields[col_label];
        if (label != "same" && label != "different") {
            return InvalidArgument("eval: " + where + " has label '" + label +
                                   "', expected 'same' or 'different'");
        }
        pairs.push_back({root / fields[col_a], root / fields[col_b], label == "same"});
    }
    return pairs;
}

}  // namespace menjin
