#include "welfare/estate_records.h"

#include <algorithm>

namespace menjin {

namespace {

// The page size that every Store accepts (SqliteStore::kMaxPassagePage).
constexpr int kPassagePage = 1000;

}  // namespace

Result<std::vector<EstateHousehold>> ListEstateHouseholds(Store& store,
                                                          const std::string& estate_id) {
    MENJIN_ASSIGN_OR_RETURN(std::vector<Unit> units, store.ListUnits(estate_id));
    std::vector<EstateHousehold> households;
    for (Unit& unit : units) {
        MENJIN_ASSIGN_OR_RETURN(std::optional<Household> household,
                                store.FindHouseholdOfUnit(unit.id));
        if (!household)
            continue;
        MENJIN_ASSIGN_OR_RETURN(std::vector<Person> members,
                                store.ListHouseholdMembers(household->id));
        households.push_back({std::move(unit), std::move(*household), std::move(members)});
    }
    return households;
}

Result<std::vector<Passage>> CollectPassages(Store& store, PassageQuery query, int max_passages) {
    std::vector<Passage> passages;
    query.before_id = 0;
    while (static_cast<int>(passages.size()) < max_passages) {
        query.limit = std::min(kPassagePage, max_passages - static_cast<int>(passages.size()));
        MENJIN_ASSIGN_OR_RETURN(std::vector<Passage> page, store.QueryPassages(query));
        passages.insert(passages.end(), page.begin(), page.end());
        if (static_cast<int>(page.size()) < query.limit)
            break;
        query.before_id = page.back().id;
    }
    return passages;
}

}  // namespace menjin
