#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <httplib.h>

#include "common/status.h"
#include "server/api_services.h"
#include "server/audit_log.h"
#include "server/authenticator.h"
#include "server/authorizer.h"
#include "server/gate_devices.h"
#include "server/gate_event_hub.h"
#include "server/operator_accounts.h"
#include "server/router.h"
#include "server/thumbnail_links.h"
#include "service/access_core.h"

namespace menjin {

// Listening address, TLS files, limits and timeouts of the HTTP service.
struct ApiServerOptions {
    std::string host = "127.0.0.1";
    // TCP port; 0 picks a free one (see ApiServer::port()).
    int port = 8080;
    // PEM certificate chain and private key; TLS is on when both are set.
    std::filesystem::path tls_certificate;
    std::filesystem::path tls_private_key;
    // Worker threads. Each keep-alive connection and each open event stream occupies one while
    // it lasts, so this bounds the concurrent connections. Decisions beyond the AccessCore's
    // pipelines wait for a pipeline.
    int threads = 48;
    // Event streams open at once; each occupies a worker thread.
    int max_event_streams = 16;
    BodyLimits limits;
    LoginPolicy login;
    int thumbnail_link_seconds = 60;
    std::chrono::milliseconds event_keepalive{15000};
    // Requests served on one connection before it is closed. With 1, a reverse proxy and
    // cpp-httplib cannot disagree about where a request ends: bytes after the first request
    // (an unread GET body, a smuggled request) are dropped with the connection.
    int keep_alive_requests = 1;
    // Folder of static files served under "/" (the web console); empty for none.
    std::filesystem::path static_dir;
    // menjin's version for the health route.
    std::string version;
};

// The HTTP service over one AccessCore: owns the HTTP server (cpp-httplib, with TLS when
// configured), the router with every API route, and the accounts, device credentials, audit
// log, thumbnail links and event hub the routes use. Holds a reference to `core`, which must
// outlive it.
//
// Lifecycle: Create, then Start (binds the port and returns once listening), then Stop from
// any thread (e.g. on SIGTERM), then Wait. Stop closes the listening socket and the event
// streams. Requests already being handled run to completion and their responses are sent, and
// Wait returns when the last one has finished. Connections accepted but not yet read are closed
// without a response, so their clients never got an acknowledgement.
class ApiServer {
  public:
    // Fails with kInvalidArgument when only one of the TLS files is set and kIoError when
    // they cannot be loaded.
    static Result<std::unique_ptr<ApiServer>> Create(AccessCore& core, ApiServerOptions options);
    ~ApiServer();

    ApiServer(const ApiServer&) = delete;
    ApiServer& operator=(const ApiServer&) = delete;

    // Binds host:port and starts serving on a background thread. kUnavailable when the port
    // cannot be bound. Call once.
    Status Start();
    // Stops accepting and ends event streams; thread-safe and idempotent.
    void Stop();
    // Blocks until the server has stopped and every in-flight request has finished.
    void Wait();

    // True from Start until the server loop has ended.
    bool running() const { return http_ != nullptr && http_->is_running(); }
    // The bound port, valid after Start.
    int port() const { return port_; }
    bool tls() const { return !options_.tls_certificate.empty(); }
    const Router& router() const { return *router_; }

  private:
    ApiServer(AccessCore& core, ApiServerOptions options);
    Status Configure();
    // Sets the thread pool, limits, timeouts and handlers of http_.
    Status ConfigureHttp();
    void RaiseBacklog();

    AccessCore& core_;
    const ApiServerOptions options_;
    std::unique_ptr<OperatorAccounts> accounts_;
    GateDevices devices_;
    AuditLog audit_;
    Authorizer authorizer_;
    ThumbnailLinks links_;
    GateEventHub events_;
    std::unique_ptr<Authenticator> authenticator_;
    std::unique_ptr<ApiServices> services_;
    std::unique_ptr<Router> router_;
    std::unique_ptr<httplib::Server> http_;
    std::thread listener_;
    std::atomic<bool> stopping_{false};
    int port_ = 0;
};

}  // namespace menjin
