// People: search within the current estate (centre admins may search the whole city) and one
// person's record with grants, alternative credentials and the links to enrolment and
// move-out.

import { apiPath, deleteJson, getJson, patchJson, postJson } from "../api";
import { h, replace } from "../dom";
import {
  banner,
  field,
  input,
  onSubmit,
  optionalNumber,
  select,
  showError,
  submitButton,
} from "../forms";
import { t } from "../i18n";
import { go, link } from "../router";
import type { PageContext } from "../router";
import { currentEstate, displayTimeZone, hasRole } from "../session";
import { formatTime } from "../time";
import type { AltCredential, Grant, Person, PersonDetail } from "../types";
import { card, confirmDialog, keyValues, pageTitle, table, yesNo } from "./ui";

function peopleTable(people: Person[]): HTMLElement {
  const rows = people.map((person) => [
    h("a", { href: link`/people/${person.id}` }, person.id),
    person.name,
    t(`person.role.${person.role}`),
    person.household_id ?? "",
  ]);
  return table([t("person.id"), t("person.name"), t("person.role"), t("person.household")], rows, {
    testid: "people",
    empty: t("person.none_found"),
  });
}

export async function peoplePage({ query }: PageContext): Promise<Node> {
  const estate = currentEstate();
  const text = query.get("q") ?? "";
  const city = query.get("scope") === "city" && hasRole("centre_admin");
  if (!estate && !city) return h("p", { class: "empty" }, t("estate.none"));
  const { people } = city
    ? await getJson<{ people: Person[] }>("/api/v1/people", { q: text, limit: 200 })
    : await getJson<{ people: Person[] }>(apiPath`/api/v1/estates/${estate!.id}/people`, {
        q: text,
        limit: 200,
      });
  const search = h(
    "form",
    { class: "inline-form", role: "search", "data-testid": "people-search" },
    field(
      t("person.search"),
      input("q", { type: "search", value: text, placeholder: t("person.search_hint") }),
    ),
    hasRole("centre_admin")
      ? h(
          "label",
          { class: "check" },
          h("input", { type: "checkbox", name: "scope", value: "city", checked: city }),
          t("person.search_city"),
        )
      : null,
    submitButton(t("common.search")),
  );
  search.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    const q = (search.elements.namedItem("q") as HTMLInputElement).value.trim();
    if (q) params.set("q", q);
    const scope = search.elements.namedItem("scope") as HTMLInputElement | null;
    if (scope?.checked) params.set("scope", "city");
    go(`#/people${params.size ? "?" + params.toString() : ""}`);
  });
  return h(
    "div",
    null,
    pageTitle(
      t("nav.people"),
      h("span", { class: "muted" }, city ? t("person.search_city") : estate!.name),
    ),
    card(null, search, peopleTable(people), h("p", { class: "hint" }, t("person.add_from_unit"))),
  );
}

function personEditForm(person: PersonDetail): HTMLElement {
  const errors = banner();
  const form = h(
    "form",
    { class: "grid-form", "data-testid": "person-settings" },
    field(t("person.name"), input("name", { value: person.name })),
    field(
      t("person.birth_year"),
      input("birth_year", {
        type: "number",
        value: person.birth_year ? String(person.birth_year) : "",
      }),
    ),
    field(t("person.phone"), input("phone", { type: "tel", value: person.phone })),
    field(
      t("person.welfare_days"),
      input("welfare_days", {
        type: "number",
        min: "1",
        max: "365",
        value: person.welfare_days ? String(person.welfare_days) : "",
      }),
      t("person.welfare_days_hint"),
    ),
    h("div", { class: "actions" }, submitButton(t("common.save"))),
    errors,
  );
  onSubmit(form, errors, async (values) => {
    await patchJson<Person>(apiPath`/api/v1/people/${person.id}`, {
      version: person.version,
      name: values.name,
      birth_year: optionalNumber(values.birth_year) ?? 0,
      phone: values.phone,
      welfare_days: optionalNumber(values.welfare_days) ?? null,
    });
    go(location.hash);
  });
  return card(t("person.edit"), form);
}

function grantsCard(grants: Grant[]): HTMLElement {
  const timeZone = displayTimeZone();
  const rows = grants.map((grant) => [
    grant.estate_id,
    formatTime(grant.valid_from, timeZone),
    formatTime(grant.valid_to, timeZone),
    grant.schedule || t("grant.always"),
  ]);
  return card(
    t("grant.title"),
    table(
      [t("grant.estate"), t("grant.valid_from"), t("grant.valid_to"), t("grant.schedule")],
      rows,
      { testid: "grants" },
    ),
  );
}

