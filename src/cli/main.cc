#include <sys/auxv.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include <sodium.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "common/log.h"

namespace {

// Restarts the process once with glibc's malloc backing the heap with transparent huge pages,
// so the models' weights and buffers need few TLB entries. On the development VM, detection and
// embedding at one OpenCV thread took 34 ms after 250 ms idle against 25 ms back to back. With
// huge pages they took 24 ms either way. (The idle penalty is probably TLB and cache contents
// lost to other guests.) A GLIBC_TUNABLES value that already names glibc.malloc.hugetlb (e.g.
// =0) is kept, and when the restart fails the process carries on with the normal heap.
void RestartWithHugePageHeap(char** argv) {
    // A setuid or setcap process gets GLIBC_TUNABLES filtered, so it would restart forever.
    if (::getauxval(AT_SECURE) != 0)
        return;
    constexpr const char* kTunable = "glibc.malloc.hugetlb";
    const char* current = std::getenv("GLIBC_TUNABLES");
    if (current != nullptr && std::strstr(current, kTunable) != nullptr)
        return;
    std::string value = std::string(kTunable) + "=1";
    if (current != nullptr && *current != '\0')
        value = std::string(current) + ":" + value;
    if (::setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0)
        return;
    ::execv("/proc/self/exe", argv);
}

}  // namespace

int main(int argc, char** argv) {
    RestartWithHugePageHeap(argv);
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
        return app.exit(e) == 0 ? 0 : 2;
    }
    return exit_code;
}
