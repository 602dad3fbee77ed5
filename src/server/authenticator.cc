#include "server/authenticator.h"

#include "crypto/secret_token.h"

namespace menjin {

namespace {

constexpr std::string_view kBearer = "Bearer ";

std::string Trimmed(std::string_view text) {
    const std::size_t first = text.find_first_not_of(' ');
    if (first == std::string_view::npos)
        return {};
    const std::size_t last = text.find_last_not_of(' ');
    return std::string(text.substr(first, last - first + 1));
}

bool StartsWith(const std::string& text, std::string_view prefix) {
    return text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

std::string Authenticator::CookieValue(const std::string& cookies, const std::string& name) {
    std::size_t start = 0;
    while (start < cookies.size()) {
        std::size_t end = cookies.find(';', start);
        if (end == std::string::npos)
            end = cookies.size();
        const std::string pair = Trimmed(std::string_view(cookies).substr(start, end - start));
        const std::size_t equals = pair.find('=');
        if (equals != std::string::npos && pair.substr(0, equals) == name)
            return pair.substr(equals + 1);
        start = end + 1;
    }
    return {};
}

Result<Caller> Authenticator::Authenticate(const std::string& authorization,
                                           const std::string& cookies,
                                           const std::string& remote_address) {
    Caller caller;
    caller.remote_address = remote_address;
    if (!authorization.empty()) {
        if (!StartsWith(authorization, kBearer)) {
            return Status(ErrorCode::kUnauthenticated,
                          "the Authorization header must be 'Bearer <token>'");
        }
        return FromToken(Trimmed(std::string_view(authorization).substr(kBearer.size())), caller);
    }
    const std::string cookie = CookieValue(cookies, kSessionCookie);
    if (!cookie.empty())
        return FromToken(cookie, caller);
    return caller;
}

Result<Caller> Authenticator::FromToken(const std::string& token, Caller caller) {
    if (StartsWith(token, OperatorAccounts::kTokenPrefix)) {
        MENJIN_ASSIGN_OR_RETURN(auto resolved, accounts_.Resolve(token));
        const Operator& account = resolved.first;
        caller.kind = CallerKind::kOperator;
        caller.operator_id = account.id;
        caller.role = account.role;
        caller.display_name = account.display_name;
        caller.estate_id = account.estate_id;
        caller.session_token_hash = resolved.second.token_hash;
        return caller;
    }
    if (StartsWith(token, GateDevices::kTokenPrefix)) {
        MENJIN_ASSIGN_OR_RETURN(DeviceCredential credential, devices_.Resolve(token));
        caller.kind = CallerKind::kGateDevice;
        caller.gate_id = credential.gate_id;
        caller.device_credential_id = credential.id;
        return caller;
    }
    return Status(ErrorCode::kUnauthenticated, "the bearer token is not a menjin token");
}

}  // namespace menjin
