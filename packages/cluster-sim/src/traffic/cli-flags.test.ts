import { describe, expect, it } from "vitest";
import { parseCli } from "../cli";

describe("traffic CLI flags", () => {
  it("defaults to real-time traffic with catalog in the second cluster, and parses --behaviour", () => {
    const [first, second] = parseCli([
      "--clusters",
      "2",
      "--kubeconfig-dir",
      "/tmp/k",
      "--behaviour",
      "bookinfo/reviews-v3:latencyMs=800,errorRate=0.2",
    ]);
    expect(first?.traffic?.isRealTime).toBe(true);
    expect(first?.traffic?.remoteServices).toEqual({ "shop-backend/catalog": "sim-2" });
    expect(second?.traffic?.remoteServices).toEqual({});
    expect(first?.traffic?.behaviours).toEqual([
      { namespace: "bookinfo", workload: "reviews-v3", latencyMs: 800, errorRate: 0.2 },
    ]);
    expect(() => parseCli(["--kubeconfig-dir", "/tmp/k", "--behaviour", "x:speed=1"])).toThrow(/behaviour/);
    expect(parseCli(["--kubeconfig-dir", "/tmp/k", "--traffic", "off"])[0]?.traffic?.isRealTime).toBe(false);
  });
});
