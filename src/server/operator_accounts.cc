#include "server/operator_accounts.h"

#include <fmt/format.h>

#include "common/local_time.h"
#include "common/log.h"
#include "crypto/password_hash.h"
#include "crypto/secret_token.h"

namespace menjin {

namespace {

Status Unauthenticated(std::string message) {
    return Status(ErrorCode::kUnauthenticated, std::move(message));
}

// One message for an unknown id, a wrong password, a locked and a disabled account, so that the
// reply reveals neither which ids exist nor whether a password is right.
constexpr const char* kWrongLogin =
    "login failed: unknown operator or wrong password, or the account is locked after repeated "
    "failures; try again later or ask a centre admin to unlock it";

}  // namespace

Result<std::unique_ptr<OperatorAccounts>> OperatorAccounts::Create(Store& store, const Clock& clock,
                                                                   LoginPolicy policy) {
    MENJIN_ASSIGN_OR_RETURN(std::string dummy, HashPassword(NewSecretToken()));
    return std::unique_ptr<OperatorAccounts>(
        new OperatorAccounts(store, clock, policy, std::move(dummy)));
}

Status OperatorAccounts::CheckPassword(const std::string& password,
                                       const std::string& field) const {
    if (password.size() < policy_.min_password_bytes ||
        password.size() > policy_.max_password_bytes) {
        return InvalidArgument(fmt::format("invalid {}: use {} to {} bytes", field,
                                           policy_.min_password_bytes, policy_.max_password_bytes),
                               field);
    }
    return Status::Ok();
}

Status OperatorAccounts::CheckAccount(const Operator& account) const {
    if (!IsValidId(account.id)) {
        return InvalidArgument("invalid operator id '" + account.id +
                                   "': use 1 to 64 letters, digits, '-', '_' or '.'",
                               "id");
    }
    const bool estate_staff = account.role == OperatorRole::kEstateStaff;
    if (estate_staff && account.estate_id.empty())
        return InvalidArgument("estate staff need an estate_id", "estate_id");
    if (!estate_staff && !account.estate_id.empty()) {
        return InvalidArgument(
            std::string("a ") + OperatorRoleName(account.role) + " works on no single estate",
            "estate_id");
    }
    return Status::Ok();
}

Status OperatorAccounts::AddOperator(Operator account, const std::string& password) {
    MENJIN_RETURN_IF_ERROR(CheckAccount(account));
    MENJIN_RETURN_IF_ERROR(CheckPassword(password, "password"));
    MENJIN_ASSIGN_OR_RETURN(account.password_hash, HashPassword(password));
    account.created_at = clock_.Now();
    account.failed_logins = 0;
    account.locked_until = 0;
    return store_.CreateOperator(account);
}

Result<NewSession> OperatorAccounts::Login(const std::string& operator_id,
                                           const std::string& password,
                                           const std::string& remote_address) {
    Result<Operator> found = IsValidId(operator_id) ? store_.GetOperator(operator_id)
                                                    : Result<Operator>(NotFound("no such id"));
    if (!found.ok() && found.status().code() != ErrorCode::kNotFound)
        return found.status();
    if (!found.ok() || password.size() > policy_.max_password_bytes) {
        // The same work as a real check, so response times do not reveal which ids exist.
        (void)VerifyPassword(dummy_hash_, password.substr(0, policy_.max_password_bytes));
        return Unauthenticated(kWrongLogin);
    }
    const Operator& account = *found;
    const UnixSeconds now = clock_.Now();
    if (account.locked_until > now) {
        (void)VerifyPassword(dummy_hash_, password);
        MENJIN_LOG_WARN("login: operator '{}' is locked until {} after {} failed logins",
                        account.id, FormatUtc(account.locked_until), account.failed_logins);
        return Unauthenticated(kWrongLogin);
    }
    const bool matches = VerifyPassword(account.password_hash, password);
    if (matches && account.disabled) {
        // The same reply as a wrong password, so that it does not confirm the password.
        MENJIN_LOG_WARN("login: operator '{}' is disabled", account.id);
        return Unauthenticated(kWrongLogin);
    }
    MENJIN_RETURN_IF_ERROR(RecordLoginOutcome(account.id, matches));
    if (!matches)
        return Unauthenticated(kWrongLogin);
    return StartSession(account, remote_address);
}

Status OperatorAccounts::RecordLoginOutcome(const std::string& operator_id, bool success) {
    return store_.Transaction([&]() -> Status {
        MENJIN_ASSIGN_OR_RETURN(Operator account, store_.GetOperator(operator_id));
        if (success)
            return store_.SetOperatorLoginState(operator_id, 0, 0);
        const int failures = account.failed_logins + 1;
        UnixSeconds locked_until = account.locked_until;
        if (failures >= policy_.max_failures)
            locked_until = clock_.Now() + policy_.lock_seconds;
        return store_.SetOperatorLoginState(operator_id, failures, locked_until);
    });
}

Result<NewSession> OperatorAccounts::StartSession(const Operator& account,
                                                  const std::string& remote_address) {
    NewSession created;
    created.token = kTokenPrefix + NewSecretToken();
    created.session.token_hash = SecretTokenHash(created.token);
    created.session.operator_id = account.id;
    created.session.created_at = clock_.Now();
    created.session.expires_at = created.session.created_at + policy_.session_seconds;
    created.session.remote_address = remote_address;
    MENJIN_RETURN_IF_ERROR(store_.PurgeExpiredSessions(created.session.created_at).status());
    MENJIN_RETURN_IF_ERROR(store_.CreateSession(created.session));
    created.account = account;
    return created;
}

Result<std::pair<Operator, OperatorSession>> OperatorAccounts::Resolve(const std::string& token) {
    MENJIN_ASSIGN_OR_RETURN(std::optional<OperatorSession> session,
                            store_.FindSession(SecretTokenHash(token)));
    if (!session || session->expires_at <= clock_.Now())
        return Unauthenticated("the session is unknown or has expired: log in again");
    Result<Operator> account = store_.GetOperator(session->operator_id);
    if (!account.ok() && account.status().code() == ErrorCode::kNotFound)
        return Unauthenticated("the session's operator no longer exists");
    MENJIN_RETURN_IF_ERROR(account.status());
    if (account->disabled)
        return Unauthenticated("operator '" + account->id + "' is disabled");
    return std::make_pair(std::move(account).value(), std::move(*session));
}

Status OperatorAccounts::Logout(const std::string& token_hash) {
    return store_.DeleteSession(token_hash);
}

Status OperatorAccounts::ChangePassword(const std::string& operator_id,
                                        const std::string& current_password,
                                        const std::string& new_password) {
    MENJIN_RETURN_IF_ERROR(CheckPassword(new_password, "new_password"));
    MENJIN_ASSIGN_OR_RETURN(Operator account, store_.GetOperator(operator_id));
    if (!VerifyPassword(account.password_hash, current_password)) {
        return Status(ErrorCode::kPermissionDenied, "the current password is wrong",
                      "current_password");
    }
    MENJIN_ASSIGN_OR_RETURN(account.password_hash, HashPassword(new_password));
    return store_.Transaction([&]() -> Status {
        MENJIN_RETURN_IF_ERROR(store_.UpdateOperator(account).status());
        return store_.DeleteSessionsOfOperator(operator_id).status();
    });
}

Result<Operator> OperatorAccounts::UpdateOperator(const Operator& account,
                                                  const std::string& new_password, bool unlock) {
    MENJIN_RETURN_IF_ERROR(CheckAccount(account));
    MENJIN_ASSIGN_OR_RETURN(Operator stored, store_.GetOperator(account.id));
    Operator changed = account;
    changed.password_hash = stored.password_hash;
    if (!new_password.empty()) {
        MENJIN_RETURN_IF_ERROR(CheckPassword(new_password, "password"));
        MENJIN_ASSIGN_OR_RETURN(changed.password_hash, HashPassword(new_password));
    }
    const bool ends_sessions = !new_password.empty() || changed.role != stored.role ||
                               changed.estate_id != stored.estate_id ||
                               (changed.disabled && !stored.disabled);
    Operator updated;
    MENJIN_RETURN_IF_ERROR(store_.Transaction([&]() -> Status {
        MENJIN_ASSIGN_OR_RETURN(updated, store_.UpdateOperator(changed));
        if (unlock) {
            MENJIN_RETURN_IF_ERROR(store_.SetOperatorLoginState(account.id, 0, 0));
            updated.failed_logins = 0;
            updated.locked_until = 0;
        }
        if (ends_sessions)
            return store_.DeleteSessionsOfOperator(account.id).status();
        return Status::Ok();
    }));
    return updated;
}

}  // namespace menjin
