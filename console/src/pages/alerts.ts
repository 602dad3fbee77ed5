// Welfare alerts of the current estate: the inbox with open, acknowledged and resolved tabs,
// one alert with its evidence and latest passages, acknowledging with a note and resolving with
// an outcome and a note. Names are masked and no unit or address is shown; the person's own
// page (audited) has the details a visit needs.

import { apiPath, getJson, postJson, withQuery } from "../api";
import { h, replace } from "../dom";
import { banner, showBanner, showError, submitButton } from "../forms";
import { t, type Key } from "../i18n";
import { go, link } from "../router";
import type { PageContext } from "../router";
import { currentEstate } from "../session";
import { formatTime } from "../time";
import type {
  AlertOutcome,
  AlertPage,
  AlertStatus,
  Estate,
  WelfareAlert,
  WelfareEvaluationResult,
} from "../types";
import { bandBadge, card, keyValues, pageTitle, table } from "./ui";
import {
  estateTimeZone,
  maskedPerson,
  noteField,
  outcomeField,
  requireOutcome,
  reviewForm,
  tabs,
} from "./review";

const kStatuses: AlertStatus[] = ["open", "acknowledged", "resolved"];
const kOutcomes: AlertOutcome[] = ["visited_well", "in_hospital", "away_with_family", "other"];

export function alertStatusBadge(status: AlertStatus): HTMLElement {
  return h("span", { class: `badge alert-${status}` }, t(`alert.status.${status}` as Key));
}

// The evidence of an alert in the estate's local time.
function evidence(alert: WelfareAlert, timeZone: string): HTMLElement {
  const pairs: [string, string][] = [
    [t("alert.days_required"), String(alert.days_required)],
    [t("alert.days_since_seen"), String(alert.days_since_seen)],
    [
      alert.last_passage_id === null ? t("alert.added_at") : t("alert.last_seen_at"),
      formatTime(alert.last_seen_at, timeZone),
    ],
    [t("alert.raised_at"), formatTime(alert.raised_at, timeZone)],
  ];
  if (alert.seen_again_at)
    pairs.push([t("alert.seen_again_at"), formatTime(alert.seen_again_at, timeZone)]);
  return keyValues(pairs, "alert-evidence");
}

// Returns who acknowledged and resolved the alert, when, and their notes; null before either.
function history(alert: WelfareAlert, timeZone: string): HTMLElement | null {
  const pairs: [string, string][] = [];
  if (alert.acknowledged_at) {
    pairs.push([
      t("alert.acknowledged"),
      t("alert.by_at", {
        who: alert.acknowledged_by ?? "",
        at: formatTime(alert.acknowledged_at, timeZone),
      }),
    ]);
    if (alert.acknowledge_note) pairs.push([t("alert.acknowledge_note"), alert.acknowledge_note]);
  }
  if (alert.resolved_at) {
    pairs.push([
      t("alert.resolved"),
      t("alert.by_at", {
        who: alert.resolved_by ?? "",
        at: formatTime(alert.resolved_at, timeZone),
      }),
    ]);
    if (alert.outcome)
      pairs.push([t("review.outcome"), t(`alert.outcome.${alert.outcome}` as Key)]);
    if (alert.resolve_note) pairs.push([t("alert.resolve_note"), alert.resolve_note]);
  }
  return pairs.length > 0 ? keyValues(pairs, "alert-history") : null;
}

function acknowledgeForm(alert: WelfareAlert): HTMLElement {
  const form = h(
    "form",
    { class: "stack-form", "data-testid": "acknowledge-form" },
    noteField(t("alert.acknowledge_note")),
    submitButton(t("alert.acknowledge")),
  );
  return reviewForm(form, async (values) => {
    await postJson(apiPath`/api/v1/alerts/${alert.id}/acknowledge`, {
      version: alert.version,
      note: values.note,
    });
  });
}

function resolveForm(alert: WelfareAlert): HTMLElement {
  const form = h(
    "form",
    { class: "stack-form", "data-testid": "resolve-form" },
    outcomeField(kOutcomes, "alert.outcome"),
    noteField(t("alert.resolve_note")),
    submitButton(t("alert.resolve")),
  );
  return reviewForm(form, async (values) => {
    const outcome = requireOutcome(values.outcome);
    await postJson(apiPath`/api/v1/alerts/${alert.id}/resolve`, {
      version: alert.version,
      outcome,
      note: values.note,
    });
  });
}

