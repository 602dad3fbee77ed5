// The one client of the menjin HTTP API. The console authenticates with the HttpOnly session
// cookie that POST /api/v1/auth/login sets, so no secret is kept in script memory. The gate
// display passes its device credential as a bearer token.

import { t } from "./i18n";

// An error body of the API, {"error": {"code", "message", "field"}}, or a failure to reach it
// (code "network", status 0).
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

type Query = Record<string, string | number | undefined | null>;

export interface RequestOptions {
  query?: Query;
  json?: unknown;
  body?: BodyInit;
  bearer?: string;
  signal?: AbortSignal;
}

// Called when a console request comes back 401, so the page can return to the sign-in form.
let onUnauthenticated: (() => void) | null = null;

export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

// Builds an API path from a template, percent-encoding each interpolated value, e.g.
// apiPath`/api/v1/people/${id}`.
export function apiPath(parts: TemplateStringsArray, ...values: (string | number)[]): string {
  let out = parts[0];
  values.forEach((value, i) => {
    out += encodeURIComponent(String(value)) + parts[i + 1];
  });
  return out;
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function errorFrom(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as {
      error?: { code?: string; message?: string; field?: string | null };
    };
    if (body.error) {
      return new ApiError(
        response.status,
        body.error.code ?? "unknown",
        body.error.message ?? response.statusText,
        body.error.field ?? null,
      );
    }
  } catch {
    // Not a JSON error body, e.g. from a proxy in front of the server.
  }
  return new ApiError(response.status, "http_" + response.status, response.statusText, null);
}

// Sends one request and returns the response once its status is 2xx; raises ApiError
// otherwise.
export async function send(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  let body = options.body;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.json);
  }
  if (options.bearer) headers["Authorization"] = `Bearer ${options.bearer}`;
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      body,
      credentials: "same-origin",
      cache: "no-store",
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "network", t("error.network"), null);
  }
  if (response.ok) return response;
  const error = await errorFrom(response);
  if (
    error.status === 401 &&
    !options.bearer &&
    onUnauthenticated &&
    !path.endsWith("/auth/login")
  ) {
    onUnauthenticated();
  }
  throw error;
}

export async function getJson<T>(path: string, query?: Query): Promise<T> {
  return (await send("GET", path, { query })).json() as Promise<T>;
}

export async function postJson<T>(path: string, json: unknown = {}): Promise<T> {
  return (await send("POST", path, { json })).json() as Promise<T>;
}

export async function patchJson<T>(path: string, json: unknown): Promise<T> {
  return (await send("PATCH", path, { json })).json() as Promise<T>;
}

export async function deleteJson<T>(path: string): Promise<T> {
  return (await send("DELETE", path)).json() as Promise<T>;
}

// Uploads one file as the multipart part `part` and returns the JSON reply.
export async function uploadFile<T>(
  path: string,
  part: string,
  file: Blob,
  name: string,
): Promise<T> {
  const form = new FormData();
  form.append(part, file, name);
  return (await send("POST", path, { body: form })).json() as Promise<T>;
}
