// The console: sign-in, the shell with role-dependent navigation, and the hash router that
// renders each page into the main area.

import "./style.css";
import { ApiError, getJson, postJson, setUnauthenticatedHandler } from "./api";
import { h, replace } from "./dom";
import { describeError } from "./forms";
import { locale, setLocale, t, type Key } from "./i18n";
import { loginPage } from "./pages/login";
import { routes } from "./pages/routes";
import { matchRoute } from "./router";
import { chooseEstate, currentEstate, currentSession, hasRole, setSession } from "./session";
import type { Estate, Operator, Role } from "./types";

const app = document.getElementById("app") as HTMLElement;

interface NavItem {
  hash: () => string;
  label: Key;
  roles: Role[];
}

const kAll: Role[] = ["centre_admin", "estate_staff", "auditor"];
const kEstateOperators: Role[] = ["centre_admin", "estate_staff"];

const navItems: NavItem[] = [
  {
    hash: () =>
      hasRole("estate_staff")
        ? `#/estates/${encodeURIComponent(currentEstate()?.id ?? "")}`
        : "#/estates",
    label: "nav.estates",
    roles: kAll,
  },
  { hash: () => "#/people", label: "nav.people", roles: kEstateOperators },
  { hash: () => "#/units", label: "nav.units", roles: kEstateOperators },
  { hash: () => "#/service", label: "nav.service", roles: kEstateOperators },
  { hash: () => "#/passages", label: "nav.passages", roles: kAll },
  { hash: () => "#/import", label: "nav.import", roles: kEstateOperators },
  { hash: () => "#/alerts", label: "nav.alerts", roles: kEstateOperators },
  { hash: () => "#/watched", label: "nav.watched", roles: kEstateOperators },
  { hash: () => "#/leads", label: "nav.leads", roles: kEstateOperators },
  { hash: () => "#/reports", label: "nav.reports", roles: kAll },
  { hash: () => "#/welfare-settings", label: "nav.welfare_settings", roles: kEstateOperators },
  { hash: () => "#/audit", label: "nav.audit", roles: ["centre_admin", "auditor"] },
  { hash: () => "#/receipts", label: "nav.receipts", roles: ["centre_admin", "auditor"] },
  { hash: () => "#/operators", label: "nav.operators", roles: ["centre_admin"] },
];

function defaultHash(role: Role): string {
  if (role === "auditor") return "#/audit";
  if (role === "estate_staff") return "#/people";
  return "#/estates";
}

function languageToggle(): HTMLButtonElement {
  const next = locale() === "en" ? "zh-CN" : "en";
  return h(
    "button",
    {
      type: "button",
      class: "link",
      "data-testid": "language",
      lang: next,
      on: { click: () => setLocale(next) },
    },
    next === "en" ? "English" : "中文",
  );
}

function estatePicker(estates: Estate[]): HTMLElement {
  const current = currentEstate();
  if (hasRole("estate_staff") || estates.length === 0) {
    return h(
      "span",
      { class: "estate-name", "data-testid": "estate-name" },
      current ? current.name : t("estate.none"),
    );
  }
  const picker = h(
    "select",
    {
      "aria-label": t("estate.pick"),
      "data-testid": "estate-picker",
      on: {
        change: () => {
          chooseEstate(picker.value);
          renderShell();
          void renderRoute();
        },
      },
    },
    estates.map((estate) =>
      h("option", { value: estate.id, selected: estate.id === current?.id }, estate.name),
    ),
  );
  return picker;
}

async function signOut(): Promise<void> {
  try {
    await postJson("/api/v1/auth/logout");
  } catch {
    // The session may already have ended; the sign-in form follows either way.
  }
  setSession(null);
  showLogin();
}

