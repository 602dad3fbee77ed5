#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/json_output.h"
#include "common/status.h"
#include "service/access_core.h"
#include "sqlite/sqlite_store.h"

namespace menjin::cli {

// Flags of every command that works on a data folder.
struct DataFlags {
    std::string data_dir;
    std::string models_dir;
    std::string range = "full";
    int pipelines = 2;
};

// Adds --data (required), --models, --range and --pipelines to `command`.
void AddDataFlags(CLI::App* command, DataFlags* flags);

// Opens the access core of the data folder with the system clock. Takes the data folder's lock
// for the rest of the process, so it fails while `menjin serve` holds the folder.
Result<std::unique_ptr<AccessCore>> OpenCore(const DataFlags& flags);
// Opens it with `options` (e.g. decode limits), whose folders and pipelines the flags replace.
Result<std::unique_ptr<AccessCore>> OpenCore(const DataFlags& flags, AccessCoreOptions options);

// Opens the access core with `clock` and without the data folder's lock, for the evaluations
// that only add leads and may run beside `menjin serve`.
Result<std::unique_ptr<AccessCore>> OpenCoreWithClock(const DataFlags& flags,
                                                      std::shared_ptr<const Clock> clock);
// Opens the data folder's store without the recognition engine or the lock. Rejects a folder
// without a database or key, so that no new key file is made beside an existing database.
Result<std::unique_ptr<SqliteStore>> OpenStoreOnly(const std::string& data_dir);

// Prints "menjin <command>: <message>" on stderr and returns the exit code for `status`: 2 for
// setup problems (missing data folder or models), 1 for everything else.
int ReportError(const std::string& command, const Status& status);

// Parses a time flag (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC); `fallback` when `text` is
// empty.
Result<UnixSeconds> ParseTimeFlag(const std::string& text, UnixSeconds fallback,
                                  const std::string& flag);

// Splits "a,b,c" into its non-empty parts.
std::vector<std::string> SplitCommas(const std::string& text);

}  // namespace menjin::cli
