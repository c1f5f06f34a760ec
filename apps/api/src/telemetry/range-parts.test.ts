import { describe, expect, it } from "vitest";
import type { Resolution } from "./columns";
import { planRangeParts, type RangePart } from "./graph-query";

const minute = 60_000;
const t0 = Date.UTC(2026, 10, 25, 6, 0); // a whole hour
const at = (minutes: number) => t0 + minutes * minute;
const allRolledUpTo = (ms: number) =>
  new Map<Resolution, number>([
    [60, ms],
    [300, ms],
    [900, ms],
    [3600, ms],
  ]);
const show = (parts: readonly RangePart[]) =>
  parts.map((p) => `${p.resolution}:${(p.start - t0) / minute}-${(p.end - t0) / minute}`);

/** Every instant of [start, end) in exactly one part, parts in order and each on its table's grid. */
function expectExactCover(parts: readonly RangePart[], start: number, end: number) {
  let cursor = start;
  for (const part of parts) {
    expect(part.start).toBe(cursor);
    expect(part.end).toBeGreaterThan(part.start);
    if (part.resolution !== 10) {
      expect(part.start % (part.resolution * 1000)).toBe(0);
      expect(part.end % (part.resolution * 1000)).toBe(0);
    }
    cursor = part.end;
  }
  expect(cursor).toBe(end);
}

describe("planRangeParts", () => {
  it("reads an hour as whole quarter hours with 5 min, 1 min and 10 s rows at its ends", () => {
    const start = at(-10);
    const end = at(51) + 5_000;
    const parts = planRangeParts({ start, end, coarsest: 3600, watermarks: allRolledUpTo(at(50)) });
    expect(show(parts)).toEqual(["300:-10-0", "900:0-45", "300:45-50", "10:50-51.083333333333336"]);
    expectExactCover(parts, start, end);
  });

  it("never reads a table past its watermark: the tail comes from finer tables", () => {
    const watermarks = new Map<Resolution, number>([
      [60, at(58)],
      [300, at(55)],
      [900, at(45)],
      [3600, at(0)],
    ]);
    const parts = planRangeParts({ start: at(-60), end: at(59) + 30_000, coarsest: 3600, watermarks });
    expect(show(parts)).toEqual(["3600:-60-0", "900:0-45", "300:45-55", "60:55-58", "10:58-59.5"]);
    expectExactCover(parts, at(-60), at(59) + 30_000);
  });

  it("without any rollup reads everything from the 10 s table", () => {
    const parts = planRangeParts({ start: at(0), end: at(60), coarsest: 3600, watermarks: new Map() });
    expect(show(parts)).toEqual(["10:0-60"]);
  });

  it("reads no table coarser than asked (a series' points)", () => {
    const parts = planRangeParts({
      start: at(0),
      end: at(60),
      coarsest: 60,
      watermarks: allRolledUpTo(at(60)),
    });
    expect(show(parts)).toEqual(["60:0-60"]);
  });

  it("covers any range exactly, whatever the watermarks", () => {
    for (let i = 0; i < 500; i++) {
      const start = t0 + Math.floor(Math.random() * 200) * 10_000;
      const end = start + 10_000 + Math.floor(Math.random() * 7200) * 1000;
      const watermark = (r: Resolution) =>
        Math.floor((start + Math.random() * (end - start)) / (r * 1000)) * r * 1000;
      const watermarks = new Map<Resolution, number>([
        [60, watermark(60)],
        [300, watermark(300)],
        [900, watermark(900)],
        [3600, watermark(3600)],
      ]);
      const parts = planRangeParts({ start, end, coarsest: 3600, watermarks });
      expectExactCover(parts, start, end);
      for (const part of parts)
        if (part.resolution !== 10)
          expect(part.end).toBeLessThanOrEqual(watermarks.get(part.resolution) ?? 0);
    }
  });
});
