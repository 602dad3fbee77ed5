// Routes for logging in and out and for managing operator accounts.

#include <cstdint>

#include "common/local_time.h"
#include "common/log.h"
#include "domain/security_json.h"
#include "server/authenticator.h"
#include "server/request_parsing.h"
#include "server/routes.h"

namespace menjin {

namespace {

std::string SessionCookie(const std::string& token, int max_age_seconds, bool secure) {
    std::string cookie =
        std::string(Authenticator::kSessionCookie) + "=" + token +
        "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_seconds);
    if (secure)
        cookie += "; Secure";
    return cookie;
}

// Records a login attempt under the account's id when it exists, else as anonymous, so that
// a password typed into the id field is never written to the log.
void AuditLogin(ApiServices& s, const ApiRequest& request, const std::string& operator_id,
                const Status& outcome) {
    const bool known = IsValidId(operator_id) && s.core.store().GetOperator(operator_id).ok();
    AuditEvent event;
    event.actor = known ? operator_id : "anonymous";
    event.actor_role = "anonymous";
    event.action = outcome.ok() ? "login" : "login.failed";
    event.record_type = "operator";
    event.record_id = known ? operator_id : "";
    event.remote_address = request.caller.remote_address;
    event.outcome = outcome.ok() ? "ok" : ErrorCodeName(outcome.code());
    Status written = s.audit.Record(event);
    if (!written.ok())
        MENJIN_LOG_ERROR("http {}: audit: cannot record a login: {}", request.request_id,
                         written.ToString());
}

Result<ApiReply> Login(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    const std::string operator_id = in.Text("operator_id", 64);
    const std::string password = in.Text("password", 4096);
    const std::string kind = in.OptionalText("session", "cookie", 16);
    if (kind != "cookie" && kind != "token") {
        in.Check(
            InvalidArgument("invalid field 'session': use \"cookie\" for the console or "
                            "\"token\" for scripts",
                            "session"));
    }
    MENJIN_RETURN_IF_ERROR(in.Finish());
    Result<NewSession> session =
        s.accounts.Login(operator_id, password, request.caller.remote_address);
    AuditLogin(s, request, operator_id, session.status());
    MENJIN_RETURN_IF_ERROR(session.status());
    nlohmann::json body = {{"operator", ToJson(session->account)},
                           {"expires_at", FormatUtc(session->session.expires_at)}};
    ApiReply reply;
    if (kind == "token") {
        body["token"] = session->token;
    } else {
        reply.headers.emplace_back(
            "Set-Cookie",
            SessionCookie(session->token, s.accounts.policy().session_seconds, s.secure_cookies));
    }
    reply.body = std::move(body);
    return reply;
}

Result<ApiReply> Logout(ApiServices& s, ApiRequest& request) {
    MENJIN_RETURN_IF_ERROR(s.accounts.Logout(request.caller.session_token_hash));
    ApiReply reply = JsonReply({{"logged_out", true}});
    reply.headers.emplace_back("Set-Cookie", SessionCookie("", 0, s.secure_cookies));
    reply.audit_record_id = request.caller.operator_id;
    return reply;
}

Result<ApiReply> CurrentSession(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Operator account,
                            s.core.store().GetOperator(request.caller.operator_id));
    return JsonReply({{"operator", ToJson(account)}});
}

Result<ApiReply> ChangePassword(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    const std::string current = in.Text("current_password", 4096);
    const std::string replacement = in.Text("new_password", 4096);
    MENJIN_RETURN_IF_ERROR(in.Finish());
    MENJIN_RETURN_IF_ERROR(
        s.accounts.ChangePassword(request.caller.operator_id, current, replacement));
    ApiReply reply = JsonReply({{"changed", true}});
    reply.headers.emplace_back("Set-Cookie", SessionCookie("", 0, s.secure_cookies));
    reply.audit_record_id = request.caller.operator_id;
    return reply;
}

Result<ApiReply> ListOperators(ApiServices& s, ApiRequest&) {
    MENJIN_ASSIGN_OR_RETURN(std::vector<Operator> accounts, s.core.store().ListOperators());
    return JsonReply({{"operators", JsonArray(accounts)}});
}

Result<OperatorRole> ReadRole(JsonFields& in, OperatorRole fallback) {
    const std::string text = in.OptionalText("role", OperatorRoleName(fallback), 32);
    std::optional<OperatorRole> role = ParseOperatorRole(text);
    if (!role) {
        return InvalidArgument("invalid field 'role': use centre_admin, estate_staff or auditor",
                               "role");
    }
    return *role;
}

Result<ApiReply> CreateOperator(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    Operator account;
    account.id = in.Id("id");
    account.display_name = in.Text("display_name");
    if (!in.Has("role"))
        in.Check(InvalidArgument("missing field 'role'", "role"));
    Result<OperatorRole> role = ReadRole(in, OperatorRole::kAuditor);
    in.Check(role.status());
    account.role = role.ok() ? *role : OperatorRole::kAuditor;
    account.estate_id = in.OptionalId("estate_id").value_or("");
    const std::string password = in.Text("password", 4096);
    MENJIN_RETURN_IF_ERROR(in.Finish());
    MENJIN_RETURN_IF_ERROR(s.accounts.AddOperator(account, password));
    MENJIN_ASSIGN_OR_RETURN(Operator stored, s.core.store().GetOperator(account.id));
    ApiReply reply = JsonReply(ToJson(stored), 201);
    reply.audit_record_id = stored.id;
    return reply;
}

Result<ApiReply> UpdateOperator(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Operator account,
                            s.core.store().GetOperator(request.Path("operator_id")));
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    account.version = in.Integer("version", 1, INT64_MAX);
    account.display_name = in.OptionalText("display_name", account.display_name);
    Result<OperatorRole> role = ReadRole(in, account.role);
    in.Check(role.status());
    account.role = role.ok() ? *role : account.role;
    if (in.Has("estate_id") || account.role != OperatorRole::kEstateStaff)
        account.estate_id = in.OptionalId("estate_id").value_or("");
    account.disabled = in.OptionalBool("disabled", account.disabled);
    const std::string password = in.OptionalText("password", "", 4096);
    const bool unlock = in.OptionalBool("unlock", false);
    MENJIN_RETURN_IF_ERROR(in.Finish());
    if (account.id == request.caller.operator_id &&
        (account.disabled || account.role != OperatorRole::kCentreAdmin)) {
        return InvalidArgument("a centre admin cannot disable or demote their own account",
                               account.disabled ? "disabled" : "role");
    }
    MENJIN_ASSIGN_OR_RETURN(Operator updated, s.accounts.UpdateOperator(account, password, unlock));
    return JsonReply(ToJson(updated));
}

}  // namespace

