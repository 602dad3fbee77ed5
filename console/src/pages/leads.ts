// Leads for staff to review: a tenant absent while their unit is in use, a recurring unknown
// face, or one face enrolled as two people. The inbox is per estate; centre admins can also
// list the whole city, which adds the duplicate identities that span estates. Each lead shows
// its evidence in plain words and is closed with an outcome and a note.

import { apiPath, getJson, postJson, withQuery } from "../api";
import { h, replace } from "../dom";
import { banner, showError, submitButton } from "../forms";
import { t, type Key } from "../i18n";
import { maskName } from "../mask";
import { link } from "../router";
import type { PageContext } from "../router";
import { currentEstate, hasRole } from "../session";
import { formatTime } from "../time";
import type { Lead, LeadOutcome, LeadPage } from "../types";
import { bandBadge, card, keyValues, pageTitle, table } from "./ui";
import {
  estateTimeZone,
  noteField,
  outcomeField,
  requireOutcome,
  reviewForm,
  tabs,
} from "./review";

const kOutcomes: LeadOutcome[] = ["confirmed", "no_issue", "recognition_error", "other"];

function kindLabel(lead: Lead): string {
  return t(`lead.kind.${lead.kind}` as Key);
}

function credentialText(credentials: Record<string, number> | undefined): string {
  return Object.entries(credentials ?? {})
    .map(([kind, count]) => `${kind} ${count}`)
    .join(", ");
}

// Returns the evidence of a lead as one plain sentence, with times in `timeZone`.
export function evidenceText(lead: Lead, timeZone: string): string {
  const e = lead.evidence ?? {};
  if (lead.kind === "tenant_absent_unit_in_use") {
    return t("lead.evidence.sublet", {
      tenant: e.tenant_person_id ?? lead.subject,
      days: e.tenant_absent_days ?? 0,
      seen: formatTime(e.tenant_last_seen, timeZone) || "—",
      passages: e.use_passages ?? 0,
      use_days: e.use_days ?? 0,
      people: (e.users ?? []).length,
      credentials: credentialText(e.credentials) || "—",
      first: formatTime(e.first_use, timeZone) || "—",
      last: formatTime(e.last_use, timeZone) || "—",
    });
  }
  if (lead.kind === "recurring_unknown_face") {
    return t("lead.evidence.unknown", {
      attempts: e.attempt_count ?? 0,
      days: e.distinct_days ?? 0,
      gates: (e.gates ?? []).join(", ") || "—",
      first: formatTime(e.first_at, timeZone) || "—",
      last: formatTime(e.last_at, timeZone) || "—",
    });
  }
  const [first = "", second = ""] = e.person_ids ?? lead.subject.split("|");
  return t("lead.evidence.duplicate", {
    first,
    second,
    score: (e.score ?? 0).toFixed(3),
    threshold: (e.threshold ?? 0).toFixed(3),
  });
}

function leadStatusBadge(lead: Lead): HTMLElement {
  return h("span", { class: `badge lead-${lead.status}` }, t(`lead.status.${lead.status}` as Key));
}

function closeForm(lead: Lead): HTMLElement {
  const form = h(
    "form",
    { class: "stack-form", "data-testid": "close-lead-form" },
    outcomeField(kOutcomes, "lead.outcome"),
    noteField(t("lead.close_note")),
    submitButton(t("lead.close")),
  );
  return reviewForm(form, async (values) => {
    const outcome = requireOutcome(values.outcome);
    await postJson(apiPath`/api/v1/leads/${lead.id}/close`, {
      version: lead.version,
      outcome,
      note: values.note,
    });
  });
}

function closedDetails(lead: Lead, timeZone: string): HTMLElement | null {
  if (!lead.closed_at) return null;
  const pairs: [string, string][] = [
    [
      t("lead.closed"),
      t("alert.by_at", { who: lead.closed_by ?? "", at: formatTime(lead.closed_at, timeZone) }),
    ],
  ];
  if (lead.outcome) pairs.push([t("review.outcome"), t(`lead.outcome.${lead.outcome}` as Key)]);
  if (lead.close_note) pairs.push([t("lead.close_note"), lead.close_note]);
  return keyValues(pairs, "lead-closed");
}

