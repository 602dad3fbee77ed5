#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "common/clock.h"
#include "common/status.h"
#include "domain/security_records.h"
#include "storage/store.h"

namespace menjin {

// Password, lockout and session rules for operator accounts.
struct LoginPolicy {
    // Consecutive failed logins that lock an account, and for how long.
    int max_failures = 5;
    int lock_seconds = 15 * 60;
    // Lifetime of a session from login, in seconds.
    int session_seconds = 12 * 60 * 60;
    // Password length limits in bytes. The upper limit bounds the hashing work per request.
    std::size_t min_password_bytes = 12;
    std::size_t max_password_bytes = 1024;
};

// A session made by a successful login. `token` is shown to the client once; the store keeps
// only its hash.
struct NewSession {
    std::string token;
    OperatorSession session;
    Operator account;
};

// Operator accounts: creation with an Argon2id password hash, login with lockout after
// repeated failures, and sessions. Holds references to `store` and `clock`, which must
// outlive it. Thread-safe.
class OperatorAccounts {
  public:
    // Session tokens start with this prefix, so the authenticator can tell them from gate
    // device tokens without a second lookup.
    static constexpr const char* kTokenPrefix = "mjs_";

    // Computes a dummy hash (tens of milliseconds) used to make logins of unknown accounts take
    // as long as wrong passwords. Fails when libsodium cannot hash.
    static Result<std::unique_ptr<OperatorAccounts>> Create(Store& store, const Clock& clock,
                                                            LoginPolicy policy);

    // Validates `account` (id, role and estate) and `password` (length) and stores the account
    // with the password's hash. kInvalidArgument naming the field, kAlreadyExists for a taken
    // id, kFailedPrecondition for an unknown estate. The password is never logged or echoed.
    Status AddOperator(Operator account, const std::string& password);

    // Checks the password and returns a new session. kUnauthenticated for an unknown account,
    // a wrong password, a disabled account or a locked one (the message gives the time the lock
    // ends). A wrong password counts towards the lock.
    Result<NewSession> Login(const std::string& operator_id, const std::string& password,
                             const std::string& remote_address);

    // Returns the account of a live session token; kUnauthenticated for an unknown or expired
    // session or a disabled account.
    Result<std::pair<Operator, OperatorSession>> Resolve(const std::string& token);

    // Ends the session with this token hash; ok when there was none.
    Status Logout(const std::string& token_hash);

    // Replaces the password after checking the current one; ends every session of the account.
    Status ChangePassword(const std::string& operator_id, const std::string& current_password,
                          const std::string& new_password);

    // Stores an admin's edit of an account (display name, role, estate, disabled, optional new
    // password, optional unlock), checking `account.version`. Ends the account's sessions when
    // the password, role, estate or disabled flag changed.
    Result<Operator> UpdateOperator(const Operator& account, const std::string& new_password,
                                    bool unlock);

    const LoginPolicy& policy() const { return policy_; }

  private:
    OperatorAccounts(Store& store, const Clock& clock, LoginPolicy policy, std::string dummy)
        : store_(store), clock_(clock), policy_(policy), dummy_hash_(std::move(dummy)) {}

    Status CheckPassword(const std::string& password, const std::string& field) const;
    Status CheckAccount(const Operator& account) const;
    // Counts a failed login or resets the counter, in one transaction with a fresh read.
    Status RecordLoginOutcome(const std::string& operator_id, bool success);
    Result<NewSession> StartSession(const Operator& account, const std::string& remote_address);

    Store& store_;
    const Clock& clock_;
    const LoginPolicy policy_;
    const std::string dummy_hash_;
};

}  // namespace menjin
