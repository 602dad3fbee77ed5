#include "service/record_checks.h"

#include "common/local_time.h"

namespace menjin {

Status CheckId(const std::string& id, const std::string& field) {
    if (IsValidId(id))
        return Status::Ok();
    return InvalidArgument(
        "invalid " + field + " '" + id + "': use 1 to 64 letters, digits, '-', '_' or '.'", field);
}

Status CheckNotEmpty(const std::string& value, const std::string& field) {
    if (!value.empty())
        return Status::Ok();
    return InvalidArgument("missing " + field, field);
}

Status CheckWindow(UnixSeconds from, UnixSeconds to, const std::string& what) {
    if (from < to)
        return Status::Ok();
    return InvalidArgument("invalid " + what + ": valid_from " + FormatUtc(from) +
                               " is not before valid_to " + FormatUtc(to),
                           "valid_to");
}

Status CheckEstateFields(const Estate& estate) {
    MENJIN_RETURN_IF_ERROR(CheckNotEmpty(estate.name, "name"));
    MENJIN_RETURN_IF_ERROR(ValidateTimeZone(estate.timezone));
    if (!(estate.target_fpir > 0 && estate.target_fpir < 0.5)) {
        return InvalidArgument("invalid target_fpir " + std::to_string(estate.target_fpir) +
                                   ": use a rate between 0 and 0.5, e.g. 0.003",
                               "target_fpir");
    }
    if (!(estate.min_margin >= 0 && estate.min_margin < 10)) {
        return InvalidArgument("invalid min_margin " + std::to_string(estate.min_margin),
                               "min_margin");
    }
    if (estate.welfare_days < 1 || estate.welfare_days > 365) {
        return InvalidArgument(
            "invalid welfare_days " + std::to_string(estate.welfare_days) + ": use 1 to 365",
            "welfare_days");
    }
    return Status::Ok();
}

Status CheckPersonFields(const Person& person) {
    MENJIN_RETURN_IF_ERROR(CheckNotEmpty(person.name, "name"));
    if (person.birth_year != 0 && (person.birth_year < 1900 || person.birth_year > 2100)) {
        return InvalidArgument("invalid birth_year " + std::to_string(person.birth_year),
                               "birth_year");
    }
    if (person.welfare_days && (*person.welfare_days < 1 || *person.welfare_days > 365)) {
        return InvalidArgument(
            "invalid welfare_days " + std::to_string(*person.welfare_days) + ": use 1 to 365",
            "welfare_days");
    }
    return Status::Ok();
}

}  // namespace menjin
