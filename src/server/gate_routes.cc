// Routes for gate devices: face and credential decisions, the live event stream of a gate's
// decisions (server-sent events) and the signed thumbnail links that decisions carry.

#include <memory>
#include <span>

#include "common/local_time.h"
#include "common/log.h"
#include "server/request_parsing.h"
#include "server/routes.h"

namespace menjin {

namespace {

std::span<const std::uint8_t> Bytes(const std::string& text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// Returns the frames of one approach: every part of a multipart upload in order, or the body
// when it is sent as one image.
Result<std::vector<std::span<const std::uint8_t>>> Frames(const httplib::Request& http) {
    std::vector<std::span<const std::uint8_t>> frames;
    if (http.is_multipart_form_data()) {
        for (const auto& [name, part] : http.files)
            frames.push_back(Bytes(part.content));
        return frames;
    }
    const std::string type = http.get_header_value("Content-Type");
    if (type.rfind("image/", 0) != 0 && type.rfind("application/octet-stream", 0) != 0) {
        return InvalidArgument(
            "send one frame as image/jpeg, or the frames of one approach as "
            "multipart/form-data",
            "frames");
    }
    frames.push_back(Bytes(http.body));
    return frames;
}

// The decision as a gate shows it. No person id, only the masked name and a short-lived link
// to the thumbnail.
nlohmann::json DecisionJson(ApiServices& s, const GateOutcome& outcome) {
    const AccessDecision& decision = outcome.decision;
    const bool granted = decision.band == DecisionBand::kGrant;
    nlohmann::json out = {
        {"decision", DecisionBandName(decision.band)},
        {"display_name", granted ? nlohmann::json(outcome.display_name) : nullptr},
        {"photo_url", nullptr},
        {"reason", decision.reason},
        {"gate_id", outcome.gate_id},
        {"passage_id", outcome.passage_id},
        {"at", FormatUtc(s.core.clock().Now())},
        {"frames_received", outcome.frames_received},
        {"frames_usable", outcome.frames_usable}};
    if (granted && outcome.has_thumbnail)
        out["photo_url"] = s.links.PathFor(decision.person_id);
    return out;
}

ApiReply Publish(ApiServices& s, const GateOutcome& outcome) {
    nlohmann::json body = DecisionJson(s, outcome);
    s.events.Publish(outcome.gate_id, body.dump());
    return JsonReply(std::move(body));
}

Result<ApiReply> DecideFaces(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Gate gate,
                            s.authorizer.GateFor(request.caller, request.Path("gate_id")));
    MENJIN_ASSIGN_OR_RETURN(auto frames, Frames(request.http));
    MENJIN_ASSIGN_OR_RETURN(GateOutcome outcome, s.core.DecideFaces(gate.id, frames));
    return Publish(s, outcome);
}

Result<ApiReply> DecideCredential(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Gate gate,
                            s.authorizer.GateFor(request.caller, request.Path("gate_id")));
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    std::optional<CredentialKind> kind = ParseCredentialKind(in.Text("kind", 16));
    if (!kind)
        in.Check(InvalidArgument("invalid field 'kind': use card, pin or qr", "kind"));
    const std::string secret = in.Text("secret", 256);
    MENJIN_RETURN_IF_ERROR(in.Finish());
    MENJIN_RETURN_IF_ERROR(s.credential_throttle.Check(gate.id, s.core.clock().Now()));
    MENJIN_ASSIGN_OR_RETURN(GateOutcome outcome, s.core.DecideCredential(gate.id, *kind, secret));
    if (outcome.decision.reason == "unknown_credential")
        s.credential_throttle.RecordFailure(gate.id, s.core.clock().Now());
    return Publish(s, outcome);
}

// Returns true when the credential that opened an event stream no longer authenticates: a
// device credential revoked since, or an operator session logged out, expired or of an account
// disabled since. Also true when it cannot be read. The stream then ends, and authentication
// decides when the caller reconnects.
bool StreamCallerEnded(ApiServices& s, const Caller& caller) {
    if (caller.kind == CallerKind::kGateDevice) {
        Result<DeviceCredential> credential =
            s.core.store().GetDeviceCredential(caller.device_credential_id);
        return !credential.ok() || credential->revoked_at.has_value();
    }
    if (caller.kind != CallerKind::kOperator)
        return false;
    Result<std::optional<OperatorSession>> session =
        s.core.store().FindSession(caller.session_token_hash);
    if (!session.ok() || !*session || (*session)->expires_at <= s.core.clock().Now())
        return true;
    Result<Operator> account = s.core.store().GetOperator(caller.operator_id);
    return !account.ok() || account->disabled;
}

Result<ApiReply> Events(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Gate gate,
                            s.authorizer.GateFor(request.caller, request.Path("gate_id")));
    MENJIN_ASSIGN_OR_RETURN(std::unique_ptr<GateEventHub::Subscription> subscription,
                            s.events.Subscribe(gate.id));
    std::shared_ptr<GateEventHub::Subscription> listener = std::move(subscription);
    const std::chrono::milliseconds keepalive = s.event_keepalive;
    const Caller caller = request.caller;
    ApiReply reply;
    // Called by the HTTP library until it returns false, the sink is done or the server
    // stops. Each call waits for at most one keep-alive interval. The caller's credential is
    // checked again before every event and keep-alive. So a revoked display or a logged-out
    // operator receives no decision after that, and the stream ends within one keep-alive
    // interval.
    reply.stream = [&s, listener, keepalive, caller, gate_id = gate.id](std::size_t offset,
                                                                        httplib::DataSink& sink) {
        if (offset == 0) {
            const std::string hello = ": connected\nretry: 3000\n\n";
            if (!sink.write(hello.data(), hello.size()))
                return false;
        }
        std::optional<std::string> event = listener->Next(keepalive);
        if (listener->closed()) {
            sink.done();
            return true;
        }
        if (StreamCallerEnded(s, caller)) {
            MENJIN_LOG_INFO(
                "events: gate {}: stream of {} ended: credential revoked, session "
                "ended or unreadable",
                gate_id, caller.AuditActor());
            sink.done();
            return true;
        }
        const std::string text =
            event ? "event: decision\ndata: " + *event + "\n\n" : std::string(": keep-alive\n\n");
        return sink.write(text.data(), text.size());
    };
    return reply;
}

