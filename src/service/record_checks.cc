#include "service/record_checks.h"

#include "common/local_time.h"

namespace menjin {

Status CheckId(const std::string& id, const std::string& field) {
    if (IsValidId(id))
        return Status::Ok();
    return InvalidArgument(
        "invalid " + field + " '" + id + "': use 1 to 64 letters, digits, '-', '_' or '.'", field);
}

namespace {

// Returns the length of the UTF-8 sequence starting at text[i], or 0 when it is not a valid,
// shortest-form sequence of a code point (surrogates and values above U+10FFFF are invalid).
std::size_t Utf8SequenceLength(const std::string& text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t length = 0;
    unsigned min = 0;
    unsigned point = 0;
    if (lead < 0x80)
        return 1;
    if ((lead & 0xE0) == 0xC0) {
        length = 2, min = 0x80, point = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, min = 0x800, point = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, min = 0x10000, point = lead & 0x07;
    } else {
        return 0;
    }
    if (i + length > text.size())
        return 0;
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80)
            return 0;
        point = (point << 6) | (byte(i + k) & 0x3F);
    }
    if (point < min || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF))
        return 0;
    return length;
}

}  // namespace

std::optional<std::size_t> FirstInvalidUtf8(const std::string& text) {
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = Utf8SequenceLength(text, i);
        if (length == 0)
            return i;
        i += length;
    }
    return std::nullopt;
}

Status CheckPlainText(const std::string& value, const std::string& field) {
    for (std::size_t i = 0; i < value.size();) {
        const std::size_t length = Utf8SequenceLength(value, i);
        if (length == 0) {
            return InvalidArgument("invalid " + field + ": byte " + std::to_string(i + 1) +
                                       " is not UTF-8 text (save the file as UTF-8)",
                                   field);
        }
        const unsigned char c = static_cast<unsigned char>(value[i]);
        const unsigned char second_byte =
            length == 2 ? static_cast<unsigned char>(value[i + 1]) : 0;
        // C0 controls and DEL, and the C1 controls U+0080 to U+009F (0xC2 0x80 to 0xC2 0x9F).
        const bool control = (length == 1 && (c < 0x20 || c == 0x7F)) ||
                             (length == 2 && c == 0xC2 && second_byte < 0xA0);
        if (control) {
            return InvalidArgument(
                "invalid " + field + ": control character at byte " + std::to_string(i + 1), field);
        }
        i += length;
    }
    return Status::Ok();
}

Status CheckOptionalText(const std::string& value, const std::string& field) {
    if (value.size() > kMaxTextBytes) {
        return InvalidArgument("invalid " + field + ": " + std::to_string(value.size()) +
                                   " bytes, at most " + std::to_string(kMaxTextBytes),
                               field);
    }
    return CheckPlainText(value, field);
}

Status CheckText(const std::string& value, const std::string& field) {
    if (value.empty())
        return InvalidArgument("missing " + field, field);
    return CheckOptionalText(value, field);
}

Status CheckWindow(UnixSeconds from, UnixSeconds to, const std::string& what) {
    if (from < to)
        return Status::Ok();
    return InvalidArgument("invalid " + what + ": valid_from " + FormatUtc(from) +
                               " is not before valid_to " + FormatUtc(to),
                           "valid_to");
}

Status CheckEstateFields(const Estate& estate) {
    MENJIN_RETURN_IF_ERROR(CheckText(estate.name, "name"));
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
    MENJIN_RETURN_IF_ERROR(CheckText(person.name, "name"));
    MENJIN_RETURN_IF_ERROR(CheckOptionalText(person.phone, "phone"));
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
