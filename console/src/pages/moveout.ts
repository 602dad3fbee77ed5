// Move-out with a confirmation step, and deletion receipts: shown after a move-out, listed for
// auditors, printable and downloadable as JSON.

import { apiPath, getJson, postJson } from "../api";
import { download, h, replace } from "../dom";
import { banner, showError } from "../forms";
import { t } from "../i18n";
import { link } from "../router";
import type { PageContext } from "../router";
import { displayTimeZone } from "../session";
import { formatTime } from "../time";
import type { PersonDetail, Receipt } from "../types";
import { card, confirmDialog, keyValues, pageTitle, table, yesNo } from "./ui";

export function receiptPanel(receipt: Receipt): HTMLElement {
  const timeZone = displayTimeZone();
  const save = () => {
    const text = JSON.stringify(receipt, null, 2) + "\n";
    download(new Blob([text], { type: "application/json" }), `menjin-receipt-${receipt.id}.json`);
  };
  return h(
    "section",
    { class: "card receipt", "data-testid": "receipt" },
    h("h2", null, t("receipt.title")),
    h("p", { class: "hint" }, t("receipt.intro")),
    keyValues(
      [
        [t("receipt.id"), h("code", { "data-testid": "receipt-id" }, receipt.id)],
        [t("receipt.at"), `${formatTime(receipt.at, timeZone)} (${timeZone})`],
        [t("receipt.operator"), receipt.operator_id],
        [t("receipt.pseudonym"), h("code", null, receipt.person_pseudonym)],
        [t("receipt.person_record_deleted"), yesNo(receipt.person_record_deleted)],
        [t("receipt.staff_record_deleted"), yesNo(receipt.staff_record_deleted)],
        [
          t("receipt.templates_deleted"),
          h("span", { "data-testid": "templates-deleted" }, String(receipt.templates_deleted)),
        ],
        [t("receipt.thumbnails_deleted"), String(receipt.thumbnails_deleted)],
        [t("receipt.gallery_entries_deleted"), String(receipt.gallery_entries_deleted)],
        [t("receipt.grants_deleted"), String(receipt.grants_deleted)],
        [t("receipt.credentials_deleted"), String(receipt.credentials_deleted)],
        [t("receipt.passages_pseudonymised"), String(receipt.passages_pseudonymised)],
      ],
      "receipt-fields",
    ),
    h(
      "div",
      { class: "actions no-print" },
      h(
        "button",
        { type: "button", "data-testid": "print-receipt", on: { click: () => window.print() } },
        t("receipt.print"),
      ),
      h(
        "button",
        { type: "button", "data-testid": "save-receipt", on: { click: save } },
        t("receipt.save"),
      ),
    ),
  );
}

export async function moveOutPage({ params }: PageContext): Promise<Node> {
  const person = await getJson<PersonDetail>(apiPath`/api/v1/people/${params.id}`);
  const errors = banner();
  const outcome = h("div", { "aria-live": "polite" });
  const checkbox = h("input", { type: "checkbox", "data-testid": "move-out-check" });
  const start = h(
    "button",
    { type: "button", class: "danger", disabled: true, "data-testid": "move-out" },
    t("moveout.start"),
  );
  checkbox.addEventListener("change", () => (start.disabled = !checkbox.checked));
  start.addEventListener("click", async () => {
    errors.hidden = true;
    const confirmed = await confirmDialog(
      t("moveout.confirm_title"),
      h("p", null, t("moveout.confirm_text", { name: person.name, id: person.id })),
      t("moveout.confirm"),
    );
    if (!confirmed) return;
    start.disabled = true;
    try {
      const { receipt } = await postJson<{ receipt: Receipt }>(
        apiPath`/api/v1/people/${person.id}/move-out`,
      );
      replace(
        outcome,
        h("p", { class: "banner ok", role: "status" }, t("moveout.done", { name: person.name })),
        receiptPanel(receipt),
      );
      steps.remove();
    } catch (error) {
      start.disabled = !checkbox.checked;
      showError(error, null, errors);
    }
  });
  const steps = card(
    null,
    h("p", null, t("moveout.intro", { name: person.name, id: person.id })),
    h(
      "ul",
      null,
      h("li", null, t("moveout.erases_personal")),
      h("li", null, t("moveout.erases_face", { count: person.face_templates })),
      h("li", null, t("moveout.erases_grants")),
      h("li", null, t("moveout.pseudonymises")),
    ),
    h("label", { class: "check" }, checkbox, t("moveout.check", { name: person.name })),
    h(
      "div",
      { class: "actions" },
      start,
      h("a", { class: "button", href: link`/people/${person.id}` }, t("common.cancel")),
    ),
    errors,
  );
  return h(
    "div",
    null,
    pageTitle(t("moveout.title"), h("span", { class: "muted" }, `${person.name} · ${person.id}`)),
    steps,
    outcome,
  );
}

export async function receiptsPage(): Promise<Node> {
  const { receipts } = await getJson<{ receipts: Receipt[] }>("/api/v1/receipts", { limit: 200 });
  const timeZone = displayTimeZone();
  const rows = receipts.map((receipt) => [
    h("a", { href: link`/receipts/${receipt.id}` }, receipt.id),
    formatTime(receipt.at, timeZone),
    receipt.operator_id,
    h("code", null, receipt.person_pseudonym),
    String(receipt.templates_deleted),
  ]);
  return h(
    "div",
    null,
    pageTitle(t("nav.receipts")),
    card(
      null,
      table(
        [
          t("receipt.id"),
          t("receipt.at"),
          t("receipt.operator"),
          t("receipt.pseudonym"),
          t("receipt.templates_deleted"),
        ],
        rows,
        {
          testid: "receipts",
        },
      ),
    ),
  );
}

export async function receiptPage({ params }: PageContext): Promise<Node> {
  const receipt = await getJson<Receipt>(apiPath`/api/v1/receipts/${params.id}`);
  return h("div", null, pageTitle(t("receipt.title")), receiptPanel(receipt));
}
