import { describe, expect, it } from "vitest";
import { readSse, SseParser } from "./sse";

describe("SseParser", () => {
  it("parses events with names, ids and multi-line data", () => {
    const parser = new SseParser();
    const messages = parser.push('event: ready\nid: 1\ndata: {"type":"ready",\ndata: "clusterId":"c1"}\n\n');
    expect(messages).toEqual([{ event: "ready", id: "1", data: '{"type":"ready",\n"clusterId":"c1"}' }]);
  });

  it("defaults the event name to message and ignores comments and unknown fields", () => {
    const parser = new SseParser();
    expect(parser.push(": keep-alive\nretry: 1000\nfoo: bar\ndata: x\n\n")).toEqual([
      { event: "message", data: "x", id: undefined },
    ]);
  });

  it("reassembles events split at any byte and accepts CRLF and CR line ends", () => {
    const text = "data: one\r\n\r\ndata: two\r\rdata:three\n\n";
    for (let split = 0; split <= text.length; split++) {
      const parser = new SseParser();
      const messages = [...parser.push(text.slice(0, split)), ...parser.push(text.slice(split))];
      expect(
        messages.map((message) => message.data),
        `split at ${split}`,
      ).toEqual(["one", "two", "three"]);
    }
  });

  it("does not dispatch an event without data, nor a trailing event without a blank line", () => {
    const parser = new SseParser();
    expect(parser.push("event: nothing\n\ndata: unfinished\n")).toEqual([]);
  });

  it("strips exactly one leading space of a value", () => {
    expect(new SseParser().push("data:  two spaces\n\n")[0]?.data).toBe(" two spaces");
  });
});

describe("readSse", () => {
  it("reads messages from a byte stream, multi-byte characters split across chunks", async () => {
    const bytes = new TextEncoder().encode('data: {"reason":"gelöscht"}\n\ndata: b\n\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
        controller.close();
      },
    });
    const data: string[] = [];
    for await (const message of readSse(stream)) data.push(message.data);
    expect(data).toEqual(['{"reason":"gelöscht"}', "b"]);
  });
});
