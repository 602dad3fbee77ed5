// Writes PNG screenshots of the console's main pages and the gate display to
// docs/screenshots/, from a fresh deployment with invented names and the public-domain
// tests/data/astronaut.jpg. Run from the repository root after scripts/setup.sh:
//   node tests/e2e/screenshots.mjs

import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import {
  api,
  apiToken,
  astronautPhoto,
  blankJpeg,
  launchBrowser,
  missingPrerequisite,
  operators,
  postCard,
  postFrame,
  repoRoot,
  seedDeployment,
  signIn,
  startServer,
} from "./harness.mjs";

const outDir = join(repoRoot, "docs/screenshots");
const viewport = { width: 1280, height: 800 };

const residents = [
  ["p-zhang", "张三明", "e-3-1202", "tenant"],
  ["p-zhang-2", "张小雨", "e-3-1202", "family_member"],
  ["p-liu", "刘建国", "e-5-0801", "tenant"],
  ["p-liu-2", "Maria Liu", "e-5-0801", "family_member"],
];

// The alerts inbox, the leads and the reports. The seeded elderly tenant is overdue (see
// harness.mjs); her son's card passage makes a "tenant absent, unit in use" lead once the
// centre admin lowers the estate's thresholds.
async function welfareShots(base, deployment, page, shot) {
  const adminToken = await apiToken(base, operators.admin.id, deployment.passwords.admin);
  const settings = await api(base, adminToken, "GET", "/api/v1/estates/east/welfare-settings");
  const changed = await api(base, adminToken, "PATCH", "/api/v1/estates/east/welfare-settings", {
    version: settings.body.version,
    sublet_days: 1,
    sublet_min_use_days: 1,
    sublet_min_use_passages: 1,
  });
  if (changed.status !== 200) throw new Error(`cannot change settings: HTTP ${changed.status}`);
  const token = await apiToken(base, operators.staff.id, deployment.passwords.staff);
  await api(base, token, "POST", "/api/v1/people/p-elder-son/credentials", {
    kind: "card",
    secret: "card-of-the-son",
  });
  const issued = await api(base, token, "POST", "/api/v1/gates/east-north/device-credentials");
  await postCard(base, "east-north", issued.body.token, "card-of-the-son");

  await page.goto(`${base}/#/alerts`);
  await page.click("[data-testid=evaluate]");
  await page.locator("[data-testid=alert]").first().waitFor();
  await page.fill(
    "[data-testid=acknowledge-form] [name=note]",
    "Called her son; visiting at 10:00.",
  );
  await shot("alerts.png");

  await page.goto(`${base}/#/leads`);
  await page.locator("[data-testid=lead]").first().waitFor();
  await shot("leads.png");

  // An acknowledged alert gives the report its time to acknowledge.
  const { body } = await api(base, token, "GET", "/api/v1/estates/east/alerts?status=open");
  for (const alert of body.alerts) {
    await api(base, token, "POST", `/api/v1/alerts/${alert.id}/acknowledge`, {
      version: alert.version,
      note: "Visiting today.",
    });
  }
  await page.goto(`${base}/#/reports`);
  await page.locator("[data-testid=report-alerts]").waitFor();
  await page.waitForTimeout(200);
  await shot("reports.png", { fullPage: true });
}

async function main() {
  const missing = missingPrerequisite();
  if (missing) throw new Error(missing);
  mkdirSync(outDir, { recursive: true });
  const deployment = seedDeployment();
  const server = await startServer(deployment.data, join(deployment.root, "server.log"));
  const browser = await launchBrowser();
  try {
    const base = server.baseUrl;
    const token = await apiToken(base, operators.staff.id, deployment.passwords.staff);
    for (const [id, name, household, role] of residents) {
      const created = await api(base, token, "POST", "/api/v1/people", {
        id,
        name,
        household_id: household,
        role,
      });
      if (created.status !== 201) throw new Error(`cannot add ${id}: HTTP ${created.status}`);
    }

    const context = await browser.newContext({ locale: "en-US", viewport, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const shot = async (name, options = {}) => {
      await page.waitForLoadState("networkidle");
      await page.screenshot({ path: join(outDir, name), ...options });
      console.log(`wrote docs/screenshots/${name}`);
    };

    await page.goto(`${base}/`);
    await page.locator("[data-testid=login-form]").waitFor();
    await shot("sign-in.png");

    await signIn(page, base, operators.staff.id, deployment.passwords.staff);
    await page.goto(`${base}/#/people`);
    await page.locator("[data-testid=people]").waitFor();
    await shot("people.png");

    await page.goto(`${base}/#/people/p-zhang/enrol`);
    await page.setInputFiles("[data-testid=photo-input]", astronautPhoto);
    await page.click("[data-testid=enrol-form] button[type=submit]");
    await page.locator("[data-testid=enrol-result]").waitFor();
    await shot("enrolment.png");

    await page.goto(`${base}/#/gates/east-north`);
    await page.click("[data-testid=issue-credential]");
    const deviceToken = await page.locator("[data-testid=device-token]").innerText();
    const kioskContext = await browser.newContext({
      locale: "en-US",
      viewport: { width: 1024, height: 600 },
    });
    const kiosk = await kioskContext.newPage();
    await kiosk.goto(
      `${base}/kiosk.html#gate=east-north&token=${encodeURIComponent(deviceToken)}&lang=en`,
    );
    await kiosk.waitForSelector("body[data-connected=true]");

    // A few passages of each kind for the log and the chart.
    const blank = await blankJpeg(kiosk);
    await postCard(base, "east-north", deviceToken, "unknown-card");
    await postFrame(base, "east-north", deviceToken, blank);
    await postFrame(base, "east-north", deviceToken, readFileSync(astronautPhoto));
    await kiosk.waitForSelector("body[data-state=grant]");
    await kiosk.waitForFunction(
      () => document.querySelector("[data-testid=kiosk-photo]")?.naturalWidth > 0,
    );
    await kiosk.screenshot({ path: join(outDir, "gate-display-grant.png") });
    console.log("wrote docs/screenshots/gate-display-grant.png");
    await postCard(base, "east-north", deviceToken, "another-unknown-card");
    await kiosk.waitForSelector("body[data-state=deny]");
    await kiosk.screenshot({ path: join(outDir, "gate-display-deny.png") });
    console.log("wrote docs/screenshots/gate-display-deny.png");
    await postFrame(base, "east-north", deviceToken, readFileSync(astronautPhoto));
    await kioskContext.close();

    await page.goto(`${base}/#/passages`);
    await page.locator("[data-testid=passages] tbody tr").first().waitFor();
    await page.waitForTimeout(200);
    await shot("passages.png");

    await page.goto(`${base}/#/people/p-zhang/move-out`);
    await page.check("[data-testid=move-out-check]");
    await page.click("[data-testid=move-out]");
    await page.click("[data-testid=confirm]");
    await page.locator("[data-testid=receipt]").waitFor();
    await shot("receipt.png");

    await welfareShots(base, deployment, page, shot);

    await page.click("[data-testid=language]");
    await page.goto(`${base}/#/people`);
    await page.locator("[data-testid=people]").waitFor();
    await shot("people-zh.png");
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
    deployment.remove();
  }
}

main().catch((error) => {
  console.error(`screenshots: ${error.message}`);
  process.exit(1);
});
