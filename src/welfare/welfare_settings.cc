#include "welfare/welfare_settings.h"

#include <fmt/format.h>

namespace menjin {

namespace {

constexpr std::size_t kMaxUrlBytes = 500;

Status CheckRange(int value, int min, int max, const char* field) {
    if (value >= min && value <= max)
        return Status::Ok();
    return InvalidArgument(fmt::format("invalid {} {}: use {} to {}", field, value, min, max),
                           field);
}

}  // namespace

Status ValidateWelfareSettings(const EstateWelfareSettings& s) {
    MENJIN_RETURN_IF_ERROR(CheckRange(s.min_age, 0, 150, "min_age"));
    MENJIN_RETURN_IF_ERROR(CheckRange(s.sublet_days, 1, 3650, "sublet_days"));
    MENJIN_RETURN_IF_ERROR(CheckRange(s.sublet_min_use_days, 1, 3650, "sublet_min_use_days"));
    MENJIN_RETURN_IF_ERROR(
        CheckRange(s.sublet_min_use_passages, 1, 100000, "sublet_min_use_passages"));
    // Strangers' templates are personal data, so the window is capped at 90 days.
    MENJIN_RETURN_IF_ERROR(
        CheckRange(s.unknown_face_retention_days, 0, 90, "unknown_face_retention_days"));
    MENJIN_RETURN_IF_ERROR(
        CheckRange(s.unknown_face_min_attempts, 2, 1000, "unknown_face_min_attempts"));
    MENJIN_RETURN_IF_ERROR(CheckRange(s.unknown_face_min_days, 1, 90, "unknown_face_min_days"));
    MENJIN_RETURN_IF_ERROR(
        CheckRange(s.evaluation_interval_minutes, 1, 24 * 60, "evaluation_interval_minutes"));
    return ValidateWebhookUrl(s.webhook_url);
}

Status ValidateWebhookUrl(const std::string& url) {
    if (url.empty())
        return Status::Ok();
    if (url.size() > kMaxUrlBytes) {
        return InvalidArgument(
            fmt::format("invalid webhook_url: use at most {} bytes", kMaxUrlBytes), "webhook_url");
    }
    for (unsigned char c : url) {
        if (c <= 0x20 || c == 0x7f) {
            return InvalidArgument(
                "invalid webhook_url: spaces and control characters are not "
                "allowed; percent-encode them",
                "webhook_url");
        }
    }
    const std::size_t scheme_end = url.find("://");
    const std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
    if (scheme != "http" && scheme != "https") {
        return InvalidArgument("invalid webhook_url: use an http:// or https:// URL",
                               "webhook_url");
    }
    const std::size_t host_start = scheme_end + 3;
    const std::size_t host_end = url.find_first_of("/?#", host_start);
    const std::string authority = url.substr(host_start, host_end - host_start);
    if (authority.empty() || authority.front() == ':' || authority.find('@') != std::string::npos) {
        return InvalidArgument("invalid webhook_url: name a host, without user information",
                               "webhook_url");
    }
    return Status::Ok();
}

WelfarePolicy WelfarePolicyOf(const Estate& estate, const EstateWelfareSettings& settings) {
    WelfarePolicy policy;
    policy.default_days = estate.welfare_days;
    policy.min_age = settings.min_age;
    return policy;
}

SubletPolicy SubletPolicyOf(const EstateWelfareSettings& settings) {
    SubletPolicy policy;
    policy.tenant_absent_days = settings.sublet_days;
    policy.min_use_days = settings.sublet_min_use_days;
    policy.min_use_passages = settings.sublet_min_use_passages;
    return policy;
}

}  // namespace menjin
