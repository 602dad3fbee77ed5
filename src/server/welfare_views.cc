#include "server/welfare_views.h"

#include <algorithm>

#include "domain/record_json.h"

namespace menjin {

std::string CsvField(std::string_view text) {
    std::string field(text);
    if (!field.empty() && std::string_view("=+-@").find(field.front()) != std::string_view::npos)
        field.insert(field.begin(), '\'');
    if (field.find_first_of(",\"\r\n") == std::string::npos)
        return field;
    std::string quoted = "\"";
    for (char c : field) {
        if (c == '"')
            quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

Result<nlohmann::json> PersonSummary(Store& store, const std::string& person_id) {
    Result<Person> person = store.GetPerson(person_id);
    if (person.status().code() == ErrorCode::kNotFound)
        return nlohmann::json(nullptr);
    MENJIN_RETURN_IF_ERROR(person.status());
    nlohmann::json out = {{"id", person->id},
                          {"name", person->name},
                          {"role", PersonRoleName(person->role)},
                          {"birth_year", person->birth_year},
                          {"welfare_days", person->welfare_days ? nlohmann::json(*person->welfare_days)
                                                                : nlohmann::json(nullptr)},
                          {"household_id", person->household_id.value_or("")},
                          {"unit", nullptr}};
    if (!person->household_id)
        return out;
    MENJIN_ASSIGN_OR_RETURN(Household household, store.GetHousehold(*person->household_id));
    MENJIN_ASSIGN_OR_RETURN(Unit unit, store.GetUnit(household.unit_id));
    out["unit"] = {{"id", unit.id}, {"building", unit.building}, {"number", unit.number}};
    return out;
}

Result<nlohmann::json> PassagesById(Store& store, const std::vector<std::int64_t>& ids) {
    std::vector<std::int64_t> sorted = ids;
    std::sort(sorted.rbegin(), sorted.rend());
    nlohmann::json out = nlohmann::json::array();
    for (std::int64_t id : sorted) {
        // The newest passage with an id below id + 1 is the passage itself when it exists.
        PassageQuery query;
        query.before_id = id + 1;
        query.limit = 1;
        MENJIN_ASSIGN_OR_RETURN(std::vector<Passage> found, store.QueryPassages(query));
        if (!found.empty() && found.front().id == id)
            out.push_back(ToJson(found.front()));
    }
    return out;
}

}  // namespace menjin
