import { describe, expect, it } from "vitest";
import { Backoff, sleep } from "./backoff";

describe("Backoff", () => {
  it("doubles its ceiling from the initial delay up to the cap", () => {
    const backoff = new Backoff({ initialMs: 500, maxMs: 30_000, random: () => 0.999_999 });
    const delays = Array.from({ length: 9 }, () => backoff.next());
    expect(delays.map((delay) => Math.round(delay / 100) * 100)).toEqual([
      500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it("draws each delay uniformly below the ceiling (full jitter)", () => {
    const draws = [0, 0.5, 0.25];
    const backoff = new Backoff({ initialMs: 1000, maxMs: 30_000, random: () => draws.shift() ?? 0 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([0, 1000, 1000]);
  });

  it("stays within [0, ceiling] with the real random source", () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000 });
    for (let index = 0; index < 200; index++) {
      const ceiling = backoff.ceiling();
      const delay = backoff.next();
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });

  it("starts over after reset", () => {
    const backoff = new Backoff({ initialMs: 500, maxMs: 30_000, random: () => 0.999_999 });
    for (let index = 0; index < 5; index++) backoff.next();
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.ceiling()).toBe(500);
  });

  it("does not overflow after very many attempts", () => {
    const backoff = new Backoff({ initialMs: 500, maxMs: 30_000, random: () => 0.5 });
    for (let index = 0; index < 10_000; index++) backoff.next();
    expect(backoff.next()).toBe(15_000);
  });
});

describe("sleep", () => {
  it("returns early when aborted", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    await pending;
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("returns at once for an already aborted signal", async () => {
    await sleep(60_000, AbortSignal.abort());
  });
});
