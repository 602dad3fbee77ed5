#pragma once

// The route groups of the API. Each function returns its routes with handlers bound to
// `services`, which must outlive them. AllRoutes is the single list the server serves.

#include <vector>

#include "server/api_services.h"
#include "server/route.h"

namespace menjin {

// Login, logout, the current session, password change and operator accounts.
std::vector<Route> AuthRoutes(ApiServices& services);
// Estates, gates, gate device credentials, units and households.
std::vector<Route> DirectoryRoutes(ApiServices& services);
// People, their grants and alternative credentials.
std::vector<Route> PeopleRoutes(ApiServices& services);
// Enrolment, thumbnail links and move-out.
std::vector<Route> FaceRoutes(ApiServices& services);
// Service companies, service staff and grants.
std::vector<Route> StaffRoutes(ApiServices& services);
// Gate decisions, the gate event stream and thumbnails.
std::vector<Route> GateRoutes(ApiServices& services);
// Passages, passage export, aggregate reports, the audit log and deletion receipts.
std::vector<Route> RecordRoutes(ApiServices& services);
// Welfare alerts, watched residents, welfare settings, evaluations on demand and the welfare
// report of an estate.
std::vector<Route> WelfareRoutes(ApiServices& services);
// Leads of possible subletting, recurring strangers and duplicate identities.
std::vector<Route> LeadRoutes(ApiServices& services);
// The OpenAPI document and the health check.
std::vector<Route> MetaRoutes(ApiServices& services);

// Every route of the API.
std::vector<Route> AllRoutes(ApiServices& services);

}  // namespace menjin
