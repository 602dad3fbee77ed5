#include "server/route.h"

namespace menjin {

const char* HttpMethodName(HttpMethod method) {
    switch (method) {
        case HttpMethod::kGet:
            return "GET";
        case HttpMethod::kPost:
            return "POST";
        case HttpMethod::kPatch:
            return "PATCH";
        case HttpMethod::kDelete:
            return "DELETE";
    }
    return "GET";
}

std::optional<std::string> ApiRequest::Query(const std::string& name) const {
    if (!http.has_param(name))
        return std::nullopt;
    return http.get_param_value(name);
}

ApiReply JsonReply(nlohmann::json body, int status) {
    ApiReply reply;
    reply.status = status;
    reply.body = std::move(body);
    return reply;
}

}  // namespace menjin
