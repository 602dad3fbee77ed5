// Estates, their gates, and each gate's device credentials (issue once, revoke).

import { apiPath, deleteJson, getJson, patchJson, postJson } from "../api";
import { h, replace } from "../dom";
import {
  banner,
  field,
  input,
  onSubmit,
  optionalNumber,
  optionalText,
  select,
  showError,
  submitButton,
} from "../forms";
import { t } from "../i18n";
import { go, link } from "../router";
import type { PageContext } from "../router";
import { displayTimeZone, hasRole } from "../session";
import { formatTime } from "../time";
import type { DeviceCredential, Estate, Gate, IssuedDeviceCredential } from "../types";
import { card, confirmDialog, keyValues, pageTitle, table } from "./ui";

function estatesChanged(): void {
  window.dispatchEvent(new Event("menjin:estates-changed"));
}

function directionOptions(): [string, string][] {
  return [
    ["entry", t("gate.direction.entry")],
    ["exit", t("gate.direction.exit")],
    ["both", t("gate.direction.both")],
  ];
}

function addEstateForm(): HTMLElement {
  const errors = banner();
  const form = h(
    "form",
    { class: "inline-form", "data-testid": "add-estate" },
    field(t("estate.id"), input("id", { required: true })),
    field(t("estate.name"), input("name", { required: true })),
    field(t("estate.timezone"), input("timezone", { value: "Asia/Shanghai" })),
    submitButton(t("estate.add")),
    errors,
  );
  onSubmit(form, errors, async (values) => {
    await postJson<Estate>("/api/v1/estates", {
      id: values.id,
      name: values.name,
      timezone: values.timezone || undefined,
    });
    estatesChanged();
  });
  return card(t("estate.add"), form);
}

export async function estatesPage(): Promise<Node> {
  const { estates } = await getJson<{ estates: Estate[] }>("/api/v1/estates");
  const rows = estates.map((estate) => [
    h("a", { href: link`/estates/${estate.id}` }, estate.id),
    estate.name,
    estate.timezone,
  ]);
  return h(
    "div",
    null,
    pageTitle(t("nav.estates")),
    card(
      null,
      table([t("estate.id"), t("estate.name"), t("estate.timezone")], rows, { testid: "estates" }),
    ),
    hasRole("centre_admin") ? addEstateForm() : null,
  );
}

function estateSettingsForm(estate: Estate): HTMLElement {
  const errors = banner();
  const form = h(
    "form",
    { class: "grid-form", "data-testid": "estate-settings" },
    field(t("estate.name"), input("name", { value: estate.name })),
    field(t("estate.timezone"), input("timezone", { value: estate.timezone })),
    field(
      t("estate.target_fpir"),
      input("target_fpir", { type: "number", step: "any", value: String(estate.target_fpir) }),
      t("estate.target_fpir_hint"),
    ),
    field(
      t("estate.min_margin"),
      input("min_margin", { type: "number", step: "any", value: String(estate.min_margin) }),
    ),
    field(
      t("estate.welfare_days"),
      input("welfare_days", {
        type: "number",
        min: "1",
        max: "365",
        value: String(estate.welfare_days),
      }),
      t("estate.welfare_days_hint"),
    ),
    h("div", { class: "actions" }, submitButton(t("common.save"))),
    errors,
  );
  onSubmit(form, errors, async (values) => {
    await patchJson<Estate>(apiPath`/api/v1/estates/${estate.id}`, {
      version: estate.version,
      name: optionalText(values.name),
      timezone: optionalText(values.timezone),
      target_fpir: optionalNumber(values.target_fpir),
      min_margin: optionalNumber(values.min_margin),
      welfare_days: optionalNumber(values.welfare_days),
    });
    estatesChanged();
  });
  return card(t("estate.settings"), form);
}

function addGateForm(estateId: string): HTMLElement {
  const errors = banner();
  const form = h(
    "form",
    { class: "inline-form", "data-testid": "add-gate" },
    field(t("gate.id"), input("id", { required: true })),
    field(t("gate.name"), input("name")),
    field(t("gate.direction"), select("direction", directionOptions(), { value: "both" })),
    submitButton(t("gate.add")),
    errors,
  );
  onSubmit(form, errors, async (values) => {
    const gate = await postJson<Gate>("/api/v1/gates", {
      id: values.id,
      estate_id: estateId,
      name: values.name,
      direction: values.direction,
    });
    location.hash = link`/gates/${gate.id}`;
  });
  return card(t("gate.add"), form);
}

export async function estatePage({ params }: PageContext): Promise<Node> {
  const estate = await getJson<Estate>(apiPath`/api/v1/estates/${params.id}`);
  const { gates } = await getJson<{ gates: Gate[] }>(apiPath`/api/v1/estates/${estate.id}/gates`);
  const gateRows = gates.map((gate) => [
    h("a", { href: link`/gates/${gate.id}` }, gate.id),
    gate.name,
    t(`gate.direction.${gate.direction}`),
  ]);
  return h(
    "div",
    null,
    pageTitle(estate.name, h("span", { class: "muted" }, estate.id)),
    card(
      t("estate.details"),
      keyValues([
        [t("estate.timezone"), estate.timezone],
        [t("estate.target_fpir"), String(estate.target_fpir)],
        [t("estate.min_margin"), String(estate.min_margin)],
        [t("estate.welfare_days"), String(estate.welfare_days)],
      ]),
    ),
    card(
      t("gate.list"),
      table([t("gate.id"), t("gate.name"), t("gate.direction")], gateRows, { testid: "gates" }),
    ),
    hasRole("centre_admin", "estate_staff") ? addGateForm(estate.id) : null,
    hasRole("centre_admin") ? estateSettingsForm(estate) : null,
  );
}

