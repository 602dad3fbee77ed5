#include "cli/csv_reader.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace menjin::cli {

namespace {

// Splits the text into records of fields; `lines` gets each record's starting line.
Result<std::vector<std::vector<std::string>>> ParseRecords(const std::string& text,
                                                           const std::string& name,
                                                           std::vector<int>& lines) {
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> record;
    std::string field;
    bool quoted = false;
    int line = 1;
    int record_line = 1;
    std::size_t i = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                if (c == '\n')
                    ++line;
                field += c;
            }
        } else if (c == '"' && field.empty()) {
            quoted = true;
        } else if (c == ',') {
            record.push_back(std::move(field));
            field.clear();
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
                ++i;
            record.push_back(std::move(field));
            field.clear();
            if (!(record.size() == 1 && record[0].empty())) {
                records.push_back(std::move(record));
                lines.push_back(record_line);
            }
            record.clear();
            record_line = ++line;
        } else {
            field += c;
        }
    }
    if (quoted) {
        return InvalidArgument("import: " + name + ":" + std::to_string(record_line) +
                               ": unterminated quoted field");
    }
    if (!field.empty() || !record.empty()) {
        record.push_back(std::move(field));
        records.push_back(std::move(record));
        lines.push_back(record_line);
    }
    return records;
}

}  // namespace

std::string CsvRow::Get(const std::string& column) const {
    auto it = fields.find(column);
    return it == fields.end() ? std::string() : it->second;
}

Result<std::vector<CsvRow>> ReadCsvFile(const std::filesystem::path& path,
                                        const std::vector<std::string>& required) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return NotFound("import: CSV file '" + path.string() + "' not found");
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::vector<int> lines;
    MENJIN_ASSIGN_OR_RETURN(auto records, ParseRecords(buffer.str(), path.string(), lines));
    if (records.empty())
        return InvalidArgument("import: '" + path.string() + "' is empty");
    const std::vector<std::string>& header = records.front();
    for (const std::string& column : required) {
        if (std::find(header.begin(), header.end(), column) == header.end()) {
            return InvalidArgument("import: '" + path.string() + "' has no '" + column +
                                   "' column in its header row");
        }
    }
    std::vector<CsvRow> rows;
    for (std::size_t r = 1; r < records.size(); ++r) {
        if (records[r].size() > header.size()) {
            return InvalidArgument("import: " + path.string() + ":" + std::to_string(lines[r]) +
                                   " has " + std::to_string(records[r].size()) +
                                   " fields but the header has " + std::to_string(header.size()));
        }
        CsvRow row;
        row.line = lines[r];
        for (std::size_t c = 0; c < records[r].size(); ++c)
            row.fields[header[c]] = records[r][c];
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace menjin::cli
