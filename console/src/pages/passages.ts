// The passage log of the current estate with filters and paging, the CSV export, and a chart
// of passages per hour of a day or per day, by decision band. Auditors see only the chart,
// which is built from aggregate counts without person ids.

import { apiPath, getJson, withQuery } from "../api";
import { h, replace } from "../dom";
import { banner, field, input, select, showError, submitButton } from "../forms";
import { hasKey, t } from "../i18n";
import { go, link } from "../router";
import type { PageContext } from "../router";
import { currentEstate, hasRole } from "../session";
import { addDays, formatTime, startOfDay, todayIn } from "../time";
import type {
  Band,
  Estate,
  Gate,
  Passage,
  PassagePage,
  PassageReport,
  SeriesPoint,
} from "../types";
import { stackedBarChart, type Series } from "./chart";
import { bandBadge, card, pageTitle } from "./ui";

export const kBands: Band[] = ["grant", "deny", "retry"];
export const kBandColors: Record<Band, string> = {
  grant: "#2da44e",
  deny: "#cf222e",
  retry: "#d4a72c",
};
const kDaysInChart = 14;

// Returns the chart's window in the estate's time zone as API instants: the local day `day`,
// or the kDaysInChart local days that end with it.
function chartWindow(
  mode: "hour" | "day",
  day: string,
  timeZone: string,
): { from: string; to: string } | null {
  const first = mode === "hour" ? day : addDays(day, 1 - kDaysInChart);
  const from = startOfDay(first, timeZone);
  const to = startOfDay(addDays(day, 1), timeZone);
  return from && to ? { from, to } : null;
}

// Returns the passages of the window per local hour or day, by band, from one report request.
async function seriesPoints(
  estate: Estate,
  gateId: string,
  mode: "hour" | "day",
  day: string,
): Promise<SeriesPoint[]> {
  const window = chartWindow(mode, day, estate.timezone);
  if (!window) return [];
  const report = await getJson<PassageReport>("/api/v1/reports/passages", {
    estate_id: estate.id,
    gate_id: gateId || undefined,
    bucket: mode,
    ...window,
  });
  return report.series ?? [];
}

// Returns the label shown under a bucket: "HH" of "YYYY-MM-DDTHH:00", or "MM-DD".
function bucketLabel(mode: "hour" | "day", label: string): string {
  return mode === "hour" ? label.slice(11, 13) : label.slice(5);
}

function gateOptions(gates: Gate[]): [string, string][] {
  return [
    ["", t("passage.all_gates")],
    ...gates.map((gate): [string, string] => [gate.id, gate.name || gate.id]),
  ];
}

interface ChartSettings {
  mode: "hour" | "day";
  day: string;
  gateId: string;
}

// Returns the form that picks the chart's kind, day and gate; submitting it keeps the log's
// filters in the address.
function chartControls(
  settings: ChartSettings,
  gates: Gate[],
  query: URLSearchParams,
): HTMLFormElement {
  const modes: [string, string][] = [
    ["hour", t("chart.per_hour")],
    ["day", t("chart.per_day", { days: kDaysInChart })],
  ];
  const controls = h(
    "form",
    { class: "inline-form", "data-testid": "chart-form" },
    field(t("chart.mode"), select("chart", modes, { value: settings.mode })),
    field(t("chart.day"), input("day", { type: "date", value: settings.day })),
    field(t("passage.gate"), select("chart_gate", gateOptions(gates), { value: settings.gateId })),
    submitButton(t("common.show")),
  );
  controls.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams(query);
    for (const name of ["chart", "day", "chart_gate"]) {
      next.set(name, (controls.elements.namedItem(name) as HTMLInputElement).value);
    }
    go(`#/passages?${next.toString()}`);
  });
  return controls;
}

function chartCanvas(
  labels: string[],
  series: Series[],
  totals: Record<Band, number>,
): HTMLElement {
  return stackedBarChart(labels, series, {
    testid: "passage-chart",
    total: totals.grant + totals.deny + totals.retry,
    label: t("chart.label", { grant: totals.grant, deny: totals.deny, retry: totals.retry }),
  });
}

async function chartCard(
  estate: Estate,
  gates: Gate[],
  query: URLSearchParams,
): Promise<HTMLElement> {
  const timeZone = estate.timezone;
  const settings: ChartSettings = {
    mode: query.get("chart") === "day" ? "day" : "hour",
    day: query.get("day") || todayIn(timeZone),
    gateId: query.get("chart_gate") ?? "",
  };
  const points = await seriesPoints(estate, settings.gateId, settings.mode, settings.day);

  const series: Series[] = kBands.map((band) => ({
    label: t(`band.${band}`),
    color: kBandColors[band],
    values: points.map((point) => point[band]),
  }));
  const totals = { grant: 0, deny: 0, retry: 0 };
  kBands.forEach(
    (band, i) => (totals[band] = series[i].values.reduce((sum, value) => sum + value, 0)),
  );
  const legend = h(
    "ul",
    { class: "legend", "data-testid": "chart-totals" },
    kBands.map((band) =>
      h(
        "li",
        null,
        h("span", { class: "swatch", style: `background:${kBandColors[band]}` }),
        `${t(`band.${band}`)}: ${totals[band]}`,
      ),
    ),
  );

  const { day } = settings;
  const title =
    settings.mode === "hour"
      ? t("chart.title_hour", { day, zone: timeZone })
      : t("chart.title_day", { day, days: kDaysInChart, zone: timeZone });
  return card(
    title,
    chartControls(settings, gates, query),
    chartCanvas(
      points.map((point) => bucketLabel(settings.mode, point.label)),
      series,
      totals,
    ),
    legend,
  );
}