// Returns the gate display's address for a gate and its device token. The token travels in
// the fragment, which browsers never send to the server.
export function kioskAddress(gateId: string, token: string): string {
  const fragment = new URLSearchParams({ gate: gateId, token });
  return `${location.origin}/kiosk.html#${fragment.toString()}`;
}

function issuedPanel(gateId: string, issued: IssuedDeviceCredential): HTMLElement {
  const address = kioskAddress(gateId, issued.token);
  const copy = async (text: string, button: HTMLButtonElement) => {
    await navigator.clipboard?.writeText(text).catch(() => undefined);
    button.textContent = t("common.copied");
  };
  const copyToken = h(
    "button",
    { type: "button", on: { click: () => void copy(issued.token, copyToken) } },
    t("common.copy"),
  );
  const copyLink = h(
    "button",
    { type: "button", on: { click: () => void copy(address, copyLink) } },
    t("common.copy"),
  );
  return h(
    "div",
    { class: "banner ok issued", "data-testid": "issued-credential" },
    h("p", null, h("strong", null, t("device.issued", { id: issued.device_credential.id }))),
    h("p", null, t("device.shown_once")),
    h(
      "div",
      { class: "secret-row" },
      h("code", { "data-testid": "device-token" }, issued.token),
      copyToken,
    ),
    h(
      "div",
      { class: "secret-row" },
      h(
        "a",
        { href: address, target: "_blank", rel: "noopener", "data-testid": "kiosk-link" },
        t("device.open_display"),
      ),
      copyLink,
    ),
  );
}

async function credentialsCard(gate: Gate): Promise<HTMLElement> {
  const body = h("div");
  const errors = banner();
  const issuedSlot = h("div");
  const timeZone = displayTimeZone();
  const refresh = async () => {
    const { device_credentials } = await getJson<{ device_credentials: DeviceCredential[] }>(
      apiPath`/api/v1/gates/${gate.id}/device-credentials`,
    );
    const rows = device_credentials.map((credential) => [
      credential.id,
      formatTime(credential.created_at, timeZone),
      credential.created_by,
      credential.revoked_at ? formatTime(credential.revoked_at, timeZone) : t("device.active"),
      credential.revoked_at
        ? null
        : h(
            "button",
            {
              type: "button",
              class: "danger small",
              "data-testid": `revoke-${credential.id}`,
              on: { click: () => void revoke(credential) },
            },
            t("device.revoke"),
          ),
    ]);
    replace(
      body,
      table(
        [t("device.id"), t("device.created_at"), t("device.created_by"), t("device.state"), ""],
        rows,
        {
          testid: "device-credentials",
          empty: t("device.none"),
        },
      ),
    );
  };
  const revoke = async (credential: DeviceCredential) => {
    const confirmed = await confirmDialog(
      t("device.revoke"),
      t("device.revoke_confirm", { id: credential.id, gate: gate.id }),
      t("device.revoke"),
    );
    if (!confirmed) return;
    try {
      await deleteJson(apiPath`/api/v1/gates/${gate.id}/device-credentials/${credential.id}`);
      await refresh();
    } catch (error) {
      showError(error, null, errors);
    }
  };
  const issue = h(
    "button",
    {
      type: "button",
      class: "primary",
      "data-testid": "issue-credential",
      on: {
        click: async () => {
          errors.hidden = true;
          try {
            const issued = await postJson<IssuedDeviceCredential>(
              apiPath`/api/v1/gates/${gate.id}/device-credentials`,
            );
            replace(issuedSlot, issuedPanel(gate.id, issued));
            await refresh();
          } catch (error) {
            showError(error, null, errors);
          }
        },
      },
    },
    t("device.issue"),
  );
  await refresh();
  return card(
    t("device.title"),
    h("p", { class: "hint" }, t("device.intro")),
    issue,
    errors,
    issuedSlot,
    body,
  );
}

function gateEditForm(gate: Gate): HTMLElement {
  const errors = banner();
  const form = h(
    "form",
    { class: "inline-form", "data-testid": "gate-settings" },
    field(t("gate.name"), input("name", { value: gate.name })),
    field(t("gate.direction"), select("direction", directionOptions(), { value: gate.direction })),
    submitButton(t("common.save")),
    errors,
  );
  onSubmit(form, errors, async (values) => {
    await patchJson<Gate>(apiPath`/api/v1/gates/${gate.id}`, {
      version: gate.version,
      name: values.name,
      direction: values.direction,
    });
    go(location.hash);
  });
  return card(t("gate.settings"), form);
}

export async function gatePage({ params }: PageContext): Promise<Node> {
  const gate = await getJson<Gate>(apiPath`/api/v1/gates/${params.id}`);
  const operatorParts = hasRole("centre_admin", "estate_staff")
    ? [gateEditForm(gate), await credentialsCard(gate)]
    : [];
  return h(
    "div",
    null,
    pageTitle(gate.name || gate.id, h("span", { class: "muted" }, gate.id)),
    card(
      t("gate.details"),
      keyValues([
        [t("gate.estate"), h("a", { href: link`/estates/${gate.estate_id}` }, gate.estate_id)],
        [t("gate.direction"), t(`gate.direction.${gate.direction}`)],
      ]),
    ),
    operatorParts,
  );
}
