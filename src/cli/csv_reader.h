#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace menjin::cli {

// One data row of a CSV file, addressed by header name.
struct CsvRow {
    int line = 0;  // line number of the row in the file, for reports
    std::map<std::string, std::string> fields;

    // Returns the field, or an empty string when the column is absent.
    std::string Get(const std::string& column) const;
};

// Reads a CSV file (RFC 4180: comma-separated, fields optionally in double quotes with ""
// for a quote, CRLF or LF line ends, UTF-8 with an optional byte order mark). The first row
// names the columns. Fails with kNotFound for a missing file and kInvalidArgument naming the
// line for an unterminated quote, a row with more fields than the header, or a missing
// `required` column.
Result<std::vector<CsvRow>> ReadCsvFile(const std::filesystem::path& path,
                                        const std::vector<std::string>& required);

}  // namespace menjin::cli
