#include "server/router.h"

#include <strings.h>

#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "common/log.h"
#include "server/http_status.h"
#include "service/record_checks.h"

namespace menjin {

namespace {

std::vector<std::string> SplitPath(const std::string& path) {
    std::vector<std::string> segments;
    std::size_t start = 1;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos)
            end = path.size();
        segments.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return segments;
}

// Serialises a reply. Text that is not UTF-8 (which validation keeps out of the store) is
// replaced rather than aborting the request.
std::string DumpJson(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool IsParameter(const std::string& segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Returns the path cut to 120 bytes with control bytes (and every non-ASCII byte when the path
// is not UTF-8) replaced, for log lines.
std::string LoggablePath(const std::string& path) {
    std::string out = path.substr(0, 120);
    const bool utf8 = !FirstInvalidUtf8(out);
    for (char& c : out) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f || (byte >= 0x80 && !utf8))
            c = '?';
    }
    return out;
}

// Returns an error for framing that a proxy could read differently from this server. That is
// more than one Content-Length or Transfer-Encoding, both together, a length that is not
// plain digits, or a transfer coding other than chunked. A GET or HEAD with a body is rejected
// too, because cpp-httplib does not read that body and would take it for the next request.
Status CheckFraming(const httplib::Request& http) {
    const std::size_t lengths = http.get_header_value_count("Content-Length");
    if (lengths > 1) {
        return InvalidArgument("the request has " + std::to_string(lengths) +
                               " Content-Length headers; send exactly one");
    }

    const std::size_t codings = http.get_header_value_count("Transfer-Encoding");
    if (codings > 1) {
        return InvalidArgument("the request has " + std::to_string(codings) +
                               " Transfer-Encoding headers; send one");
    }
    const bool chunked = codings == 1;
    if (lengths == 1 && chunked) {
        return InvalidArgument(
            "the request has both Content-Length and Transfer-Encoding; send one of them");
    }

    const std::string length = http.get_header_value("Content-Length");
    if (lengths == 1 &&
        (length.empty() || length.find_first_not_of("0123456789") != std::string::npos)) {
        return InvalidArgument("invalid Content-Length '" + LoggablePath(length.substr(0, 32)) +
                               "': use decimal digits only");
    }
    const std::string coding = http.get_header_value("Transfer-Encoding");
    if (chunked && strcasecmp(coding.c_str(), "chunked") != 0) {
        return InvalidArgument("invalid Transfer-Encoding '" + LoggablePath(coding.substr(0, 32)) +
                               "': only 'chunked' is accepted");
    }

    const bool has_body =
        chunked || (lengths == 1 && length.find_first_not_of('0') != std::string::npos);
    if (has_body && (http.method == "GET" || http.method == "HEAD")) {
        return InvalidArgument("a " + http.method + " request must not have a body");
    }
    return Status::Ok();
}

std::string BodyLimitMessage(std::size_t body_limit) {
    return fmt::format(
        "the request body is over the server's limit of {} bytes (menjin serve "
        "--max-upload-mib and --max-json-kib set it)",
        body_limit);
}

// Returns kTooLarge when the request's Content-Length (present and all digits, as CheckFraming
// ensures) is over kEarlyRejectFactor times `body_limit`, before the body is read. A body only
// a little over the limit is left to the HTTP library, which reads it before its 413, because
// a client that sends without Expect: 100-continue would otherwise see a reset connection.
Status CheckDeclaredLength(const httplib::Request& http, std::size_t body_limit) {
    constexpr unsigned long long kEarlyRejectFactor = 16;
    const std::string length = http.get_header_value("Content-Length");
    unsigned long long declared = 0;
    const auto [end, error] =
        std::from_chars(length.data(), length.data() + length.size(), declared);
    const unsigned long long early_limit = kEarlyRejectFactor * body_limit;
    if (error == std::errc() && end == length.data() + length.size() && declared <= early_limit)
        return Status::Ok();
    return Status(ErrorCode::kTooLarge, BodyLimitMessage(body_limit));
}

// Returns an error for escapes in the raw path that cpp-httplib decodes before routing. An
// encoded slash would split an id into two segments, a %uXXXX escape hides any character from
// a proxy's rules, and a NUL ends a static file's name early.
Status CheckRawPath(const httplib::Request& http) {
    std::string raw_path = http.target.substr(0, http.target.find('?'));
    for (char& c : raw_path)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (raw_path.find("%2f") != std::string::npos) {
        return InvalidArgument(
            "the URL path contains an encoded slash (%2F); ids never contain '/', so send the "
            "path without it");
    }
    if (raw_path.find("%u") != std::string::npos) {
        return InvalidArgument(
            "the URL path contains a %u escape; percent-encode the UTF-8 bytes instead");
    }
    if (raw_path.find("%00") != std::string::npos) {
        return InvalidArgument("the URL path contains an encoded NUL (%00)");
    }
    return Status::Ok();
}

// Checks that the decoded path and query parameters are UTF-8 text, as every id and filter
// is; other bytes (e.g. %ff) are the caller's error and could not be put into a JSON reply.
Status CheckUrlText(const httplib::Request& http) {
    if (std::optional<std::size_t> bad = FirstInvalidUtf8(http.path)) {
        return InvalidArgument("the URL path is not UTF-8 text at byte " +
                               std::to_string(*bad + 1) + "; percent-encode UTF-8 only");
    }
    for (const auto& [name, value] : http.params) {
        if (FirstInvalidUtf8(name) || FirstInvalidUtf8(value)) {
            return InvalidArgument("query parameter '" + (FirstInvalidUtf8(name) ? "?" : name) +
                                       "' is not UTF-8 text; percent-encode UTF-8 only",
                                   FirstInvalidUtf8(name) ? "" : name);
        }
    }
    return Status::Ok();
}

std::size_t BodyBytes(const httplib::Request& request) {
    std::size_t total = request.body.size();
    for (const auto& [name, file] : request.files)
        total += file.content.size();
    return total;
}

unsigned AudienceBit(const Caller& caller) {
    switch (caller.kind) {
        case CallerKind::kAnonymous:
            return kAnyone;
        case CallerKind::kGateDevice:
            return kGateDevice;
        case CallerKind::kOperator:
            break;
    }
    switch (caller.role) {
        case OperatorRole::kCentreAdmin:
            return kCentreAdmin;
        case OperatorRole::kEstateStaff:
            return kEstateStaff;
        case OperatorRole::kAuditor:
            return kAuditor;
    }
    return 0;
}

// Returns true when `segments` match `pattern`, where "{name}" matches any non-empty segment,
// and stores the matched parameters in `parameters`.
bool MatchSegments(const std::vector<std::string>& pattern,
                   const std::vector<std::string>& segments,
                   std::map<std::string, std::string>& parameters) {
    if (pattern.size() != segments.size())
        return false;
    for (std::size_t s = 0; s < pattern.size(); ++s) {
        if (IsParameter(pattern[s]) && !segments[s].empty()) {
            parameters[pattern[s].substr(1, pattern[s].size() - 2)] = segments[s];
        } else if (pattern[s] != segments[s]) {
            return false;
        }
    }
    return true;
}

}  // namespace

Router::Router(std::vector<Route> routes, Authenticator& authenticator, AuditLog& audit)
    : routes_(std::move(routes)), authenticator_(authenticator), audit_(audit) {
    for (const Route& route : routes_)
        segments_.push_back(SplitPath(route.path));
}

bool Router::Matches(const Route& route, const std::string& path) const {
    std::map<std::string, std::string> parameters;
    return MatchSegments(SplitPath(route.path), SplitPath(path.substr(0, path.find('?'))),
                         parameters);
}

Router::Match Router::Find(const std::string& method, const std::string& path) const {
    // HEAD runs the GET route, and the HTTP library sends its headers without the body.
    const std::string route_method = method == "HEAD" ? "GET" : method;
    const std::vector<std::string> segments = SplitPath(path);
    Match match;
    for (std::size_t i = 0; i < routes_.size(); ++i) {
        std::map<std::string, std::string> parameters;
        if (!MatchSegments(segments_[i], segments, parameters))
            continue;
        const std::string name = HttpMethodName(routes_[i].method);
        if (name == route_method) {
            match.route = &routes_[i];
            match.path = std::move(parameters);
            return match;
        }
        match.allowed.push_back(name);
        if (name == "GET")
            match.allowed.push_back("HEAD");
    }
    return match;
}

Status Router::CheckAudience(const Route& route, const Caller& caller) const {
    if ((route.audience & kAnyone) != 0 || (route.audience & AudienceBit(caller)) != 0)
        return Status::Ok();
    if (caller.kind == CallerKind::kAnonymous) {
        return Status(ErrorCode::kUnauthenticated,
                      "this route needs a session cookie or a bearer token: log in first");
    }
    if (caller.kind == CallerKind::kGateDevice)
        return Status(ErrorCode::kPermissionDenied, "a gate device may not use this route");
    return Status(
        ErrorCode::kPermissionDenied,
        std::string("the ") + OperatorRoleName(caller.role) + " role may not use this route");
}

Result<ApiReply> Router::Run(const Route& route, ApiRequest& request) {
    try {
        return route.handler(request);
    } catch (const std::exception& e) {
        return Internal(std::string("server: handler threw: ") + e.what());
    }
}

Status Router::Audit(const Route& route, const ApiRequest& request, const std::string& record_id,
                     const Status& outcome) {
    if (route.audit_action.empty() || request.caller.kind == CallerKind::kAnonymous)
        return Status::Ok();
    std::string id = record_id;
    if (id.empty() && !route.audit_record_param.empty()) {
        auto it = request.path.find(route.audit_record_param);
        if (it != request.path.end())
            id = it->second;
    }
    return audit_.Record(request.caller, route.audit_action, route.audit_record_type, id,
                         outcome.ok() ? "ok" : ErrorCodeName(outcome.code()));
}

void Router::TagUntagged(httplib::Response& response) {
    if (!response.has_header("X-Request-Id"))
        response.set_header("X-Request-Id", fmt::format("r{}", next_request_.fetch_add(1)));
}

bool Router::Screen(const httplib::Request& http, std::size_t body_limit,
                    httplib::Response& response) {
    Status status = CheckFraming(http);
    if (status.ok())
        status = CheckRawPath(http);
    if (status.ok() && http.has_header("Content-Length")) {
        // The route's own limit when the path names one (1 MiB for JSON routes by default). Only
        // requests with a body pay for this second route lookup.
        const Match match = Find(http.method, http.path);
        const std::size_t limit = match.route != nullptr ? match.route->max_body_bytes : body_limit;
        status = CheckDeclaredLength(http, limit);
    }
    if (status.ok())
        return false;
    const std::string request_id = fmt::format("r{}", next_request_.fetch_add(1));
    response.set_header("X-Request-Id", request_id);
    WriteError(status, request_id, http.method + " " + LoggablePath(http.path), response);
    return true;
}

void Router::Handle(const httplib::Request& http, httplib::Response& response) {
    const std::string request_id = fmt::format("r{}", next_request_.fetch_add(1));
    response.set_header("X-Request-Id", request_id);
    if (Status url = CheckUrlText(http); !url.ok()) {
        WriteError(url, request_id, http.method + " " + LoggablePath(http.path), response);
        return;
    }
    Match match = Find(http.method, http.path);
    if (match.route == nullptr) {
        WriteUnrouted(http, match, request_id, response);
        return;
    }
    const std::string what = http.method + " " + match.route->path;
    Result<ApiReply> reply = Dispatch(*match.route, http, std::move(match.path), request_id);
    if (!reply.ok()) {
        if (reply.status().code() == ErrorCode::kUnauthenticated)
            response.set_header("WWW-Authenticate", "Bearer");
        WriteError(reply.status(), request_id, what, response);
        return;
    }
    MENJIN_LOG_DEBUG("http {}: {} -> {}", request_id, what, reply->status);
    WriteReply(std::move(reply).value(), http.method == "HEAD", response);
}

Result<ApiReply> Router::Dispatch(const Route& route, const httplib::Request& http,
                                  std::map<std::string, std::string> path,
                                  const std::string& request_id) {
    if (BodyBytes(http) > route.max_body_bytes) {
        return Status(ErrorCode::kTooLarge,
                      fmt::format("the request body has {} bytes, over the {}-byte limit of "
                                  "this route",
                                  BodyBytes(http), route.max_body_bytes));
    }
    MENJIN_ASSIGN_OR_RETURN(Caller caller, authenticator_.Authenticate(
                                               http.get_header_value("Authorization"),
                                               http.get_header_value("Cookie"), http.remote_addr));
    ApiRequest request{http, std::move(caller), std::move(path), request_id};
    Status allowed = CheckAudience(route, request.caller);
    Result<ApiReply> reply = allowed.ok() ? Run(route, request) : Result<ApiReply>(allowed);
    const std::string record_id = reply.ok() ? reply->audit_record_id : "";
    Status audited = Audit(route, request, record_id, reply.status());
    if (!audited.ok()) {
        // A read of personal data is not returned without its audit entry.
        return Status(audited.code(),
                      "audit: cannot record " + route.audit_action + ": " + audited.message());
    }
    return reply;
}

void Router::WriteUnrouted(const httplib::Request& http, const Match& match,
                           const std::string& request_id, httplib::Response& response) const {
    const std::string what = http.method + " " + LoggablePath(http.path);
    if (match.allowed.empty()) {
        WriteError(NotFound("no route for " + LoggablePath(http.path)), request_id, what, response);
        return;
    }
    MENJIN_LOG_INFO("http {}: {} -> 405 method_not_allowed", request_id, what);
    response.status = 405;
    response.set_header("Allow", fmt::format("{}", fmt::join(match.allowed, ", ")));
    const std::string message =
        "method " + http.method + " is not allowed on " + LoggablePath(http.path);
    response.set_content(DumpJson(ErrorBody("method_not_allowed", message, "")),
                         "application/json");
}

void Router::WriteReply(ApiReply reply, bool head, httplib::Response& response) const {
    response.status = reply.status;
    for (const auto& [name, value] : reply.headers)
        response.set_header(name, value);
    if (reply.stream) {
        response.set_header("Cache-Control", "no-store");
        if (head) {
            // The stream is not opened, and dropping `reply` ends its subscription.
            response.set_header("Content-Type", "text/event-stream");
            return;
        }
        response.set_chunked_content_provider("text/event-stream", std::move(reply.stream),
                                              std::move(reply.stream_done));
        return;
    }
    if (!response.has_header("Cache-Control"))
        response.set_header("Cache-Control", "no-store");
    if (!reply.content_type.empty()) {
        response.set_content(std::move(reply.bytes), reply.content_type);
        return;
    }
    response.set_content(DumpJson(reply.body), "application/json");
}

void Router::WriteError(const Status& status, const std::string& request_id,
                        const std::string& what, httplib::Response& response) const {
    const int http_status = HttpStatusOf(status.code());
    std::string message = status.message();
    if (http_status >= 500) {
        MENJIN_LOG_ERROR("http {}: {} -> {} {}", request_id, what, http_status, status.ToString());
        message = "internal error in request " + request_id + "; the server log has the details";
    } else {
        MENJIN_LOG_INFO("http {}: {} -> {} {}", request_id, what, http_status, status.ToString());
    }
    response.status = http_status;
    response.set_content(DumpJson(ErrorBody(ErrorCodeName(status.code()), message, status.field())),
                         "application/json");
}

void Router::FillLibraryError(const httplib::Request& request, httplib::Response& response,
                              std::size_t body_limit) {
    if (!response.body.empty())
        return;
    const std::string code = ErrorNameOfHttpStatus(response.status);
    std::string message = "the request could not be read as HTTP/1.1 (HTTP " +
                          std::to_string(response.status) +
                          "): check the request line, the headers and the body's framing; a "
                          "POST or PATCH without a body needs 'Content-Length: 0'";
    if (response.status == 414)
        message = "the URL is too long";
    if (response.status == 413)
        message = BodyLimitMessage(body_limit);
    if (response.status >= 500)
        message = "internal error while reading the request; the server log has the details";
    MENJIN_LOG_INFO("http: {} {} -> {} {}", request.method, LoggablePath(request.path),
                    response.status, code);
    response.set_content(DumpJson(ErrorBody(code, message, "")), "application/json");
}

}  // namespace menjin
