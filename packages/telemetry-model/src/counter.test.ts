import { describe, expect, it } from "vitest";
import {
  counterDelta,
  counterIncrease,
  counterResets,
  extrapolatedIncrease,
  extrapolatedRate,
} from "./counter";

describe("counter deltas", () => {
  it("treats a drop as a reset from 0", () => {
    expect(counterDelta(10, 15)).toBe(5);
    expect(counterDelta(10, 3)).toBe(3);
    expect(counterIncrease([0, 10, 20, 5, 15])).toBe(35);
    expect(counterResets([0, 10, 20, 5, 15, 1])).toBe(2);
  });

  it("extrapolates like Prometheus' increase()/rate()", () => {
    // Hand-computed with promql/functions.go extrapolatedRate: raw increase 15-10 + 20 (reset) = 25
    // over 45 s of samples; 15 s to the range start (< 1.1 × 15 s average spacing, and the zero point
    // 45·10/25 = 18 s away is further) and 0 s to the end → 25 · 60/45.
    const samples = [
      { timestampMs: 15_000, value: 10 },
      { timestampMs: 30_000, value: 20 },
      { timestampMs: 45_000, value: 5 },
      { timestampMs: 60_000, value: 15 },
    ];
    const window = { endMs: 60_000, rangeMs: 60_000 };
    expect(extrapolatedIncrease(samples, window)).toBeCloseTo((25 * 60) / 45, 12);
    expect(extrapolatedRate(samples, window)).toBeCloseTo((25 * 60) / 45 / 60, 12);
    expect(extrapolatedIncrease(samples.slice(0, 1), window)).toBeUndefined();
  });

  it("matches functions.test: increase(http_requests[50m]) of 0+10x10 at 50m is 100", () => {
    const samples = Array.from({ length: 11 }, (_, index) => ({
      timestampMs: index * 300_000,
      value: index * 10,
    }));
    expect(extrapolatedIncrease(samples, { endMs: 3_000_000, rangeMs: 3_000_000 })).toBeCloseTo(100, 9);
  });

  it("does not extrapolate below the counter's zero point", () => {
    // Starts at 1 after 30 s of a 60 s range with 10 s spacing: the zero point is 10 s before the first
    // sample, nearer than the 30 s to the start, so only 10 s are added at the start and 5 s at the end.
    const samples = [30, 40, 50].map((seconds, index) => ({ timestampMs: seconds * 1000, value: 1 + index }));
    // Raw 2 over 20 s; zero point 20·1/2 = 10 s; end gap 10 s < 11 s threshold → +10 → 2·40/20.
    expect(extrapolatedIncrease(samples, { endMs: 60_000, rangeMs: 60_000 })).toBeCloseTo(4, 12);
  });
});
