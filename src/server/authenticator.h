#pragma once

#include <string>

#include "common/status.h"
#include "server/caller.h"
#include "server/gate_devices.h"
#include "server/operator_accounts.h"

namespace menjin {

// Turns the credentials of a request into a Caller: a bearer token in the Authorization header
// (an operator session for scripts or a gate device token) or the console's session cookie.
// Holds references to `accounts` and `devices`, which must outlive it. Thread-safe.
class Authenticator {
  public:
    // Name of the HttpOnly cookie that carries a console session.
    static constexpr const char* kSessionCookie = "menjin_session";

    Authenticator(OperatorAccounts& accounts, GateDevices& devices)
        : accounts_(accounts), devices_(devices) {}

    // Returns an anonymous caller when the request carries no credentials, the operator or gate
    // device they belong to, or kUnauthenticated when they are malformed, unknown, expired or
    // revoked. A bearer token takes precedence over the cookie.
    Result<Caller> Authenticate(const std::string& authorization, const std::string& cookies,
                                const std::string& remote_address);

    // Returns the value of cookie `name` in a Cookie header, or "" when absent.
    static std::string CookieValue(const std::string& cookies, const std::string& name);

  private:
    Result<Caller> FromToken(const std::string& token, Caller caller);

    OperatorAccounts& accounts_;
    GateDevices& devices_;
};

}  // namespace menjin
