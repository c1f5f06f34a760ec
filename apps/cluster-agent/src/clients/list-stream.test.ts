import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ListStreamParser } from "./list-stream";

function parseInChunks(text: string, cuts: number[]) {
  const items: unknown[] = [];
  const parser = new ListStreamParser((item) => items.push(item));
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    parser.write(text.slice(from, cut));
    from = cut;
  }
  parser.write(text.slice(from));
  return { items, fields: parser.end() };
}

const list = {
  kind: "PodList",
  apiVersion: "v1",
  metadata: { resourceVersion: "42", continue: "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ", remainingItemCount: 3 },
  items: [
    {
      metadata: { name: "a", labels: { "x/y": 'quote " brace } bracket ] \\ back' } },
      spec: { containers: [] },
    },
    { metadata: { name: "b\u00e9\u4e2d\ud83d\ude00" }, spec: { containers: [{ name: "istio-proxy" }] } },
    { metadata: { name: "c", annotations: { note: "[{,:}]" } }, status: null },
  ],
};

describe("ListStreamParser", () => {
  it("hands on each item and returns the other fields, wherever the chunks are cut", () => {
    const text = JSON.stringify(list, null, 1);
    const { items: expectedItems, ...expectedFields } = list;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 12 }), (cuts) => {
        const { items, fields } = parseInChunks(text, cuts);
        expect(items).toEqual(expectedItems);
        expect(fields).toEqual(expectedFields);
      }),
    );
    // Every single cut position, including inside escapes and multi-unit characters.
    for (let cut = 0; cut <= text.length; cut++) expect(parseInChunks(text, [cut]).items).toHaveLength(3);
  });

  it("reads fields that come after the items and an empty list", () => {
    expect(parseInChunks('{"items":[],"metadata":{"resourceVersion":"7"},"n":1,"s":"x,}"}', [])).toEqual({
      items: [],
      fields: { metadata: { resourceVersion: "7" }, n: 1, s: "x,}" },
    });
  });

  it("fails on what is not one complete list", () => {
    expect(() => parseInChunks('{"kind":"Status","items":null}', [])).toThrow();
    expect(() => parseInChunks('{"items":[{"a":1}', [])).toThrow();
    expect(() => parseInChunks('{"items":[{"a":}]}', [])).toThrow();
    expect(() => parseInChunks("", [])).toThrow();
  });
});
