// The watched residents of the current estate (masked names, no unit or address) and the
// estate's welfare and lead settings, which only centre admins change.

import { ApiError, apiPath, getJson, patchJson } from "../api";
import { h } from "../dom";
import { banner, field, input, onSubmit, submitButton } from "../forms";
import { t, type Key } from "../i18n";
import { maskName } from "../mask";
import { go, link } from "../router";
import { currentEstate, hasRole } from "../session";
import { formatTime } from "../time";
import type { WatchedResident, WelfareSettings } from "../types";
import { alertStatusBadge } from "./alerts";
import { card, pageTitle, table, yesNo } from "./ui";

export async function watchedPage(): Promise<Node> {
  const estate = currentEstate();
  if (!estate) return h("p", { class: "empty" }, t("estate.none"));
  const { residents } = await getJson<{ residents: WatchedResident[] }>(
    apiPath`/api/v1/estates/${estate.id}/watched-residents`,
  );
  const zone = estate.timezone;
  const rows = residents.map((resident) => [
    h("span", { "data-testid": "watched-name" }, maskName(resident.name)),
    t(`person.role.${resident.role}` as Key),
    resident.birth_year ? String(resident.birth_year) : "—",
    `${resident.days_since_seen} / ${resident.days_required}`,
    h("span", { class: "time" }, formatTime(resident.last_sign_of_life, zone)),
    resident.last_passage ? resident.last_passage.gate_id : t("watched.never_seen"),
    h("span", { class: resident.absent ? "badge alert-open" : "" }, yesNo(resident.absent)),
    resident.latest_alert
      ? h(
          "a",
          { href: link`/alerts/${resident.latest_alert.id}` },
          alertStatusBadge(resident.latest_alert.status),
        )
      : "—",
  ]);
  return h(
    "div",
    null,
    pageTitle(t("nav.watched"), h("span", { class: "muted" }, estate.name)),
    h("p", { class: "hint" }, t("watched.intro")),
    card(
      null,
      table(
        [
          t("watched.name"),
          t("person.role"),
          t("watched.birth_year"),
          t("watched.days"),
          t("watched.last_sign"),
          t("watched.last_gate"),
          t("watched.absent"),
          t("watched.alert"),
        ],
        rows,
        { testid: "watched", empty: t("watched.none") },
      ),
    ),
  );
}

// Integer settings in the order of the form, with the server's accepted ranges.
const kIntegerSettings: { name: keyof WelfareSettings; min: number; max: number }[] = [
  { name: "default_days", min: 1, max: 365 },
  { name: "min_age", min: 0, max: 150 },
  { name: "evaluation_interval_minutes", min: 1, max: 1440 },
  { name: "sublet_days", min: 1, max: 3650 },
  { name: "sublet_min_use_days", min: 1, max: 3650 },
  { name: "sublet_min_use_passages", min: 1, max: 100000 },
  { name: "unknown_face_retention_days", min: 0, max: 90 },
  { name: "unknown_face_min_attempts", min: 2, max: 1000 },
  { name: "unknown_face_min_days", min: 1, max: 90 },
];

// Returns the whole number in `text`, or throws the error the server would return for it, so
// that it shows next to its field before any request is sent.
function wholeNumber(text: string | string[] | undefined, name: string, min: number, max: number) {
  const value = typeof text === "string" && /^\d+$/.test(text) ? Number(text) : NaN;
  if (Number.isInteger(value) && value >= min && value <= max) return value;
  throw new ApiError(400, "invalid_argument", t("settings.range", { field: name, min, max }), name);
}

function settingsForm(settings: WelfareSettings, editable: boolean): HTMLElement {
  const errors = banner();
  const numberFields = kIntegerSettings.map(({ name, min, max }) =>
    field(
      t(`settings.${name}` as Key),
      input(name, {
        type: "number",
        min: String(min),
        max: String(max),
        step: "1",
        value: String(settings[name]),
        disabled: !editable,
      }),
      t(`settings.${name}_hint` as Key),
    ),
  );
  const webhook = editable
    ? field(
        t("settings.webhook_url"),
        input("webhook_url", { type: "url", value: settings.webhook_url ?? "" }),
        t("settings.webhook_url_hint"),
      )
    : h(
        "p",
        { class: "hint" },
        settings.webhook_configured ? t("settings.webhook_set") : t("settings.webhook_unset"),
      );
  const form = h(
    "form",
    { class: "grid-form", "data-testid": "welfare-settings" },
    numberFields,
    webhook,
    editable ? h("div", { class: "actions" }, submitButton(t("common.save"))) : null,
    errors,
  );
  if (!editable) return form;
  onSubmit(form, errors, async (values) => {
    const body: Record<string, unknown> = { version: settings.version };
    for (const { name, min, max } of kIntegerSettings)
      body[name] = wholeNumber(values[name], name, min, max);
    body.webhook_url = values.webhook_url;
    await patchJson<WelfareSettings>(
      apiPath`/api/v1/estates/${settings.estate_id}/welfare-settings`,
      body,
    );
    go(location.hash);
  });
  return form;
}

export async function welfareSettingsPage(): Promise<Node> {
  const estate = currentEstate();
  if (!estate) return h("p", { class: "empty" }, t("estate.none"));
  const settings = await getJson<WelfareSettings>(
    apiPath`/api/v1/estates/${estate.id}/welfare-settings`,
  );
  const editable = hasRole("centre_admin");
  return h(
    "div",
    null,
    pageTitle(t("nav.welfare_settings"), h("span", { class: "muted" }, estate.name)),
    card(
      null,
      h("p", { class: "hint" }, editable ? t("settings.intro") : t("settings.read_only")),
      settingsForm(settings, editable),
    ),
  );
}
