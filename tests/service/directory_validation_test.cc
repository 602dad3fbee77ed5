// Validation of directory changes in the access core: each rejected call returns the right
// error and leaves every table of the store as it was.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "service/core_fixture.h"

namespace menjin::testing {
namespace {

using ::testing::HasSubstr;

class DirectoryValidationTest : public AccessCoreTest {
  protected:
    void SetUp() override {
        AccessCoreTest::SetUp();
        if (IsSkipped() || HasFatalFailure())
            return;
        AddEstatesAndUnit();
        AddCompany();
        ASSERT_TRUE(IsOk(core_->AddResident(MakeResident("p1", "张三明"), 365)));
        Person courier;
        courier.id = "s1";
        courier.name = "刘快递";
        courier.role = PersonRole::kServiceStaff;
        ASSERT_TRUE(IsOk(core_->AddPerson(courier)));
    }

    // Checks that `call` fails with `code` and changes no table.
    template <typename Call>
    void ExpectRejected(ErrorCode code, Call call, const std::string& label) {
        const auto before = TableRowCounts(db_file());
        const std::size_t gallery_size = core_->galleries().TotalSize();

        const Status status = call();

        EXPECT_EQ(status.code(), code) << label << ": " << status.ToString();
        EXPECT_EQ(TableRowCounts(db_file()), before) << label;
        EXPECT_EQ(core_->galleries().TotalSize(), gallery_size) << label;
    }

