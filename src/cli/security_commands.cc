// `menjin operator add` (operator accounts, such as the first centre admin) and
// `menjin audit verify` (the hash chain of the audit log). Both work on the store alone and
// load no models.

#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/core_setup.h"
#include "crypto/data_key.h"
#include "domain/security_json.h"
#include "server/audit_log.h"
#include "server/operator_accounts.h"
#include "service/record_checks.h"
#include "sqlite/sqlite_store.h"

namespace menjin::cli {

namespace {

// Reads one line without echo when stdin is a terminal.
// Removes what Windows editors add to a line: a UTF-8 byte order mark at the start and
// carriage returns at the end.
std::string WithoutWindowsMarks(std::string line) {
    if (line.rfind("\xEF\xBB\xBF", 0) == 0)
        line.erase(0, 3);
    while (!line.empty() && line.back() == '\r')
        line.pop_back();
    return line;
}

std::string ReadSecretLine(const std::string& prompt) {
    const bool terminal = ::isatty(STDIN_FILENO) != 0;
    termios saved{};
    if (terminal) {
        std::cerr << prompt << std::flush;
        ::tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    std::getline(std::cin, line);
    if (terminal) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::cerr << "\n";
    }
    return WithoutWindowsMarks(line);
}

Result<std::string> ReadPassword(const std::string& password_file) {
    if (!password_file.empty()) {
        std::ifstream in(password_file);
        std::string line;
        if (!in || !std::getline(in, line))
            return IoError("failed to read a password line from '" + password_file + "'");
        line = WithoutWindowsMarks(line);
        // A UTF-16 file or a stray control character would make a password no login can send.
        MENJIN_RETURN_IF_ERROR(CheckPlainText(line, "password"));
        return line;
    }
    const std::string password = ReadSecretLine("Password: ");
    if (::isatty(STDIN_FILENO) != 0 && ReadSecretLine("Repeat the password: ") != password)
        return InvalidArgument("the two passwords differ", "password");
    return password;
}

struct OperatorFlags {
    std::string data_dir;
    Operator account;
    std::string role = "centre_admin";
    std::string password_file;
};

int RunOperatorAdd(OperatorFlags flags) {
    Result<std::unique_ptr<SqliteStore>> store = OpenStoreOnly(flags.data_dir);
    if (!store.ok())
        return ReportError("operator add", store.status());
    flags.account.role = *ParseOperatorRole(flags.role);
    Result<std::string> password = ReadPassword(flags.password_file);
    if (!password.ok())
        return ReportError("operator add", password.status());
    SystemClock clock;
    Result<std::unique_ptr<OperatorAccounts>> accounts =
        OperatorAccounts::Create(**store, clock, LoginPolicy{});
    Status added =
        accounts.ok() ? (*accounts)->AddOperator(flags.account, *password) : accounts.status();
    if (!added.ok())
        return ReportError("operator add", added);
    AuditLog audit(**store, clock);
    Status audited = audit.Record(
        AuditEvent{"cli", "cli", "operator.create", "operator", flags.account.id, "local", "ok"});
    if (!audited.ok())
        return ReportError("operator add", audited);
    Result<Operator> stored = (*store)->GetOperator(flags.account.id);
    if (!stored.ok())
        return ReportError("operator add", stored.status());
    PrintJson(ToJson(*stored));
    return 0;
}

void AddOperatorAdd(CLI::App* group, int* exit_code) {
    auto flags = std::make_shared<OperatorFlags>();
    CLI::App* add = group->add_subcommand(
        "add", "Add an operator account; the password is read from stdin (no echo on a terminal)");
    add->add_option("--data", flags->data_dir, "Data folder made by `menjin init`")->required();
    add->add_option("--id", flags->account.id, "Login name (letters, digits, '-', '_', '.')")
        ->required();
    add->add_option("--name", flags->account.display_name, "Name shown in the console")->required();
    add->add_option("--role", flags->role, "centre_admin, estate_staff or auditor")
        ->check(CLI::IsMember({"centre_admin", "estate_staff", "auditor"}))
        ->capture_default_str();
    add->add_option("--estate", flags->account.estate_id, "Estate of an estate_staff account");
    add->add_option("--password-file", flags->password_file,
                    "Read the password from the first line of this file instead of stdin");
    add->callback([flags, exit_code] { *exit_code = RunOperatorAdd(*flags); });
}

int RunAuditVerify(const std::string& data_dir) {
    Result<std::unique_ptr<SqliteStore>> store = OpenStoreOnly(data_dir);
    if (!store.ok())
        return ReportError("audit verify", store.status());
    Result<AuditVerification> check = VerifyAuditLog(**store);
    if (!check.ok())
        return ReportError("audit verify", check.status());
    nlohmann::json out = {{"ok", check->ok},
                          {"entries", check->entries},
                          {"last_seq", check->last_seq},
                          {"head_hash", check->head_hash}};
    if (!check->ok) {
        out["first_bad_seq"] = *check->first_bad_seq;
        out["problem"] = check->problem;
        std::cerr << "menjin audit verify: " << check->problem << "\n";
    }
    PrintJson(out);
    return check->ok ? 0 : 1;
}

}  // namespace

void AddOperatorCommands(CLI::App& app, int* exit_code) {
    CLI::App* group = app.add_subcommand("operator", "Manage operator accounts of the HTTP API");
    group->require_subcommand(1);
    AddOperatorAdd(group, exit_code);
}

void AddAuditCommands(CLI::App& app, int* exit_code) {
    CLI::App* group = app.add_subcommand("audit", "Check the audit log");
    group->require_subcommand(1);
    auto data_dir = std::make_shared<std::string>();
    CLI::App* verify = group->add_subcommand(
        "verify",
        "Recompute the audit log's hash chain; exit 1 and name the first bad entry when an "
        "entry was edited or deleted");
    verify->add_option("--data", *data_dir, "Data folder made by `menjin init`")->required();
    verify->callback([data_dir, exit_code] { *exit_code = RunAuditVerify(*data_dir); });
}

}  // namespace menjin::cli
