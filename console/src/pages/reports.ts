// Reports of the current estate over a window of days: passages per local day and per hour of
// the day, open alerts and leads, alert outcomes and the time staff took to acknowledge
// alerts, with CSV exports for estate operators. The report contains counts and durations
// only, so auditors may open this page too (without the exports, which name people).

import { apiPath, getJson, withQuery } from "../api";
import { h } from "../dom";
import { field, select, submitButton } from "../forms";
import { t, type Key } from "../i18n";
import { go } from "../router";
import type { PageContext } from "../router";
import { currentEstate, hasRole } from "../session";
import { apiInstant } from "../time";
import type { Band, Estate, SeriesPoint, WelfareReport } from "../types";
import { stackedBarChart, type Series } from "./chart";
import { kBandColors, kBands } from "./passages";
import { formatDuration } from "./review";
import { card, keyValues, pageTitle } from "./ui";

const kWindows = [7, 30, 90];
const kDefaultWindow = 30;

function bandSeries(points: SeriesPoint[]): Series[] {
  return kBands.map((band: Band) => ({
    label: t(`band.${band}`),
    color: kBandColors[band],
    values: points.map((point) => point[band]),
  }));
}

function passageChart(
  title: string,
  labels: string[],
  points: SeriesPoint[],
  testid: string,
): HTMLElement {
  const totals = { grant: 0, deny: 0, retry: 0 };
  for (const point of points) for (const band of kBands) totals[band] += point[band];
  return card(
    title,
    stackedBarChart(labels, bandSeries(points), {
      testid,
      total: totals.grant + totals.deny + totals.retry,
      label: t("chart.label", totals),
    }),
    h(
      "ul",
      { class: "legend" },
      kBands.map((band) =>
        h(
          "li",
          null,
          h("span", { class: "swatch", style: `background:${kBandColors[band]}` }),
          `${t(`band.${band}`)}: ${totals[band]}`,
        ),
      ),
    ),
  );
}

// Horizontal bars, one per figure, scaled to the largest; the numbers stay readable as text.
function figureBars(items: { label: string; value: number; key: string }[], testid: string) {
  const max = Math.max(1, ...items.map((item) => item.value));
  return h(
    "ul",
    { class: "figure-bars", "data-testid": testid },
    items.map((item) =>
      h(
        "li",
        { "data-figure": item.key, "data-value": String(item.value) },
        h("span", { class: "figure-label" }, item.label),
        h(
          "span",
          { class: "figure-track" },
          h("span", { class: "figure-bar", style: `width:${(item.value / max) * 100}%` }),
        ),
        h("span", { class: "figure-value" }, String(item.value)),
      ),
    ),
  );
}

function alertsCard(report: WelfareReport): HTMLElement {
  const a = report.alerts;
  const outcomes = Object.entries(a.resolved_by_outcome).map(([outcome, count]) => ({
    key: `outcome-${outcome}`,
    label: t(`alert.outcome.${outcome}` as Key),
    value: count,
  }));
  return card(
    t("report.alerts"),
    figureBars(
      [
        { key: "open", label: t("alert.status.open"), value: a.open },
        { key: "acknowledged", label: t("alert.status.acknowledged"), value: a.acknowledged },
        { key: "raised", label: t("report.raised"), value: a.raised },
        { key: "resolved", label: t("report.resolved"), value: a.resolved },
        ...outcomes,
      ],
      "report-alerts",
    ),
  );
}

function leadsCard(report: WelfareReport): HTMLElement {
  const kinds = ["tenant_absent_unit_in_use", "recurring_unknown_face", "duplicate_identity"];
  return card(
    t("report.leads"),
    figureBars(
      [
        ...kinds.map((kind) => ({
          key: kind,
          label: t(`lead.kind.${kind}` as Key),
          value: report.leads.open_by_kind[kind] ?? 0,
        })),
        { key: "raised", label: t("report.leads_raised"), value: report.leads.raised },
      ],
      "report-leads",
    ),
  );
}

function acknowledgeCard(report: WelfareReport): HTMLElement {
  const ack = report.time_to_acknowledge;
  return card(
    t("report.time_to_acknowledge"),
    keyValues(
      [
        [t("report.acknowledged_count"), String(ack.acknowledged)],
        [t("report.median"), formatDuration(ack.median_seconds)],
        [t("report.mean"), formatDuration(ack.mean_seconds)],
        [t("report.webhooks"), t("report.webhook_counts", report.webhooks)],
      ],
      "report-acknowledge",
    ),
  );
}

function exportsCard(estate: Estate, from: string): HTMLElement {
  const button = (href: string, name: string, label: Key, testid: string) =>
    h("a", { class: "button", href, download: name, "data-testid": testid }, t(label));
  return card(
    t("report.exports"),
    h(
      "div",
      { class: "actions" },
      button(
        apiPath`/api/v1/estates/${estate.id}/alerts/export`,
        "alerts.csv",
        "alert.export",
        "export-alerts",
      ),
      button(
        apiPath`/api/v1/estates/${estate.id}/leads/export`,
        "leads.csv",
        "lead.export",
        "export-leads",
      ),
      button(
        withQuery("/api/v1/passages/export", { estate_id: estate.id, from }),
        "passages.csv",
        "report.export_passages",
        "export-passages",
      ),
    ),
  );
}

function windowForm(days: number): HTMLFormElement {
  const form = h(
    "form",
    { class: "inline-form", "data-testid": "report-window" },
    field(
      t("report.window"),
      select(
        "days",
        kWindows.map((n): [string, string] => [String(n), t("report.last_days", { days: n })]),
        { value: String(days) },
      ),
    ),
    submitButton(t("common.show")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go(`#/reports?days=${(form.elements.namedItem("days") as HTMLSelectElement).value}`);
  });
  return form;
}

export async function reportsPage({ query }: PageContext): Promise<Node> {
  const estate = currentEstate();
  if (!estate) return h("p", { class: "empty" }, t("estate.none"));
  const requested = Number(query.get("days"));
  const days = kWindows.includes(requested) ? requested : kDefaultWindow;
  // The API's instants have whole seconds and a window excludes its end, so the window ends
  // at the start of the next second to include what happened in the current one.
  const to = new Date((Math.floor(Date.now() / 1000) + 1) * 1000);
  const from = apiInstant(new Date(to.getTime() - days * 86_400_000));
  const report = await getJson<WelfareReport>(
    apiPath`/api/v1/estates/${estate.id}/reports/welfare`,
    { from, to: apiInstant(to) },
  );
  const zone = report.passages.timezone;
  return h(
    "div",
    { "data-testid": "reports" },
    pageTitle(t("nav.reports"), h("span", { class: "muted" }, estate.name)),
    windowForm(days),
    h(
      "div",
      { class: "report-grid" },
      passageChart(
        t("report.per_day", { days, zone }),
        report.passages.per_day.map((point) => point.label.slice(5)),
        report.passages.per_day,
        "report-per-day",
      ),
      passageChart(
        t("report.per_hour", { days, zone }),
        report.passages.per_hour_of_day.map((point) => point.label),
        report.passages.per_hour_of_day,
        "report-per-hour",
      ),
      alertsCard(report),
      leadsCard(report),
      acknowledgeCard(report),
      hasRole("centre_admin", "estate_staff") ? exportsCard(estate, from) : null,
    ),
  );
}
