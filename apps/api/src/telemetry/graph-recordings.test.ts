import { describe, expect, it } from "vitest";
import { activeClusterWithinMs, recordingCutOf } from "./graph-recordings";
import { bucketStartOf } from "./ingest";

const now = 1_800_000_000_000;

describe("recordingCutOf", () => {
  it("ends at the 10 s bucket holding the earliest latest window end of the active clusters", () => {
    expect(
      recordingCutOf(
        [
          { lastWindowEnd: now - 3_000, lastReceivedAt: now - 2_000 },
          { lastWindowEnd: now - 17_500, lastReceivedAt: now - 16_000 },
        ],
        now,
      ),
    ).toBe(Math.floor((now - 17_500) / 10_000) * 10_000);
  });

  it("leaves out clusters silent for longer than activeClusterWithinMs", () => {
    expect(
      recordingCutOf(
        [
          { lastWindowEnd: now - 5_000, lastReceivedAt: now - 4_000 },
          { lastWindowEnd: now - 600_000, lastReceivedAt: now - activeClusterWithinMs - 1 },
        ],
        now,
      ),
    ).toBe(Math.floor((now - 5_000) / 10_000) * 10_000);
    expect(
      recordingCutOf([{ lastWindowEnd: now, lastReceivedAt: now - activeClusterWithinMs - 1 }], now),
    ).toBe(undefined);
    expect(recordingCutOf([], now)).toBe(undefined);
  });

  it("puts every later window of a cluster at or after the cut, so live batches never land inside a recording", () => {
    // Any window end after a cluster's last one, aligned or not, is stored in a bucket ≥ the cut.
    for (const lastWindowEnd of [now - 10_000, now - 7_321, now - 1]) {
      const cut = recordingCutOf([{ lastWindowEnd, lastReceivedAt: now }], now) ?? Number.NaN;
      expect(cut).toBeLessThanOrEqual(lastWindowEnd);
      for (const next of [lastWindowEnd + 1, lastWindowEnd + 2_500, lastWindowEnd + 15_000])
        expect(bucketStartOf(next)).toBeGreaterThanOrEqual(cut);
      // While the window that ended at the cut's own bound lies inside.
      expect(bucketStartOf(cut)).toBeLessThan(cut);
    }
  });
});
