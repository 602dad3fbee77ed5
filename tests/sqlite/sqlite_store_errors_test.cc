#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sqlite/store_fixture.h"

namespace menjin {
namespace {

using ::menjin::testing::IsOk;
using ::menjin::testing::MakeEstate;
using ::menjin::testing::MakeGate;
using ::menjin::testing::MakePerson;
using ::menjin::testing::MakeTemplate;
using ::menjin::testing::MakeUnit;
using ::testing::HasSubstr;

using SqliteStoreErrorsTest = ::menjin::testing::SqliteStoreTest;

TEST_F(SqliteStoreErrorsTest, DuplicateIdIsAlreadyExists) {
    CreateResidentFixture();

    Status estate = store_->CreateEstate(MakeEstate("e1"));
    EXPECT_EQ(estate.code(), ErrorCode::kAlreadyExists);
    EXPECT_EQ(estate.message(), "store: estate 'e1' already exists");

    Status gate = store_->CreateGate(MakeGate("g1", "e1"));
    EXPECT_EQ(gate.code(), ErrorCode::kAlreadyExists);
    EXPECT_EQ(gate.message(), "store: gate 'g1' already exists");

    Status person = store_->CreatePerson(MakePerson("p1"));
    EXPECT_EQ(person.code(), ErrorCode::kAlreadyExists);
    EXPECT_EQ(person.message(), "store: person 'p1' already exists");
}

TEST_F(SqliteStoreErrorsTest, SecondHouseholdOfUnitIsAlreadyExists) {
    CreateResidentFixture();
    Household second;
    second.id = "h2";
    second.unit_id = "u1";

    Status status = store_->CreateHousehold(second);

    EXPECT_EQ(status.code(), ErrorCode::kAlreadyExists);
    EXPECT_THAT(status.message(), HasSubstr("unit 'u1' already has a household"));
}

TEST_F(SqliteStoreErrorsTest, UnknownIdIsNotFound) {
    EXPECT_EQ(store_->GetEstate("e9").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->GetGate("g9").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->GetUnit("u9").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->GetHousehold("h9").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->GetCompany("c9").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->GetServiceStaff("s9").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->GetGrant("gr9").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->GetReceipt("r9").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->ListGates("e9").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->ListTemplatesOfPerson("p9").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->GetThumbnail("p9").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->DeletePerson("p9").code(), ErrorCode::kNotFound);

    Result<Person> person = store_->GetPerson("p9");
    EXPECT_EQ(person.status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(person.status().message(), "store: person 'p9' not found");
}

TEST_F(SqliteStoreErrorsTest, UpdateOfUnknownIdIsNotFound) {
    Result<Estate> updated = store_->UpdateEstate(MakeEstate("e9"));
    EXPECT_EQ(updated.status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(updated.status().message(), "store: estate 'e9' not found");
}

TEST_F(SqliteStoreErrorsTest, StaleVersionIsConflict) {
    ASSERT_TRUE(IsOk(store_->CreateEstate(MakeEstate("e1"))));
    Result<Estate> first_reader = store_->GetEstate("e1");
    Result<Estate> second_reader = store_->GetEstate("e1");
    ASSERT_TRUE(IsOk(first_reader));
    ASSERT_TRUE(IsOk(second_reader));
    first_reader->name = "First";
    second_reader->name = "Second";
    ASSERT_TRUE(IsOk(store_->UpdateEstate(*first_reader)));

    Result<Estate> stale = store_->UpdateEstate(*second_reader);

    EXPECT_EQ(stale.status().code(), ErrorCode::kConflict);
    EXPECT_THAT(stale.status().message(), HasSubstr("expected version 1"));
    EXPECT_THAT(stale.status().message(), HasSubstr("stored version 2"));
    Result<Estate> stored = store_->GetEstate("e1");
    ASSERT_TRUE(IsOk(stored));
    EXPECT_EQ(stored->name, "First");
}

TEST_F(SqliteStoreErrorsTest, DanglingReferenceIsFailedPrecondition) {
    CreateResidentFixture();

    Status gate = store_->CreateGate(MakeGate("g2", "nowhere"));
    EXPECT_EQ(gate.code(), ErrorCode::kFailedPrecondition);
    EXPECT_EQ(gate.message(), "store: cannot create gate 'g2': estate 'nowhere' not found");

    Status unit = store_->CreateUnit(MakeUnit("u2", "nowhere"));
    EXPECT_EQ(unit.code(), ErrorCode::kFailedPrecondition);

    Status person = store_->CreatePerson(MakePerson("p2", "h9"));
    EXPECT_EQ(person.code(), ErrorCode::kFailedPrecondition);
    EXPECT_THAT(person.message(), HasSubstr("household 'h9' not found"));

    AccessGrant grant;
    grant.id = "gr1";
    grant.person_id = "p1";
    grant.estate_id = "e9";
    grant.valid_to = 10;
    Status grant_status = store_->CreateGrant(grant);
    EXPECT_EQ(grant_status.code(), ErrorCode::kFailedPrecondition);
    EXPECT_THAT(grant_status.message(), HasSubstr("estate 'e9' not found"));

    Result<FaceTemplateRecord> face = store_->AddTemplate(MakeTemplate("p9"));
    EXPECT_EQ(face.status().code(), ErrorCode::kFailedPrecondition);
    EXPECT_THAT(face.status().message(), HasSubstr("person 'p9' not found"));

    Gate moved = MakeGate("g1", "e9");
    Result<Gate> moved_gate = store_->UpdateGate(moved);
    EXPECT_EQ(moved_gate.status().code(), ErrorCode::kFailedPrecondition);
    EXPECT_THAT(moved_gate.status().message(), HasSubstr("estate 'e9' not found"));
}

TEST_F(SqliteStoreErrorsTest, DeletingPersonWithTemplatesFails) {
    CreateResidentFixture();
    ASSERT_TRUE(IsOk(store_->AddTemplate(MakeTemplate("p1"))));
    ASSERT_TRUE(IsOk(store_->AddTemplate(MakeTemplate("p1"))));

    Status blocked = store_->DeletePerson("p1");

    EXPECT_EQ(blocked.code(), ErrorCode::kFailedPrecondition);
    EXPECT_THAT(blocked.message(), HasSubstr("2 face templates"));
    EXPECT_TRUE(IsOk(store_->GetPerson("p1")));
    Result<int> deleted = store_->DeleteTemplatesOfPerson("p1");
    ASSERT_TRUE(IsOk(deleted));
    EXPECT_EQ(*deleted, 2);
    EXPECT_TRUE(IsOk(store_->DeletePerson("p1")));
}

TEST_F(SqliteStoreErrorsTest, InvalidIdIsInvalidArgument) {
    Status status = store_->CreateEstate(MakeEstate("bad id!"));
    EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(status.field(), "id");
    EXPECT_EQ(store_->CreateEstate(MakeEstate("")).code(), ErrorCode::kInvalidArgument);
}

TEST_F(SqliteStoreErrorsTest, FailedCallChangesNothing) {
    CreateResidentFixture();
    ServiceStaff staff;
    staff.person_id = "s1";
    staff.company_id = "c1";
    staff.estate_ids = {"e1", "e9"};
    ASSERT_TRUE(
        IsOk(store_->CreatePerson(MakePerson("s1", std::nullopt, PersonRole::kServiceStaff))));
    ServiceCompany company;
    company.id = "c1";
    ASSERT_TRUE(IsOk(store_->CreateCompany(company)));

    Status status = store_->CreateServiceStaff(staff);

    EXPECT_EQ(status.code(), ErrorCode::kFailedPrecondition);
    EXPECT_THAT(status.message(), HasSubstr("estate 'e9' not found"));
    EXPECT_EQ(store_->GetServiceStaff("s1").status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace menjin