std::vector<Route> AuthRoutes(ApiServices& s) {
    const std::size_t json = s.limits.json_bytes;
    return {
        {HttpMethod::kPost, "/api/v1/auth/login", kAnyone, "", "", "", json,
         [&s](ApiRequest& r) { return Login(s, r); }},
        {HttpMethod::kPost, "/api/v1/auth/logout", kAllOperators, "logout", "operator", "", json,
         [&s](ApiRequest& r) { return Logout(s, r); }},
        {HttpMethod::kGet, "/api/v1/auth/session", kAllOperators, "", "", "", 0,
         [&s](ApiRequest& r) { return CurrentSession(s, r); }},
        {HttpMethod::kPost, "/api/v1/auth/password", kAllOperators, "operator.password_change",
         "operator", "", json, [&s](ApiRequest& r) { return ChangePassword(s, r); }},
        {HttpMethod::kGet, "/api/v1/operators", kCentreAdmin, "", "", "", 0,
         [&s](ApiRequest& r) { return ListOperators(s, r); }},
        {HttpMethod::kPost, "/api/v1/operators", kCentreAdmin, "operator.create", "operator", "",
         json, [&s](ApiRequest& r) { return CreateOperator(s, r); }},
        {HttpMethod::kPatch, "/api/v1/operators/{operator_id}", kCentreAdmin, "operator.update",
         "operator", "operator_id", json, [&s](ApiRequest& r) { return UpdateOperator(s, r); }},
    };
}

}  // namespace menjin