// One alert as a card: who (masked), the evidence, the history and the forms its status allows.
function alertCard(alert: WelfareAlert, withLink: boolean): HTMLElement {
  const timeZone = estateTimeZone(alert.estate_id);
  const name = maskedPerson(alert.person, alert.person_id);
  const heading = h(
    "div",
    { class: "review-head" },
    withLink
      ? h("a", { href: link`/alerts/${alert.id}`, "data-testid": "alert-link" }, name)
      : h("span", { "data-testid": "alert-name" }, name),
    alertStatusBadge(alert.status),
    h("span", { class: "muted" }, t("alert.number", { id: alert.id })),
  );
  const forms = h(
    "div",
    { class: "review-forms" },
    alert.status === "open" ? acknowledgeForm(alert) : null,
    alert.status !== "resolved" ? resolveForm(alert) : null,
  );
  return h(
    "article",
    {
      class: "card review",
      "data-testid": "alert",
      "data-alert-id": String(alert.id),
      "data-status": alert.status,
    },
    heading,
    h(
      "p",
      { class: "review-summary" },
      t("alert.summary", { days: alert.days_since_seen, required: alert.days_required }),
    ),
    evidence(alert, timeZone),
    history(alert, timeZone),
    forms,
  );
}

// Result text of the last "Evaluate now", shown once on the inbox that the button reloads.
let evaluationNotice: string | null = null;

// Runs an evaluation of the estate now, then reloads the inbox with what it found.
function evaluateButton(estate: Estate): HTMLElement {
  const result = h("div", { class: "banner ok", hidden: true, "data-testid": "evaluate-result" });
  if (evaluationNotice) showBanner(result, evaluationNotice, "ok");
  evaluationNotice = null;
  const button = h(
    "button",
    {
      type: "button",
      "data-testid": "evaluate",
      on: {
        click: async () => {
          button.disabled = true;
          try {
            const evaluation = await postJson<WelfareEvaluationResult>(
              apiPath`/api/v1/estates/${estate.id}/welfare-evaluations`,
            );
            evaluationNotice = t("alert.evaluated", {
              watched: evaluation.alerts.watched,
              absent: evaluation.alerts.absent,
              raised: evaluation.alerts.raised.length,
              leads: evaluation.leads.raised.length,
            });
            go(location.hash);
          } catch (error) {
            showError(error, null, result);
          } finally {
            button.disabled = false;
          }
        },
      },
    },
    t("alert.evaluate"),
  );
  return h("div", { class: "actions" }, button, result);
}

export async function alertsPage({ query }: PageContext): Promise<Node> {
  const estate = currentEstate();
  if (!estate) return h("p", { class: "empty" }, t("estate.none"));
  const status = (kStatuses as string[]).includes(query.get("status") ?? "")
    ? (query.get("status") as AlertStatus)
    : "open";
  const list = h("div", { class: "review-list", "data-testid": "alerts" });
  const errors = banner();
  const older = h("button", { type: "button", "data-testid": "older" }, t("review.older"));
  let beforeId: number | null = null;
  const load = async () => {
    try {
      const page = await getJson<AlertPage>(apiPath`/api/v1/estates/${estate.id}/alerts`, {
        status,
        limit: 50,
        before_id: beforeId ?? undefined,
      });
      list.append(...page.alerts.map((alert) => alertCard(alert, true)));
      beforeId = page.next_before_id;
      older.hidden = beforeId === null;
      if (list.children.length === 0)
        replace(list, h("p", { class: "empty" }, t(`alert.none.${status}` as Key)));
    } catch (error) {
      showError(error, null, errors);
    }
  };
  older.addEventListener("click", () => void load());
  await load();
  const exportLink = h(
    "a",
    {
      class: "button",
      href: withQuery(apiPath`/api/v1/estates/${estate.id}/alerts/export`, { status }),
      download: "alerts.csv",
      "data-testid": "export-alerts",
    },
    t("alert.export"),
  );
  return h(
    "div",
    null,
    pageTitle(t("nav.alerts"), h("span", { class: "muted" }, estate.name)),
    h("p", { class: "hint" }, t("alert.intro", { days: estate.welfare_days })),
    evaluateButton(estate),
    tabs(
      kStatuses,
      status,
      (value) => t(`alert.status.${value}` as Key),
      (value) => `#/alerts?status=${value}`,
      "alert-tabs",
    ),
    errors,
    list,
    h("div", { class: "actions" }, older, exportLink),
  );
}

export async function alertPage({ params }: PageContext): Promise<Node> {
  const alert = await getJson<WelfareAlert>(apiPath`/api/v1/alerts/${params.id}`);
  const timeZone = estateTimeZone(alert.estate_id);
  const rows = (alert.recent_passages ?? []).map((passage) => [
    h("span", { class: "time" }, formatTime(passage.at, timeZone)),
    passage.gate_id,
    bandBadge(passage.band),
    passage.credential,
  ]);
  return h(
    "div",
    null,
    pageTitle(
      t("alert.title", { id: alert.id }),
      h("a", { href: `#/alerts?status=${alert.status}` }, t("alert.back")),
    ),
    alertCard(alert, false),
    card(
      t("alert.recent_passages"),
      alert.person
        ? h("p", null, h("a", { href: link`/people/${alert.person_id}` }, t("alert.person_page")))
        : null,
      table(
        [t("passage.at"), t("passage.gate"), t("passage.band"), t("passage.credential")],
        rows,
        {
          testid: "alert-passages",
          empty: t("alert.no_passages"),
        },
      ),
    ),
  );
}
