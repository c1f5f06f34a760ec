import { describe, expect, it } from "vitest";
import { increaseQuery, lookbackOf, PrometheusReader, windowEndOf, windowQueries } from "./prometheus-reader";

const BY =
  "reporter, request_protocol, source_cluster, source_workload_namespace, source_workload, source_app, source_version, destination_cluster, destination_service_namespace, destination_service_name, destination_service, destination_workload, destination_app, destination_version";

describe("PromQL", () => {
  it("reads every metric's increase over exactly the window, grouped by the edge labels", () => {
    expect(increaseQuery("requests", 60_000)).toBe(
      `sum by (${BY}, response_code, connection_security_policy) (increase(istio_requests_total[60000ms]))`,
    );
    expect(increaseQuery("durationBucket", 60_000)).toBe(
      `sum by (${BY}, le) (increase(istio_request_duration_milliseconds_bucket[60000ms]))`,
    );
    expect(increaseQuery("tcpSent", 15_000)).toBe(
      `sum by (${BY}) (increase(istio_tcp_sent_bytes_total[15000ms]))`,
    );
    expect(windowQueries(60_000).map((query) => query.kind)).toEqual([
      "requests",
      "durationBucket",
      "durationSum",
      "requestBytes",
      "responseBytes",
      "tcpOpened",
      "tcpSent",
      "tcpReceived",
    ]);
  });

  it("reads a window shorter than 4 scrapes as rate over a longer look-back × the window", () => {
    expect(lookbackOf(60_000, 15_000)).toBe(60_000);
    expect(lookbackOf(15_000, 15_000)).toBe(60_000);
    expect(lookbackOf(1000, 1000)).toBe(4000);
    expect(lookbackOf(3500, 1000)).toBe(4500);
    expect(increaseQuery("requestBytes", 15_000, 60_000)).toBe(
      `sum by (${BY}) (rate(istio_request_bytes_sum[60000ms])) * 15`,
    );
  });

  it("ends windows at now − lag, on a multiple of the interval", () => {
    expect(windowEndOf(1_000_017_500, 15_000, 15_000)).toBe(999_990_000);
    expect(windowEndOf(100_999, 1000, 1000)).toBe(99_000);
  });
});

type Call = { query: string; time: string };

function fakePrometheus(calls: Call[], answer: (call: Call) => unknown): typeof fetch {
  return (async (_url: string | URL | Request, init?: RequestInit) => {
    const params = new URLSearchParams(String(init?.body));
    const call = { query: params.get("query") ?? "", time: params.get("time") ?? "" };
    calls.push(call);
    const body = answer(call);
    if (body instanceof Error) throw body;
    return new Response(JSON.stringify(body), { status: 200 });
  }) as typeof fetch;
}

const vector = (result: unknown[]) => ({ status: "success", data: { resultType: "vector", result } });

describe("PrometheusReader", () => {
  it("reads aligned, contiguous windows [previousEnd, end) evaluated at end", async () => {
    const calls: Call[] = [];
    const reader = new PrometheusReader({
      url: "http://prom:9090/",
      intervalMs: 15_000,
      scrapeIntervalMs: 1000,
      lagMs: 1000,
      fetch: fakePrometheus(calls, () => vector([])),
    });
    const first = await reader.read(1_700_000_020_000);
    expect(first?.windowEnd).toBe(1_700_000_010_000);
    expect(first?.windowStart).toBe(1_699_999_995_000);
    expect(calls).toHaveLength(8);
    expect(calls[0]?.time).toBe("1700000010.000");
    expect(calls[0]?.query).toContain("[15000ms]");
    // too early for the next window: nothing
    expect(await reader.read(1_700_000_021_000)).toBeUndefined();
    // a late read covers everything since the previous end, in one window
    const late = await reader.read(1_700_000_056_000);
    expect(late).toMatchObject({ windowStart: 1_700_000_010_000, windowEnd: 1_700_000_055_000 });
    expect(calls.at(-1)?.query).toContain("[45000ms]");
  });

  it("resumes where the stored telemetry ends: the first window starts there, at most maxWindowMs back", async () => {
    const reader = () =>
      new PrometheusReader({
        url: "http://prom:9090",
        intervalMs: 10_000,
        lagMs: 0,
        scrapeIntervalMs: 1000,
        maxWindowMs: 600_000,
        fetch: fakePrometheus([], () => vector([])),
      });
    const resumed = reader();
    resumed.resumeFrom(40_000);
    expect(await resumed.read(100_000)).toMatchObject({ windowStart: 40_000, windowEnd: 100_000 });
    // Only before the first read: later it would double-count.
    resumed.resumeFrom(50_000);
    expect(await resumed.read(110_000)).toMatchObject({ windowStart: 100_000, windowEnd: 110_000 });
    const longAgo = reader();
    longAgo.resumeFrom(0);
    expect(await longAgo.read(1_000_000)).toMatchObject({ windowStart: 400_000, windowEnd: 1_000_000 });
  });

  it("commits nothing on failure: the next window starts at the last committed end", async () => {
    let isDown = false;
    const reader = new PrometheusReader({
      url: "http://prom:9090",
      intervalMs: 10_000,
      lagMs: 0,
      scrapeIntervalMs: 1000,
      fetch: fakePrometheus([], () => (isDown ? new Error("connect ECONNREFUSED") : vector([]))),
    });
    await reader.read(100_000);
    isDown = true;
    await expect(reader.read(110_000)).rejects.toThrow(/ECONNREFUSED/);
    isDown = false;
    expect(await reader.read(120_000)).toMatchObject({ windowStart: 100_000, windowEnd: 120_000 });
  });

  it("maps the answer onto edges", async () => {
    const metric = {
      reporter: "source",
      source_workload: "productpage-v1",
      source_workload_namespace: "bookinfo",
      destination_service_name: "details",
      destination_service_namespace: "bookinfo",
      request_protocol: "http",
    };
    const reader = new PrometheusReader({
      url: "http://prom:9090",
      intervalMs: 10_000,
      lagMs: 0,
      scrapeIntervalMs: 1000,
      fetch: fakePrometheus([], (call) => {
        if (call.query.includes("istio_requests_total"))
          return vector([
            { metric: { ...metric, response_code: "200" }, value: [1, "99.5"] },
            { metric: { ...metric, response_code: "503" }, value: [1, "0.5"] },
          ]);
        if (call.query.includes("_bucket"))
          return vector([
            { metric: { ...metric, le: "10" }, value: [1, "80"] },
            { metric: { ...metric, le: "+Inf" }, value: [1, "100"] },
          ]);
        return vector([]);
      }),
    });
    const read = await reader.read(100_000);
    expect(read?.edges).toHaveLength(1);
    expect(read?.edges[0]?.responses).toMatchObject({ "2xx": 99.5, "5xx": 0.5 });
    expect(read?.edges[0]?.latencyCounts[3]).toBe(80);
    expect(read?.edges[0]?.latencyCounts[19]).toBe(20);
    expect(read?.edges[0]?.destination).toMatchObject({ service: "details", workload: "unknown" });
  });

  it("fails on an answer that is not a vector", async () => {
    const reader = new PrometheusReader({
      url: "http://prom:9090",
      intervalMs: 10_000,
      fetch: fakePrometheus([], () => ({ status: "error", error: "bad" })),
    });
    await expect(reader.read(100_000)).rejects.toThrow(/unexpected answer/);
  });
});
