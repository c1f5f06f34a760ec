import { describe, expect, it } from "vitest";
import { ScrapeReader } from "./scrape-reader";

const series = (code: string, extra = "") =>
  `reporter="source",source_workload="a",source_workload_namespace="ns",destination_service_name="b",destination_service_namespace="ns",request_protocol="http",response_code="${code}"${extra}`;

function body(requests200: number, requests500?: number, bucket5 = requests200): string {
  const lines = [
    "# TYPE istio_requests_total counter",
    `istio_requests_total{${series("200")}} ${requests200}`,
    ...(requests500 === undefined ? [] : [`istio_requests_total{${series("500")}} ${requests500}`]),
    `istio_request_duration_milliseconds_bucket{${series("200")},le="5"} ${bucket5}`,
    `istio_request_duration_milliseconds_bucket{${series("200")},le="+Inf"} ${requests200}`,
    `istio_request_duration_milliseconds_count{${series("200")}} ${requests200}`,
    "process_cpu_seconds_total 12",
  ];
  return `${lines.join("\n")}\n`;
}

/** A fetch that answers the queued bodies in turn (an Error throws, a number is a status). */
function fakeFetch(answers: Array<string | number | Error>): typeof fetch {
  return (async () => {
    const next = answers.shift();
    if (next === undefined) throw new Error("no more answers");
    if (next instanceof Error) throw next;
    if (typeof next === "number") return new Response("nope", { status: next });
    return new Response(next, { status: 200 });
  }) as typeof fetch;
}

describe("ScrapeReader", () => {
  it("takes the first scrape as a baseline and ships per-series deltas afterwards", async () => {
    const reader = new ScrapeReader({
      urls: ["http://sim/metrics/istio"],
      fetch: fakeFetch([body(100), body(130, 2, 120)]),
    });
    expect(await reader.read(1000)).toBeUndefined();
    const read = await reader.read(16_000);
    expect(read).toMatchObject({ windowStart: 1000, windowEnd: 16_000 });
    expect(read?.edges).toHaveLength(1);
    const edge = read?.edges[0];
    // the 500 series appeared after the baseline: it counts from 0
    expect(edge?.responses).toMatchObject({ "2xx": 30, "5xx": 2 });
    expect(edge?.latencyCounts[2]).toBe(20);
    expect(edge?.latencyCounts[19]).toBe(10);
    expect(edge?.source.workload).toBe("a");
  });

  it("treats a drop as a counter reset: the new value is the increase", async () => {
    const reader = new ScrapeReader({
      urls: ["http://sim"],
      fetch: fakeFetch([body(100), body(7), body(10)]),
    });
    await reader.read(0);
    expect((await reader.read(15_000))?.edges[0]?.responses["2xx"]).toBe(7);
    expect((await reader.read(30_000))?.edges[0]?.responses["2xx"]).toBe(3);
  });

  it("ships nothing for series that did not move", async () => {
    const reader = new ScrapeReader({ urls: ["http://sim"], fetch: fakeFetch([body(5), body(5)]) });
    await reader.read(0);
    expect((await reader.read(15_000))?.edges).toEqual([]);
  });

  it("commits nothing when a URL fails: the next read covers the whole window", async () => {
    const reader = new ScrapeReader({
      urls: ["http://one", "http://two"],
      fetch: fakeFetch([body(10), body(1), body(20), 503, body(50), body(4)]),
    });
    await reader.read(0);
    await expect(reader.read(15_000)).rejects.toThrow(/HTTP 503/);
    const read = await reader.read(30_000);
    expect(read).toMatchObject({ windowStart: 0, windowEnd: 30_000 });
    // both URLs' series carry the same labels, so they add up on one edge
    expect(read?.edges[0]?.responses["2xx"]).toBe(40 + 3);
  });

  it("keeps only the series it reads", async () => {
    const reader = new ScrapeReader({ urls: ["http://sim"], fetch: fakeFetch([body(5, 1)]) });
    await reader.read(0);
    // 2 request series + 2 bucket series; _count and process metrics are not kept
    expect(reader.seriesCount).toBe(4);
  });
});
