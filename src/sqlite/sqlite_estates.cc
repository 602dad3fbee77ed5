// SqliteStore: estates, gates, units and households.

#include "sqlite/sqlite_store.h"

#include <fmt/format.h>

#include "sqlite/row_checks.h"

namespace menjin {

namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

constexpr const char* kEstateColumns =
    "id, name, timezone, target_fpir, min_margin, welfare_days, version";
constexpr const char* kGateColumns = "id, estate_id, name, direction, version";
constexpr const char* kUnitColumns = "id, estate_id, building, number, address, version";
constexpr const char* kHouseholdColumns = "id, unit_id, tenant_person_id, version";

Result<Estate> ReadEstate(const SqliteStatement& row) {
    Estate estate;
    estate.id = row.ColumnText(0);
    estate.name = row.ColumnText(1);
    estate.timezone = row.ColumnText(2);
    estate.target_fpir = row.ColumnDouble(3);
    estate.min_margin = row.ColumnDouble(4);
    estate.welfare_days = row.ColumnInt(5);
    estate.version = row.ColumnInt64(6);
    return estate;
}

Result<Gate> ReadGate(const SqliteStatement& row) {
    Gate gate;
    gate.id = row.ColumnText(0);
    gate.estate_id = row.ColumnText(1);
    gate.name = row.ColumnText(2);
    std::optional<GateDirection> direction = ParseGateDirection(row.ColumnText(3));
    if (!direction) {
        return Status(ErrorCode::kDataLoss,
                      fmt::format("store: gate '{}' has an unknown direction", gate.id));
    }
    gate.direction = *direction;
    gate.version = row.ColumnInt64(4);
    return gate;
}

Result<Unit> ReadUnit(const SqliteStatement& row) {
    Unit unit;
    unit.id = row.ColumnText(0);
    unit.estate_id = row.ColumnText(1);
    unit.building = row.ColumnText(2);
    unit.number = row.ColumnText(3);
    unit.address = row.ColumnText(4);
    unit.version = row.ColumnInt64(5);
    return unit;
}

Result<Household> ReadHousehold(const SqliteStatement& row) {
    Household household;
    household.id = row.ColumnText(0);
    household.unit_id = row.ColumnText(1);
    household.tenant_person_id = row.ColumnOptionalText(2);
    household.version = row.ColumnInt64(3);
    return household;
}

WriteTarget GateTarget(std::string_view action, const Gate& gate) {
    return {action, GateRow(gate.id), {EstateRow(gate.estate_id)}};
}

WriteTarget UnitTarget(std::string_view action, const Unit& unit) {
    return {action, UnitRow(unit.id), {EstateRow(unit.estate_id)}};
}

WriteTarget HouseholdTarget(std::string_view action, const Household& household) {
    return {action,
            HouseholdRow(household.id),
            {UnitRow(household.unit_id), PersonRow(household.tenant_person_id.value_or(""))},
            fmt::format("unit '{}' already has a household", household.unit_id)};
}

}  // namespace

// ---- Estates --------------------------------------------------------------------------------

Status SqliteStore::CreateEstate(const Estate& estate) {
    MENJIN_RETURN_IF_ERROR(ValidateId("estate", estate.id));
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db_.Prepare("INSERT INTO estates (id, name, timezone, target_fpir, min_margin, "
                    "welfare_days, version) VALUES (?, ?, ?, ?, ?, ?, 1)"));
    insert.BindAll(estate.id, estate.name, estate.timezone, estate.target_fpir, estate.min_margin,
                   estate.welfare_days);
    return RunInsert(db_, insert, {"create", EstateRow(estate.id)});
}

Result<Estate> SqliteStore::GetEstate(const std::string& id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM estates WHERE id = ?", kEstateColumns)));
    select.Bind(1, id);
    return ReadRow<Estate>(select, EstateRow(id), ReadEstate);
}

Result<std::vector<Estate>> SqliteStore::ListEstates() {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM estates ORDER BY id", kEstateColumns)));
    return CollectRows<Estate>(select, ReadEstate);
}

Result<Estate> SqliteStore::UpdateEstate(const Estate& estate) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement update,
        db_.Prepare("UPDATE estates SET name = ?, timezone = ?, target_fpir = ?, min_margin = ?, "
                    "welfare_days = ?, version = version + 1 WHERE id = ? AND version = ?"));
    update.BindAll(estate.name, estate.timezone, estate.target_fpir, estate.min_margin,
                   estate.welfare_days, estate.id, estate.version);
    MENJIN_RETURN_IF_ERROR(
        RunUpdate(db_, update, {"update", EstateRow(estate.id)}, estate.version));
    return GetEstate(estate.id);
}

// ---- Gates ----------------------------------------------------------------------------------

