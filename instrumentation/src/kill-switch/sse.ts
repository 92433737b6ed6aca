/** One server-sent event. */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/**
 * An incremental parser for the text/event-stream format: feed it chunks as they arrive;
 * it calls `onEvent` for each complete event. Comment lines (heartbeats) are skipped.
 */
export class SseParser {
  #buffer = "";
  #id: string | undefined;
  #event = "message";
  #data: string[] = [];

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  push(chunk: string): void {
    this.#buffer += chunk;
    let newline = this.#buffer.indexOf("\n");
    while (newline !== -1) {
      const line = this.#buffer.slice(0, newline).replace(/\r$/, "");
      this.#buffer = this.#buffer.slice(newline + 1);
      this.#line(line);
      newline = this.#buffer.indexOf("\n");
    }
  }

  #line(line: string): void {
    if (line === "") {
      if (this.#data.length > 0)
        this.onEvent({ id: this.#id, event: this.#event, data: this.#data.join("\n") });
      this.#event = "message";
      this.#data = [];
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "data") this.#data.push(value);
    else if (field === "event") this.#event = value;
    else if (field === "id") this.#id = value;
  }
}