// Returns the text of `key` in the page's language, or `fallback` for a key the dictionary
// does not have (a code that a newer server added).
function translated(key: string, fallback: string): string {
  return hasKey(key) ? t(key) : fallback;
}

function passageRows(passages: Passage[], timeZone: string): HTMLTableRowElement[] {
  return passages.map((p) =>
    h(
      "tr",
      null,
      h("td", { class: "time" }, formatTime(p.at, timeZone)),
      h("td", null, p.gate_id),
      h("td", null, translated(`gate.direction.${p.direction}`, p.direction)),
      h(
        "td",
        null,
        p.person_id
          ? h("a", { href: link`/people/${p.person_id}` }, p.person_id)
          : p.pseudonym
            ? h("code", null, p.pseudonym.slice(0, 12))
            : "—",
      ),
      h("td", null, bandBadge(p.band)),
      h("td", { title: p.reason }, translated(`passage.reason.${p.reason}`, p.reason)),
      h("td", null, p.score ? p.score.toFixed(3) : ""),
      h("td", null, p.credential),
    ),
  );
}

// Returns the passage filters of the page's query as API query parameters.
function filters(estate: Estate, query: URLSearchParams): Record<string, string | undefined> {
  const zone = estate.timezone;
  return {
    estate_id: estate.id,
    gate_id: query.get("gate_id") || undefined,
    band: query.get("band") || undefined,
    person_id: query.get("person_id") || undefined,
    from: startOfDay(query.get("from") ?? "", zone),
    to: query.get("to") ? startOfDay(addDays(query.get("to")!, 1), zone) : undefined,
  };
}

async function logCard(
  estate: Estate,
  gates: Gate[],
  query: URLSearchParams,
): Promise<HTMLElement> {
  const errors = banner();
  const form = h(
    "form",
    { class: "inline-form", "data-testid": "passage-filters" },
    field(
      t("passage.gate"),
      select("gate_id", gateOptions(gates), { value: query.get("gate_id") ?? "" }),
    ),
    field(
      t("passage.band"),
      select(
        "band",
        [
          ["", t("passage.all_bands")],
          ...kBands.map((band): [string, string] => [band, t(`band.${band}`)]),
        ],
        {
          value: query.get("band") ?? "",
        },
      ),
    ),
    field(t("passage.person"), input("person_id", { value: query.get("person_id") ?? "" })),
    field(t("passage.from"), input("from", { type: "date", value: query.get("from") ?? "" })),
    field(t("passage.to"), input("to", { type: "date", value: query.get("to") ?? "" })),
    submitButton(t("common.filter")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const name of ["chart", "day", "chart_gate"]) {
      if (query.get(name)) next.set(name, query.get(name)!);
    }
    for (const name of ["gate_id", "band", "person_id", "from", "to"]) {
      const value = (form.elements.namedItem(name) as HTMLInputElement).value.trim();
      if (value) next.set(name, value);
    }
    go(`#/passages?${next.toString()}`);
  });
  const selected = filters(estate, query);
  const tbody = h("tbody");
  const more = h("button", { type: "button", "data-testid": "older" }, t("passage.older"));
  let beforeId: number | null = null;
  const load = async () => {
    try {
      const page = await getJson<PassagePage>("/api/v1/passages", {
        ...selected,
        limit: 50,
        before_id: beforeId ?? undefined,
      });
      tbody.append(...passageRows(page.passages, estate.timezone));
      beforeId = page.next_before_id;
      more.hidden = beforeId === null;
      if (tbody.children.length === 0)
        replace(tbody, h("tr", null, h("td", { colspan: "8", class: "empty" }, t("passage.none"))));
    } catch (error) {
      showError(error, form, errors);
    }
  };
  more.addEventListener("click", () => void load());
  await load();
  const columns = [
    t("passage.at"),
    t("passage.gate"),
    t("passage.direction"),
    t("passage.person"),
    t("passage.band"),
    t("passage.reason"),
    t("passage.score"),
    t("passage.credential"),
  ];
  const exportLink = h(
    "a",
    {
      class: "button",
      href: withQuery("/api/v1/passages/export", selected),
      download: "passages.csv",
      "data-testid": "export",
    },
    t("passage.export"),
  );
  return card(
    t("passage.log"),
    form,
    errors,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { "data-testid": "passages" },
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
    h("div", { class: "actions" }, more, exportLink),
  );
}

export async function passagesPage({ query }: PageContext): Promise<Node> {
  const estate = currentEstate();
  if (!estate) return h("p", { class: "empty" }, t("estate.none"));
  const { gates } = await getJson<{ gates: Gate[] }>(apiPath`/api/v1/estates/${estate.id}/gates`);
  const parts: Node[] = [
    pageTitle(t("nav.passages"), h("span", { class: "muted" }, estate.name)),
    await chartCard(estate, gates, query),
  ];
  if (hasRole("centre_admin", "estate_staff")) parts.push(await logCard(estate, gates, query));
  return h("div", null, parts);
}
