#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include <sodium.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/process_restart.h"
#include "common/log.h"

int main(int argc, char** argv) {
    menjin::cli::OccupyStandardStreams();
    menjin::cli::RestartWithTunedEnvironment(argv);
    CLI::App app{"menjin: face-recognition access control for public rental housing"};
    app.require_subcommand(1);
    std::string log_level = "warn";
    app.add_option("--log-level", log_level,
                   "Log level on stderr: error, warn, info, debug, trace or off")
        ->check(CLI::IsMember({"error", "warn", "info", "debug", "trace", "off"}));
    app.set_version_flag("--version", std::string("menjin ") + MENJIN_VERSION);

    int exit_code = 0;
    menjin::cli::AddDetectCommand(app, &exit_code);
    menjin::cli::AddVerifyCommand(app, &exit_code);
    menjin::cli::AddEvalCommand(app, &exit_code);
    menjin::cli::AddBenchCommand(app, &exit_code);
    menjin::cli::AddCalibrateCommand(app, &exit_code);
    menjin::cli::AddInitCommand(app, &exit_code);
    menjin::cli::AddDirectoryCommands(app, &exit_code);
    menjin::cli::AddEnrolCommands(app, &exit_code);
    menjin::cli::AddGateCheckCommand(app, &exit_code);
    menjin::cli::AddDemoCommand(app, &exit_code);
    menjin::cli::AddPassageCommands(app, &exit_code);
    menjin::cli::AddServeCommand(app, &exit_code);
    menjin::cli::AddOperatorCommands(app, &exit_code);
    menjin::cli::AddAuditCommands(app, &exit_code);
    menjin::cli::AddWelfareCommands(app, &exit_code);

    // Subcommand callbacks run inside parse, after every option is read, so logging and
    // libsodium are set up in a pre-callback.
    app.parse_complete_callback([&] {
        menjin::InitLogging(log_level);
        if (sodium_init() < 0) {
            std::cerr << "menjin: libsodium failed to initialise\n";
            std::exit(2);
        }
    });
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        exit_code = app.exit(e) == 0 ? 0 : 2;
    }
    // Output lost to a full disk or a closed pipe is an error, not a success. The reason is
    // known only when this last flush fails; an earlier failed write left no errno behind.
    const bool failed_before = !std::cout;
    errno = 0;
    std::cout.flush();
    if (failed_before || !std::cout || std::fflush(stdout) != 0) {
        std::cerr << "menjin: cannot write standard output"
                  << (errno != 0 && !failed_before ? std::string(": ") + std::strerror(errno) : "")
                  << "\n";
        return exit_code == 0 ? 1 : exit_code;
    }
    return exit_code;
}
