#include "server/http_status.h"

namespace menjin {

int HttpStatusOf(ErrorCode code) {
    switch (code) {
        case ErrorCode::kOk:
            return 200;
        case ErrorCode::kInvalidArgument:
            return 400;
        case ErrorCode::kUnauthenticated:
            return 401;
        case ErrorCode::kPermissionDenied:
            return 403;
        case ErrorCode::kNotFound:
            return 404;
        // A duplicate id, a state that forbids the change and a concurrent edit all conflict
        // with the stored state. The code in the body distinguishes them.
        case ErrorCode::kAlreadyExists:
        case ErrorCode::kFailedPrecondition:
        case ErrorCode::kConflict:
            return 409;
        case ErrorCode::kTooLarge:
            return 413;
        case ErrorCode::kUnprocessable:
            return 422;
        case ErrorCode::kTooManyAttempts:
            return 429;
        case ErrorCode::kUnavailable:
            return 503;
        case ErrorCode::kIoError:
        case ErrorCode::kDataLoss:
        case ErrorCode::kInternal:
            return 500;
    }
    return 500;
}

std::string ErrorNameOfHttpStatus(int status) {
    if (status == 413)
        return ErrorCodeName(ErrorCode::kTooLarge);
    if (status == 404)
        return ErrorCodeName(ErrorCode::kNotFound);
    if (status == 503)
        return ErrorCodeName(ErrorCode::kUnavailable);
    if (status >= 400 && status < 500)
        return ErrorCodeName(ErrorCode::kInvalidArgument);
    return ErrorCodeName(ErrorCode::kInternal);
}

nlohmann::json ErrorBody(const std::string& code, const std::string& message,
                         const std::string& field) {
    return {{"error",
             {{"code", code},
              {"message", message},
              {"field", field.empty() ? nlohmann::json(nullptr) : nlohmann::json(field)}}}};
}

}  // namespace menjin
