// Shared set-up of the end-to-end tests and the screenshot script: a fresh data folder seeded
// with the `menjin` command line, `menjin serve` on a free port of 127.0.0.1 serving the built
// console, and Debian's Chromium driven by playwright-core.

import { spawn, spawnSync, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const menjinBinary = process.env.MENJIN_BINARY ?? join(repoRoot, "build/menjin");
export const consoleDir = process.env.MENJIN_CONSOLE_DIR ?? join(repoRoot, "console/dist");
export const facesDir = process.env.MENJIN_FACES_DIR ?? resolve(repoRoot, "../shared/faces");
// Public-domain photo shipped with the project (see tests/data); any face will do.
export const astronautPhoto = join(repoRoot, "tests/data/astronaut.jpg");
export const chromiumPath = process.env.MENJIN_CHROMIUM ?? "/usr/bin/chromium";

// Chromium flags for a closed network: without the background-networking flags Chromium keeps
// trying to reach Google's hosts, which this machine refuses.
const kChromiumFlags = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// Returns a description of what is missing to run the browser tests, or null when all is there.
export function missingPrerequisite() {
  if (!existsSync(menjinBinary)) return `no menjin binary at ${menjinBinary}: run scripts/setup.sh`;
  if (!existsSync(join(consoleDir, "index.html")))
    return `no built console in ${consoleDir}: run scripts/setup.sh`;
  if (!existsSync(chromiumPath)) return `no Chromium at ${chromiumPath}: run scripts/setup.sh`;
  if (spawnSync("sqlite3", ["-version"]).error)
    return "no sqlite3 program (Debian package sqlite3): run scripts/setup.sh";
  return null;
}

function menjin(...args) {
  return execFileSync(menjinBinary, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

// Operators of the seeded deployment: one per role. Passwords are random for each run.
export const operators = {
  admin: { id: "centre-admin", name: "Zhou Hui", role: "centre_admin" },
  staff: { id: "east-staff", name: "Chen Jing", role: "estate_staff", estate: "east" },
  auditor: { id: "auditor", name: "Lin Yue", role: "auditor" },
};

// Directory records of the seeded deployment, as `menjin GROUP add` options. All names and
// addresses are invented.
const kDirectory = [
  ["estate", { id: "east", name: "东苑 East Court" }],
  ["estate", { id: "west", name: "西苑 West Court" }],
  ["gate", { id: "east-north", estate: "east", direction: "entry" }],
  [
    "unit",
    { id: "e-3-1202", estate: "east", building: "3", number: "1202", address: "3 Example Lane" },
  ],
  ["unit", { id: "e-5-0801", estate: "east", building: "5", number: "0801" }],
  ["unit", { id: "w-2-0303", estate: "west", building: "2", number: "0303" }],
  ["person", { id: "w-resident", name: "王五月", household: "w-2-0303" }],
  // An elderly tenant and her son; seedDeployment backdates them so that she is overdue.
  ["unit", { id: "e-7-0101", estate: "east", building: "7", number: "0101" }],
  [
    "person",
    { id: "p-elder", name: "钱秀英", household: "e-7-0101", role: "tenant", "birth-year": "1941" },
  ],
  [
    "person",
    {
      id: "p-elder-son",
      name: "孙立群",
      household: "e-7-0101",
      role: "family_member",
      "birth-year": "1975",
    },
  ],
  ["company", { id: "swift", name: "Swift Parcels", "contact-name": "Dispatcher Gao" }],
];

// Days by which seedDeployment moves the elderly household's "added" time into the past.
export const kElderAddedDaysAgo = 12;

// Moves the time at which people were added `days` into the past, directly in the database of
// the stopped deployment. The welfare rule counts a resident without passages as last seen
// when they were added, so this simulates days of absence against the server's real clock.
function backdatePeople(data, personIds, days) {
  const ids = personIds.map((id) => `'${id.replace(/'/g, "''")}'`).join(", ");
  execFileSync("sqlite3", [
    join(data, "menjin.db"),
    `UPDATE people SET created_at = created_at - ${days * 86400} WHERE id IN (${ids});`,
  ]);
}

// Creates a data folder with two estates, a gate, units, a resident of the other estate, an
// elderly tenant unseen for kElderAddedDaysAgo days with her son, a service company and one
// operator per role.
export function seedDeployment() {
  const root = mkdtempSync(join(tmpdir(), "menjin-e2e-"));
  const data = join(root, "data");
  menjin("init", "--data", data);
  for (const [group, options] of kDirectory) {
    const flags = Object.entries(options).flatMap(([name, value]) => [`--${name}`, value]);
    menjin(group, "add", "--data", data, ...flags);
  }

  const passwords = {};
  for (const [key, account] of Object.entries(operators)) {
    passwords[key] = randomBytes(12).toString("base64url");
    const file = join(root, `${key}.password`);
    writeFileSync(file, passwords[key] + "\n", { mode: 0o600 });
    const args = ["operator", "add", "--data", data, "--id", account.id, "--name", account.name];
    args.push("--role", account.role, "--password-file", file);
    if (account.estate) args.push("--estate", account.estate);
    menjin(...args);
    rmSync(file);
  }
  backdatePeople(data, ["p-elder", "p-elder-son"], kElderAddedDaysAgo);
  return { root, data, passwords, remove: () => rmSync(root, { recursive: true, force: true }) };
}

// Starts `menjin serve` on a free port and resolves once it listens. The server's log goes to
// `log` (a file path) so that a failure can be read afterwards.
export async function startServer(data, log) {
  const { openSync } = await import("node:fs");
  const err = openSync(log, "a");
  const child = spawn(
    menjinBinary,
    ["serve", "--data", data, "--listen", "127.0.0.1:0", "--static", consoleDir, "--threads", "16"],
    {
      stdio: ["ignore", "pipe", err],
    },
  );
  const lines = createInterface({ input: child.stdout });
  const listening = await new Promise((resolvePort, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`menjin serve did not start within 30 s; see ${log}`)),
      30_000,
    );
    child.once("exit", (code) => reject(new Error(`menjin serve exited with ${code}; see ${log}`)));
    lines.once("line", (line) => {
      clearTimeout(timer);
      try {
        resolvePort(JSON.parse(line).listening);
      } catch (error) {
        reject(error);
      }
    });
  });
  const baseUrl = `http://${listening}`;
  const stop = () =>
    new Promise((done) => {
      if (child.exitCode !== null) return done();
      child.once("exit", () => done());
      child.kill("SIGTERM");
    });
  return { baseUrl, stop };
}

