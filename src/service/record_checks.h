#pragma once

// Validation of directory records shared by the add and update paths of AccessCore. Each check
// returns kInvalidArgument naming the field, or ok.

#include <cstddef>
#include <optional>
#include <string>

#include "common/status.h"
#include "domain/records.h"

namespace menjin {

// Checks that `id` passes IsValidId; `field` names it in the error (e.g. "estate_id").
Status CheckId(const std::string& id, const std::string& field);
// Checks that a text field (a name, building, contact) is present, at most kMaxTextBytes, valid
// UTF-8 and free of control characters. Text from a file in another encoding (e.g. a GBK CSV)
// is rejected here rather than stored, because every JSON output of it would fail later.
Status CheckText(const std::string& value, const std::string& field);
// Checks that `value` is valid UTF-8 without control characters (C0, DEL or C1), of any length.
Status CheckPlainText(const std::string& value, const std::string& field);
// As CheckText, but an empty value is allowed (an optional phone or note).
Status CheckOptionalText(const std::string& value, const std::string& field);
inline constexpr std::size_t kMaxTextBytes = 200;
// Returns the 0-based offset of the first byte that does not start a valid, shortest-form UTF-8
// sequence, or nullopt when all of `text` is valid UTF-8.
std::optional<std::size_t> FirstInvalidUtf8(const std::string& text);
// Checks from < to; `what` names the window in the error (e.g. "grant").
Status CheckWindow(UnixSeconds from, UnixSeconds to, const std::string& what);
// Checks the name, time zone, target FPIR, margin and welfare period (not the id).
Status CheckEstateFields(const Estate& estate);
// Checks the name, birth year and personal welfare period (not the id or household).
Status CheckPersonFields(const Person& person);

}  // namespace menjin
