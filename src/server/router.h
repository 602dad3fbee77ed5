#pragma once

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include <httplib.h>

#include "server/audit_log.h"
#include "server/authenticator.h"
#include "server/route.h"

namespace menjin {

// Dispatches requests to the routes of the API: finds the route by method and path (404 for
// an unknown path, 405 for a known path with another method), checks the body size (413),
// authenticates the caller (401) and checks the route's audience (403), runs the handler,
// writes the audit entry of audited routes, and writes the reply or an error body of the one
// shape {"error": {"code", "message", "field"}}. Every error response is logged with its
// request id: 4xx at info, 5xx at error with the internal message, which the client does not
// see.
//
// The route list is the single list of what the server serves; the OpenAPI test compares it
// with the document. Holds references to `authenticator` and `audit`, which must outlive it.
// Thread-safe: Handle may run on many threads at once.
class Router {
  public:
    Router(std::vector<Route> routes, Authenticator& authenticator, AuditLog& audit);

    const std::vector<Route>& routes() const { return routes_; }
    // Returns true when `path` (a query string is ignored) matches the route's path template.
    bool Matches(const Route& route, const std::string& path) const;

    // Rejects framing and path escapes that a proxy could read differently from this server,
    // and a Content-Length far over the route's body limit (`body_limit` for paths without a
    // route), before any route or static file is looked up and before the body is read.
    // Returns true when it wrote a 400 or 413 into `response`.
    bool Screen(const httplib::Request& http, std::size_t body_limit, httplib::Response& response);

    // Gives a response that no handler tagged (a static file, an error of the HTTP library) its
    // own X-Request-Id.
    void TagUntagged(httplib::Response& response);

    // Handles one request and fills `response`.
    void Handle(const httplib::Request& request, httplib::Response& response);

    // Writes an error body for a response that the HTTP library produced without a handler
    // (malformed request, body over `body_limit` bytes, the library's size limit). Leaves
    // bodies already set.
    static void FillLibraryError(const httplib::Request& request, httplib::Response& response,
                                 std::size_t body_limit);

  private:
    struct Match {
        const Route* route = nullptr;
        std::map<std::string, std::string> path;
        // Methods of routes whose path matched (HEAD wherever GET is), for the Allow header of a
        // 405.
        std::vector<std::string> allowed;
    };
    Match Find(const std::string& method, const std::string& path) const;
    // Checks the body size, authenticates, checks the audience, runs the handler and audits.
    Result<ApiReply> Dispatch(const Route& route, const httplib::Request& http,
                              std::map<std::string, std::string> path,
                              const std::string& request_id);
    // Writes the 404 of an unknown path or the 405 of a known path with another method.
    void WriteUnrouted(const httplib::Request& http, const Match& match,
                       const std::string& request_id, httplib::Response& response) const;
    Status CheckAudience(const Route& route, const Caller& caller) const;
    Result<ApiReply> Run(const Route& route, ApiRequest& request);
    Status Audit(const Route& route, const ApiRequest& request, const std::string& record_id,
                 const Status& outcome);
    // Fills `response` from `reply`. For a HEAD request (`head`) an event stream is not opened.
    void WriteReply(ApiReply reply, bool head, httplib::Response& response) const;
    void WriteError(const Status& status, const std::string& request_id, const std::string& what,
                    httplib::Response& response) const;

    std::vector<Route> routes_;
    // Path segments of each route, in the order of routes_.
    std::vector<std::vector<std::string>> segments_;
    Authenticator& authenticator_;
    AuditLog& audit_;
    std::atomic<std::uint64_t> next_request_{1};
};

}  // namespace menjin
