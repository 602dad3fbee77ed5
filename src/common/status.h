#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace menjin {

// Broad class of a failure. Callers branch on the code; the HTTP layer maps each code to one
// status in a single table, so new codes must be added there too.
enum class ErrorCode {
    kOk,
    kInvalidArgument,     // malformed or out-of-range input from a user, file or request
    kNotFound,            // an id or file that does not exist
    kAlreadyExists,       // a unique key that is already taken
    kFailedPrecondition,  // state forbids the operation (expired window, duplicate face, ...)
    kPermissionDenied,    // the caller may not touch this record
    kUnauthenticated,     // missing or wrong credentials
    kConflict,            // optimistic version mismatch on a concurrent edit
    kUnprocessable,       // well-formed request whose content cannot be used (undecodable image)
    kTooLarge,            // input over a configured byte or pixel limit
    kUnavailable,         // a resource is temporarily busy or closed
    kTooManyAttempts,     // too many failed attempts in a short time; try again later
    kIoError,             // the OS or a library failed to read or write
    kDataLoss,            // stored data failed an integrity check
    kInternal,            // a bug: an invariant did not hold
};

// Returns the stable snake_case name of `code`, e.g. "invalid_argument".
const char* ErrorCodeName(ErrorCode code);

// Outcome of an operation that returns no value. Messages follow the form
// "component: what failed: detail" and name the id or value involved.
class [[nodiscard]] Status {
  public:
    Status() = default;
    Status(ErrorCode code, std::string message, std::string field = {})
        : code_(code), message_(std::move(message)), field_(std::move(field)) {}

    static Status Ok() { return Status(); }

    bool ok() const { return code_ == ErrorCode::kOk; }
    ErrorCode code() const { return code_; }
    const std::string& message() const { return message_; }
    // Name of the input field the error concerns, or empty when it concerns no single field.
    const std::string& field() const { return field_; }

    // Returns "code: message" for logs and command-line output.
    std::string ToString() const;

  private:
    ErrorCode code_ = ErrorCode::kOk;
    std::string message_;
    std::string field_;
};

inline Status InvalidArgument(std::string message, std::string field = {}) {
    return Status(ErrorCode::kInvalidArgument, std::move(message), std::move(field));
}
inline Status NotFound(std::string message) {
    return Status(ErrorCode::kNotFound, std::move(message));
}
inline Status Internal(std::string message) {
    return Status(ErrorCode::kInternal, std::move(message));
}
inline Status IoError(std::string message) {
    return Status(ErrorCode::kIoError, std::move(message));
}

// Either a value of type T or a failed Status. Accessing value() of a failed Result is a bug and
// aborts through the std::variant check.
template <typename T>
class [[nodiscard]] Result {
  public:
    Result(T value) : data_(std::move(value)) {}         // NOLINT: implicit by design
    Result(Status status) : data_(std::move(status)) {}  // NOLINT: implicit by design

    bool ok() const { return std::holds_alternative<T>(data_); }
    // Returns the failure, or an ok Status when a value is present.
    Status status() const { return ok() ? Status::Ok() : std::get<Status>(data_); }

    const T& value() const& { return std::get<T>(data_); }
    T& value() & { return std::get<T>(data_); }
    T&& value() && { return std::get<T>(std::move(data_)); }

    const T& operator*() const& { return value(); }
    T& operator*() & { return value(); }
    const T* operator->() const { return &value(); }
    T* operator->() { return &value(); }

  private:
    std::variant<T, Status> data_;
};

}  // namespace menjin

// Returns early from the enclosing function when `expr` yields a failed Status.
#define MENJIN_RETURN_IF_ERROR(expr)              \
    do {                                          \
        ::menjin::Status menjin_status_ = (expr); \
        if (!menjin_status_.ok())                 \
            return menjin_status_;                \
    } while (0)

#define MENJIN_CONCAT_INNER_(a, b) a##b
#define MENJIN_CONCAT_(a, b) MENJIN_CONCAT_INNER_(a, b)

// Declares `lhs` from a Result expression, or returns its Status from the enclosing function.
#define MENJIN_ASSIGN_OR_RETURN(lhs, expr) \
    MENJIN_ASSIGN_OR_RETURN_IMPL_(MENJIN_CONCAT_(menjin_result_, __LINE__), lhs, expr)
#define MENJIN_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
    auto tmp = (expr);                                \
    if (!tmp.ok())                                    \
        return tmp.status();                          \
    lhs = std::move(tmp).value()
