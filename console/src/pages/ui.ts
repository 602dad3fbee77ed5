// Building blocks shared by the pages: headings, cards, tables, key-value lists and the
// confirmation dialog.

import { h, type Child } from "../dom";
import { t, type Key } from "../i18n";

export function pageTitle(text: string, ...extra: Child[]): HTMLElement {
  return h("div", { class: "page-title" }, h("h1", null, text), ...extra);
}

export function card(title: string | null, ...children: Child[]): HTMLElement {
  return h("section", { class: "card" }, title ? h("h2", null, title) : null, ...children);
}

// A table with a header row; shows `empty` in place of the rows when there are none.
export function table(
  columns: string[],
  rows: Child[][],
  options: { testid?: string; empty?: string } = {},
): HTMLElement {
  if (rows.length === 0) {
    return h(
      "p",
      { class: "empty", "data-testid": options.testid },
      options.empty ?? t("common.none"),
    );
  }
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { "data-testid": options.testid },
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          columns.map((column) => h("th", { scope: "col" }, column)),
        ),
      ),
      h(
        "tbody",
        null,
        rows.map((row) =>
          h(
            "tr",
            null,
            row.map((cell) => h("td", null, cell)),
          ),
        ),
      ),
    ),
  );
}

export function keyValues(pairs: [string, Child][], testid?: string): HTMLElement {
  return h(
    "dl",
    { class: "key-values", "data-testid": testid },
    pairs.map(([key, value]) => [
      h("dt", null, key),
      h("dd", null, value === "" || value === null ? "—" : value),
    ]),
  );
}

const kBandKeys: Record<string, Key> = {
  grant: "band.grant",
  deny: "band.deny",
  retry: "band.retry",
};

export function bandBadge(band: string): HTMLElement {
  return h("span", { class: `badge band-${band}` }, t(kBandKeys[band] ?? "band.retry"));
}

export function yesNo(value: boolean): string {
  return value ? t("common.yes") : t("common.no");
}

// Asks for confirmation in a modal dialog; resolves true when the operator confirms.
export function confirmDialog(
  title: string,
  message: Child,
  confirmLabel: string,
): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h(
      "dialog",
      { class: "confirm", "data-testid": "confirm-dialog" },
      h("h2", null, title),
      h("div", { class: "dialog-body" }, message),
      h(
        "div",
        { class: "actions" },
        h(
          "button",
          { type: "button", value: "cancel", on: { click: () => dialog.close("cancel") } },
          t("common.cancel"),
        ),
        h(
          "button",
          {
            type: "button",
            class: "danger",
            "data-testid": "confirm",
            on: { click: () => dialog.close("confirm") },
          },
          confirmLabel,
        ),
      ),
    );
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(dialog.returnValue === "confirm");
    });
    document.body.appendChild(dialog);
    dialog.showModal();
  });
}
