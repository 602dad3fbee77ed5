// The sign-in form. A successful login sets the HttpOnly session cookie, so the page never
// receives the session token.

import { postJson } from "../api";
import { h } from "../dom";
import { banner, field, input, onSubmit, submitButton } from "../forms";
import { t } from "../i18n";
import type { Operator } from "../types";

export function loginPage(
  languageToggle: () => HTMLElement,
  onSignedIn: (operator: Operator) => Promise<void>,
): HTMLElement {
  const errors = banner();
  const form = h(
    "form",
    { class: "login", "data-testid": "login-form" },
    field(
      t("login.operator_id"),
      input("operator_id", { autocomplete: "username", required: true, autofocus: true }),
    ),
    field(
      t("login.password"),
      input("password", { type: "password", autocomplete: "current-password", required: true }),
    ),
    errors,
    submitButton(t("login.submit")),
  );
  onSubmit(form, errors, async (values) => {
    const result = await postJson<{ operator: Operator }>("/api/v1/auth/login", {
      operator_id: values.operator_id,
      password: values.password,
      session: "cookie",
    });
    await onSignedIn(result.operator);
  });
  return h(
    "div",
    { class: "login-page" },
    h(
      "div",
      { class: "card login-card" },
      h(
        "div",
        { class: "login-head" },
        h("h1", null, "menjin ", h("span", { lang: "zh-CN" }, "门禁")),
        languageToggle(),
      ),
      h("p", { class: "hint" }, t("login.intro")),
      form,
    ),
  );
}
