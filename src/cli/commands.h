#pragma once

#include <CLI/CLI.hpp>

namespace menjin::cli {

// Each function adds one subcommand to `app`. When the subcommand runs, its callback stores
// the process exit code in *exit_code: 0 on success, 1 when some input failed, 2 for a usage
// or setup error.

void AddDetectCommand(CLI::App& app, int* exit_code);
void AddVerifyCommand(CLI::App& app, int* exit_code);
void AddEvalCommand(CLI::App& app, int* exit_code);
void AddBenchCommand(CLI::App& app, int* exit_code);
void AddCalibrateCommand(CLI::App& app, int* exit_code);
void AddInitCommand(CLI::App& app, int* exit_code);
void AddDirectoryCommands(CLI::App& app, int* exit_code);
void AddEnrolCommands(CLI::App& app, int* exit_code);
void AddGateCheckCommand(CLI::App& app, int* exit_code);
void AddDemoCommand(CLI::App& app, int* exit_code);
void AddPassageCommands(CLI::App& app, int* exit_code);
void AddServeCommand(CLI::App& app, int* exit_code);
void AddOperatorCommands(CLI::App& app, int* exit_code);
void AddAuditCommands(CLI::App& app, int* exit_code);
// `alerts evaluate`, `alerts list` and `leads evaluate`.
void AddWelfareCommands(CLI::App& app, int* exit_code);

}  // namespace menjin::cli