function renderShell(): void {
  const session = currentSession();
  if (!session) return;
  const { operator, estates } = session;
  const nav = h(
    "nav",
    { "aria-label": t("nav.label") },
    navItems
      .filter((item) => item.roles.includes(operator.role))
      .map((item) =>
        h(
          "a",
          { href: item.hash(), "data-nav": item.label },
          item.label === "nav.estates" && hasRole("estate_staff")
            ? t("nav.my_estate")
            : t(item.label),
        ),
      ),
  );
  const header = h(
    "header",
    { class: "top" },
    h(
      "a",
      { class: "brand", href: defaultHash(operator.role) },
      "menjin ",
      h("span", { lang: "zh-CN" }, "门禁"),
    ),
    estatePicker(estates),
    h("span", { class: "spacer" }),
    languageToggle(),
    h(
      "span",
      { class: "who", "data-testid": "operator" },
      operator.display_name,
      " · ",
      t(`role.${operator.role}` as Key),
    ),
    h(
      "button",
      {
        type: "button",
        class: "link",
        "data-testid": "sign-out",
        on: { click: () => void signOut() },
      },
      t("nav.sign_out"),
    ),
  );
  replace(
    app,
    header,
    h("div", { class: "layout" }, nav, h("main", { id: "page", tabindex: "-1" })),
  );
  markActiveNav();
}

function markActiveNav(): void {
  const hash = location.hash;
  for (const link of app.querySelectorAll<HTMLAnchorElement>("nav a")) {
    const target = link.getAttribute("href") ?? "";
    const active =
      hash === target || hash.startsWith(target + "/") || hash.startsWith(target + "?");
    if (active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

// Counts renders, so that a slow page that finishes after the operator moved on is dropped.
let renderSerial = 0;

async function renderRoute(): Promise<void> {
  const session = currentSession();
  const main = document.getElementById("page");
  if (!session || !main) return;
  if (!location.hash || location.hash === "#/") {
    location.replace(defaultHash(session.operator.role));
    return;
  }
  markActiveNav();
  const serial = ++renderSerial;
  const match = matchRoute(routes, location.hash);
  if (!match) {
    replace(
      main,
      h("p", { class: "banner error", "data-testid": "page-error" }, t("page.not_found")),
    );
    return;
  }
  if (!match.route.roles.includes(session.operator.role)) {
    replace(
      main,
      h("p", { class: "banner error", "data-testid": "page-error" }, t("page.not_for_role")),
    );
    return;
  }
  replace(main, h("p", { class: "loading", "aria-busy": "true" }, t("common.loading")));
  try {
    const content = await match.route.page(match.context);
    if (serial === renderSerial) replace(main, content);
  } catch (error) {
    if (serial !== renderSerial) return;
    if (error instanceof ApiError && error.status === 401) return;
    replace(
      main,
      h(
        "p",
        { class: "banner error", role: "alert", "data-testid": "page-error" },
        describeError(error),
      ),
    );
  }
}

async function enter(operator: Operator): Promise<void> {
  const { estates } = await getJson<{ estates: Estate[] }>("/api/v1/estates");
  setSession({ operator, estates });
  renderShell();
  await renderRoute();
}

function showLogin(): void {
  setSession(null);
  replace(
    app,
    loginPage(languageToggle, (operator) => enter(operator)),
  );
}

async function start(): Promise<void> {
  setUnauthenticatedHandler(() => {
    if (currentSession()) showLogin();
  });
  window.addEventListener("hashchange", () => void renderRoute());
  window.addEventListener("localechange", () => {
    if (currentSession()) {
      renderShell();
      void renderRoute();
    } else {
      showLogin();
    }
  });
  window.addEventListener("menjin:estates-changed", () => {
    void getJson<{ estates: Estate[] }>("/api/v1/estates").then(({ estates }) => {
      const session = currentSession();
      if (!session) return;
      setSession({ ...session, estates });
      renderShell();
      void renderRoute();
    });
  });
  try {
    const { operator } = await getJson<{ operator: Operator }>("/api/v1/auth/session");
    await enter(operator);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      showLogin();
    } else {
      replace(app, h("p", { class: "banner error", role: "alert" }, describeError(error)));
    }
  }
}

void start();
