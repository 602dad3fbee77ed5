// The gate display: a full-screen page per gate, opened as
//   /kiosk.html#gate=<gate id>&token=<device token>[&lang=zh-CN|en]
// The fragment never reaches the server or its logs. The page follows the gate's decisions
// over server-sent events and shows each one for a few seconds: on grant the enrolled photo
// and the masked name, on deny and retry a message. It never shows an address or unit; the
// decision events carry neither.

import "./kiosk.css";
import { ApiError, apiPath, send } from "./api";
import { h, replace } from "./dom";
import { setLocale, t, type Locale } from "./i18n";
import { followEvents } from "./sse";
import type { Decision, Gate } from "./types";

// How long each decision stays on screen before the idle screen returns.
const kShowMs: Record<Decision["decision"], number> = { grant: 3000, deny: 5000, retry: 2500 };

const root = document.getElementById("kiosk") as HTMLElement;
const params = new URLSearchParams(location.hash.replace(/^#/, ""));
const gateId = params.get("gate") ?? "";
const token = params.get("token") ?? "";
const lang = params.get("lang");
if (lang === "en" || lang === "zh-CN") setLocale(lang as Locale, false);

let gateName = "";
let idleTimer: number | undefined;
let clockTimer: number | undefined;

function setState(state: string): void {
  document.body.dataset.state = state;
}

function clock(): HTMLElement {
  const element = h("div", { class: "clock" });
  const tick = () => {
    element.textContent = new Date().toLocaleTimeString(document.documentElement.lang, {
      hour: "2-digit",
      minute: "2-digit",
    });
  };
  tick();
  window.clearInterval(clockTimer);
  clockTimer = window.setInterval(tick, 10_000);
  return element;
}

function showIdle(): void {
  setState("idle");
  replace(
    root,
    h(
      "div",
      { class: "screen idle" },
      clock(),
      h("p", { class: "headline" }, t("kiosk.idle")),
      h("p", { class: "gate" }, gateName),
    ),
  );
}

function showMessage(state: string, message: string): void {
  setState(state);
  replace(
    root,
    h(
      "div",
      { class: `screen ${state}` },
      h("p", { class: "headline", "data-testid": "kiosk-message" }, message),
    ),
  );
}

function showGrant(decision: Decision): void {
  setState("grant");
  const photo = decision.photo_url
    ? h("img", { class: "photo", src: decision.photo_url, alt: "", "data-testid": "kiosk-photo" })
    : h("div", { class: "photo placeholder" });
  replace(
    root,
    h(
      "div",
      { class: "screen grant" },
      photo,
      h("p", { class: "name", "data-testid": "kiosk-name" }, decision.display_name ?? ""),
      h("p", { class: "headline", "data-testid": "kiosk-message" }, t("kiosk.grant")),
    ),
  );
}

function showDecision(decision: Decision): void {
  window.clearTimeout(idleTimer);
  if (decision.decision === "grant") showGrant(decision);
  else if (decision.decision === "deny") showMessage("deny", t("kiosk.deny"));
  else showMessage("retry", t("kiosk.retry"));
  idleTimer = window.setTimeout(showIdle, kShowMs[decision.decision] ?? 3000);
}

// Shows that the server rejects this display's credential (revoked, or not for this gate) and
// stops every timer, because no retry can succeed until staff open a new display link.
function showRejected(): void {
  window.clearTimeout(idleTimer);
  window.clearInterval(clockTimer);
  document.getElementById("connection")?.remove();
  document.body.dataset.connected = "false";
  showMessage("rejected", t("kiosk.rejected"));
}

function setConnected(open: boolean): void {
  document.body.dataset.connected = String(open);
  let badge = document.getElementById("connection");
  if (!badge) {
    badge = h("div", { id: "connection", role: "status" });
    document.body.appendChild(badge);
  }
  badge.textContent = open ? "" : t("kiosk.offline");
}

async function start(): Promise<void> {
  document.title = t("kiosk.title");
  if (!gateId || !token) {
    showMessage("setup", t("kiosk.setup"));
    return;
  }
  try {
    const response = await send("GET", apiPath`/api/v1/gates/${gateId}`, { bearer: token });
    const gate = (await response.json()) as Gate;
    gateName = gate.name || gate.id;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      showRejected();
      return;
    }
    gateName = gateId;
  }
  showIdle();
  setConnected(false);
  const abort = new AbortController();
  window.addEventListener("pagehide", () => abort.abort());
  await followEvents(
    {
      url: apiPath`/api/v1/gates/${gateId}/events`,
      bearer: token,
      onEvent: (event) => {
        if (event.type !== "decision") return;
        try {
          showDecision(JSON.parse(event.data) as Decision);
        } catch {
          // A malformed event is skipped; the next one is shown.
        }
      },
      onConnection: (open) => setConnected(open),
      onRejected: () => showRejected(),
    },
    abort.signal,
  );
}

void start();
