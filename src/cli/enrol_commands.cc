// `menjin enrol` (one photo for an existing person) and `menjin import` (bulk enrolment of
// residents from a CSV file and a folder of photos).

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/core_setup.h"
#include "cli/csv_reader.h"
#include "cli/json_output.h"
#include "service/record_checks.h"
#include "vision/face_quality.h"

namespace menjin::cli {

namespace {

namespace fs = std::filesystem;

Result<std::vector<std::uint8_t>> ReadPhoto(const fs::path& path, std::size_t max_bytes) {
    std::error_code error;
    const auto size = fs::file_size(path, error);
    if (error)
        return NotFound("cannot read photo '" + path.string() + "': " + error.message());
    if (size > max_bytes) {
        return Status(ErrorCode::kTooLarge, "photo '" + path.string() + "' has " +
                                                std::to_string(size) + " bytes, over the " +
                                                std::to_string(max_bytes) + "-byte limit");
    }
    std::ifstream in(path, std::ios::binary);
    std::vector<std::uint8_t> bytes(size);
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
    if (!in)
        return IoError("cannot read photo '" + path.string() + "'");
    return bytes;
}

nlohmann::json EnrolmentToJson(const EnrolmentResult& result) {
    nlohmann::json out = {{"accepted", result.accepted},
                          {"reasons", result.reasons},
                          {"faces_found", result.faces_found}};
    nlohmann::json messages = nlohmann::json::array();
    for (const std::string& reason : result.reasons) {
        if (reason == "no_face") {
            messages.push_back("no face was found in the photo");
        } else if (reason == "multiple_faces") {
            messages.push_back("the photo shows more than one face: use a photo of one person");
        } else if (reason == "already_enrolled") {
            messages.push_back("this face is already enrolled as person " +
                               result.duplicate_person_id);
        } else {
            messages.push_back(DescribeQualityReason(reason));
        }
    }
    out["messages"] = messages;
    if (result.face) {
        out["face"] = {{"box", BoxToJson(result.face->face.box)},
                       {"score", Round(result.face->face.score, 4)},
                       {"quality", QualityToJson(result.face->quality)}};
    }
    if (!result.duplicate_person_id.empty()) {
        out["duplicate_person_id"] = result.duplicate_person_id;
        out["duplicate_score"] = Round(result.duplicate_score, 4);
    }
    if (result.accepted)
        out["template_id"] = result.template_id;
    return out;
}

struct EnrolFlags {
    DataFlags data;
    std::string person_id;
    std::string photo;
};

int RunEnrol(const EnrolFlags& flags) {
    Result<std::unique_ptr<AccessCore>> core = OpenCore(flags.data);
    if (!core.ok())
        return ReportError("enrol", core.status());
    Result<std::vector<std::uint8_t>> photo = ReadPhoto(flags.photo, DecodeLimits{}.max_bytes);
    if (!photo.ok())
        return ReportError("enrol", photo.status());
    Result<EnrolmentResult> result = (*core)->Enrol(flags.person_id, *photo);
    if (!result.ok())
        return ReportError("enrol", result.status());
    PrintJson(EnrolmentToJson(*result));
    if (result->accepted)
        return 0;
    std::cerr << "menjin enrol: photo rejected for person " << flags.person_id << ":";
    for (const std::string& reason : result->reasons)
        std::cerr << " " << reason;
    std::cerr << "\n";
    return 1;
}

struct ImportFlags {
    DataFlags data;
    std::string csv;
    std::string photos;
    std::string report;
    int grant_days = 3650;
};

// Draws "import [#####.....] 120/500" on stderr, in place on a terminal and every 10% in a log.
class ProgressBar {
  public:
    explicit ProgressBar(std::size_t total) : total_(total), terminal_(isatty(STDERR_FILENO)) {}

    void Update(std::size_t done) {
        const std::size_t width = 30;
        const std::size_t filled = total_ == 0 ? width : done * width / total_;
        const std::size_t tenth = total_ == 0 ? 10 : done * 10 / total_;
        if (!terminal_ && tenth == last_tenth_ && done != total_)
            return;
        last_tenth_ = tenth;
        std::cerr << (terminal_ ? "\r" : "") << "import [" << std::string(filled, '#')
                  << std::string(width - filled, '.') << "] " << done << "/" << total_
                  << (terminal_ && done != total_ ? "" : "\n") << std::flush;
    }

