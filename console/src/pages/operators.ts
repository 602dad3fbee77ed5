// Operator accounts, for centre admins: list, add, disable or enable, and unlock after failed
// logins.

import { apiPath, getJson, patchJson, postJson } from "../api";
import { h } from "../dom";
import { banner, field, input, onSubmit, select, showError, submitButton } from "../forms";
import { t, type Key } from "../i18n";
import { go } from "../router";
import { currentSession, displayTimeZone } from "../session";
import { formatTime } from "../time";
import type { Operator } from "../types";
import { card, pageTitle, table } from "./ui";

function roleOptions(): [string, string][] {
  return (["estate_staff", "centre_admin", "auditor"] as const).map((role): [string, string] => [
    role,
    t(`role.${role}` as Key),
  ]);
}

function addOperatorCard(): HTMLElement {
  const errors = banner();
  const estates = currentSession()?.estates ?? [];
  const form = h(
    "form",
    { class: "grid-form", "data-testid": "add-operator" },
    field(t("operator.id"), input("id", { required: true, autocomplete: "off" })),
    field(t("operator.display_name"), input("display_name", { required: true })),
    field(t("operator.role"), select("role", roleOptions(), { value: "estate_staff" })),
    field(
      t("operator.estate"),
      select("estate_id", [["", "—"], ...estates.map((e): [string, string] => [e.id, e.name])]),
      t("operator.estate_hint"),
    ),
    field(
      t("operator.password"),
      input("password", { type: "password", autocomplete: "new-password", required: true }),
      t("operator.password_hint"),
    ),
    h("div", { class: "actions" }, submitButton(t("operator.add"))),
    errors,
  );
  onSubmit(form, errors, async (values) => {
    await postJson<Operator>("/api/v1/operators", {
      ...values,
      estate_id: values.estate_id || undefined,
    });
    go(location.hash);
  });
  return card(t("operator.add"), form);
}

export async function operatorsPage(): Promise<Node> {
  const { operators } = await getJson<{ operators: Operator[] }>("/api/v1/operators");
  const timeZone = displayTimeZone();
  const errors = banner();
  const update = async (account: Operator, change: Record<string, unknown>) => {
    try {
      await patchJson<Operator>(apiPath`/api/v1/operators/${account.id}`, {
        version: account.version,
        ...change,
      });
      go(location.hash);
    } catch (error) {
      showError(error, null, errors);
    }
  };
  const self = currentSession()?.operator.id;
  const stateOf = (account: Operator): string => {
    if (account.disabled) return t("operator.disabled");
    if (account.locked_until)
      return t("operator.locked_until", { time: formatTime(account.locked_until, timeZone) });
    return t("operator.active");
  };
  const rows = operators.map((account) => [
    account.id,
    account.display_name,
    t(`role.${account.role}` as Key),
    account.estate_id ?? "",
    stateOf(account),
    account.id === self
      ? ""
      : h(
          "span",
          { class: "row-actions" },
          h(
            "button",
            {
              type: "button",
              class: "small",
              on: { click: () => void update(account, { disabled: !account.disabled }) },
            },
            account.disabled ? t("operator.enable") : t("operator.disable"),
          ),
          account.locked_until
            ? h(
                "button",
                {
                  type: "button",
                  class: "small",
                  on: { click: () => void update(account, { unlock: true }) },
                },
                t("operator.unlock"),
              )
            : null,
        ),
  ]);
  return h(
    "div",
    null,
    pageTitle(t("nav.operators")),
    card(
      null,
      errors,
      table(
        [
          t("operator.id"),
          t("operator.display_name"),
          t("operator.role"),
          t("operator.estate"),
          t("operator.state"),
          "",
        ],
        rows,
        { testid: "operators" },
      ),
    ),
    addOperatorCard(),
  );
}