export async function launchBrowser() {
  // launch() gives every run a fresh, temporary profile (user data dir) and removes it on close.
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: kChromiumFlags });
}

// Signs in through the API and returns a bearer token, for set-up steps outside the browser.
export async function apiToken(baseUrl, operatorId, password) {
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ operator_id: operatorId, password, session: "token" }),
  });
  if (!response.ok) throw new Error(`login of ${operatorId} failed: HTTP ${response.status}`);
  return (await response.json()).token;
}

// Calls the API with a bearer token and returns {status, body}.
export async function api(baseUrl, token, method, path, json) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(json ? { "Content-Type": "application/json" } : {}),
    },
    body: json ? JSON.stringify(json) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

// Posts one camera frame (JPEG bytes) to a gate as its device and returns the decision.
export async function postFrame(baseUrl, gateId, deviceToken, jpeg) {
  const response = await fetch(`${baseUrl}/api/v1/gates/${encodeURIComponent(gateId)}/decisions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${deviceToken}`, "Content-Type": "image/jpeg" },
    body: jpeg,
  });
  if (!response.ok)
    throw new Error(`frame at gate ${gateId}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

// Posts a card number to a gate as its device and returns the decision.
export async function postCard(baseUrl, gateId, deviceToken, secret) {
  const response = await fetch(
    `${baseUrl}/api/v1/gates/${encodeURIComponent(gateId)}/credential-decisions`,
    {
      method: "POST",
      headers: { Authorization: `Bearer ${deviceToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ kind: "card", secret }),
    },
  );
  if (!response.ok) throw new Error(`card at gate ${gateId}: HTTP ${response.status}`);
  return response.json();
}

// Returns the bytes of a plain grey JPEG without a face, drawn by the browser.
export async function blankJpeg(page) {
  const dataUrl = await page.evaluate(() => {
    const canvas = document.createElement("canvas");
    canvas.width = 640;
    canvas.height = 480;
    const context = canvas.getContext("2d");
    context.fillStyle = "#8a8f96";
    context.fillRect(0, 0, canvas.width, canvas.height);
    return canvas.toDataURL("image/jpeg", 0.9);
  });
  return Buffer.from(dataUrl.split(",")[1], "base64");
}

// Signs in through the console's form.
export async function signIn(page, baseUrl, operatorId, password) {
  await page.goto(`${baseUrl}/`);
  await page.fill("[data-testid=login-form] [name=operator_id]", operatorId);
  await page.fill("[data-testid=login-form] [name=password]", password);
  await page.click("[data-testid=login-form] button[type=submit]");
  await page.waitForSelector("[data-testid=operator]");
}
