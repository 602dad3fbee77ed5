#include "server/api_server.h"

#include <sys/socket.h>

#include "common/log.h"
#include "server/routes.h"

namespace menjin {

namespace {

// Backlog of pending connections. cpp-httplib 0.11.4 listens with a backlog of 5
// (CPPHTTPLIB_LISTEN_BACKLOG, fixed when Debian built the library), so a burst of more new
// connections than that loses SYNs and those clients wait a second to retry. Listening again
// on the bound socket raises it; Linux allows listen() on a listening socket for this.
constexpr int kListenBacklog = 256;

// Gives access to the listening socket, which cpp-httplib keeps protected.
template <typename Base>
class BacklogServer : public Base {
  public:
    using Base::Base;
    void RaiseBacklog() { ::listen(this->svr_sock_, kListenBacklog); }
};

// Read and write timeouts of a connection, in seconds: the longest wait for the next bytes, not
// for the whole request. A gate on a slow link still sends each part of a frame well within
// this, and a client that stalls mid-request frees its worker thread sooner.
constexpr time_t kSocketTimeoutSeconds = 10;

}  // namespace

ApiServer::ApiServer(AccessCore& core, ApiServerOptions options)
    : core_(core),
      options_(std::move(options)),
      devices_(core.store(), core.clock()),
      audit_(core.store(), core.clock()),
      authorizer_(core),
      links_(core.cipher(), core.clock(), options_.thumbnail_link_seconds),
      events_(static_cast<std::size_t>(options_.max_event_streams)) {}

ApiServer::~ApiServer() {
    Stop();
    Wait();
}

Result<std::unique_ptr<ApiServer>> ApiServer::Create(AccessCore& core, ApiServerOptions options) {
    if (options.tls_certificate.empty() != options.tls_private_key.empty()) {
        return InvalidArgument(
            "server: TLS needs both a certificate and a private key file",
            options.tls_certificate.empty() ? "tls_certificate" : "tls_private_key");
    }
    std::unique_ptr<ApiServer> server(new ApiServer(core, std::move(options)));
    MENJIN_RETURN_IF_ERROR(server->Configure());
    return server;
}

Status ApiServer::Configure() {
    MENJIN_ASSIGN_OR_RETURN(accounts_,
                            OperatorAccounts::Create(core_.store(), core_.clock(), options_.login));
    authenticator_ = std::make_unique<Authenticator>(*accounts_, devices_);
    services_.reset(new ApiServices{core_,
                                    authorizer_,
                                    audit_,
                                    *accounts_,
                                    devices_,
                                    links_,
                                    events_,
                                    options_.limits,
                                    options_.version,
                                    tls(),
                                    options_.event_keepalive,
                                    {}});
    router_ = std::make_unique<Router>(AllRoutes(*services_), *authenticator_, audit_);
    if (tls()) {
        auto secure = std::make_unique<BacklogServer<httplib::SSLServer>>(
            options_.tls_certificate.c_str(), options_.tls_private_key.c_str());
        if (!secure->is_valid()) {
            return IoError("server: failed to load the TLS certificate '" +
                           options_.tls_certificate.string() + "' or private key '" +
                           options_.tls_private_key.string() +
                           "': check that both are PEM files and that the key matches");
        }
        http_ = std::move(secure);
    } else {
        http_ = std::make_unique<BacklogServer<httplib::Server>>();
    }
    return Status::Ok();
}

Status ApiServer::Start() {
    MENJIN_RETURN_IF_ERROR(ConfigureHttp());
    httplib::Server& http = *http_;
    const bool bound = options_.port == 0 ? (port_ = http.bind_to_any_port(options_.host)) > 0
                                          : http.bind_to_port(options_.host, options_.port);
    if (!bound) {
        return Status(ErrorCode::kUnavailable,
                      "server: failed to listen on " + options_.host + ":" +
                          std::to_string(options_.port) +
                          ": the address is in use or invalid; choose another --listen");
    }
    if (options_.port != 0)
        port_ = options_.port;
    RaiseBacklog();
    listener_ = std::thread([this] { http_->listen_after_bind(); });
    // Stop() only acts on a running server, so Start returns once the loop runs.
    while (!http.is_running() && !stopping_)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return Status::Ok();
}

Status ApiServer::ConfigureHttp() {
    httplib::Server& http = *http_;
    const std::size_t threads = static_cast<std::size_t>(std::max(options_.threads, 2));
    http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    http.set_payload_max_length(std::max(options_.limits.json_bytes, options_.limits.upload_bytes));
    http.set_keep_alive_max_count(static_cast<std::size_t>(options_.keep_alive_requests));
    // Responses go out as headers and body in separate writes. With Nagle's algorithm on, the
    // body would wait for the client's delayed ACK of the headers (about 40 ms on Linux).
    http.set_tcp_nodelay(true);

    // cpp-httplib's default also sets SO_REUSEPORT, which would let a second server bind a
    // port that is in use and take half of its connections. SO_REUSEADDR alone still allows a
    // restart while old connections sit in TIME_WAIT.
    http.set_socket_options([](socket_t sock) {
        int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
    http.set_read_timeout(kSocketTimeoutSeconds);
    http.set_write_timeout(kSocketTimeoutSeconds);
    // The console loads only its own scripts and styles, and no other site may frame it (which
    // would allow clickjacking a staff member into a move-out).
    http.set_default_headers(
        {{"X-Content-Type-Options", "nosniff"},
         {"X-Frame-Options", "DENY"},
         {"Referrer-Policy", "no-referrer"},
         {"Content-Security-Policy",
          "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
          "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"}});

    if (!options_.static_dir.empty() && !http.set_mount_point("/", options_.static_dir.string())) {
        return NotFound("server: static folder '" + options_.static_dir.string() +
                        "' does not exist");
    }

    const std::size_t body_limit =
        std::max(options_.limits.json_bytes, options_.limits.upload_bytes);
    // Runs before static files too, so their paths get the same checks.
    http.set_pre_routing_handler(
        [this, body_limit](const httplib::Request& request, httplib::Response& response) {
            return router_->Screen(request, body_limit, response)
                       ? httplib::Server::HandlerResponse::Handled
                       : httplib::Server::HandlerResponse::Unhandled;
        });
    // Every method goes to the router, which matches the routes and returns 404 and 405 itself.
    auto handle = [this](const httplib::Request& request, httplib::Response& response) {
        router_->Handle(request, response);
    };
    http.Get(".*", handle);
    http.Post(".*", handle);
    http.Put(".*", handle);
    http.Patch(".*", handle);
    http.Delete(".*", handle);
    http.Options(".*", handle);
    http.set_post_routing_handler([this](const httplib::Request&, httplib::Response& response) {
        router_->TagUntagged(response);
    });
    http.set_error_handler(httplib::Server::HandlerWithResponse(
        [body_limit](const httplib::Request& request, httplib::Response& response) {
            Router::FillLibraryError(request, response, body_limit);
            return httplib::Server::HandlerResponse::Handled;
        }));
    return Status::Ok();
}

void ApiServer::RaiseBacklog() {
    if (auto* plain = dynamic_cast<BacklogServer<httplib::Server>*>(http_.get()))
        plain->RaiseBacklog();
    if (auto* secure = dynamic_cast<BacklogServer<httplib::SSLServer>*>(http_.get()))
        secure->RaiseBacklog();
}

void ApiServer::Stop() {
    if (stopping_.exchange(true))
        return;
    events_.Close();
    if (http_)
        http_->stop();
}

void ApiServer::Wait() {
    if (listener_.joinable())
        listener_.join();
}

}  // namespace menjin
