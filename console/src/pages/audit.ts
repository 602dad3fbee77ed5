// The audit log for auditors and centre admins: filters, paging in sequence order, and the
// check of the log's hash chain.

import { getJson } from "../api";
import { h, replace } from "../dom";
import { banner, field, input, showBanner, showError, submitButton } from "../forms";
import { t } from "../i18n";
import { go } from "../router";
import type { PageContext } from "../router";
import { displayTimeZone } from "../session";
import { formatTime } from "../time";
import type { AuditEntry, AuditPage, AuditVerification } from "../types";
import { card, pageTitle } from "./ui";

const kPageSize = 100;

function entryRow(entry: AuditEntry, timeZone: string): HTMLTableRowElement {
  return h(
    "tr",
    { class: entry.outcome === "ok" ? "" : "failed" },
    h("td", null, String(entry.seq)),
    h("td", { class: "time" }, formatTime(entry.at, timeZone)),
    h("td", null, entry.actor),
    h("td", null, entry.actor_role),
    h("td", null, h("code", null, entry.action)),
    h("td", null, entry.record_type),
    h("td", null, entry.record_id),
    h("td", null, entry.remote_address),
    h("td", null, entry.outcome),
  );
}

function verifyCard(): HTMLElement {
  const result = banner();
  const button = h(
    "button",
    {
      type: "button",
      "data-testid": "verify-audit",
      on: {
        click: async () => {
          button.disabled = true;
          try {
            const check = await getJson<AuditVerification>("/api/v1/audit/verify");
            if (check.ok) {
              showBanner(
                result,
                t("audit.chain_ok", { entries: check.entries, hash: check.head_hash.slice(0, 16) }),
                "ok",
              );
            } else {
              showBanner(
                result,
                t("audit.chain_broken", {
                  seq: check.first_bad_seq ?? "?",
                  problem: check.problem ?? "",
                }),
              );
            }
          } catch (error) {
            showError(error, null, result);
          } finally {
            button.disabled = false;
          }
        },
      },
    },
    t("audit.verify"),
  );
  return card(t("audit.chain"), h("p", { class: "hint" }, t("audit.chain_intro")), button, result);
}

export async function auditPage({ query }: PageContext): Promise<Node> {
  const timeZone = displayTimeZone();
  const errors = banner();
  const form = h(
    "form",
    { class: "inline-form", "data-testid": "audit-filters" },
    field(t("audit.actor"), input("actor", { value: query.get("actor") ?? "" })),
    field(
      t("audit.action"),
      input("action", { value: query.get("action") ?? "", placeholder: "person.read" }),
    ),
    field(t("audit.record_id"), input("record_id", { value: query.get("record_id") ?? "" })),
    submitButton(t("common.filter")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const name of ["actor", "action", "record_id"]) {
      const value = (form.elements.namedItem(name) as HTMLInputElement).value.trim();
      if (value) next.set(name, value);
    }
    go(`#/audit${next.size ? "?" + next.toString() : ""}`);
  });
  const tbody = h("tbody");
  const more = h("button", { type: "button", "data-testid": "newer" }, t("audit.more"));
  let afterSeq = 0;
  const load = async () => {
    try {
      const page = await getJson<AuditPage>("/api/v1/audit", {
        after_seq: afterSeq,
        limit: kPageSize,
        actor: query.get("actor"),
        action: query.get("action"),
        record_id: query.get("record_id"),
      });
      tbody.append(...page.entries.map((entry) => entryRow(entry, timeZone)));
      if (page.entries.length > 0) afterSeq = page.entries[page.entries.length - 1].seq;
      more.hidden = page.next_after_seq === null;
      if (tbody.children.length === 0)
        replace(tbody, h("tr", null, h("td", { colspan: "9", class: "empty" }, t("audit.none"))));
    } catch (error) {
      showError(error, form, errors);
    }
  };
  more.addEventListener("click", () => void load());
  await load();
  const columns = [
    "#",
    t("audit.at"),
    t("audit.actor"),
    t("audit.role"),
    t("audit.action"),
    t("audit.record_type"),
    t("audit.record_id"),
    t("audit.remote_address"),
    t("audit.outcome"),
  ];
  return h(
    "div",
    null,
    pageTitle(t("nav.audit")),
    verifyCard(),
    card(
      t("audit.entries"),
      form,
      errors,
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { "data-testid": "audit" },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              columns.map((c) => h("th", { scope: "col" }, c)),
            ),
          ),
          tbody,
        ),
      ),
      h("div", { class: "actions" }, more),
    ),
  );
}
