#pragma once

#include <nlohmann/json.hpp>

#include "service/access_core.h"

namespace menjin {

// Returns the outcome of an enrolment for the console and the command line. It has "accepted",
// "reasons" (codes), "messages" (one English sentence per reason) and "faces_found". It has the
// assessed "face" (box in pixels, detector score, quality measures) when there was exactly one
// face, and "template_id" when the photo was accepted. The duplicate person's id and score are
// included only when `show_duplicate` is true, because the other person may belong to an estate the
// reader may not see.
nlohmann::json EnrolmentToJson(const EnrolmentResult& result, bool show_duplicate);

}  // namespace menjin
