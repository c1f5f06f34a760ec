import { describe, expect, it } from "vitest";
import { ExpositionParseError, metricNameOf, parseSampleLine, readLines } from "./prom-text";

async function* chunks(...parts: Array<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === "string" ? new TextEncoder().encode(part) : part;
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of readLines(body)) lines.push(line);
  return lines;
}

describe("readLines", () => {
  it("splits lines across chunk boundaries, with \\n or \\r\\n, and keeps a last line without newline", async () => {
    expect(await collect(chunks("a 1\nb", '{x="1"} 2\r\n', "\nc 3"))).toEqual([
      "a 1",
      'b{x="1"} 2',
      "",
      "c 3",
    ]);
  });

  it("decodes a multi-byte character split between chunks", async () => {
    const bytes = new TextEncoder().encode('m{l="é"} 1\n');
    const split = bytes.indexOf(0xc3) + 1;
    expect(await collect(chunks(bytes.slice(0, split), bytes.slice(split)))).toEqual(['m{l="é"} 1']);
  });
});

describe("parseSampleLine", () => {
  it("reads name, labels, label text and value", () => {
    expect(parseSampleLine('istio_requests_total{reporter="source",response_code="200"} 42')).toEqual({
      name: "istio_requests_total",
      labelText: 'reporter="source",response_code="200"',
      labels: { reporter: "source", response_code: "200" },
      value: 42,
    });
  });

  it("skips comments and blank lines", () => {
    expect(parseSampleLine("# TYPE istio_requests_total counter")).toBeUndefined();
    expect(parseSampleLine("# HELP x y")).toBeUndefined();
    expect(parseSampleLine("")).toBeUndefined();
  });

  it("unescapes label values and allows a trailing comma and spaces", () => {
    const sample = parseSampleLine('m{a="x\\"y",b="back\\\\slash",c="new\\nline", } 1.5e3 1700000000000');
    expect(sample?.labels).toEqual({ a: 'x"y', b: "back\\slash", c: "new\nline" });
    expect(sample?.value).toBe(1500);
  });

  it("reads samples without labels and special values", () => {
    expect(parseSampleLine("up 1")).toMatchObject({ name: "up", labels: {}, labelText: "", value: 1 });
    expect(parseSampleLine('b{le="+Inf"} +Inf')?.value).toBe(Number.POSITIVE_INFINITY);
    expect(parseSampleLine("x NaN")?.value).toBeNaN();
  });

  it("rejects malformed lines", () => {
    expect(() => parseSampleLine('m{a="unterminated} 1')).toThrow(ExpositionParseError);
    expect(() => parseSampleLine("m{a=1} 1")).toThrow(ExpositionParseError);
    expect(() => parseSampleLine("m notanumber")).toThrow(ExpositionParseError);
  });

  it("metricNameOf stops at braces and spaces", () => {
    expect(metricNameOf('a_b{c="d"} 1')).toBe("a_b");
    expect(metricNameOf("a_b 1")).toBe("a_b");
    expect(metricNameOf("# x")).toBeUndefined();
  });
});