Result<ApiReply> Thumbnail(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(std::string person_id, s.links.PersonOf(request.Path("token")));
    MENJIN_ASSIGN_OR_RETURN(std::optional<std::vector<std::uint8_t>> jpeg,
                            s.core.store().GetThumbnail(person_id));
    if (!jpeg)
        return NotFound("thumbnail link is invalid or has expired: request a new one");
    // A face image is personal data, so its read is audited although the link needs no login.
    MENJIN_RETURN_IF_ERROR(
        s.audit.Record(AuditEvent{"thumbnail-link", "anonymous", "person.thumbnail.read", "person",
                                  person_id, request.caller.remote_address}));
    ApiReply reply;
    reply.content_type = "image/jpeg";
    reply.bytes.assign(jpeg->begin(), jpeg->end());
    reply.headers.emplace_back("Cache-Control", "private, no-store");
    return reply;
}

}  // namespace

std::vector<Route> GateRoutes(ApiServices& s) {
    return {
        {HttpMethod::kPost, "/api/v1/gates/{gate_id}/decisions", kGateDevice, "", "", "",
         s.limits.upload_bytes, [&s](ApiRequest& r) { return DecideFaces(s, r); }},
        {HttpMethod::kPost, "/api/v1/gates/{gate_id}/credential-decisions", kGateDevice, "", "", "",
         s.limits.json_bytes, [&s](ApiRequest& r) { return DecideCredential(s, r); }},
        {HttpMethod::kGet, "/api/v1/gates/{gate_id}/events", kEstateOperators | kGateDevice, "", "",
         "", 0, [&s](ApiRequest& r) { return Events(s, r); }},
        {HttpMethod::kGet, "/api/v1/thumbnails/{token}", kAnyone, "", "", "", 0,
         [&s](ApiRequest& r) { return Thumbnail(s, r); }},
    };
}

}  // namespace menjin