async function credentialsCard(person: PersonDetail): Promise<HTMLElement> {
  const list = h("div");
  const errors = banner();
  const timeZone = displayTimeZone();
  const refresh = async () => {
    const { credentials } = await getJson<{ credentials: AltCredential[] }>(
      apiPath`/api/v1/people/${person.id}/credentials`,
    );
    const rows = credentials.map((credential) => [
      credential.id,
      t(`credential.kind.${credential.kind}`),
      formatTime(credential.created_at, timeZone),
      credential.revoked
        ? t("credential.revoked")
        : h(
            "button",
            { type: "button", class: "danger small", on: { click: () => void revoke(credential) } },
            t("credential.revoke"),
          ),
    ]);
    replace(
      list,
      table([t("credential.id"), t("credential.kind"), t("credential.created_at"), ""], rows, {
        testid: "credentials",
      }),
    );
  };
  const revoke = async (credential: AltCredential) => {
    if (
      !(await confirmDialog(
        t("credential.revoke"),
        t("credential.revoke_confirm", { id: credential.id }),
        t("credential.revoke"),
      ))
    )
      return;
    try {
      await deleteJson(apiPath`/api/v1/people/${person.id}/credentials/${credential.id}`);
      await refresh();
    } catch (error) {
      showError(error, null, errors);
    }
  };
  const form = h(
    "form",
    { class: "inline-form", "data-testid": "add-credential" },
    field(
      t("credential.kind"),
      select("kind", [
        ["card", t("credential.kind.card")],
        ["pin", t("credential.kind.pin")],
        ["qr", t("credential.kind.qr")],
      ]),
    ),
    field(
      t("credential.secret"),
      input("secret", { autocomplete: "off", required: true }),
      t("credential.secret_hint"),
    ),
    submitButton(t("credential.issue")),
    errors,
  );
  onSubmit(form, errors, async (values) => {
    await postJson<AltCredential>(apiPath`/api/v1/people/${person.id}/credentials`, {
      kind: values.kind,
      secret: values.secret,
    });
    form.reset();
    await refresh();
  });
  await refresh();
  return card(t("credential.title"), list, form);
}

// Shows the enrolled face through a short-lived signed link, loaded only on request so that a
// look at the record does not fetch the face.
function photoCard(person: PersonDetail): HTMLElement {
  const slot = h("div", { class: "photo-slot" });
  const errors = banner();
  const show = h(
    "button",
    {
      type: "button",
      "data-testid": "show-photo",
      on: {
        click: async () => {
          try {
            const { url } = await getJson<{ url: string }>(
              apiPath`/api/v1/people/${person.id}/thumbnail-link`,
            );
            replace(
              slot,
              h("img", {
                src: url,
                alt: t("person.photo_alt", { name: person.name }),
                class: "thumbnail",
                "data-testid": "person-photo",
              }),
            );
            show.remove();
          } catch (error) {
            showError(error, null, errors);
          }
        },
      },
    },
    t("person.show_photo"),
  );
  return card(
    t("person.face"),
    keyValues([[t("person.face_templates"), String(person.face_templates)]]),
    person.face_templates > 0 ? show : null,
    slot,
    errors,
  );
}

export async function personPage({ params }: PageContext): Promise<Node> {
  const person = await getJson<PersonDetail>(apiPath`/api/v1/people/${params.id}`);
  const { grants } = await getJson<{ grants: Grant[] }>(
    apiPath`/api/v1/people/${person.id}/grants`,
  );
  const timeZone = displayTimeZone();
  const actions = h(
    "div",
    { class: "actions" },
    h(
      "a",
      {
        class: "button primary",
        href: link`/people/${person.id}/enrol`,
        "data-testid": "enrol-link",
      },
      t("enrol.title"),
    ),
    person.role === "service_staff"
      ? h("a", { class: "button", href: link`/service/staff/${person.id}` }, t("staff.record"))
      : null,
    h(
      "a",
      {
        class: "button danger",
        href: link`/people/${person.id}/move-out`,
        "data-testid": "move-out-link",
      },
      t("moveout.title"),
    ),
  );
  return h(
    "div",
    null,
    pageTitle(person.name, h("span", { class: "muted" }, person.id)),
    actions,
    card(
      t("person.details"),
      keyValues(
        [
          [t("person.role"), t(`person.role.${person.role}`)],
          [
            t("person.household"),
            person.household_id
              ? h("a", { href: link`/households/${person.household_id}` }, person.household_id)
              : "",
          ],
          [t("person.birth_year"), person.birth_year ? String(person.birth_year) : ""],
          [t("person.phone"), person.phone],
          [t("person.welfare_days"), person.welfare_days ? String(person.welfare_days) : ""],
          [t("person.estates"), person.estate_ids.join(", ")],
          [t("person.created_at"), formatTime(person.created_at, timeZone)],
          [t("person.enrolled"), yesNo(person.face_templates > 0)],
        ],
        "person-details",
      ),
    ),
    photoCard(person),
    grantsCard(grants),
    await credentialsCard(person),
    personEditForm(person),
  );
}
