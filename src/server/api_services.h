#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "server/audit_log.h"
#include "server/authorizer.h"
#include "server/credential_throttle.h"
#include "server/gate_devices.h"
#include "server/gate_event_hub.h"
#include "server/operator_accounts.h"
#include "server/thumbnail_links.h"
#include "service/access_core.h"

namespace menjin {

// Request body limits in bytes.
struct BodyLimits {
    // JSON bodies.
    std::size_t json_bytes = 1 << 20;
    // Photo uploads and gate frames, all parts together.
    std::size_t upload_bytes = 16 << 20;
};

// References to the objects that route handlers use. The ApiServer owns them, and they outlive
// every request.
struct ApiServices {
    AccessCore& core;
    Authorizer& authorizer;
    AuditLog& audit;
    OperatorAccounts& accounts;
    GateDevices& devices;
    ThumbnailLinks& links;
    GateEventHub& events;
    BodyLimits limits;
    // menjin's version, reported by the health route.
    std::string version;
    // Whether session cookies get the Secure attribute (the server runs TLS).
    bool secure_cookies = false;
    // How long an event stream waits for a decision before it sends a keep-alive comment.
    std::chrono::milliseconds event_keepalive{15000};
    // Limits guessing of cards, PINs and QR tokens per gate.
    CredentialThrottle credential_throttle;
};

}  // namespace menjin
