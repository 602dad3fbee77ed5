#pragma once

#include <string>

namespace menjin {

// Returns the OpenAPI 3 document of the API (src/server/openapi.json, compiled in). The
// document and the server's route list (AllRoutes) name the same operations; a test checks it.
const std::string& OpenApiDocument();

}  // namespace menjin
