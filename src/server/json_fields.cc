#include "server/json_fields.h"

#include <cmath>

#include "common/local_time.h"

namespace menjin {

Result<JsonFields> JsonFields::Parse(std::string_view body) {
    nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded())
        return InvalidArgument("the request body is not valid JSON");
    if (!parsed.is_object())
        return InvalidArgument("the request body must be a JSON object");
    return JsonFields(std::move(parsed));
}

JsonFields::JsonFields(nlohmann::json object, std::string prefix)
    : object_(std::move(object)), prefix_(std::move(prefix)) {}

bool JsonFields::Has(const std::string& name) const {
    auto it = object_.find(name);
    return it != object_.end() && !it->is_null();
}

void JsonFields::Check(const Status& status) {
    if (status_.ok() && !status.ok())
        status_ = status;
}

void JsonFields::Fail(const std::string& name, const std::string& problem) {
    Check(InvalidArgument("invalid field '" + FieldName(name) + "': " + problem, FieldName(name)));
}

const nlohmann::json* JsonFields::Find(const std::string& name) {
    read_.insert(name);
    auto it = object_.find(name);
    if (it == object_.end() || it->is_null())
        return nullptr;
    return &*it;
}

const nlohmann::json* JsonFields::Require(const std::string& name) {
    const nlohmann::json* value = Find(name);
    if (value == nullptr)
        Check(InvalidArgument("missing field '" + FieldName(name) + "'", FieldName(name)));
    return value;
}

std::string JsonFields::Text(const std::string& name, std::size_t max_length) {
    const nlohmann::json* value = Require(name);
    if (value == nullptr)
        return {};
    std::string text = OptionalText(name, "", max_length);
    if (text.empty() && value->is_string())
        Fail(name, "must not be empty");
    return text;
}

std::string JsonFields::OptionalText(const std::string& name, std::string fallback,
                                     std::size_t max_length) {
    const nlohmann::json* value = Find(name);
    if (value == nullptr)
        return fallback;
    if (!value->is_string()) {
        Fail(name, "expected a string");
        return fallback;
    }
    std::string text = value->get<std::string>();
    if (text.size() > max_length) {
        Fail(name, "longer than " + std::to_string(max_length) + " bytes");
        return fallback;
    }
    return text;
}

std::string JsonFields::Id(const std::string& name) {
    if (Require(name) == nullptr)
        return {};
    return OptionalId(name).value_or("");
}

std::optional<std::string> JsonFields::OptionalId(const std::string& name) {
    const nlohmann::json* value = Find(name);
    if (value == nullptr)
        return std::nullopt;
    if (!value->is_string() || !IsValidId(value->get<std::string>())) {
        Fail(name, "use 1 to 64 letters, digits, '-', '_' or '.'");
        return std::nullopt;
    }
    return value->get<std::string>();
}

std::int64_t JsonFields::Integer(const std::string& name, std::int64_t min, std::int64_t max) {
    if (Require(name) == nullptr)
        return min;
    return OptionalInteger(name, min, max).value_or(min);
}

std::optional<std::int64_t> JsonFields::OptionalInteger(const std::string& name, std::int64_t min,
                                                        std::int64_t max) {
    const nlohmann::json* value = Find(name);
    if (value == nullptr)
        return std::nullopt;
    if (!value->is_number_integer()) {
        Fail(name, "expected an integer");
        return std::nullopt;
    }
    const std::int64_t number = value->get<std::int64_t>();
    if (number < min || number > max) {
        Fail(name, "must be " + std::to_string(min) + " to " + std::to_string(max));
        return std::nullopt;
    }
    return number;
}

double JsonFields::OptionalNumber(const std::string& name, double fallback, double min,
                                  double max) {
    const nlohmann::json* value = Find(name);
    if (value == nullptr)
        return fallback;
    if (!value->is_number()) {
        Fail(name, "expected a number");
        return fallback;
    }
    const double number = value->get<double>();
    if (!std::isfinite(number) || number < min || number > max) {
        Fail(name, "must be " + std::to_string(min) + " to " + std::to_string(max));
        return fallback;
    }
    return number;
}

bool JsonFields::OptionalBool(const std::string& name, bool fallback) {
    const nlohmann::json* value = Find(name);
    if (value == nullptr)
        return fallback;
    if (!value->is_boolean()) {
        Fail(name, "expected true or false");
        return fallback;
    }
    return value->get<bool>();
}

UnixSeconds JsonFields::Instant(const std::string& name) {
    if (Require(name) == nullptr)
        return 0;
    return OptionalInstant(name).value_or(0);
}

std::optional<UnixSeconds> JsonFields::OptionalInstant(const std::string& name) {
    const nlohmann::json* value = Find(name);
    if (value == nullptr)
        return std::nullopt;
    Result<UnixSeconds> parsed =
        value->is_string() ? ParseUtc(value->get<std::string>()) : InvalidArgument("not text");
    if (!parsed.ok()) {
        Fail(name, "expected a UTC time as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
        return std::nullopt;
    }
    return *parsed;
}

std::vector<std::string> JsonFields::IdList(const std::string& name) {
    const nlohmann::json* value = Require(name);
    if (value == nullptr)
        return {};
    std::vector<std::string> ids;
    std::set<std::string> seen;
    if (!value->is_array() || value->empty()) {
        Fail(name, "expected a non-empty array of ids");
        return {};
    }
    for (const nlohmann::json& item : *value) {
        if (!item.is_string() || !IsValidId(item.get<std::string>())) {
            Fail(name, "every item must be an id of 1 to 64 letters, digits, '-', '_' or '.'");
            return {};
        }
        if (!seen.insert(item.get<std::string>()).second) {
            Fail(name, "repeats '" + item.get<std::string>() + "'");
            return {};
        }
        ids.push_back(item.get<std::string>());
    }
    return ids;
}

JsonFields JsonFields::Object(const std::string& name) {
    const nlohmann::json* value = Require(name);
    if (value != nullptr && !value->is_object())
        Fail(name, "expected an object");
    if (value == nullptr || !value->is_object())
        return JsonFields(nlohmann::json::object(), FieldName(name) + ".");
    return JsonFields(*value, FieldName(name) + ".");
}

Status JsonFields::Finish() const {
    if (!status_.ok())
        return status_;
    for (const auto& [name, value] : object_.items()) {
        if (read_.count(name) == 0) {
            return InvalidArgument("unknown field '" + FieldName(name) + "'", FieldName(name));
        }
    }
    return Status::Ok();
}

}  // namespace menjin
