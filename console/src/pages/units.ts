// Units of the current estate, and one unit with its household: members, registered tenant
// and the form that adds a resident.

import { apiPath, getJson, patchJson, postJson } from "../api";
import { h } from "../dom";
import { banner, field, input, onSubmit, optionalNumber, select, submitButton } from "../forms";
import { t } from "../i18n";
import { go, link } from "../router";
import type { PageContext } from "../router";
import { currentEstate } from "../session";
import type { Household, Person, Unit, UnitWithHousehold } from "../types";
import { card, keyValues, pageTitle, table } from "./ui";

function addUnitForm(estateId: string): HTMLElement {
  const errors = banner();
  const form = h(
    "form",
    { class: "grid-form", "data-testid": "add-unit" },
    field(t("unit.id"), input("id", { required: true })),
    field(t("unit.building"), input("building", { required: true })),
    field(t("unit.number"), input("number", { required: true })),
    field(t("unit.address"), input("address")),
    field(t("unit.household_id"), input("household_id"), t("unit.household_hint")),
    h("div", { class: "actions" }, submitButton(t("unit.add"))),
    errors,
  );
  onSubmit(form, errors, async (values) => {
    const created = await postJson<UnitWithHousehold>("/api/v1/units", {
      id: values.id,
      estate_id: estateId,
      building: values.building,
      number: values.number,
      address: values.address || undefined,
      household_id: values.household_id || undefined,
    });
    go(link`/units/${created.unit.id}`);
  });
  return card(t("unit.add"), form);
}

export async function unitsPage(): Promise<Node> {
  const estate = currentEstate();
  if (!estate) return h("p", { class: "empty" }, t("estate.none"));
  const { units } = await getJson<{ units: Unit[] }>(apiPath`/api/v1/estates/${estate.id}/units`);
  const rows = units.map((unit) => [
    h("a", { href: link`/units/${unit.id}` }, unit.id),
    unit.building,
    unit.number,
    unit.address,
  ]);
  return h(
    "div",
    null,
    pageTitle(t("nav.units"), h("span", { class: "muted" }, estate.name)),
    card(
      null,
      table([t("unit.id"), t("unit.building"), t("unit.number"), t("unit.address")], rows, {
        testid: "units",
      }),
    ),
    addUnitForm(estate.id),
  );
}

function roleOptions(): [string, string][] {
  return [
    ["tenant", t("person.role.tenant")],
    ["family_member", t("person.role.family_member")],
  ];
}

export function addResidentForm(householdId: string): HTMLElement {
  const errors = banner();
  const form = h(
    "form",
    { class: "grid-form", "data-testid": "add-person" },
    field(t("person.id"), input("id", { required: true })),
    field(t("person.name"), input("name", { required: true })),
    field(t("person.role"), select("role", roleOptions(), { value: "tenant" })),
    field(
      t("person.birth_year"),
      input("birth_year", { type: "number", min: "1900", max: "2100" }),
    ),
    field(t("person.phone"), input("phone", { type: "tel" })),
    field(
      t("person.grant_days"),
      input("grant_days", { type: "number", min: "1", max: "36500" }),
      t("person.grant_days_hint"),
    ),
    h("div", { class: "actions" }, submitButton(t("person.add"))),
    errors,
  );
  onSubmit(form, errors, async (values) => {
    const person = await postJson<Person>("/api/v1/people", {
      id: values.id,
      name: values.name,
      role: values.role,
      household_id: householdId,
      birth_year: optionalNumber(values.birth_year),
      phone: values.phone || undefined,
      grant_days: optionalNumber(values.grant_days),
    });
    go(link`/people/${person.id}`);
  });
  return card(t("person.add"), form);
}

function tenantForm(household: Household, members: Person[]): HTMLElement {
  const errors = banner();
  const options: [string, string][] = [
    ["", t("household.no_tenant")],
    ...members.map((m): [string, string] => [m.id, `${m.name} (${m.id})`]),
  ];
  const form = h(
    "form",
    { class: "inline-form", "data-testid": "tenant-form" },
    field(
      t("household.tenant"),
      select("tenant_person_id", options, { value: household.tenant_person_id ?? "" }),
    ),
    submitButton(t("common.save")),
    errors,
  );
  onSubmit(form, errors, async (values) => {
    await patchJson<Household>(apiPath`/api/v1/households/${household.id}`, {
      version: household.version,
      tenant_person_id: values.tenant_person_id || null,
    });
    go(location.hash);
  });
  return form;
}

function unitEditForm(unit: Unit): HTMLElement {
  const errors = banner();
  const form = h(
    "form",
    { class: "grid-form", "data-testid": "unit-settings" },
    field(t("unit.building"), input("building", { value: unit.building })),
    field(t("unit.number"), input("number", { value: unit.number })),
    field(t("unit.address"), input("address", { value: unit.address })),
    h("div", { class: "actions" }, submitButton(t("common.save"))),
    errors,
  );
  onSubmit(form, errors, async (values) => {
    await patchJson<Unit>(apiPath`/api/v1/units/${unit.id}`, { version: unit.version, ...values });
    go(location.hash);
  });
  return card(t("unit.edit"), form);
}

export async function unitPage({ params }: PageContext): Promise<Node> {
  const { unit, household } = await getJson<UnitWithHousehold>(apiPath`/api/v1/units/${params.id}`);
  const members = household?.members ?? [];
  const memberRows = members.map((person) => [
    h("a", { href: link`/people/${person.id}` }, person.id),
    person.name,
    t(`person.role.${person.role}`),
    person.id === household?.tenant_person_id ? t("household.tenant") : "",
  ]);
  return h(
    "div",
    null,
    pageTitle(`${unit.building}-${unit.number}`, h("span", { class: "muted" }, unit.id)),
    card(
      t("unit.details"),
      keyValues([
        [t("unit.estate"), unit.estate_id],
        [t("unit.building"), unit.building],
        [t("unit.number"), unit.number],
        [t("unit.address"), unit.address],
        [t("unit.household_id"), household?.id ?? ""],
      ]),
    ),
    household
      ? card(
          t("household.members"),
          table([t("person.id"), t("person.name"), t("person.role"), ""], memberRows, {
            testid: "members",
          }),
          tenantForm(household, members),
        )
      : null,
    household ? addResidentForm(household.id) : null,
    unitEditForm(unit),
  );
}
