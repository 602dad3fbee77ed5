#include "common/status.h"

namespace menjin {

const char* ErrorCodeName(ErrorCode code) {
    switch (code) {
        case ErrorCode::kOk:
            return "ok";
        case ErrorCode::kInvalidArgument:
            return "invalid_argument";
        case ErrorCode::kNotFound:
            return "not_found";
        case ErrorCode::kAlreadyExists:
            return "already_exists";
        case ErrorCode::kFailedPrecondition:
            return "failed_precondition";
        case ErrorCode::kPermissionDenied:
            return "permission_denied";
        case ErrorCode::kUnauthenticated:
            return "unauthenticated";
        case ErrorCode::kConflict:
            return "conflict";
        case ErrorCode::kUnprocessable:
            return "unprocessable";
        case ErrorCode::kTooLarge:
            return "too_large";
        case ErrorCode::kUnavailable:
            return "unavailable";
        case ErrorCode::kTooManyAttempts:
            return "too_many_attempts";
        case ErrorCode::kIoError:
            return "io_error";
        case ErrorCode::kDataLoss:
            return "data_loss";
        case ErrorCode::kInternal:
            return "internal";
    }
    return "unknown";
}

std::string Status::ToString() const {
    if (ok())
        return "ok";
    return std::string(ErrorCodeName(code_)) + ": " + message_;
}

}  // namespace menjin
