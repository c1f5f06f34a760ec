/**
 * A server-sent-events reader over fetch's body stream. Node 20 has no global EventSource, and
 * the `eventsource` package reconnects on its own, which would hide stream drops from the session
 * logic that must say hello again after one. Follows the WHATWG parsing rules: CR, LF or CRLF line
 * ends, `:` comments, multi-line `data`, an event dispatched on a blank line.
 */
export interface SseMessage {
  event: string;
  data: string;
  id: string | undefined;
}

export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event = "";
  private id: string | undefined;
  /** A chunk that ended in CR: a following LF belongs to the same line end. */
  private isAfterCr = false;

  /** Feeds decoded text; returns the messages it completed. */
  push(text: string): SseMessage[] {
    let input = text;
    if (this.isAfterCr && input.startsWith("\n")) input = input.slice(1);
    this.isAfterCr = false;
    this.buffer += input;
    const messages: SseMessage[] = [];
    let start = 0;
    for (let index = 0; index < this.buffer.length; index++) {
      const char = this.buffer[index];
      if (char !== "\n" && char !== "\r") continue;
      this.line(this.buffer.slice(start, index), messages);
      if (char === "\r") {
        if (index + 1 < this.buffer.length) {
          if (this.buffer[index + 1] === "\n") index++;
        } else {
          this.isAfterCr = true;
        }
      }
      start = index + 1;
    }
    this.buffer = this.buffer.slice(start);
    return messages;
  }

  private line(line: string, out: SseMessage[]): void {
    if (line === "") {
      if (this.data.length > 0) {
        out.push({
          event: this.event === "" ? "message" : this.event,
          data: this.data.join("\n"),
          id: this.id,
        });
      }
      this.data = [];
      this.event = "";
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\0")) this.id = value;
    // `retry` is ignored: reconnect timing is the session's backoff, not the server's hint.
  }
}

/** Yields each message of an SSE body until the stream ends. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    for (const message of parser.push(decoder.decode(chunk, { stream: true }))) yield message;
  }
}
