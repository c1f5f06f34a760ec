import { describe, expect, it } from "vitest";
import { formatAgo, formatIn } from "./relative-time";

const now = Date.parse("2026-11-25T12:00:00Z");

describe("formatAgo", () => {
  it("counts seconds, minutes and hours", () => {
    expect(formatAgo("2026-11-25T11:59:48Z", now)).toBe("12 s ago");
    expect(formatAgo("2026-11-25T11:56:00Z", now)).toBe("4 min ago");
    expect(formatAgo("2026-11-25T09:00:00Z", now)).toBe("3 h ago");
  });

  it("treats a timestamp slightly ahead of the browser's clock as just now", () => {
    expect(formatAgo("2026-11-25T12:00:02Z", now)).toBe("0 s ago");
  });

  it("says never for a cluster that was never seen", () => {
    expect(formatAgo(null, now)).toBe("never");
  });
});

describe("formatIn", () => {
  it("counts down to an expiry and says when it passed", () => {
    expect(formatIn("2026-11-25T13:00:00Z", now)).toBe("in 1 h 0 min");
    expect(formatIn("2026-11-25T12:10:00Z", now)).toBe("in 10 min");
    expect(formatIn("2026-11-25T11:00:00Z", now)).toBe("expired");
  });
});
