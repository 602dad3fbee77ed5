// The API's description and health check, and the list of every route.

#include "server/openapi_document.h"
#include "server/routes.h"

namespace menjin {

namespace {

Result<ApiReply> Document(ApiServices&, ApiRequest&) {
    ApiReply reply;
    reply.content_type = "application/json";
    reply.bytes = OpenApiDocument();
    return reply;
}

Result<ApiReply> Health(ApiServices& s, ApiRequest&) {
    return JsonReply({{"status", "ok"}, {"version", s.version}});
}

}  // namespace

std::vector<Route> MetaRoutes(ApiServices& s) {
    return {
        {HttpMethod::kGet, "/api/v1/openapi.json", kAnyone, "", "", "", 0,
         [&s](ApiRequest& r) { return Document(s, r); }},
        {HttpMethod::kGet, "/api/v1/health", kAnyone, "", "", "", 0,
         [&s](ApiRequest& r) { return Health(s, r); }},
    };
}

std::vector<Route> AllRoutes(ApiServices& s) {
    std::vector<Route> routes;
    for (auto group : {AuthRoutes, DirectoryRoutes, PeopleRoutes, FaceRoutes, StaffRoutes,
                       GateRoutes, RecordRoutes, WelfareRoutes, LeadRoutes, MetaRoutes}) {
        std::vector<Route> part = group(s);
        routes.insert(routes.end(), std::make_move_iterator(part.begin()),
                      std::make_move_iterator(part.end()));
    }
    return routes;
}

}  // namespace menjin
