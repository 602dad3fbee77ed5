#pragma once

#include <string>

#include "common/status.h"
#include "domain/records.h"
#include "domain/welfare_records.h"
#include "welfare/absence_rule.h"
#include "welfare/sublet_rule.h"

namespace menjin {

// Checks every field of `settings` against its range and the webhook URL's form. Returns ok or
// kInvalidArgument naming the field (e.g. "sublet_days"). Pure function.
Status ValidateWelfareSettings(const EstateWelfareSettings& settings);

// Checks that `url` is empty (no webhook) or an absolute http:// or https:// URL with a host,
// at most 500 bytes, without spaces or control characters. The message never repeats the URL,
// which may carry a secret token. Pure function.
Status ValidateWebhookUrl(const std::string& url);

// The welfare rule's policy of an estate: Estate::welfare_days and the settings' min_age.
WelfarePolicy WelfarePolicyOf(const Estate& estate, const EstateWelfareSettings& settings);
// The "tenant absent, unit in use" thresholds of an estate.
SubletPolicy SubletPolicyOf(const EstateWelfareSettings& settings);

}  // namespace menjin
