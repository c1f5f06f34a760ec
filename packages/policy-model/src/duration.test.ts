import { describe, expect, it } from "vitest";
import { formatDurationMs, normalizeDuration, parseDurationMs } from "./duration";

describe("parseDurationMs", () => {
  it.each([
    ["250ms", 250],
    ["1.5s", 1500],
    ["2m", 120_000],
    ["1h30m", 5_400_000],
    ["0.5ms", 0.5],
    ["1000us", 1],
  ])("reads %s", (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(["", "5", "s", "1d", "-1s", "1 s", "1.s"])("rejects %j", (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
  });
});

describe("formatDurationMs", () => {
  it("writes the largest exact unit", () => {
    expect(formatDurationMs(7_200_000)).toBe("2h");
    expect(formatDurationMs(90_000)).toBe("90s");
    expect(formatDurationMs(1500)).toBe("1500ms");
    expect(formatDurationMs(1)).toBe("1ms");
  });

  it("makes equal durations equal text", () => {
    expect(normalizeDuration("1000ms")).toBe(normalizeDuration("1s"));
    expect(normalizeDuration("60s")).toBe("1m");
  });
});
