#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sqlite/sqlite_connection.h"

namespace menjin {

// The WHERE clause of a filtered query and its parameters, in order. Only the set filters
// become conditions, so that SQLite can use the matching index. Conditions are constants of
// the store; only parameters carry input.
struct WhereClause {
    std::string where = "1 = 1";
    std::vector<std::variant<std::string, std::int64_t>> parameters;

    void Add(const char* condition, std::variant<std::string, std::int64_t> parameter) {
        where += " AND ";
        where += condition;
        parameters.push_back(std::move(parameter));
    }

    // Binds the parameters from index 1 and returns the last index used (0 for none).
    int BindTo(SqliteStatement& statement) const {
        int index = 0;
        for (const auto& parameter : parameters) {
            ++index;
            std::visit([&](const auto& value) { statement.Bind(index, value); }, parameter);
        }
        return index;
    }
};

}  // namespace menjin
