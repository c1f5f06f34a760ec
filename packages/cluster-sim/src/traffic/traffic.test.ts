import { histogramQuantile } from "@switchyard/telemetry-model/quantile";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimulatedCluster, startSimulatedCluster, startSimulatedClusters } from "../cluster";
import type { JsonObject } from "../json";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Enough of the Prometheus text format for what the model writes. */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`unparsable line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] ?? ""] = (pair[2] ?? "").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    }
    samples.push({ name: match[1] ?? "", labels, value: Number(match[3]) });
  }
  return samples;
}

function sum(
  samples: Sample[],
  name: string,
  where: Record<string, string | ((value: string) => boolean)>,
): number {
  return samples
    .filter(
      (sample) =>
        sample.name === name &&
        Object.entries(where).every(([key, expected]) => {
          const actual = sample.labels[key] ?? "";
          return typeof expected === "string" ? actual === expected : expected(actual);
        }),
    )
    .reduce((total, sample) => total + sample.value, 0);
}

const edge = (source: string, service: string, reporter = "source") => ({
  reporter,
  source_workload: source,
  destination_service_name: service,
});
const requests = (cluster: SimulatedCluster, where: Record<string, string | ((value: string) => boolean)>) =>
  sum(parseMetrics(cluster.traffic.scrape()), "istio_requests_total", where);
const apply = (cluster: SimulatedCluster, object: JsonObject) =>
  cluster.store.apply(object, { fieldManager: "traffic-test" });

const reviewsSubsets: JsonObject = {
  apiVersion: "networking.istio.io/v1",
  kind: "DestinationRule",
  metadata: { name: "reviews", namespace: "bookinfo" },
  spec: {
    host: "reviews",
    subsets: ["v1", "v2", "v3"].map((version) => ({ name: version, labels: { version } })),
  },
};

describe("traffic model", () => {
  let cluster: SimulatedCluster;
  beforeAll(async () => {
    cluster = await startSimulatedCluster({ name: "east", token: null });
  });
  afterAll(() => cluster.close());

  it("sends requests along the call graph at the configured rates, and serves /metrics/istio", async () => {
    cluster.traffic.advance(60);
    const response = await fetch(`${cluster.url}/metrics/istio`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const samples = parseMetrics(await response.text());
    const count = (where: Record<string, string>) => sum(samples, "istio_requests_total", where);
    // Roots arrive at exact rates (fractions carry over); calls below them within 10 %.
    expect(count(edge("istio-ingressgateway", "productpage"))).toBe(600);
    expect(count(edge("productpage-v1", "reviews"))).toBe(600);
    expect(count(edge("frontend-v1", "catalog")) + count(edge("frontend-v2", "catalog"))).toBeGreaterThan(
      2400 * 0.9,
    );
    expect(count(edge("frontend-v1", "catalog")) + count(edge("frontend-v2", "catalog"))).toBeLessThan(
      2400 * 1.1,
    );
    // Both proxies report a sidecar-to-sidecar request.
    expect(count(edge("productpage-v1", "details", "destination"))).toBe(
      count(edge("productpage-v1", "details")),
    );
    // Callers without a sidecar appear as unknown, reported by the destination only.
    expect(
      count({ source_workload: "unknown", destination_service_name: "frontend", reporter: "destination" }),
    ).toBe(60);
    // reviews v1 does not call ratings; v2 and v3 do (about 2/3 of 600).
    expect(count(edge("reviews-v1", "ratings"))).toBe(0);
    const ratings = count(edge("reviews-v2", "ratings")) + count(edge("reviews-v3", "ratings"));
    expect(ratings).toBeGreaterThan(340);
    expect(ratings).toBeLessThan(460);
    // Plain text towards the sidecar-less data namespace, over TCP.
    const tcp = samples.filter((sample) => sample.name === "istio_tcp_connections_opened_total");
    expect(tcp.length).toBeGreaterThan(0);
    expect(tcp.every((sample) => sample.labels.connection_security_policy === "none")).toBe(true);
    expect(tcp.every((sample) => sample.labels.destination_service_namespace === "data")).toBe(true);

    // Histograms: cumulative, non-decreasing, +Inf = _count; every series has the default buckets.
    const buckets = samples.filter((sample) => sample.name === "istio_request_duration_milliseconds_bucket");
    const series = new Map<string, Sample[]>();
    for (const sample of buckets) {
      const { le: _le, ...rest } = sample.labels;
      const key = JSON.stringify(rest);
      series.set(key, [...(series.get(key) ?? []), sample]);
    }
    for (const [key, list] of series) {
      expect(list.map((sample) => sample.labels.le)).toEqual([
        "0.5",
        "1",
        "5",
        "10",
        "25",
        "50",
        "100",
        "250",
        "500",
        "1000",
        "2500",
        "5000",
        "10000",
        "30000",
        "60000",
        "300000",
        "600000",
        "1800000",
        "3600000",
        "+Inf",
      ]);
      for (let index = 1; index < list.length; index++) {
        expect(list[index]?.value ?? 0).toBeGreaterThanOrEqual(list[index - 1]?.value ?? 0);
      }
      const labels = JSON.parse(key) as Record<string, string>;
      expect(list[list.length - 1]?.value).toBe(
        sum(samples, "istio_request_duration_milliseconds_count", labels),
      );
      expect(list[list.length - 1]?.value).toBe(sum(samples, "istio_requests_total", labels));
    }
    // Latency is plausible: productpage waits for details and reviews, so its p50 is above theirs.
    const p50 = (source: string, service: string) =>
      histogramQuantile(
        0.5,
        buckets
          .filter(
            (sample) =>
              sample.labels.source_workload === source &&
              sample.labels.destination_service_name === service &&
              sample.labels.reporter === "source",
          )
          .map((sample) => ({
            upperBound: sample.labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(sample.labels.le),
            count: sample.value,
          })),
      ).value;
    expect(p50("istio-ingressgateway", "productpage")).toBeGreaterThan(p50("productpage-v1", "details"));
  });

  it("counters only grow as the clock advances", () => {
    const before = requests(cluster, edge("productpage-v1", "details"));
    cluster.traffic.advance(10);
    expect(requests(cluster, edge("productpage-v1", "details"))).toBe(before + 100);
  });

  it("a 90/10 VirtualService split shows about 90/10 between versions", () => {
    apply(cluster, reviewsSubsets);
    apply(cluster, {
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: "reviews", namespace: "bookinfo" },
      spec: {
        hosts: ["reviews"],
        http: [
          {
            route: [
              { destination: { host: "reviews", subset: "v1" }, weight: 90 },
              { destination: { host: "reviews", subset: "v3" }, weight: 10 },
            ],
          },
        ],
      },
    });
    const version = (name: string) =>
      requests(cluster, { ...edge("productpage-v1", "reviews"), destination_version: name });
    const before = { v1: version("v1"), v2: version("v2"), v3: version("v3") };
    cluster.traffic.advance(100);
    const v1 = version("v1") - before.v1;
    const v3 = version("v3") - before.v3;
    expect(version("v2") - before.v2).toBe(0);
    expect(v1 + v3).toBe(1000);
    expect(v3 / 1000).toBeGreaterThan(0.07);
    expect(v3 / 1000).toBeLessThan(0.13);
    cluster.store.delete("VirtualService", "bookinfo", "reviews");
  });

  it("an abort fault raises the error rate on its edge only", () => {
    apply(cluster, {
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: "details", namespace: "bookinfo" },
      spec: {
        hosts: ["details"],
        http: [
          {
            fault: { abort: { percentage: { value: 50 }, httpStatus: 503 } },
            route: [{ destination: { host: "details" } }],
          },
        ],
      },
    });
    const errors = () => requests(cluster, { ...edge("productpage-v1", "details"), response_code: "503" });
    const total = () => requests(cluster, edge("productpage-v1", "details"));
    const before = { errors: errors(), total: total() };
    cluster.traffic.advance(60);
    const rate = (errors() - before.errors) / (total() - before.total);
    expect(rate).toBeGreaterThan(0.4);
    expect(rate).toBeLessThan(0.6);
    const flagged = parseMetrics(cluster.traffic.scrape()).filter(
      (sample) => sample.name === "istio_requests_total" && sample.labels.response_code === "503",
    );
    expect(
      flagged.every((sample) => sample.labels.response_flags === "FI" && sample.labels.reporter === "source"),
    ).toBe(true);
    cluster.store.delete("VirtualService", "bookinfo", "details");
  });

  it("PeerAuthentication decides connection_security_policy", () => {
    const policy = (mode: string): JsonObject => ({
      apiVersion: "security.istio.io/v1",
      kind: "PeerAuthentication",
      metadata: { name: "default", namespace: "bookinfo" },
      spec: { mtls: { mode } },
    });
    const share = (run: () => void) => {
      const where = { ...edge("productpage-v1", "reviews", "destination") };
      const mtls = () => requests(cluster, { ...where, connection_security_policy: "mutual_tls" });
      const all = () => requests(cluster, where);
      const before = { mtls: mtls(), all: all() };
      run();
      return (mtls() - before.mtls) / (all() - before.all);
    };
    apply(cluster, policy("DISABLE"));
    expect(share(() => cluster.traffic.advance(10))).toBe(0);
    apply(cluster, policy("STRICT"));
    expect(share(() => cluster.traffic.advance(10))).toBe(1);
    cluster.store.delete("PeerAuthentication", "bookinfo", "default");
  });

  it("a DENY AuthorizationPolicy on the source namespace turns calls into 403", () => {
    apply(cluster, {
      apiVersion: "security.istio.io/v1",
      kind: "AuthorizationPolicy",
      metadata: { name: "deny-frontend", namespace: "shop-backend" },
      spec: {
        selector: { matchLabels: { app: "cart" } },
        action: "DENY",
        rules: [{ from: [{ source: { namespaces: ["shop-frontend"] } }] }],
      },
    });
    const cart = (code: string) =>
      requests(cluster, { reporter: "destination", destination_service_name: "cart", response_code: code });
    const before = { denied: cart("403"), ok: cart("200") };
    cluster.traffic.advance(10);
    expect(cart("403") - before.denied).toBeGreaterThan(150);
    expect(cart("200") - before.ok).toBe(0);
    cluster.store.delete("AuthorizationPolicy", "shop-backend", "deny-frontend");
  });

  it("a slow version hits the route timeout as 504; a failing one is retried and ejected", () => {
    cluster.traffic.setBehaviour({ namespace: "bookinfo", workload: "ratings-v1", latencyMs: 400 });
    apply(cluster, {
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: "ratings", namespace: "bookinfo" },
      spec: {
        hosts: ["ratings"],
        http: [{ timeout: "100ms", route: [{ destination: { host: "ratings" } }] }],
      },
    });
    const timeouts = () =>
      requests(cluster, { destination_service_name: "ratings", reporter: "source", response_code: "504" });
    const before = timeouts();
    cluster.traffic.advance(10);
    expect(timeouts() - before).toBeGreaterThan(40);
    const slow = parseMetrics(cluster.traffic.scrape()).find(
      (sample) =>
        sample.name === "istio_request_duration_milliseconds_sum" && sample.labels.response_code === "504",
    );
    expect(slow?.labels.response_flags).toBe("UT");
    cluster.store.delete("VirtualService", "bookinfo", "ratings");
    cluster.traffic.setBehaviour({ namespace: "bookinfo", workload: "ratings-v1", latencyMs: 5 });

    // reviews-v3 fails every request; with retries on 5xx the caller sees few errors (retries land
    // on v1/v2), and outlier detection takes v3 out of the pool.
    cluster.traffic.setBehaviour({ namespace: "bookinfo", workload: "reviews-v3", errorRate: 1 });
    apply(cluster, {
      ...reviewsSubsets,
      spec: {
        host: "reviews",
        trafficPolicy: {
          outlierDetection: {
            consecutive5xxErrors: 3,
            interval: "1s",
            baseEjectionTime: "30s",
            maxEjectionPercent: 50,
          },
        },
      },
    });
    apply(cluster, {
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: "reviews", namespace: "bookinfo" },
      spec: {
        hosts: ["reviews"],
        http: [{ retries: { attempts: 2, retryOn: "5xx" }, route: [{ destination: { host: "reviews" } }] }],
      },
    });
    const atV3 = () => requests(cluster, { reporter: "destination", destination_workload: "reviews-v3" });
    const failedForCaller = () =>
      requests(cluster, { ...edge("productpage-v1", "reviews"), response_code: "500" });
    const start = { v3: atV3(), failed: failedForCaller() };
    cluster.traffic.advance(20);
    // Without ejection v3 would get ~1/3 of 200+ attempts; ejected after 3 failures, for 30 s.
    expect(atV3() - start.v3).toBeLessThan(10);
    expect(failedForCaller() - start.failed).toBe(0);
    cluster.traffic.setBehaviour({ namespace: "bookinfo", workload: "reviews-v3", errorRate: 0 });
    cluster.store.delete("VirtualService", "bookinfo", "reviews");
  });
});

describe("traffic across clusters", () => {
  it("calls to a service placed in another cluster carry destination_cluster, reported on both sides", async () => {
    const [east, west] = await startSimulatedClusters([
      { name: "east", token: null, traffic: { remoteServices: { "shop-backend/catalog": "west" } } },
      { name: "west", token: null },
    ]);
    if (!east || !west) throw new Error("clusters did not start");
    try {
      east.traffic.advance(10);
      const fromEast = requests(east, {
        reporter: "source",
        source_workload: (value) => value.startsWith("frontend-"),
        destination_service_name: "catalog",
      });
      expect(fromEast).toBeGreaterThan(300);
      expect(requests(east, { destination_service_name: "catalog", destination_cluster: "east" })).toBe(0);
      expect(
        requests(east, {
          destination_service_name: "catalog",
          destination_cluster: "west",
          source_cluster: "east",
        }),
      ).toBe(fromEast);
      // West's catalog sidecars report the inbound side, and catalog's own calls run in west.
      expect(
        requests(west, {
          reporter: "destination",
          destination_service_name: "catalog",
          source_cluster: "east",
        }),
      ).toBeGreaterThanOrEqual(fromEast);
      expect(
        sum(parseMetrics(west.traffic.scrape()), "istio_tcp_connections_opened_total", {
          source_cluster: "west",
        }),
      ).toBeGreaterThan(0);
    } finally {
      await Promise.all([east.close(), west.close()]);
    }
  });

  it("is deterministic for a seed, and the admin path changes behaviour", async () => {
    const [a, b] = await Promise.all([
      startSimulatedCluster({ name: "same", token: "t" }),
      startSimulatedCluster({ name: "same", token: "t" }),
    ]);
    try {
      a.traffic.advance(5);
      b.traffic.advance(5);
      expect(a.traffic.scrape()).toBe(b.traffic.scrape());
      const post = (token?: string) =>
        fetch(`${a.url}/admin/traffic/behaviour`, {
          method: "POST",
          headers: token ? { authorization: `Bearer ${token}` } : {},
          body: JSON.stringify({ namespace: "bookinfo", workload: "details-v1", errorRate: 1 }),
        });
      expect((await post()).status).toBe(401);
      expect((await post("t")).status).toBe(200);
      a.traffic.advance(5);
      expect(
        requests(a, { reporter: "destination", destination_workload: "details-v1", response_code: "500" }),
      ).toBe(50);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
