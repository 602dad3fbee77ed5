// Service companies and verified couriers and delivery workers: the verification record, the
// validity window, the estates served, and who in the current estate expires soon.

import { apiPath, getJson, patchJson, postJson } from "../api";
import { h } from "../dom";
import { banner, field, input, onSubmit, select, submitButton } from "../forms";
import { t } from "../i18n";
import { go, link } from "../router";
import type { PageContext } from "../router";
import { currentEstate, currentSession, displayTimeZone, hasRole } from "../session";
import { addDays, formatTime, startOfDay, todayIn, zonedParts } from "../time";
import type { Company, ServiceStaff, ServiceStaffRecord } from "../types";
import { card, keyValues, pageTitle, table } from "./ui";

const kExpiryDays = 30;

function kindOptions(): [string, string][] {
  return [
    ["courier", t("company.kind.courier")],
    ["food_delivery", t("company.kind.food_delivery")],
    ["other", t("company.kind.other")],
  ];
}

// Returns the date of a UTC instant in `timeZone` as "YYYY-MM-DD", for date inputs.
function dateIn(utc: string, timeZone: string): string {
  const p = zonedParts(new Date(utc), timeZone);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

function companiesCard(companies: Company[]): HTMLElement {
  const rows = companies.map((company) => [
    company.id,
    company.name,
    t(`company.kind.${company.kind}`),
    company.contact_name,
    company.contact_phone,
  ]);
  const list = table(
    [
      t("company.id"),
      t("company.name"),
      t("company.kind"),
      t("company.contact_name"),
      t("company.contact_phone"),
    ],
    rows,
    {
      testid: "companies",
    },
  );
  if (!hasRole("centre_admin")) return card(t("company.title"), list);
  const errors = banner();
  const form = h(
    "form",
    { class: "grid-form", "data-testid": "add-company" },
    field(t("company.id"), input("id", { required: true })),
    field(t("company.name"), input("name", { required: true })),
    field(t("company.kind"), select("kind", kindOptions(), { value: "courier" })),
    field(t("company.contact_name"), input("contact_name", { required: true })),
    field(t("company.contact_phone"), input("contact_phone", { type: "tel" })),
    h("div", { class: "actions" }, submitButton(t("company.add"))),
    errors,
  );
  onSubmit(form, errors, async (values) => {
    await postJson<Company>("/api/v1/companies", values);
    go(location.hash);
  });
  return card(t("company.title"), list, h("h3", null, t("company.add")), form);
}

// The verification fields shared by the add and renew forms. Dates are days in the estate's
// time zone; the API receives the instant each day begins.
function verificationFields(
  companies: Company[],
  staff: ServiceStaff | null,
  timeZone: string,
): HTMLElement[] {
  const estates = currentSession()?.estates ?? [];
  const today = todayIn(timeZone);
  const served = new Set(staff?.estate_ids ?? [currentEstate()?.id ?? ""]);
  return [
    field(
      t("staff.company"),
      select(
        "company_id",
        companies.map((company): [string, string] => [company.id, company.name]),
        { value: staff?.company_id },
      ),
    ),
    field(
      t("staff.verified_contact"),
      input("verified_contact", { value: staff?.verified_contact ?? "", required: true }),
      t("staff.verified_contact_hint"),
    ),
    field(
      t("staff.valid_from"),
      input("valid_from", {
        type: "date",
        value: staff ? dateIn(staff.valid_from, timeZone) : today,
      }),
    ),
    field(
      t("staff.valid_to"),
      input("valid_to", {
        type: "date",
        value: staff ? dateIn(staff.valid_to, timeZone) : addDays(today, 90),
      }),
      t("staff.valid_to_hint"),
    ),
    h(
      "fieldset",
      { class: "field estates-field" },
      h("legend", null, t("staff.estates")),
      estates.map((estate) =>
        h(
          "label",
          { class: "check" },
          h("input", {
            type: "checkbox",
            name: "estate_ids",
            value: estate.id,
            checked: served.has(estate.id),
          }),
          estate.name,
        ),
      ),
      h("p", { class: "field-error", role: "alert", hidden: true }),
    ),
  ];
}

function verificationBody(
  values: Record<string, string | string[]>,
  timeZone: string,
): Record<string, unknown> {
  return {
    company_id: values.company_id,
    verified_contact: values.verified_contact,
    valid_from: startOfDay(values.valid_from as string, timeZone) ?? values.valid_from,
    valid_to: startOfDay(values.valid_to as string, timeZone) ?? values.valid_to,
    estate_ids: values.estate_ids,
  };
}

function addStaffCard(companies: Company[], timeZone: string): HTMLElement {
  const errors = banner();
  const form = h(
    "form",
    { class: "grid-form", "data-testid": "add-staff" },
    field(t("person.id"), input("person.id", { required: true })),
    field(t("person.name"), input("person.name", { required: true })),
    field(t("person.phone"), input("person.phone", { type: "tel" })),
    verificationFields(companies, null, timeZone),
    h("div", { class: "actions" }, submitButton(t("staff.add"))),
    errors,
  );
  onSubmit(form, errors, async (values) => {
    const record = await postJson<ServiceStaffRecord>("/api/v1/service-staff", {
      person: {
        id: values["person.id"],
        name: values["person.name"],
        phone: values["person.phone"] || undefined,
      },
      ...verificationBody(values, timeZone),
    });
    go(link`/service/staff/${record.person.id}`);
  });
  return card(t("staff.add"), h("p", { class: "hint" }, t("staff.add_intro")), form);
}

async function expiringCard(before: string, timeZone: string): Promise<HTMLElement> {
  const estate = currentEstate();
  if (!estate) return card(t("staff.expiring"), h("p", { class: "empty" }, t("estate.none")));
  const { service_staff } = await getJson<{ service_staff: ServiceStaff[] }>(
    apiPath`/api/v1/estates/${estate.id}/service-staff/expiring`,
    {
      before: startOfDay(before, timeZone),
    },
  );
  const now = Date.now();
  const rows = service_staff.map((staff) => {
    const days = Math.ceil((new Date(staff.valid_to).getTime() - now) / 86_400_000);
    return [
      h("a", { href: link`/service/staff/${staff.person_id}` }, staff.person_id),
      staff.company_id,
      formatTime(staff.valid_to, timeZone),
      days < 0 ? t("staff.expired") : t("staff.days_left", { days }),
    ];
  });
  const form = h(
    "form",
    { class: "inline-form", "data-testid": "expiring-form" },
    field(t("staff.expiring_before"), input("before", { type: "date", value: before })),
    submitButton(t("common.show")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go(
      `#/service?before=${encodeURIComponent((form.elements.namedItem("before") as HTMLInputElement).value)}`,
    );
  });
  return card(
    t("staff.expiring"),
    form,
    table([t("person.id"), t("staff.company"), t("staff.valid_to"), t("staff.remaining")], rows, {
      testid: "expiring",
      empty: t("staff.none_expiring"),
    }),
  );
}

function lookupForm(): HTMLElement {
  const form = h(
    "form",
    { class: "inline-form" },
    field(t("staff.lookup"), input("id", { required: true })),
    submitButton(t("common.open")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const id = (form.elements.namedItem("id") as HTMLInputElement).value.trim();
    if (id) go(link`/service/staff/${id}`);
  });
  return form;
}

export async function servicePage({ query }: PageContext): Promise<Node> {
  const timeZone = displayTimeZone();
  const before = query.get("before") || addDays(todayIn(timeZone), kExpiryDays);
  const { companies } = await getJson<{ companies: Company[] }>("/api/v1/companies");
  return h(
    "div",
    null,
    pageTitle(t("nav.service")),
    await expiringCard(before, timeZone),
    card(t("staff.record"), lookupForm()),
    companies.length > 0
      ? addStaffCard(companies, timeZone)
      : card(t("staff.add"), h("p", { class: "empty" }, t("staff.needs_company"))),
    companiesCard(companies),
  );
}

export async function staffPage({ params }: PageContext): Promise<Node> {
  const timeZone = displayTimeZone();
  const { person, staff } = await getJson<ServiceStaffRecord>(
    apiPath`/api/v1/service-staff/${params.id}`,
  );
  const { companies } = await getJson<{ companies: Company[] }>("/api/v1/companies");
  const errors = banner();
  const form = h(
    "form",
    { class: "grid-form", "data-testid": "renew-staff" },
    verificationFields(companies, staff, timeZone),
    h("div", { class: "actions" }, submitButton(t("staff.renew"))),
    errors,
  );
  onSubmit(form, errors, async (values) => {
    await patchJson<ServiceStaffRecord>(apiPath`/api/v1/service-staff/${person.id}`, {
      version: staff.version,
      ...verificationBody(values, timeZone),
    });
    go(location.hash);
  });
  const company = companies.find((c) => c.id === staff.company_id);
  return h(
    "div",
    null,
    pageTitle(person.name, h("span", { class: "muted" }, person.id)),
    h(
      "div",
      { class: "actions" },
      h("a", { class: "button", href: link`/people/${person.id}` }, t("staff.person_record")),
    ),
    card(
      t("staff.verification"),
      keyValues(
        [
          [t("staff.company"), company ? `${company.name} (${company.id})` : staff.company_id],
          [t("staff.verified_by"), staff.verified_by],
          [t("staff.verified_at"), formatTime(staff.verified_at, timeZone)],
          [t("staff.verified_contact"), staff.verified_contact],
          [t("staff.valid_from"), formatTime(staff.valid_from, timeZone)],
          [t("staff.valid_to"), formatTime(staff.valid_to, timeZone)],
          [t("staff.estates"), staff.estate_ids.join(", ")],
        ],
        "staff-record",
      ),
    ),
    card(t("staff.renew"), h("p", { class: "hint" }, t("staff.renew_intro")), form),
  );
}
