// Bulk import of residents with their photos, row by row through the API, with a progress bar.
// The CSV has the columns of `menjin import`: person_id, name, household_id, photo and
// optionally role, birth_year and phone; `photo` names one of the chosen photo files.
//
// Unlike `menjin import`, which adds and enrols a person in one transaction, the API adds the
// person first and then enrols the photo. A rejected photo therefore leaves the person without
// a face; the row's result states this, and the photo can be enrolled again from their page.

import { ApiError, apiPath, postJson, uploadFile } from "../api";
import { csvField, parseCsv, type CsvRow } from "../csv";
import { download, h, replace } from "../dom";
import { banner, describeError, field, showBanner, submitButton } from "../forms";
import { hasKey, t, type Key } from "../i18n";
import { link } from "../router";
import { currentEstate } from "../session";
import type { Enrolment } from "../types";
import { card, pageTitle } from "./ui";

type Outcome = "enrolled" | "rejected" | "skipped" | "failed";

interface RowResult {
  row: CsvRow;
  outcome: Outcome;
  detail: string;
}

const kRequiredColumns = ["person_id", "name", "household_id", "photo"];

function rejectionText(result: Enrolment): string {
  const reasons = result.reasons.map((code, i) => {
    const key = `reason.${code}`;
    return hasKey(key) ? t(key as Key) : (result.messages[i] ?? code);
  });
  return `${reasons.join(" ")} ${t("import.added_without_face")}`;
}

async function importRow(row: CsvRow, photos: Map<string, File>): Promise<RowResult> {
  const v = row.values;
  const photo = photos.get(v.photo);
  if (!photo)
    return { row, outcome: "failed", detail: t("import.photo_missing", { name: v.photo }) };
  try {
    await postJson("/api/v1/people", {
      id: v.person_id,
      name: v.name,
      household_id: v.household_id,
      role: v.role || undefined,
      birth_year: v.birth_year ? Number(v.birth_year) : undefined,
      phone: v.phone || undefined,
    });
  } catch (error) {
    if (error instanceof ApiError && error.code === "already_exists") {
      return { row, outcome: "skipped", detail: t("import.exists") };
    }
    return { row, outcome: "failed", detail: describeError(error) };
  }
  try {
    const result = await uploadFile<Enrolment>(
      apiPath`/api/v1/people/${v.person_id}/enrolment`,
      "photo",
      photo,
      photo.name,
    );
    return result.accepted
      ? { row, outcome: "enrolled", detail: "" }
      : { row, outcome: "rejected", detail: rejectionText(result) };
  } catch (error) {
    return {
      row,
      outcome: "failed",
      detail: `${describeError(error)} ${t("import.added_without_face")}`,
    };
  }
}

function reportCsv(results: RowResult[]): Blob {
  const lines = ["line,person_id,status,reason"];
  for (const r of results)
    lines.push(
      [r.row.line, csvField(r.row.values.person_id), r.outcome, csvField(r.detail)].join(","),
    );
  return new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv" });
}

function resultRow(result: RowResult): HTMLTableRowElement {
  const id = result.row.values.person_id;
  const added = result.outcome === "enrolled" || result.outcome === "rejected";
  return h(
    "tr",
    { class: `outcome-${result.outcome}` },
    h("td", null, String(result.row.line)),
    h("td", null, added ? h("a", { href: link`/people/${id}` }, id) : id),
    h("td", null, t(`import.outcome.${result.outcome}`)),
    h("td", null, result.detail),
  );
}

// The progress bar, its text and the table of results of one import run.
class ImportView {
  readonly progress = h("progress", { max: "1", value: "0", "data-testid": "import-progress" });
  readonly text = h("span", { class: "progress-text", "data-testid": "import-progress-text" });
  readonly row = h("div", { class: "progress-row", hidden: true }, this.progress, this.text);
  readonly results = h("div", { "aria-live": "polite" });
  private tbody = h("tbody");

