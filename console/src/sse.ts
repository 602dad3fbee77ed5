// Server-sent events over fetch(). EventSource cannot send an Authorization header, and the
// gate display authenticates with its device token, so it reads the stream itself and parses
// the text/event-stream format (WHATWG HTML, "Server-sent events").

export interface SseEvent {
  type: string;
  data: string;
  id: string;
}

// Incremental parser. push() takes decoded text in chunks of any size and returns the events
// that each chunk completes. Comment lines (":") and unknown fields are ignored.
export class SseParser {
  private buffer = "";
  private type = "";
  private data: string[] = [];
  private lastId = "";
  // Reconnection delay the server requested with "retry:", in milliseconds.
  retryMs: number | null = null;

  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const events: SseEvent[] = [];
    for (;;) {
      const end = this.buffer.search(/\r\n|\r|\n/);
      if (end < 0) break;
      // A lone "\r" at the end of the buffer may be the first half of "\r\n".
      if (this.buffer[end] === "\r" && end === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, end);
      const breakLength = this.buffer.startsWith("\r\n", end) ? 2 : 1;
      this.buffer = this.buffer.slice(end + breakLength);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  private line(line: string): SseEvent | null {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (name === "event") this.type = value;
    else if (name === "data") this.data.push(value);
    else if (name === "id" && !value.includes("\0")) this.lastId = value;
    else if (name === "retry" && /^\d+$/.test(value)) this.retryMs = Number(value);
    return null;
  }

  private dispatch(): SseEvent | null {
    const event =
      this.data.length > 0
        ? { type: this.type || "message", data: this.data.join("\n"), id: this.lastId }
        : null;
    this.type = "";
    this.data = [];
    return event;
  }
}

export interface StreamOptions {
  url: string;
  bearer: string;
  onEvent: (event: SseEvent) => void;
  // Called with true once the stream is open and false when it ends or fails.
  onConnection: (open: boolean, error?: unknown) => void;
  // Called for a 401 or 403, when the credential is wrong or revoked, so retrying cannot help.
  onRejected: (status: number) => void;
}

const kDefaultRetryMs = 3000;
const kMaxRetryMs = 30000;

// Reads the stream until `signal` aborts, reconnecting after the delay the server set (with
// backoff while the server cannot be reached).
export async function followEvents(options: StreamOptions, signal: AbortSignal): Promise<void> {
  let failures = 0;
  let retryMs = kDefaultRetryMs;
  while (!signal.aborted) {
    const parser = new SseParser();
    try {
      const response = await fetch(options.url, {
        headers: { Accept: "text/event-stream", Authorization: `Bearer ${options.bearer}` },
        cache: "no-store",
        signal,
      });
      if (response.status === 401 || response.status === 403) {
        options.onRejected(response.status);
        return;
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      options.onConnection(true);
      failures = 0;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const event of parser.push(value)) options.onEvent(event);
        if (parser.retryMs !== null) retryMs = parser.retryMs;
      }
      options.onConnection(false);
    } catch (error) {
      if (signal.aborted) return;
      failures++;
      options.onConnection(false, error);
    }
    const delay = Math.min(retryMs * 2 ** Math.max(failures - 1, 0), kMaxRetryMs);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
