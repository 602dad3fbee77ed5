// Every console page and the roles that may open it.

import { apiPath, getJson } from "../api";
import type { PageContext, RouteEntry } from "../router";
import type { Household, Role } from "../types";
import { alertPage, alertsPage } from "./alerts";
import { auditPage } from "./audit";
import { enrolPage } from "./enrol";
import { estatePage, estatesPage, gatePage } from "./estates";
import { importPage } from "./import";
import { leadPage, leadsPage } from "./leads";
import { moveOutPage, receiptPage, receiptsPage } from "./moveout";
import { operatorsPage } from "./operators";
import { passagesPage } from "./passages";
import { peoplePage, personPage } from "./people";
import { reportsPage } from "./reports";
import { servicePage, staffPage } from "./service";
import { unitPage, unitsPage } from "./units";
import { watchedPage, welfareSettingsPage } from "./welfare";

const all: Role[] = ["centre_admin", "estate_staff", "auditor"];
const operators: Role[] = ["centre_admin", "estate_staff"];
const auditors: Role[] = ["centre_admin", "auditor"];

// A household has its own id (by default its unit's); show it on its unit's page.
async function householdPage({ params, query }: PageContext): Promise<Node> {
  const household = await getJson<Household>(apiPath`/api/v1/households/${params.id}`);
  return unitPage({ params: { id: household.unit_id }, query });
}

export const routes: RouteEntry[] = [
  { pattern: "/estates", page: estatesPage, roles: ["centre_admin", "auditor"] },
  { pattern: "/estates/:id", page: estatePage, roles: all },
  { pattern: "/gates/:id", page: gatePage, roles: all },
  { pattern: "/units", page: unitsPage, roles: operators },
  { pattern: "/units/:id", page: unitPage, roles: operators },
  { pattern: "/households/:id", page: householdPage, roles: operators },
  { pattern: "/people", page: peoplePage, roles: operators },
  { pattern: "/people/:id", page: personPage, roles: operators },
  { pattern: "/people/:id/enrol", page: enrolPage, roles: operators },
  { pattern: "/people/:id/move-out", page: moveOutPage, roles: operators },
  { pattern: "/service", page: servicePage, roles: operators },
  { pattern: "/service/staff/:id", page: staffPage, roles: operators },
  { pattern: "/passages", page: passagesPage, roles: all },
  { pattern: "/import", page: importPage, roles: operators },
  // Alerts, watched residents and leads name people, so auditors get only the reports.
  { pattern: "/alerts", page: alertsPage, roles: operators },
  { pattern: "/alerts/:id", page: alertPage, roles: operators },
  { pattern: "/watched", page: watchedPage, roles: operators },
  { pattern: "/leads", page: leadsPage, roles: operators },
  { pattern: "/leads/:id", page: leadPage, roles: operators },
  { pattern: "/welfare-settings", page: welfareSettingsPage, roles: operators },
  { pattern: "/reports", page: reportsPage, roles: all },
  { pattern: "/audit", page: auditPage, roles: auditors },
  { pattern: "/receipts", page: receiptsPage, roles: auditors },
  { pattern: "/receipts/:id", page: receiptPage, roles: auditors },
  { pattern: "/operators", page: operatorsPage, roles: ["centre_admin"] },
];