  start(total: number): void {
    this.row.hidden = false;
    this.progress.max = Math.max(total, 1);
    this.progress.value = 0;
    this.tbody = h("tbody");
    const columns = [t("import.line"), t("person.id"), t("import.status"), t("import.detail")];
    const head = h(
      "thead",
      null,
      h(
        "tr",
        null,
        columns.map((c) => h("th", { scope: "col" }, c)),
      ),
    );
    replace(
      this.results,
      h(
        "div",
        { class: "table-wrap" },
        h("table", { "data-testid": "import-results" }, head, this.tbody),
      ),
    );
  }

  add(result: RowResult, done: number): void {
    this.progress.value = done;
    this.tbody.append(resultRow(result));
  }

  finish(results: RowResult[], total: number, stopped: boolean): void {
    const count = (outcome: Outcome) => results.filter((r) => r.outcome === outcome).length;
    this.text.textContent = t(stopped ? "import.stopped" : "import.finished", {
      done: results.length,
      total,
      enrolled: count("enrolled"),
      rejected: count("rejected"),
      skipped: count("skipped"),
      failed: count("failed"),
    });
    const save = () => download(reportCsv(results), "import-report.csv");
    this.results.append(
      h(
        "button",
        { type: "button", "data-testid": "import-report", on: { click: save } },
        t("import.save_report"),
      ),
    );
  }
}

// Imports the rows one after another until done or until `stopRequested` returns true.
async function runImport(
  rows: CsvRow[],
  photos: Map<string, File>,
  view: ImportView,
  stopRequested: () => boolean,
): Promise<void> {
  view.start(rows.length);
  const results: RowResult[] = [];
  for (const row of rows) {
    if (stopRequested()) break;
    view.text.textContent = t("import.progress", { done: results.length, total: rows.length });
    results.push(await importRow(row, photos));
    view.add(results[results.length - 1], results.length);
  }
  view.finish(results, rows.length, results.length < rows.length);
}

// Returns the rows of the chosen CSV file, or shows why it cannot be used and returns null.
async function readRows(csvInput: HTMLInputElement, errors: HTMLElement): Promise<CsvRow[] | null> {
  const csvFile = csvInput.files?.[0];
  if (!csvFile) {
    showBanner(errors, t("import.choose_csv"));
    return null;
  }
  try {
    return parseCsv(await csvFile.text(), kRequiredColumns);
  } catch (error) {
    showBanner(
      errors,
      t("import.bad_csv", { detail: error instanceof Error ? error.message : String(error) }),
    );
    return null;
  }
}

export function importPage(): Node {
  const estate = currentEstate();
  const errors = banner();
  const csvInput = h("input", {
    type: "file",
    name: "csv",
    accept: ".csv,text/csv",
    "data-testid": "import-csv",
  });
  const photosInput = h("input", {
    type: "file",
    name: "photos",
    accept: "image/*",
    multiple: true,
    "data-testid": "import-photos",
  });
  const cancel = h(
    "button",
    { type: "button", hidden: true, "data-testid": "import-cancel" },
    t("import.stop"),
  );
  const submit = submitButton(t("import.start"));
  const view = new ImportView();
  const form = h(
    "form",
    { class: "grid-form", "data-testid": "import-form" },
    field(t("import.csv"), csvInput, t("import.csv_hint")),
    field(t("import.photos"), photosInput, t("import.photos_hint")),
    h("div", { class: "actions" }, submit, cancel),
    errors,
  );

  let stopRequested = false;
  cancel.addEventListener("click", () => {
    stopRequested = true;
    cancel.disabled = true;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.hidden = true;
    const rows = await readRows(csvInput, errors);
    if (!rows) return;
    const photos = new Map([...(photosInput.files ?? [])].map((file) => [file.name, file]));
    submit.disabled = true;
    stopRequested = false;
    cancel.hidden = false;
    cancel.disabled = false;
    await runImport(rows, photos, view, () => stopRequested);
    submit.disabled = false;
    cancel.hidden = true;
  });

  const example = "person_id,name,household_id,photo,role\np101,张三明,u1,p101.jpg,tenant";
  return h(
    "div",
    null,
    pageTitle(t("nav.import"), estate ? h("span", { class: "muted" }, estate.name) : null),
    card(
      null,
      h("p", { class: "hint" }, t("import.intro")),
      h("pre", { class: "example" }, example),
      form,
    ),
    card(t("import.progress_title"), view.row, view.results),
  );
}
