// Parts shared by the alerts and leads inboxes: status tabs, the note and outcome controls, a
// form whose version conflict is shown next to it with a reload button, and the masked name of
// the person a record names.

import { ApiError } from "../api";
import { h } from "../dom";
import { banner, describeError, field, onSubmit, select, showBanner } from "../forms";
import { t, type Key } from "../i18n";
import { maskName } from "../mask";
import { go } from "../router";
import { displayTimeZone, estateById } from "../session";
import type { PersonSummary } from "../types";

// The server accepts notes of at most this many bytes (UTF-8).
const kMaxNoteBytes = 2000;

// Returns the time zone in which an estate's records are shown.
export function estateTimeZone(estateId: string | null): string {
  return (estateId && estateById(estateId)?.timezone) || displayTimeZone();
}

// Returns tab links over `values`, marking `current`; each link is `hashFor(value)`.
export function tabs(
  values: string[],
  current: string,
  label: (value: string) => string,
  hashFor: (value: string) => string,
  testid: string,
): HTMLElement {
  return h(
    "div",
    { class: "tabs", role: "navigation", "aria-label": t("review.tabs"), "data-testid": testid },
    values.map((value) =>
      h(
        "a",
        {
          href: hashFor(value),
          "data-tab": value,
          "aria-current": value === current ? "page" : undefined,
        },
        label(value),
      ),
    ),
  );
}

export function noteField(label: string): HTMLElement {
  return field(
    label,
    h("textarea", { name: "note", rows: "2", maxlength: String(kMaxNoteBytes) }),
    t("review.note_hint"),
  );
}

export function outcomeField(outcomes: string[], keyPrefix: string): HTMLElement {
  return field(
    t("review.outcome"),
    select("outcome", [
      ["", t("review.choose_outcome")],
      ...outcomes.map((outcome): [string, string] => [
        outcome,
        t(`${keyPrefix}.${outcome}` as Key),
      ]),
    ]),
  );
}

// Throws the error the server would return for a missing outcome, so that it shows next to
// the select before any request is sent.
export function requireOutcome(value: string | string[] | undefined): string {
  if (typeof value === "string" && value !== "") return value;
  throw new ApiError(400, "invalid_argument", t("review.outcome_missing"), "outcome");
}

// Wires `form` to `action`. API errors naming a field show next to that field, and others in
// the banner right below the form. A version conflict (someone else changed the record since
// the page loaded) adds a button that reloads the page. On success the page reloads.
export function reviewForm(
  form: HTMLFormElement,
  action: (values: Record<string, string | string[]>) => Promise<void>,
): HTMLElement {
  const errors = banner();
  onSubmit(form, errors, async (values) => {
    try {
      await action(values);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 409)) throw error;
      const reload = h(
        "button",
        { type: "button", class: "small", on: { click: () => go(location.hash) } },
        t("review.reload"),
      );
      showBanner(errors, [
        h("strong", null, t("review.conflict")),
        " ",
        describeError(error),
        " ",
        reload,
      ]);
      errors.dataset.code = error.code;
      return;
    }
    go(location.hash);
  });
  return h("div", { class: "review-form" }, form, errors);
}

// Returns the masked name of the person a record names, or their id when the record is gone
// (after a move-out only a pseudonym remains).
export function maskedPerson(person: PersonSummary | null | undefined, id: string): string {
  return person ? maskName(person.name) : id;
}

// Returns a duration in seconds as "2 h 5 min", "3 d 4 h" or "45 s".
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "—";
  const whole = Math.max(0, Math.round(seconds));
  const days = Math.floor(whole / 86400);
  const hours = Math.floor((whole % 86400) / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  if (days > 0) return t("duration.days_hours", { days, hours });
  if (hours > 0) return t("duration.hours_minutes", { hours, minutes });
  if (minutes > 0) return t("duration.minutes", { minutes });
  return t("duration.seconds", { seconds: whole });
}
