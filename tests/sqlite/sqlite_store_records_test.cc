#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sqlite/store_fixture.h"

namespace menjin {
namespace {

using ::menjin::testing::IsOk;
using ::menjin::testing::MakeEstate;
using ::menjin::testing::MakeGate;
using ::menjin::testing::MakePerson;
using ::menjin::testing::MakeUnit;
using ::testing::ElementsAre;

using SqliteStoreRecordsTest = ::menjin::testing::SqliteStoreTest;

std::vector<std::string> PersonIds(const std::vector<Person>& people) {
    std::vector<std::string> ids;
    for (const Person& person : people)
        ids.push_back(person.id);
    return ids;
}

ServiceCompany MakeCompany(const std::string& id) {
    ServiceCompany company;
    company.id = id;
    company.name = "Company " + id;
    company.kind = CompanyKind::kFoodDelivery;
    company.contact_name = "Contact";
    company.contact_phone = "13900000000";
    return company;
}

ServiceStaff MakeStaff(const std::string& person_id, const std::string& company_id,
                       std::vector<std::string> estate_ids, UnixSeconds valid_to) {
    ServiceStaff staff;
    staff.person_id = person_id;
    staff.company_id = company_id;
    staff.verified_by = "operator-1";
    staff.verified_at = 1700000000;
    staff.verified_contact = "Contact";
    staff.valid_from = 1700000000;
    staff.valid_to = valid_to;
    staff.estate_ids = std::move(estate_ids);
    return staff;
}

AccessGrant MakeGrant(const std::string& id, const std::string& person_id,
                      const std::string& estate_id) {
    AccessGrant grant;
    grant.id = id;
    grant.person_id = person_id;
    grant.estate_id = estate_id;
    grant.valid_from = 1700000000;
    grant.valid_to = 1800000000;
    return grant;
}

AltCredential MakeCredential(const std::string& id, const std::string& person_id,
                             const std::string& secret_hash) {
    AltCredential credential;
    credential.id = id;
    credential.person_id = person_id;
    credential.kind = CredentialKind::kCard;
    credential.secret_hash = secret_hash;
    credential.created_at = 1700000000;
    return credential;
}

TEST_F(SqliteStoreRecordsTest, EstateCreateGetListUpdate) {
    Estate estate = MakeEstate("e1");
    estate.timezone = "Asia/Urumqi";
    estate.target_fpir = 0.001;
    estate.min_margin = 0.07;
    estate.welfare_days = 5;
    estate.version = 9;  // ignored on create
    ASSERT_TRUE(IsOk(store_->CreateEstate(estate)));
    ASSERT_TRUE(IsOk(store_->CreateEstate(MakeEstate("e0"))));

    Result<Estate> stored = store_->GetEstate("e1");
    ASSERT_TRUE(IsOk(stored));
    EXPECT_EQ(stored->name, "Estate e1");
    EXPECT_EQ(stored->timezone, "Asia/Urumqi");
    EXPECT_DOUBLE_EQ(stored->target_fpir, 0.001);
    EXPECT_DOUBLE_EQ(stored->min_margin, 0.07);
    EXPECT_EQ(stored->welfare_days, 5);
    EXPECT_EQ(stored->version, 1);

    Result<std::vector<Estate>> all = store_->ListEstates();
    ASSERT_TRUE(IsOk(all));
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ((*all)[0].id, "e0");
    EXPECT_EQ((*all)[1].id, "e1");

    Estate edit = *stored;
    edit.name = "Renamed";
    edit.welfare_days = 2;
    Result<Estate> updated = store_->UpdateEstate(edit);
    ASSERT_TRUE(IsOk(updated));
    EXPECT_EQ(updated->name, "Renamed");
    EXPECT_EQ(updated->welfare_days, 2);
    EXPECT_EQ(updated->version, 2);
}

TEST_F(SqliteStoreRecordsTest, GateCreateGetListUpdate) {
    ASSERT_TRUE(IsOk(store_->CreateEstate(MakeEstate("e1"))));
    ASSERT_TRUE(IsOk(store_->CreateEstate(MakeEstate("e2"))));
    ASSERT_TRUE(IsOk(store_->CreateGate(MakeGate("g2", "e1"))));
    ASSERT_TRUE(IsOk(store_->CreateGate(MakeGate("g1", "e1"))));
    ASSERT_TRUE(IsOk(store_->CreateGate(MakeGate("g3", "e2"))));

    Result<Gate> gate = store_->GetGate("g1");
    ASSERT_TRUE(IsOk(gate));
    EXPECT_EQ(gate->estate_id, "e1");
    EXPECT_EQ(gate->direction, GateDirection::kEntry);

    Result<std::vector<Gate>> gates = store_->ListGates("e1");
    ASSERT_TRUE(IsOk(gates));
    ASSERT_EQ(gates->size(), 2u);
    EXPECT_EQ((*gates)[0].id, "g1");
    EXPECT_EQ((*gates)[1].id, "g2");

    Gate edit = *gate;
    edit.direction = GateDirection::kExit;
    edit.estate_id = "e2";
    Result<Gate> updated = store_->UpdateGate(edit);
    ASSERT_TRUE(IsOk(updated));
    EXPECT_EQ(updated->direction, GateDirection::kExit);
    EXPECT_EQ(updated->estate_id, "e2");
    EXPECT_EQ(updated->version, 2);
}

TEST_F(SqliteStoreRecordsTest, UnitCreateGetListUpdate) {
    ASSERT_TRUE(IsOk(store_->CreateEstate(MakeEstate("e1"))));
    ASSERT_TRUE(IsOk(store_->CreateUnit(MakeUnit("u1", "e1"))));

    Result<Unit> unit = store_->GetUnit("u1");
    ASSERT_TRUE(IsOk(unit));
    EXPECT_EQ(unit->building, "3");
    EXPECT_EQ(unit->number, "1201");
    EXPECT_EQ(unit->address, "Building 3, Room 1201");

    Result<std::vector<Unit>> units = store_->ListUnits("e1");
    ASSERT_TRUE(IsOk(units));
    EXPECT_EQ(units->size(), 1u);

    Unit edit = *unit;
    edit.number = "1202";
    Result<Unit> updated = store_->UpdateUnit(edit);
    ASSERT_TRUE(IsOk(updated));
    EXPECT_EQ(updated->number, "1202");
    EXPECT_EQ(updated->version, 2);
}

TEST_F(SqliteStoreRecordsTest, HouseholdCreateFindUpdate) {
    ASSERT_TRUE(IsOk(store_->CreateEstate(MakeEstate("e1"))));
    ASSERT_TRUE(IsOk(store_->CreateUnit(MakeUnit("u1", "e1"))));
    Result<std::optional<Household>> none = store_->FindHouseholdOfUnit("u1");
    ASSERT_TRUE(IsOk(none));
    EXPECT_FALSE(none->has_value());

    Household household;
    household.id = "h1";
    household.unit_id = "u1";
    ASSERT_TRUE(IsOk(store_->CreateHousehold(household)));
    ASSERT_TRUE(IsOk(store_->CreatePerson(MakePerson("p1", "h1"))));

    Result<std::optional<Household>> found = store_->FindHouseholdOfUnit("u1");
    ASSERT_TRUE(IsOk(found));
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ((*found)->id, "h1");
    EXPECT_FALSE((*found)->tenant_person_id.has_value());

    Household edit = **found;
    edit.tenant_person_id = "p1";
    Result<Household> updated = store_->UpdateHousehold(edit);
    ASSERT_TRUE(IsOk(updated));
    EXPECT_EQ(updated->tenant_person_id.value_or(""), "p1");
    EXPECT_EQ(updated->version, 2);
}

TEST_F(SqliteStoreRecordsTest, PersonCreateGetUpdateDelete) {
    CreateResidentFixture();
    Person person = MakePerson("p2", "h1", PersonRole::kFamilyMember);
    person.welfare_days = 1;
    ASSERT_TRUE(IsOk(store_->CreatePerson(person)));

    Result<Person> stored = store_->GetPerson("p2");
    ASSERT_TRUE(IsOk(stored));
    EXPECT_EQ(stored->name, "Name of p2");
    EXPECT_EQ(stored->birth_year, 1980);
    EXPECT_EQ(stored->phone, "13800000000");
    EXPECT_EQ(stored->role, PersonRole::kFamilyMember);
    EXPECT_EQ(stored->household_id.value_or(""), "h1");
    EXPECT_EQ(stored->welfare_days.value_or(0), 1);
    EXPECT_EQ(stored->created_at, 1700000000);

    Person edit = *stored;
    edit.phone = "13700000000";
    edit.welfare_days.reset();
    edit.created_at = 5;  // not updatable
    Result<Person> updated = store_->UpdatePerson(edit);
    ASSERT_TRUE(IsOk(updated));
    EXPECT_EQ(updated->phone, "13700000000");
    EXPECT_FALSE(updated->welfare_days.has_value());
    EXPECT_EQ(updated->created_at, 1700000000);
    EXPECT_EQ(updated->version, 2);

    ASSERT_TRUE(IsOk(store_->DeletePerson("p2")));
    EXPECT_EQ(store_->GetPerson("p2").status().code(), ErrorCode::kNotFound);
}

TEST_F(SqliteStoreRecordsTest, DeletingTenantClearsHouseholdTenant) {
    CreateResidentFixture();
    Result<Household> household = store_->GetHousehold("h1");
    ASSERT_TRUE(IsOk(household));
    household->tenant_person_id = "p1";
    ASSERT_TRUE(IsOk(store_->UpdateHousehold(*household)));

    ASSERT_TRUE(IsOk(store_->DeletePerson("p1")));

    Result<Household> after = store_->GetHousehold("h1");
    ASSERT_TRUE(IsOk(after));
    EXPECT_FALSE(after->tenant_person_id.has_value());
}

TEST_F(SqliteStoreRecordsTest, ListsHouseholdMembersAndResidentEstate) {
    CreateResidentFixture();
    ASSERT_TRUE(IsOk(store_->CreatePerson(MakePerson("p0", "h1", PersonRole::kFamilyMember))));
    ASSERT_TRUE(
        IsOk(store_->CreatePerson(MakePerson("s1", std::nullopt, PersonRole::kServiceStaff))));

    Result<std::vector<Person>> members = store_->ListHouseholdMembers("h1");
    ASSERT_TRUE(IsOk(members));
    EXPECT_THAT(PersonIds(*members), ElementsAre("p0", "p1"));

    Result<std::optional<std::string>> estate = store_->ResidentEstateOf("p1");
    ASSERT_TRUE(IsOk(estate));
    EXPECT_EQ(estate->value_or(""), "e1");
    Result<std::optional<std::string>> staff_estate = store_->ResidentEstateOf("s1");
    ASSERT_TRUE(IsOk(staff_estate));
    EXPECT_FALSE(staff_estate->has_value());
    EXPECT_EQ(store_->ResidentEstateOf("nobody").status().code(), ErrorCode::kNotFound);
}

TEST_F(SqliteStoreRecordsTest, ListsPeopleInEstateByResidenceOrGrant) {
    CreateResidentFixture();
    ASSERT_TRUE(IsOk(store_->CreateEstate(MakeEstate("e2"))));
    Person visitor = MakePerson("s1", std::nullopt, PersonRole::kServiceStaff);
    visitor.name = "Courier 100%_done";
    ASSERT_TRUE(IsOk(store_->CreatePerson(visitor)));
    ASSERT_TRUE(
        IsOk(store_->CreatePerson(MakePerson("s2", std::nullopt, PersonRole::kServiceStaff))));
    ASSERT_TRUE(IsOk(store_->CreateGrant(MakeGrant("gr1", "s1", "e1"))));
    ASSERT_TRUE(IsOk(store_->CreateGrant(MakeGrant("gr2", "s2", "e2"))));

    Result<std::vector<Person>> all = store_->ListPeopleInEstate("e1", "", 10);
    ASSERT_TRUE(IsOk(all));
    EXPECT_THAT(PersonIds(*all), ElementsAre("p1", "s1"));

    Result<std::vector<Person>> by_name = store_->ListPeopleInEstate("e1", "courier", 10);
    ASSERT_TRUE(IsOk(by_name));
    EXPECT_THAT(PersonIds(*by_name), ElementsAre("s1"));

    // '%' and '_' match literally, not as LIKE wildcards.
    Result<std::vector<Person>> literal = store_->ListPeopleInEstate("e1", "0%_d", 10);
    ASSERT_TRUE(IsOk(literal));
    EXPECT_THAT(PersonIds(*literal), ElementsAre("s1"));
    Result<std::vector<Person>> wildcard = store_->ListPeopleInEstate("e1", "%", 10);
    ASSERT_TRUE(IsOk(wildcard));
    EXPECT_THAT(PersonIds(*wildcard), ElementsAre("s1"));

    Result<std::vector<Person>> by_id = store_->ListPeopleInEstate("e1", "p1", 10);
    ASSERT_TRUE(IsOk(by_id));
    EXPECT_THAT(PersonIds(*by_id), ElementsAre("p1"));

    Result<std::vector<Person>> limited = store_->ListPeopleInEstate("e1", "", 1);
    ASSERT_TRUE(IsOk(limited));
    EXPECT_THAT(PersonIds(*limited), ElementsAre("p1"));

    EXPECT_EQ(store_->ListPeopleInEstate("e1", "", 0).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(SqliteStoreRecordsTest, CompanyCreateGetListUpdate) {
    ASSERT_TRUE(IsOk(store_->CreateCompany(MakeCompany("c1"))));

    Result<ServiceCompany> company = store_->GetCompany("c1");
    ASSERT_TRUE(IsOk(company));
    EXPECT_EQ(company->kind, CompanyKind::kFoodDelivery);
    EXPECT_EQ(company->contact_phone, "13900000000");

    Result<std::vector<ServiceCompany>> companies = store_->ListCompanies();
    ASSERT_TRUE(IsOk(companies));
    EXPECT_EQ(companies->size(), 1u);

    ServiceCompany edit = *company;
    edit.kind = CompanyKind::kCourier;
    Result<ServiceCompany> updated = store_->UpdateCompany(edit);
    ASSERT_TRUE(IsOk(updated));
    EXPECT_EQ(updated->kind, CompanyKind::kCourier);
    EXPECT_EQ(updated->version, 2);
}

TEST_F(SqliteStoreRecordsTest, StaffCreateGetUpdateListDelete) {
    for (const char* id : {"e1", "e2", "e3"}) {
        ASSERT_TRUE(IsOk(store_->CreateEstate(MakeEstate(id))));
    }
    ASSERT_TRUE(IsOk(store_->CreateCompany(MakeCompany("c1"))));
    for (const char* id : {"s1", "s2"}) {
        ASSERT_TRUE(
            IsOk(store_->CreatePerson(MakePerson(id, std::nullopt, PersonRole::kServiceStaff))));
    }
    ASSERT_TRUE(IsOk(store_->CreateServiceStaff(MakeStaff("s1", "c1", {"e2", "e1"}, 1750000000))));
    ASSERT_TRUE(IsOk(store_->CreateServiceStaff(MakeStaff("s2", "c1", {"e3"}, 1760000000))));

    Result<ServiceStaff> staff = store_->GetServiceStaff("s1");
    ASSERT_TRUE(IsOk(staff));
    EXPECT_EQ(staff->company_id, "c1");
    EXPECT_EQ(staff->verified_by, "operator-1");
    EXPECT_EQ(staff->valid_to, 1750000000);
    EXPECT_THAT(staff->estate_ids, ElementsAre("e2", "e1"));

    ServiceStaff edit = *staff;
    edit.estate_ids = {"e3"};
    edit.valid_to = 1770000000;
    Result<ServiceStaff> updated = store_->UpdateServiceStaff(edit);
    ASSERT_TRUE(IsOk(updated));
    EXPECT_THAT(updated->estate_ids, ElementsAre("e3"));
    EXPECT_EQ(updated->valid_to, 1770000000);
    EXPECT_EQ(updated->version, 2);

    Result<std::vector<ServiceStaff>> expiring = store_->ListStaffExpiringBefore(1765000000, "");
    ASSERT_TRUE(IsOk(expiring));
    ASSERT_EQ(expiring->size(), 1u);
    EXPECT_EQ((*expiring)[0].person_id, "s2");
    EXPECT_THAT((*expiring)[0].estate_ids, ElementsAre("e3"));

    Result<std::vector<ServiceStaff>> in_e3 = store_->ListStaffExpiringBefore(1800000000, "e3");
    ASSERT_TRUE(IsOk(in_e3));
    EXPECT_EQ(in_e3->size(), 2u);
    Result<std::vector<ServiceStaff>> in_e1 = store_->ListStaffExpiringBefore(1800000000, "e1");
    ASSERT_TRUE(IsOk(in_e1));
    EXPECT_TRUE(in_e1->empty());

    ASSERT_TRUE(IsOk(store_->DeleteServiceStaff("s1")));
    EXPECT_EQ(store_->GetServiceStaff("s1").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->DeleteServiceStaff("s1").code(), ErrorCode::kNotFound);
}

TEST_F(SqliteStoreRecordsTest, StaffNeedsServiceStaffRole) {
    CreateResidentFixture();
    ASSERT_TRUE(IsOk(store_->CreateCompany(MakeCompany("c1"))));

    Status status = store_->CreateServiceStaff(MakeStaff("p1", "c1", {"e1"}, 1750000000));

    EXPECT_EQ(status.code(), ErrorCode::kFailedPrecondition);
    EXPECT_THAT(status.message(), ::testing::HasSubstr("role is tenant"));
}

TEST_F(SqliteStoreRecordsTest, StaffWithRepeatedEstateIsInvalid) {
    Status status = store_->CreateServiceStaff(MakeStaff("s1", "c1", {"e1", "e1"}, 1750000000));
    EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
}

TEST_F(SqliteStoreRecordsTest, GrantCreateGetListDelete) {
    CreateResidentFixture();
    AccessGrant grant = MakeGrant("gr1", "p1", "e1");
    grant.schedule.days[0] = {{8 * 60, 12 * 60}, {13 * 60, 18 * 60}};
    grant.schedule.days[6] = {{0, 24 * 60}};
    ASSERT_TRUE(IsOk(store_->CreateGrant(grant)));
    ASSERT_TRUE(IsOk(store_->CreateGrant(MakeGrant("gr2", "p1", "e1"))));

    Result<AccessGrant> stored = store_->GetGrant("gr1");
    ASSERT_TRUE(IsOk(stored));
    EXPECT_EQ(stored->valid_from, 1700000000);
    EXPECT_EQ(stored->valid_to, 1800000000);
    ASSERT_EQ(stored->schedule.days[0].size(), 2u);
    EXPECT_EQ(stored->schedule.days[0][1].start_minute, 13 * 60);
    EXPECT_EQ(stored->schedule.days[0][1].end_minute, 18 * 60);
    EXPECT_TRUE(stored->schedule.days[3].empty());
    EXPECT_EQ(stored->schedule.days[6].size(), 1u);
    EXPECT_FALSE(stored->schedule.IsAlways());

    Result<std::vector<AccessGrant>> of_person = store_->ListGrantsOfPerson("p1");
    ASSERT_TRUE(IsOk(of_person));
    EXPECT_EQ(of_person->size(), 2u);
    Result<std::vector<AccessGrant>> of_estate = store_->ListGrantsOfEstate("e1");
    ASSERT_TRUE(IsOk(of_estate));
    EXPECT_EQ(of_estate->size(), 2u);

    ASSERT_TRUE(IsOk(store_->DeleteGrant("gr1")));
    EXPECT_EQ(store_->DeleteGrant("gr1").code(), ErrorCode::kNotFound);
    Result<int> deleted = store_->DeleteGrantsOfPerson("p1");
    ASSERT_TRUE(IsOk(deleted));
    EXPECT_EQ(*deleted, 1);
}

TEST_F(SqliteStoreRecordsTest, GrantWithBadScheduleOrWindowIsInvalid) {
    CreateResidentFixture();
    AccessGrant reversed = MakeGrant("gr1", "p1", "e1");
    reversed.schedule.days[2] = {{600, 500}};
    EXPECT_EQ(store_->CreateGrant(reversed).code(), ErrorCode::kInvalidArgument);

    AccessGrant too_late = MakeGrant("gr1", "p1", "e1");
    too_late.schedule.days[2] = {{600, 24 * 60 + 1}};
    EXPECT_EQ(store_->CreateGrant(too_late).code(), ErrorCode::kInvalidArgument);

    AccessGrant empty_window = MakeGrant("gr1", "p1", "e1");
    empty_window.valid_to = empty_window.valid_from;
    EXPECT_EQ(store_->CreateGrant(empty_window).code(), ErrorCode::kInvalidArgument);
}

TEST_F(SqliteStoreRecordsTest, CredentialCreateFindRevokeDelete) {
    CreateResidentFixture();
    ASSERT_TRUE(IsOk(store_->CreateAltCredential(MakeCredential("c1", "p1", "hash-1"))));

    Result<std::optional<AltCredential>> found =
        store_->FindAltCredential(CredentialKind::kCard, "hash-1");
    ASSERT_TRUE(IsOk(found));
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ((*found)->person_id, "p1");
    Result<std::optional<AltCredential>> other_kind =
        store_->FindAltCredential(CredentialKind::kPin, "hash-1");
    ASSERT_TRUE(IsOk(other_kind));
    EXPECT_FALSE(other_kind->has_value());

    ASSERT_TRUE(IsOk(store_->RevokeAltCredential("c1")));
    ASSERT_TRUE(IsOk(store_->RevokeAltCredential("c1")));
    Result<std::optional<AltCredential>> revoked =
        store_->FindAltCredential(CredentialKind::kCard, "hash-1");
    ASSERT_TRUE(IsOk(revoked));
    EXPECT_FALSE(revoked->has_value());
    EXPECT_EQ(store_->RevokeAltCredential("c9").code(), ErrorCode::kNotFound);

    // The secret of a revoked credential may be issued again.
    ASSERT_TRUE(IsOk(store_->CreateAltCredential(MakeCredential("c2", "p1", "hash-1"))));
    Result<std::vector<AltCredential>> listed = store_->ListAltCredentials("p1");
    ASSERT_TRUE(IsOk(listed));
    ASSERT_EQ(listed->size(), 2u);
    EXPECT_TRUE((*listed)[0].revoked);
    EXPECT_FALSE((*listed)[1].revoked);

    Result<int> deleted = store_->DeleteAltCredentialsOfPerson("p1");
    ASSERT_TRUE(IsOk(deleted));
    EXPECT_EQ(*deleted, 2);
}

TEST_F(SqliteStoreRecordsTest, ActiveCredentialSecretIsUnique) {
    CreateResidentFixture();
    ASSERT_TRUE(IsOk(store_->CreatePerson(MakePerson("p2", "h1"))));
    ASSERT_TRUE(IsOk(store_->CreateAltCredential(MakeCredential("c1", "p1", "hash-1"))));

    Status status = store_->CreateAltCredential(MakeCredential("c2", "p2", "hash-1"));

    EXPECT_EQ(status.code(), ErrorCode::kAlreadyExists);
    EXPECT_THAT(status.message(), ::testing::HasSubstr("unrevoked card credential"));
}

TEST_F(SqliteStoreRecordsTest, ReceiptAddGetList) {
    for (int i = 0; i < 3; ++i) {
        DeletionReceipt receipt;
        receipt.id = "r" + std::to_string(i);
        receipt.person_pseudonym = "anon-000000000000000" + std::to_string(i);
        receipt.at = 1700000000 + i;
        receipt.operator_id = "operator-1";
        receipt.templates_deleted = 3;
        receipt.thumbnails_deleted = 1;
        receipt.grants_deleted = 2;
        receipt.credentials_deleted = 1;
        receipt.gallery_entries_deleted = 3;
        receipt.passages_pseudonymised = 40;
        receipt.person_record_deleted = true;
        receipt.staff_record_deleted = false;
        ASSERT_TRUE(IsOk(store_->AddReceipt(receipt)));
    }

    Result<DeletionReceipt> receipt = store_->GetReceipt("r1");
    ASSERT_TRUE(IsOk(receipt));
    EXPECT_EQ(receipt->person_pseudonym, "anon-0000000000000001");
    EXPECT_EQ(receipt->templates_deleted, 3);
    EXPECT_EQ(receipt->grants_deleted, 2);
    EXPECT_EQ(receipt->passages_pseudonymised, 40);
    EXPECT_TRUE(receipt->person_record_deleted);
    EXPECT_FALSE(receipt->staff_record_deleted);

    Result<std::vector<DeletionReceipt>> newest = store_->ListReceipts(2);
    ASSERT_TRUE(IsOk(newest));
    ASSERT_EQ(newest->size(), 2u);
    EXPECT_EQ((*newest)[0].id, "r2");
    EXPECT_EQ((*newest)[1].id, "r1");
}

TEST_F(SqliteStoreRecordsTest, SettingPutGetReplace) {
    Result<std::optional<std::string>> missing = store_->GetSetting("retention.days");
    ASSERT_TRUE(IsOk(missing));
    EXPECT_FALSE(missing->has_value());

    ASSERT_TRUE(IsOk(store_->PutSetting("retention.days", "30")));
    ASSERT_TRUE(IsOk(store_->PutSetting("retention.days", "60")));

    Result<std::optional<std::string>> value = store_->GetSetting("retention.days");
    ASSERT_TRUE(IsOk(value));
    EXPECT_EQ(value->value_or(""), "60");
    EXPECT_EQ(store_->PutSetting("bad key", "1").code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace menjin