  private:
    std::size_t total_;
    bool terminal_;
    std::size_t last_tenth_ = static_cast<std::size_t>(-1);
};

// True when `path` (existing or not) lies inside `folder`, after resolving symbolic links and
// "..". Import checks that photos stay inside --photos and that a report cannot overwrite the
// database or the key file.
bool IsInsideFolder(const std::filesystem::path& path, const std::filesystem::path& folder) {
    std::error_code error;
    const std::filesystem::path file = std::filesystem::weakly_canonical(path, error);
    const std::filesystem::path root = std::filesystem::weakly_canonical(folder, error);
    if (error)
        return false;
    const auto [end, ignored] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
    return end == root.end();
}

// Returns the photo named by a CSV cell, which must be a relative path that stays inside the
// photos folder, or the reason why it is not.
Result<fs::path> PhotoPath(const std::string& cell, const std::string& photos) {
    if (cell.empty())
        return InvalidArgument("no photo given");
    MENJIN_RETURN_IF_ERROR(CheckPlainText(cell, "photo"));
    const std::string quoted_cell = cell.size() > 200 ? cell.substr(0, 200) + "..." : cell;
    if (fs::path(cell).is_absolute()) {
        return InvalidArgument("photo '" + quoted_cell +
                               "' is an absolute path: give a path relative to --photos");
    }
    const fs::path path = fs::path(photos) / cell;
    std::error_code error;
    (void)fs::weakly_canonical(path, error);
    if (error) {
        return InvalidArgument("photo '" + quoted_cell +
                               "' cannot be resolved: " + error.message());
    }
    if (!IsInsideFolder(path, photos)) {
        return InvalidArgument("photo '" + quoted_cell + "' leads outside the photos folder '" +
                               photos + "' (through '..' or a symbolic link)");
    }
    return path;
}

// Imports one row. Returns the status word for the report and its reason.
std::pair<std::string, std::string> ImportRow(AccessCore& core, const CsvRow& row,
                                              const ImportFlags& flags) {
    Person person;
    person.id = row.Get("person_id");
    person.name = row.Get("name");
    person.phone = row.Get("phone");
    const std::string role = row.Get("role").empty() ? "tenant" : row.Get("role");
    std::optional<PersonRole> parsed_role = ParsePersonRole(role);
    if (!parsed_role || *parsed_role == PersonRole::kServiceStaff) {
        return {"failed", "invalid role '" + role + "': use tenant or family_member"};
    }
    person.role = *parsed_role;
    person.household_id = row.Get("household_id");
    if (!row.Get("birth_year").empty()) {
        try {
            person.birth_year = std::stoi(row.Get("birth_year"));
        } catch (const std::exception&) {
            return {"failed", "invalid birth_year '" + row.Get("birth_year") + "'"};
        }
    }
    if (core.store().GetPerson(person.id).ok()) {
        return {"skipped", "person already exists (imported before)"};
    }
    Result<fs::path> photo_path = PhotoPath(row.Get("photo"), flags.photos);
    if (!photo_path.ok())
        return {"failed", photo_path.status().message()};
    Result<std::vector<std::uint8_t>> photo = ReadPhoto(*photo_path, DecodeLimits{}.max_bytes);
    if (!photo.ok())
        return {"failed", photo.status().message()};
    Result<EnrolmentResult> result = core.AddResidentAndEnrol(person, flags.grant_days, *photo);
    if (!result.ok())
        return {"failed", result.status().message()};
    if (!result->accepted) {
        std::string reasons;
        for (const std::string& r : result->reasons)
            reasons += (reasons.empty() ? "" : " ") + r;
        if (!result->duplicate_person_id.empty()) {
            reasons += " (as " + result->duplicate_person_id + ")";
        }
        return {"rejected", reasons};
    }
    return {"enrolled", ""};
}

std::string CsvField(const std::string& text) {
    std::string quoted = "\"";
    for (char c : text)
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

int RunImport(const ImportFlags& flags) {
    Result<std::vector<CsvRow>> rows =
        ReadCsvFile(flags.csv, {"person_id", "name", "household_id", "photo"});
    if (!rows.ok())
        return ReportError("import", rows.status());
    Result<std::unique_ptr<AccessCore>> core = OpenCore(flags.data);
    if (!core.ok())
        return ReportError("import", core.status());
    const std::string report_path = flags.report.empty() ? flags.csv + ".report.csv" : flags.report;
    if (IsInsideFolder(report_path, flags.data.data_dir)) {
        return ReportError(
            "import", InvalidArgument("report '" + report_path + "' is inside the data folder '" +
                                          flags.data.data_dir + "'; write it somewhere else",
                                      "report"));
    }
    std::ofstream report(report_path);
    if (!report) {
        return ReportError("import", IoError("cannot write report '" + report_path + "'"));
    }
    report << "line,person_id,status,reason\n";
    std::map<std::string, int> counts;
    ProgressBar progress(rows->size());
    for (std::size_t i = 0; i < rows->size(); ++i) {
        const CsvRow& row = (*rows)[i];
        auto [status, reason] = ImportRow(**core, row, flags);
        ++counts[status];
        report << row.line << "," << CsvField(row.Get("person_id")) << "," << status << ","
               << CsvField(reason) << "\n";
        report.flush();
        progress.Update(i + 1);
    }
    PrintJson({{"rows", rows->size()},
               {"enrolled", counts["enrolled"]},
               {"skipped", counts["skipped"]},
               {"rejected", counts["rejected"]},
               {"failed", counts["failed"]},
               {"report", report_path}});
    return counts["rejected"] + counts["failed"] > 0 ? 1 : 0;
}

}  // namespace

void AddEnrolCommands(CLI::App& app, int* exit_code) {
    auto flags = std::make_shared<EnrolFlags>();
    CLI::App* enrol = app.add_subcommand(
        "enrol", "Enrol a face for an existing person; the photo is discarded afterwards");
    AddDataFlags(enrol, &flags->data);
    enrol->add_option("--person", flags->person_id, "Person id")->required();
    enrol->add_option("photo", flags->photo, "Photo of the person alone, facing the camera")
        ->required();
    enrol->callback([flags, exit_code] { *exit_code = RunEnrol(*flags); });

    auto import_flags = std::make_shared<ImportFlags>();
    CLI::App* import = app.add_subcommand(
        "import",
        "Add and enrol residents in bulk from a CSV (person_id,name,household_id,photo and "
        "optional role,birth_year,phone); one transaction per row");
    AddDataFlags(import, &import_flags->data);
    import->add_option("--csv", import_flags->csv, "CSV file with a header row")->required();
    import->add_option("--photos", import_flags->photos, "Folder the photo column refers to")
        ->required();
    import->add_option("--report", import_flags->report,
                       "Per-row report to write (default: CSV path + .report.csv)");
    import
        ->add_option("--grant-days", import_flags->grant_days,
                     "Days each resident's grant lasts from today")
        ->check(CLI::Range(1, 36500));
    import->callback([import_flags, exit_code] { *exit_code = RunImport(*import_flags);
});
}  // namespace menjin::cli

}  // namespace menjin::cli
