#pragma once

// Reads of the store that the welfare and lead evaluations share. Each call may run several
// queries without a transaction, so a concurrent change can show up half-way. The evaluations
// tolerate that because they run again at the next interval.

#include <string>
#include <vector>

#include "common/status.h"
#include "domain/records.h"
#include "storage/store.h"

namespace menjin {

// A unit of an estate with its household and the people living there.
struct EstateHousehold {
    Unit unit;
    Household household;
    std::vector<Person> members;
};

// Returns every unit of the estate that has a household, with its members, ordered by unit
// id. kNotFound for an unknown estate.
Result<std::vector<EstateHousehold>> ListEstateHouseholds(Store& store,
                                                          const std::string& estate_id);

// Returns the passages matching `query` (limit and before_id are replaced), newest first, at
// most `max_passages`; reads pages of up to 1000.
Result<std::vector<Passage>> CollectPassages(Store& store, PassageQuery query, int max_passages);

}  // namespace menjin