function leadCard(lead: Lead, withLink: boolean): HTMLElement {
  const timeZone = estateTimeZone(lead.estate_id);
  const title = withLink
    ? h("a", { href: link`/leads/${lead.id}`, "data-testid": "lead-link" }, kindLabel(lead))
    : h("span", null, kindLabel(lead));
  return h(
    "article",
    {
      class: "card review",
      "data-testid": "lead",
      "data-lead-id": String(lead.id),
      "data-kind": lead.kind,
      "data-status": lead.status,
    },
    h(
      "div",
      { class: "review-head" },
      title,
      leadStatusBadge(lead),
      h("span", { class: "muted" }, t("lead.number", { id: lead.id })),
      h("span", { class: "muted" }, lead.estate_id ?? t("lead.city_wide")),
    ),
    h(
      "p",
      { class: "review-summary", "data-testid": "lead-evidence" },
      evidenceText(lead, timeZone),
    ),
    keyValues([
      [t("lead.raised_at"), formatTime(lead.raised_at, timeZone)],
      [t("lead.updated_at"), formatTime(lead.updated_at, timeZone)],
    ]),
    closedDetails(lead, timeZone),
    lead.status === "open" ? h("div", { class: "review-forms" }, closeForm(lead)) : null,
  );
}

export async function leadsPage({ query }: PageContext): Promise<Node> {
  const estate = currentEstate();
  const city = query.get("scope") === "city" && hasRole("centre_admin");
  if (!estate && !city) return h("p", { class: "empty" }, t("estate.none"));
  const status = query.get("status") === "closed" ? "closed" : "open";
  const scopeQuery = city ? "&scope=city" : "";
  const path = city ? "/api/v1/leads" : apiPath`/api/v1/estates/${estate!.id}/leads`;
  const list = h("div", { class: "review-list", "data-testid": "leads" });
  const errors = banner();
  const older = h("button", { type: "button", "data-testid": "older" }, t("review.older"));
  let beforeId: number | null = null;
  const load = async () => {
    try {
      const page = await getJson<LeadPage>(path, {
        status,
        limit: 50,
        before_id: beforeId ?? undefined,
      });
      list.append(...page.leads.map((lead) => leadCard(lead, true)));
      beforeId = page.next_before_id;
      older.hidden = beforeId === null;
      if (list.children.length === 0)
        replace(list, h("p", { class: "empty" }, t(`lead.none.${status}` as Key)));
    } catch (error) {
      showError(error, null, errors);
    }
  };
  older.addEventListener("click", () => void load());
  await load();
  const scopeTabs = hasRole("centre_admin")
    ? tabs(
        ["estate", "city"],
        city ? "city" : "estate",
        (value) => (value === "city" ? t("lead.scope_city") : (estate?.name ?? "")),
        (value) => `#/leads?status=${status}${value === "city" ? "&scope=city" : ""}`,
        "lead-scope",
      )
    : null;
  const exportLink =
    !city && estate
      ? h(
          "a",
          {
            class: "button",
            href: withQuery(apiPath`/api/v1/estates/${estate.id}/leads/export`, { status }),
            download: "leads.csv",
            "data-testid": "export-leads",
          },
          t("lead.export"),
        )
      : null;
  return h(
    "div",
    null,
    pageTitle(
      t("nav.leads"),
      h("span", { class: "muted" }, city ? t("lead.scope_city") : estate!.name),
    ),
    h("p", { class: "hint" }, t("lead.intro")),
    scopeTabs,
    tabs(
      ["open", "closed"],
      status,
      (value) => t(`lead.status.${value}` as Key),
      (value) => `#/leads?status=${value}${scopeQuery}`,
      "lead-tabs",
    ),
    errors,
    list,
    h("div", { class: "actions" }, older, exportLink),
  );
}

export async function leadPage({ params }: PageContext): Promise<Node> {
  const lead = await getJson<Lead>(apiPath`/api/v1/leads/${params.id}`);
  const timeZone = estateTimeZone(lead.estate_id);
  const people = (lead.people ?? []).map((person) => [
    h("a", { href: link`/people/${person.id}` }, person.id),
    maskName(person.name),
    t(`person.role.${person.role}` as Key),
  ]);
  const passages = (lead.passages ?? []).map((passage) => [
    h("span", { class: "time" }, formatTime(passage.at, timeZone)),
    passage.gate_id,
    passage.person_id ?? "—",
    bandBadge(passage.band),
    passage.credential,
  ]);
  return h(
    "div",
    null,
    pageTitle(
      t("lead.title", { id: lead.id }),
      h("a", { href: `#/leads?status=${lead.status}` }, t("lead.back")),
    ),
    leadCard(lead, false),
    card(
      t("lead.people"),
      table([t("person.id"), t("watched.name"), t("person.role")], people, {
        testid: "lead-people",
      }),
    ),
    card(
      t("lead.passages"),
      table(
        [
          t("passage.at"),
          t("passage.gate"),
          t("passage.person"),
          t("passage.band"),
          t("passage.credential"),
        ],
        passages,
        { testid: "lead-passages" },
      ),
    ),
  );
}
