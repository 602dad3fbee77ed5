// Time helpers. The API speaks UTC; the console shows and buckets times in the estate's time
// zone (an IANA name such as "Asia/Shanghai"), using the browser's Intl time-zone data.

export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

// Returns the wall-clock fields of `instant` in `timeZone`.
export function zonedParts(instant: Date, timeZone: string): ZonedParts {
  const out: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== "literal") out[part.type] = Number(part.value);
  }
  return {
    year: out.year,
    month: out.month,
    day: out.day,
    hour: out.hour % 24,
    minute: out.minute,
    second: out.second,
  };
}

// Returns the zone's offset from UTC at `instant`, in milliseconds.
function offsetAt(instant: number, timeZone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  const p = zonedParts(new Date(whole), timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - whole;
}

// Returns the instant at which the wall clock in `timeZone` reads the given fields. A wall time
// that a daylight-saving change skips or repeats resolves to an instant within an hour of it.
export function zonedToUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  timeZone: string,
): Date {
  const wall = Date.UTC(year, month - 1, day, hour);
  // The offset at the wall time read as UTC is off by at most one change, so a second pass
  // with the offset at the first estimate settles it.
  const first = wall - offsetAt(wall, timeZone);
  return new Date(wall - offsetAt(first, timeZone));
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

// Returns the instant as the API's UTC form, "YYYY-MM-DDTHH:MM:SSZ".
export function apiInstant(instant: Date): string {
  return instant.toISOString().replace(/\.\d{3}Z$/, "Z");
}

// Returns "YYYY-MM-DD HH:MM" in `timeZone`, or "" for a missing time.
export function formatTime(utc: string | null | undefined, timeZone: string): string {
  if (!utc) return "";
  const instant = new Date(utc);
  if (Number.isNaN(instant.getTime())) return utc;
  const p = zonedParts(instant, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

// Returns today's date in `timeZone` as "YYYY-MM-DD".
export function todayIn(timeZone: string): string {
  const p = zonedParts(new Date(), timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

export function parseDate(ymd: string): { year: number; month: number; day: number } | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!match) return null;
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

// Returns the calendar date `days` after `ymd` (negative for before).
export function addDays(ymd: string, days: number): string {
  const date = parseDate(ymd);
  if (!date) return ymd;
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}`;
}

// Returns the instant at which the date `ymd` begins in `timeZone`, in the API's UTC form,
// or undefined for an empty or invalid date.
export function startOfDay(ymd: string, timeZone: string): string | undefined {
  const date = parseDate(ymd);
  if (!date) return undefined;
  return apiInstant(zonedToUtc(date.year, date.month, date.day, 0, timeZone));
}