    AccessGrant MakeGrant(const std::string& id, const std::string& person_id) const {
        AccessGrant grant;
        grant.id = id;
        grant.person_id = person_id;
        grant.estate_id = "e2";
        grant.valid_from = kStartTime;
        grant.valid_to = kStartTime + 30 * kDay;
        return grant;
    }
};

TEST_F(DirectoryValidationTest, BadIdsAreInvalid) {
    const std::string bad_ids[] = {"", "has space", "slash/id", std::string(65, 'x'), "门"};
    for (const std::string& id : bad_ids) {
        Estate estate;
        estate.id = id;
        estate.name = "Bad";
        ExpectRejected(
            ErrorCode::kInvalidArgument, [&] { return core_->AddEstate(estate); },
            "estate '" + id + "'");
        Gate gate;
        gate.id = id;
        gate.estate_id = "e1";
        ExpectRejected(
            ErrorCode::kInvalidArgument, [&] { return core_->AddGate(gate); }, "gate '" + id + "'");
        Unit unit;
        unit.id = id;
        unit.estate_id = "e1";
        unit.building = "1";
        unit.number = "101";
        ExpectRejected(
            ErrorCode::kInvalidArgument, [&] { return core_->AddUnit(unit); }, "unit '" + id + "'");
        ExpectRejected(
            ErrorCode::kInvalidArgument,
            [&] { return core_->AddResident(MakeResident(id, "Name"), 30); },
            "person '" + id + "'");
        ExpectRejected(
            ErrorCode::kInvalidArgument, [&] { return core_->AddGrant(MakeGrant(id, "p1")); },
            "grant '" + id + "'");
    }
}

TEST_F(DirectoryValidationTest, BadIdNamesField) {
    Estate estate;
    estate.id = "bad id";
    estate.name = "Bad";

    const Status status = core_->AddEstate(estate);

    EXPECT_EQ(status.field(), "estate_id");
    EXPECT_THAT(status.message(), HasSubstr("'bad id'"));
}

TEST_F(DirectoryValidationTest, GateOfUnknownEstateIsNotFound) {
    Gate gate;
    gate.id = "g9";
    gate.estate_id = "nowhere";

    ExpectRejected(
        ErrorCode::kNotFound, [&] { return core_->AddGate(gate); }, "gate");
}

TEST_F(DirectoryValidationTest, UnitWithoutEstateIsNotFound) {
    for (const char* estate_id : {"", "nowhere"}) {
        Unit unit;
        unit.id = "u9";
        unit.estate_id = estate_id;
        unit.building = "1";
        unit.number = "101";
        ExpectRejected(
            ErrorCode::kNotFound, [&] { return core_->AddUnit(unit); },
            std::string("unit in '") + estate_id + "'");
        ExpectRejected(
            ErrorCode::kNotFound, [&] { return core_->AddUnitWithHousehold(unit, "h9"); },
            std::string("unit with household in '") + estate_id + "'");
    }
}

TEST_F(DirectoryValidationTest, UnitWithHouseholdIsAtomic) {
    // The unit is valid but its household id is taken, so neither may be stored.
    Unit unit;
    unit.id = "u9";
    unit.estate_id = "e1";
    unit.building = "1";
    unit.number = "101";

    ExpectRejected(
        ErrorCode::kAlreadyExists, [&] { return core_->AddUnitWithHousehold(unit, "u1"); },
        "household u1");
    EXPECT_EQ(core_->store().GetUnit("u9").status().code(), ErrorCode::kNotFound);
}

TEST_F(DirectoryValidationTest, ResidentWithoutHouseholdIsInvalid) {
    Person person = MakeResident("p9", "王五");
    person.household_id.reset();

    ExpectRejected(
        ErrorCode::kInvalidArgument, [&] { return core_->AddPerson(person); }, "AddPerson");
    ExpectRejected(
        ErrorCode::kInvalidArgument, [&] { return core_->AddResident(person, 30); }, "AddResident");
    EXPECT_EQ(core_->AddPerson(person).field(), "household_id");
}

TEST_F(DirectoryValidationTest, ResidentOfUnknownHouseholdIsNotFound) {
    ExpectRejected(
        ErrorCode::kNotFound,
        [&] { return core_->AddResident(MakeResident("p9", "王五", "h-none"), 30); },
        "AddResident");
}

TEST_F(DirectoryValidationTest, ResidentNeedsPositiveGrantDays) {
    ExpectRejected(
        ErrorCode::kInvalidArgument,
        [&] { return core_->AddResident(MakeResident("p9", "王五"), 0); }, "grant_days 0");
}

TEST_F(DirectoryValidationTest, StaffCannotBeAddedAsResident) {
    Person person;
    person.id = "s9";
    person.name = "Courier";
    person.role = PersonRole::kServiceStaff;

    ExpectRejected(
        ErrorCode::kInvalidArgument, [&] { return core_->AddResident(person, 30); },
        "staff as resident");
}

TEST_F(DirectoryValidationTest, UnverifiedStaffGetsNoGrant) {
    const Status status = core_->AddGrant(MakeGrant("grant-s1", "s1"));

    EXPECT_EQ(status.code(), ErrorCode::kFailedPrecondition);
    EXPECT_THAT(status.message(), HasSubstr("s1"));
    ExpectRejected(
        ErrorCode::kFailedPrecondition,
        [&] { return core_->AddGrant(MakeGrant("grant-s1", "s1")); }, "grant");
}

TEST_F(DirectoryValidationTest, StaffVerificationFieldsAreRequired) {
    ServiceStaff no_verifier = MakeStaff("s1", {"e1"});
    no_verifier.verified_by.clear();
    ServiceStaff no_contact = MakeStaff("s1", {"e1"});
    no_contact.verified_contact.clear();
    ServiceStaff no_time = MakeStaff("s1", {"e1"});
    no_time.verified_at = 0;
    ServiceStaff no_estates = MakeStaff("s1", {});

    for (const ServiceStaff& staff : {no_verifier, no_contact, no_time, no_estates}) {
        ExpectRejected(
            ErrorCode::kInvalidArgument, [&] { return core_->AddServiceStaffWithGrants(staff); },
            "staff");
    }
}

TEST_F(DirectoryValidationTest, StaffOfUnknownEstateIsNotFound) {
    ExpectRejected(
        ErrorCode::kNotFound,
        [&] {
            return core_->AddServiceStaffWithGrants(MakeStaff("s1", {"e1", "e9"}));
        },
        "staff");
}

TEST_F(DirectoryValidationTest, ResidentCannotBeStaff) {
    ExpectRejected(
        ErrorCode::kInvalidArgument,
        [&] { return core_->AddServiceStaffWithGrants(MakeStaff("p1", {"e1"})); },
        "resident as staff");
}

TEST_F(DirectoryValidationTest, ReversedWindowsAreInvalid) {
    AccessGrant reversed = MakeGrant("grant-p1-e2", "p1");
    std::swap(reversed.valid_from, reversed.valid_to);
    AccessGrant empty = MakeGrant("grant-p1-e2", "p1");
    empty.valid_to = empty.valid_from;
    ServiceStaff staff = MakeStaff("s1", {"e1"});
    std::swap(staff.valid_from, staff.valid_to);

    ExpectRejected(
        ErrorCode::kInvalidArgument, [&] { return core_->AddGrant(reversed); }, "reversed grant");
    ExpectRejected(
        ErrorCode::kInvalidArgument, [&] { return core_->AddGrant(empty); }, "empty grant");
    ExpectRejected(
        ErrorCode::kInvalidArgument, [&] { return core_->AddServiceStaffWithGrants(staff); },
        "reversed staff");
    EXPECT_EQ(core_->AddGrant(reversed).field(), "valid_to");
}

TEST_F(DirectoryValidationTest, GrantForUnknownPersonOrEstateIsNotFound) {
    AccessGrant unknown_estate = MakeGrant("grant-x", "p1");
    unknown_estate.estate_id = "e9";

    ExpectRejected(
        ErrorCode::kNotFound, [&] { return core_->AddGrant(MakeGrant("grant-x", "p9")); },
        "unknown person");
    ExpectRejected(
        ErrorCode::kNotFound, [&] { return core_->AddGrant(unknown_estate); }, "unknown estate");
}

TEST_F(DirectoryValidationTest, DuplicateIdsAlreadyExist) {
    Estate estate;
    estate.id = "e1";
    estate.name = "Again";
    Gate gate;
    gate.id = "g1";
    gate.estate_id = "e2";
    Unit unit;
    unit.id = "u1";
    unit.estate_id = "e2";
    unit.building = "9";
    unit.number = "9";
    ServiceCompany company;
    company.id = "express";
    company.name = "Again";
    company.contact_name = "Desk";
    ASSERT_TRUE(IsOk(core_->AddGrant(MakeGrant("grant-1", "p1"))));

    ExpectRejected(
        ErrorCode::kAlreadyExists, [&] { return core_->AddEstate(estate); }, "estate");
    ExpectRejected(
        ErrorCode::kAlreadyExists, [&] { return core_->AddGate(gate); }, "gate");
    ExpectRejected(
        ErrorCode::kAlreadyExists, [&] { return core_->AddUnit(unit); }, "unit");
    ExpectRejected(
        ErrorCode::kAlreadyExists,
        [&] { return core_->AddResident(MakeResident("p1", "Other"), 30); }, "person");
    ExpectRejected(
        ErrorCode::kAlreadyExists, [&] { return core_->AddCompany(company); }, "company");
    ExpectRejected(
        ErrorCode::kAlreadyExists, [&] { return core_->AddGrant(MakeGrant("grant-1", "p1")); },
        "grant");
}

TEST_F(DirectoryValidationTest, DuplicateStaffRecordAlreadyExists) {
    ASSERT_TRUE(IsOk(core_->AddServiceStaffWithGrants(MakeStaff("s1", {"e1"}))));

    ExpectRejected(
        ErrorCode::kAlreadyExists,
        [&] { return core_->AddServiceStaffWithGrants(MakeStaff("s1", {"e2"})); }, "staff");
}

TEST_F(DirectoryValidationTest, EstateSettingsAreChecked) {
    Estate bad_zone;
    bad_zone.id = "e9";
    bad_zone.name = "Nine";
    bad_zone.timezone = "Mars/Base";
    Estate bad_fpir = bad_zone;
    bad_fpir.timezone = "Asia/Shanghai";
    bad_fpir.target_fpir = 0;
    Estate bad_margin = bad_fpir;
    bad_margin.target_fpir = 0.003;
    bad_margin.min_margin = -0.1;
    Estate no_name = bad_margin;
    no_name.min_margin = 0.05;
    no_name.name.clear();

    for (const Estate& estate : {bad_zone, bad_fpir, bad_margin, no_name}) {
        ExpectRejected(
            ErrorCode::kInvalidArgument, [&] { return core_->AddEstate(estate); }, "estate");
    }
}

TEST_F(DirectoryValidationTest, CredentialSecretLengthIsChecked) {
    for (const auto& [kind, secret] :
         {std::pair{CredentialKind::kPin, std::string("12345")},
          std::pair{CredentialKind::kCard, std::string("1234567")},
          std::pair{CredentialKind::kQrToken, std::string(257, 'q')}}) {
        ExpectRejected(
            ErrorCode::kInvalidArgument,
            [&] { return core_->AddAltCredential("p1", kind, secret).status(); }, "credential");
    }
}

TEST_F(DirectoryValidationTest, DuplicateCredentialAlreadyExists) {
    ASSERT_TRUE(IsOk(core_->AddAltCredential("p1", CredentialKind::kCard, "CARD-0001")));

    ExpectRejected(
        ErrorCode::kAlreadyExists,
        [&] { return core_->AddAltCredential("s1", CredentialKind::kCard, "CARD-0001").status(); },
        "card");
    ExpectRejected(
        ErrorCode::kNotFound,
        [&] { return core_->AddAltCredential("p9", CredentialKind::kCard, "CARD-0002").status(); },
        "unknown person");
}

TEST_F(DirectoryValidationTest, FailedStaffGrantsLeaveGalleriesUnchanged) {
    // s1 is enrolled but has no grant, so only the all-estates gallery contains them. The
    // second default grant id is taken, so AddServiceStaffWithGrants must roll back entirely,
    // also in the galleries.
    ASSERT_TRUE(IsOk(core_->Enrol("s1", AstronautJpeg())));
    ASSERT_TRUE(IsOk(core_->AddGrant(MakeGrant(AccessCore::DefaultGrantId("s1", "e2"), "p1"))));

    ExpectRejected(
        ErrorCode::kAlreadyExists,
        [&] {
            return core_->AddServiceStaffWithGrants(MakeStaff("s1", {"e1", "e2"}));
        },
        "staff");
    EXPECT_FALSE(core_->galleries().ContainsPerson("e1", "s1"));
}

}  // namespace
}  // namespace menjin::testing
