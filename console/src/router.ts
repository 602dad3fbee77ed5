// Hash routes ("#/people/p1/enrol"). Hash routing keeps every console address a request for
// index.html, so the server needs no fallback route, and ids never reach the server's logs.

import type { Role } from "./types";

export interface PageContext {
  params: Record<string, string>;
  query: URLSearchParams;
}

export type Page = (context: PageContext) => Promise<Node> | Node;

export interface RouteEntry {
  pattern: string;
  page: Page;
  // Roles that may open the page; the API checks again for every record.
  roles: Role[];
}

export interface Match {
  route: RouteEntry;
  context: PageContext;
}

function segments(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "");
}

// Returns the route matching `hash` with its parameters, or null.
export function matchRoute(routes: RouteEntry[], hash: string): Match | null {
  const text = hash.replace(/^#/, "") || "/";
  const [path, search = ""] = text.split("?", 2);
  const actual = segments(path);
  for (const route of routes) {
    const pattern = segments(route.pattern);
    if (pattern.length !== actual.length) continue;
    const params: Record<string, string> = {};
    const same = pattern.every((segment, i) => {
      if (segment.startsWith(":")) {
        params[segment.slice(1)] = decodeURIComponent(actual[i]);
        return true;
      }
      return segment === actual[i];
    });
    if (same) return { route, context: { params, query: new URLSearchParams(search) } };
  }
  return null;
}

// Builds a hash link from a template, percent-encoding each interpolated value.
export function link(parts: TemplateStringsArray, ...values: (string | number)[]): string {
  let out = "#" + parts[0];
  values.forEach((value, i) => {
    out += encodeURIComponent(String(value)) + parts[i + 1];
  });
  return out;
}

export function go(hash: string): void {
  if (location.hash === hash) {
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    location.hash = hash;
  }
}