Status SqliteStore::CreateGate(const Gate& gate) {
    MENJIN_RETURN_IF_ERROR(ValidateId("gate", gate.id));
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db_.Prepare("INSERT INTO gates (id, estate_id, name, direction, version) "
                    "VALUES (?, ?, ?, ?, 1)"));
    insert.BindAll(gate.id, gate.estate_id, gate.name, GateDirectionName(gate.direction));
    return RunInsert(db_, insert, GateTarget("create", gate));
}

Result<Gate> SqliteStore::GetGate(const std::string& id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM gates WHERE id = ?", kGateColumns)));
    select.Bind(1, id);
    return ReadRow<Gate>(select, GateRow(id), ReadGate);
}

Result<std::vector<Gate>> SqliteStore::ListGates(const std::string& estate_id) {
    Lock lock(mutex_);
    MENJIN_RETURN_IF_ERROR(RequireRow(db_, EstateRow(estate_id)));
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(
            fmt::format("SELECT {} FROM gates WHERE estate_id = ? ORDER BY id", kGateColumns)));
    select.Bind(1, estate_id);
    return CollectRows<Gate>(select, ReadGate);
}

Result<Gate> SqliteStore::UpdateGate(const Gate& gate) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement update,
                            db_.Prepare("UPDATE gates SET estate_id = ?, name = ?, direction = ?, "
                                        "version = version + 1 WHERE id = ? AND version = ?"));
    update.BindAll(gate.estate_id, gate.name, GateDirectionName(gate.direction), gate.id,
                   gate.version);
    MENJIN_RETURN_IF_ERROR(RunUpdate(db_, update, GateTarget("update", gate), gate.version));
    return GetGate(gate.id);
}

// ---- Units ----------------------------------------------------------------------------------

Status SqliteStore::CreateUnit(const Unit& unit) {
    MENJIN_RETURN_IF_ERROR(ValidateId("unit", unit.id));
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db_.Prepare("INSERT INTO units (id, estate_id, building, number, address, version) "
                    "VALUES (?, ?, ?, ?, ?, 1)"));
    insert.BindAll(unit.id, unit.estate_id, unit.building, unit.number, unit.address);
    return RunInsert(db_, insert, UnitTarget("create", unit));
}

Result<Unit> SqliteStore::GetUnit(const std::string& id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM units WHERE id = ?", kUnitColumns)));
    select.Bind(1, id);
    return ReadRow<Unit>(select, UnitRow(id), ReadUnit);
}

Result<std::vector<Unit>> SqliteStore::ListUnits(const std::string& estate_id) {
    Lock lock(mutex_);
    MENJIN_RETURN_IF_ERROR(RequireRow(db_, EstateRow(estate_id)));
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(
            fmt::format("SELECT {} FROM units WHERE estate_id = ? ORDER BY id", kUnitColumns)));
    select.Bind(1, estate_id);
    return CollectRows<Unit>(select, ReadUnit);
}

Result<Unit> SqliteStore::UpdateUnit(const Unit& unit) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement update,
        db_.Prepare("UPDATE units SET estate_id = ?, building = ?, number = ?, address = ?, "
                    "version = version + 1 WHERE id = ? AND version = ?"));
    update.BindAll(unit.estate_id, unit.building, unit.number, unit.address, unit.id, unit.version);
    MENJIN_RETURN_IF_ERROR(RunUpdate(db_, update, UnitTarget("update", unit), unit.version));
    return GetUnit(unit.id);
}

// ---- Households -----------------------------------------------------------------------------

Status SqliteStore::CreateHousehold(const Household& household) {
    MENJIN_RETURN_IF_ERROR(ValidateId("household", household.id));
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db_.Prepare("INSERT INTO households (id, unit_id, tenant_person_id, version) "
                    "VALUES (?, ?, ?, 1)"));
    insert.BindAll(household.id, household.unit_id, household.tenant_person_id);
    return RunInsert(db_, insert, HouseholdTarget("create", household));
}

Result<Household> SqliteStore::GetHousehold(const std::string& id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM households WHERE id = ?", kHouseholdColumns)));
    select.Bind(1, id);
    return ReadRow<Household>(select, HouseholdRow(id), ReadHousehold);
}

Result<std::optional<Household>> SqliteStore::FindHouseholdOfUnit(const std::string& unit_id) {
    Lock lock(mutex_);
    MENJIN_RETURN_IF_ERROR(RequireRow(db_, UnitRow(unit_id)));
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM households WHERE unit_id = ?", kHouseholdColumns)));
    select.Bind(1, unit_id);
    return FirstRow<Household>(select, ReadHousehold);
}

Result<Household> SqliteStore::UpdateHousehold(const Household& household) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement update,
                            db_.Prepare("UPDATE households SET unit_id = ?, tenant_person_id = ?, "
                                        "version = version + 1 WHERE id = ? AND version = ?"));
    update.BindAll(household.unit_id, household.tenant_person_id, household.id, household.version);
    MENJIN_RETURN_IF_ERROR(
        RunUpdate(db_, update, HouseholdTarget("update", household), household.version));
    return GetHousehold(household.id);
}

}  // namespace menjin
