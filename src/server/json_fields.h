#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "domain/records.h"

namespace menjin {

// Reads the fields of one JSON object from a request body and validates their types, lengths
// and ranges. Each getter returns the value, or a fallback after recording the first error;
// Finish() then returns that error (kInvalidArgument with the field name as Status::field()).
// Not thread-safe; one reader per request.
class JsonFields {
  public:
    // Parses `body` as a JSON object. kInvalidArgument when it is not valid JSON or not an
    // object. `prefix` is put before field names in errors, e.g. "person.".
    static Result<JsonFields> Parse(std::string_view body);
    explicit JsonFields(nlohmann::json object, std::string prefix = "");

    // Returns true when the field is present and not null.
    bool Has(const std::string& name) const;
    // Returns true when the field is present, also when it is null.
    bool Contains(const std::string& name) const { return object_.contains(name); }

    // A required non-empty string of at most `max_length` bytes.
    std::string Text(const std::string& name, std::size_t max_length = 200);
    // An optional string; `fallback` when absent or null.
    std::string OptionalText(const std::string& name, std::string fallback,
                             std::size_t max_length = 200);
    // A required id (IsValidId).
    std::string Id(const std::string& name);
    // An optional id; nullopt when absent or null.
    std::optional<std::string> OptionalId(const std::string& name);
    std::int64_t Integer(const std::string& name, std::int64_t min, std::int64_t max);
    std::optional<std::int64_t> OptionalInteger(const std::string& name, std::int64_t min,
                                                std::int64_t max);
    double OptionalNumber(const std::string& name, double fallback, double min, double max);
    bool OptionalBool(const std::string& name, bool fallback);
    // A required instant as "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS]Z" (UTC).
    UnixSeconds Instant(const std::string& name);
    std::optional<UnixSeconds> OptionalInstant(const std::string& name);
    // A required non-empty array of ids without repeats.
    std::vector<std::string> IdList(const std::string& name);
    // A required nested object, read by the returned reader; pass its Finish() to Check().
    JsonFields Object(const std::string& name);

    // Records `status` when it is the first error.
    void Check(const Status& status);
    // Returns the first error, or kInvalidArgument naming the first field no getter read.
    Status Finish() const;

  private:
    // Returns the value of a present, non-null field, or nullptr; marks the field as read.
    const nlohmann::json* Find(const std::string& name);
    const nlohmann::json* Require(const std::string& name);
    void Fail(const std::string& name, const std::string& problem);
    std::string FieldName(const std::string& name) const { return prefix_ + name; }

    nlohmann::json object_;
    std::string prefix_;
    std::set<std::string> read_;
    Status status_;
};

}  // namespace menjin
