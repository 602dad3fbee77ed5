#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/status.h"
#include "server/caller.h"

namespace menjin {

enum class HttpMethod { kGet, kPost, kPatch, kDelete };
const char* HttpMethodName(HttpMethod method);

// Bit flags of the callers a route admits. Estate scoping inside a route is the Authorizer's
// job; these flags only state which kinds of caller may call it at all.
enum Audience : unsigned {
    kAnyone = 1u << 0,  // no credentials needed
    kCentreAdmin = 1u << 1,
    kEstateStaff = 1u << 2,
    kAuditor = 1u << 3,
    kGateDevice = 1u << 4,
};
inline constexpr unsigned kAllOperators = kCentreAdmin | kEstateStaff | kAuditor;
inline constexpr unsigned kEstateOperators = kCentreAdmin | kEstateStaff;

// The request passed to a handler, valid for the duration of the handler call.
struct ApiRequest {
    const httplib::Request& http;
    Caller caller;
    // Path parameters by their OpenAPI name, e.g. {"gate_id": "g1"}.
    std::map<std::string, std::string> path;
    std::string request_id;

    const std::string& Path(const std::string& name) const { return path.at(name); }
    // Returns the query parameter, or nullopt when the query does not have it.
    std::optional<std::string> Query(const std::string& name) const;
};

// A handler's successful response: JSON, raw bytes or an event stream.
struct ApiReply {
    int status = 200;
    nlohmann::json body;
    // When content_type is set, `bytes` are sent instead of `body`.
    std::string content_type;
    std::string bytes;
    // When set, the response is a chunked stream from this provider (server-sent events).
    std::function<bool(std::size_t offset, httplib::DataSink& sink)> stream;
    std::function<void(bool)> stream_done;
    std::vector<std::pair<std::string, std::string>> headers;
    // The record the audit entry names, when the path does not name it (e.g. a created id).
    std::string audit_record_id;
};

using RouteHandler = std::function<Result<ApiReply>(ApiRequest&)>;

// One operation of the API. The path is the OpenAPI template, e.g.
// "/api/v1/gates/{gate_id}/decisions", and is the name the OpenAPI document uses.
struct Route {
    HttpMethod method = HttpMethod::kGet;
    std::string path;
    unsigned audience = 0;
    // Audit action (e.g. "person.read"); empty for routes that are not audited.
    std::string audit_action;
    // The record type and the path parameter naming the record in the audit entry.
    std::string audit_record_type;
    std::string audit_record_param;
    // Largest request body accepted, in bytes (413 above it).
    std::size_t max_body_bytes = 0;
    RouteHandler handler;
};

// Returns a JSON reply with `status`.
ApiReply JsonReply(nlohmann::json body, int status = 200);

}  // namespace menjin
