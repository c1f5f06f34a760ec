import { describe, expect, it } from "vitest";
import { aggregateEdges, edgeKeyOf, edgeKeyString } from "./edges";
import { emptyBucketCounts, observe } from "./histogram";
import { errorRate, mtlsShare, responseClassOf, totalRequests } from "./responses";

const base = {
  source_workload: "productpage-v1",
  source_workload_namespace: "bookinfo",
  source_cluster: "east",
  destination_service: "reviews.bookinfo.svc.cluster.local",
  destination_service_name: "reviews",
  destination_service_namespace: "bookinfo",
  destination_cluster: "east",
};

describe("response classes and rates", () => {
  it("classes response codes", () => {
    expect(responseClassOf("200")).toBe("2xx");
    expect(responseClassOf(503)).toBe("5xx");
    expect(responseClassOf("403")).toBe("4xx");
    expect(responseClassOf("0")).toBe("other");
    expect(responseClassOf("-")).toBe("other");
  });

  it("counts 5xx as errors, 4xx only when asked", () => {
    const counts = { "1xx": 0, "2xx": 80, "3xx": 0, "4xx": 10, "5xx": 10, other: 0 };
    expect(totalRequests(counts)).toBe(100);
    expect(errorRate(counts)).toBe(0.1);
    expect(errorRate(counts, { isClientErrorIncluded: true })).toBe(0.2);
    expect(errorRate({ ...counts, "2xx": 0, "4xx": 0, "5xx": 0 })).toBeUndefined();
    expect(mtlsShare({ mutualTls: 3, total: 4 })).toBe(0.75);
    expect(mtlsShare({ mutualTls: 0, total: 0 })).toBeUndefined();
  });
});

describe("edges", () => {
  it("keys by source workload and destination service, with unknown sources", () => {
    const key = edgeKeyOf(base);
    expect(key && edgeKeyString(key)).toBe("east|bookinfo|productpage-v1>east|bookinfo|reviews");
    const unknown = edgeKeyOf({ ...base, source_workload: "unknown", source_workload_namespace: "unknown" });
    expect(unknown?.source).toEqual({ kind: "unknown" });
    expect(edgeKeyOf({ ...base, destination_service_name: "unknown" })).toBeUndefined();
  });

  it("counts each request once and reads mTLS from the destination's reports", () => {
    const latency = observe(emptyBucketCounts(), 7, 90);
    const totals = aggregateEdges([
      {
        labels: { ...base, reporter: "source", response_code: "200", connection_security_policy: "unknown" },
        requests: 90,
        latency,
      },
      {
        labels: { ...base, reporter: "source", response_code: "503", connection_security_policy: "unknown" },
        requests: 10,
      },
      {
        labels: {
          ...base,
          reporter: "destination",
          response_code: "200",
          connection_security_policy: "mutual_tls",
        },
        requests: 90,
      },
      {
        labels: {
          ...base,
          reporter: "destination",
          response_code: "503",
          connection_security_policy: "mutual_tls",
        },
        requests: 10,
      },
      // A caller without a sidecar: only the destination reports it.
      {
        labels: {
          ...base,
          source_workload: "unknown",
          reporter: "destination",
          response_code: "200",
          connection_security_policy: "none",
        },
        requests: 5,
      },
    ]);
    expect(totals).toHaveLength(2);
    const [known, unknown] = totals;
    expect(known?.reporter).toBe("source");
    expect(known && totalRequests(known.responses)).toBe(100);
    expect(known && errorRate(known.responses)).toBe(0.1);
    expect(known && mtlsShare(known.security)).toBe(1);
    expect(known?.latency.counts[3]).toBe(90);
    expect(unknown?.reporter).toBe("destination");
    expect(unknown && mtlsShare(unknown.security)).toBe(0);
  });
});
