#include "server/request_parsing.h"

#include <charconv>

#include "common/local_time.h"

namespace menjin {

Result<JsonFields> ReadJsonBody(const ApiRequest& request) {
    return JsonFields::Parse(request.http.body);
}

Result<std::int64_t> QueryInteger(const ApiRequest& request, const std::string& name,
                                  std::int64_t fallback, std::int64_t min, std::int64_t max) {
    std::optional<std::string> text = request.Query(name);
    if (!text)
        return fallback;
    std::int64_t value = 0;
    const char* end = text->data() + text->size();
    auto [parsed_end, error] = std::from_chars(text->data(), end, value);
    if (error != std::errc() || parsed_end != end || value < min || value > max) {
        return InvalidArgument("invalid query parameter '" + name + "': use an integer from " +
                                   std::to_string(min) + " to " + std::to_string(max),
                               name);
    }
    return value;
}

Result<std::optional<UnixSeconds>> QueryInstant(const ApiRequest& request,
                                                const std::string& name) {
    std::optional<std::string> text = request.Query(name);
    if (!text)
        return std::optional<UnixSeconds>();
    Result<UnixSeconds> parsed = ParseUtc(*text);
    if (!parsed.ok()) {
        return InvalidArgument(
            "invalid query parameter '" + name + "': use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)",
            name);
    }
    return std::optional<UnixSeconds>(*parsed);
}

Result<std::string> QueryId(const ApiRequest& request, const std::string& name) {
    std::optional<std::string> text = request.Query(name);
    if (!text)
        return std::string();
    if (!IsValidId(*text)) {
        return InvalidArgument(
            "invalid query parameter '" + name + "': use 1 to 64 letters, digits, '-', '_' or '.'",
            name);
    }
    return *text;
}

}  // namespace menjin
