// The signed-in operator and the estate the console is working on. Estate staff always work
// on their own estate; centre admins and auditors pick one, and the choice is remembered.

import type { Estate, Operator, Role } from "./types";

const kEstateKey = "menjin.estate";

export interface Session {
  operator: Operator;
  // The estates the operator may see (estate staff: only their own).
  estates: Estate[];
}

let session: Session | null = null;

export function currentSession(): Session | null {
  return session;
}

export function setSession(next: Session | null): void {
  session = next;
}

export function hasRole(...roles: Role[]): boolean {
  return session !== null && roles.includes(session.operator.role);
}

// Returns the estate pages work on: the staff member's own estate, else the remembered choice,
// else the first estate; null when there is none.
export function currentEstate(): Estate | null {
  if (!session) return null;
  const { operator, estates } = session;
  const preferred =
    operator.role === "estate_staff" ? operator.estate_id : localStorage.getItem(kEstateKey);
  return estates.find((estate) => estate.id === preferred) ?? estates[0] ?? null;
}

export function chooseEstate(estateId: string): void {
  localStorage.setItem(kEstateKey, estateId);
}

export function estateById(estateId: string): Estate | undefined {
  return session?.estates.find((estate) => estate.id === estateId);
}

// Returns the time zone used to show times: the current estate's, else the browser's.
export function displayTimeZone(): string {
  return currentEstate()?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}
