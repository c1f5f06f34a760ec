import { TelemetryEdgeSample } from "@switchyard/agent-protocol/v1";
import { describe, expect, it } from "vitest";
import { bucketCountsOf, EdgeAccumulator, edgeKeyOfLabels, metricKindOf, parseLe } from "./edges";

const labels = {
  reporter: "source",
  source_workload: "productpage-v1",
  source_workload_namespace: "bookinfo",
  source_app: "productpage",
  source_version: "v1",
  source_cluster: "east",
  destination_service: "details.bookinfo.svc.cluster.local",
  destination_service_name: "details",
  destination_service_namespace: "bookinfo",
  destination_workload: "details-v1",
  destination_app: "details",
  destination_version: "v1",
  destination_cluster: "east",
  request_protocol: "http",
  response_code: "200",
  connection_security_policy: "unknown",
  // labels that are not part of the edge
  response_flags: "-",
  source_principal: "spiffe://cluster.local/ns/bookinfo/sa/productpage",
};

describe("edgeKeyOfLabels", () => {
  it("maps Istio's standard labels onto the edge key", () => {
    expect(edgeKeyOfLabels(labels, "requests")).toEqual({
      reporter: "source",
      protocol: "http",
      source: {
        cluster: "east",
        namespace: "bookinfo",
        workload: "productpage-v1",
        app: "productpage",
        version: "v1",
      },
      destination: {
        cluster: "east",
        namespace: "bookinfo",
        service: "details",
        workload: "details-v1",
        app: "details",
        version: "v1",
      },
    });
  });

  it("fills missing or empty labels with unknown", () => {
    const key = edgeKeyOfLabels(
      { reporter: "destination", source_app: "", destination_service_name: "x" },
      "requests",
    );
    expect(key?.source).toEqual({
      cluster: "unknown",
      namespace: "unknown",
      workload: "unknown",
      app: "unknown",
      version: "unknown",
    });
    expect(key?.destination).toMatchObject({ service: "x", namespace: "unknown", cluster: "unknown" });
  });

  it("takes the service from destination_service's first DNS label when the name is missing", () => {
    const { destination_service_name: _, ...rest } = labels;
    expect(edgeKeyOfLabels(rest, "requests")?.destination.service).toBe("details");
    expect(
      edgeKeyOfLabels({ ...rest, destination_service_name: "unknown" }, "requests")?.destination.service,
    ).toBe("details");
  });

  it("protocol: tcp for TCP metrics, grpc when labelled, http otherwise", () => {
    expect(edgeKeyOfLabels(labels, "tcpOpened")?.protocol).toBe("tcp");
    expect(edgeKeyOfLabels({ ...labels, request_protocol: "grpc" }, "requests")?.protocol).toBe("grpc");
    expect(edgeKeyOfLabels({ ...labels, request_protocol: undefined }, "requests")?.protocol).toBe("http");
  });

  it("skips reporters the protocol has no place for", () => {
    expect(edgeKeyOfLabels({ ...labels, reporter: "waypoint" }, "requests")).toBeUndefined();
    expect(edgeKeyOfLabels({ ...labels, reporter: undefined }, "requests")).toBeUndefined();
  });

  it("knows the metrics it reads", () => {
    expect(metricKindOf("istio_requests_total")).toBe("requests");
    expect(metricKindOf("istio_request_duration_milliseconds_bucket")).toBe("durationBucket");
    expect(metricKindOf("istio_request_duration_milliseconds_count")).toBeUndefined();
    expect(metricKindOf("istio_tcp_connections_closed_total")).toBeUndefined();
  });
});

describe("bucketCountsOf", () => {
  it("turns cumulative increases on Istio's layout into per-bucket counts (20 entries)", () => {
    const cumulative = new Map([
      [0.5, 0],
      [1, 0],
      [5, 2],
      [10, 7],
      [25, 9],
      [Number.POSITIVE_INFINITY, 10],
    ]);
    const counts = bucketCountsOf(cumulative);
    expect(counts).toHaveLength(20);
    expect(counts.slice(0, 5)).toEqual([0, 0, 2, 5, 2]);
    expect(counts[19]).toBe(1);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10);
  });

  it("clamps decreases (extrapolation noise) to zero", () => {
    const counts = bucketCountsOf(
      new Map([
        [5, 3.2],
        [10, 3.1],
        [Number.POSITIVE_INFINITY, 4],
      ]),
    );
    expect(counts[2]).toBeCloseTo(3.2);
    expect(counts[3]).toBe(0);
    expect(counts[19]).toBeCloseTo(0.8);
  });

  it("puts a custom layout's buckets into the default bucket holding their upper bound", () => {
    // 3 ms lies in (1, 5]; 7 ms in (5, 10]
    const counts = bucketCountsOf(
      new Map([
        [3, 4],
        [7, 6],
        [Number.POSITIVE_INFINITY, 6],
      ]),
    );
    expect(counts[2]).toBe(4);
    expect(counts[3]).toBe(2);
    expect(counts[19]).toBe(0);
  });

  it("parseLe reads Prometheus' forms", () => {
    expect(parseLe("+Inf")).toBe(Number.POSITIVE_INFINITY);
    expect(parseLe("2.5e+03")).toBe(2500);
    expect(parseLe("x")).toBeUndefined();
  });
});

describe("EdgeAccumulator", () => {
  it("sums series per edge: response classes, mTLS, latency, bytes; valid protocol samples", () => {
    const accumulator = new EdgeAccumulator();
    accumulator.add("requests", labels, 8);
    accumulator.add("requests", { ...labels, response_code: "503", response_flags: "UO" }, 1);
    accumulator.add("requests", { ...labels, response_code: "0" }, 1);
    accumulator.add(
      "requests",
      { ...labels, reporter: "destination", connection_security_policy: "mutual_tls" },
      10,
    );
    accumulator.add("durationBucket", { ...labels, le: "5" }, 6);
    accumulator.add("durationBucket", { ...labels, le: "10" }, 9);
    accumulator.add("durationBucket", { ...labels, le: "+Inf" }, 10);
    accumulator.add("durationSum", labels, 55.5);
    accumulator.add("requestBytes", labels, 3000);
    accumulator.add("responseBytes", labels, 20_000);
    accumulator.add("requests", labels, -1);
    accumulator.add("requests", labels, Number.NaN);
    const samples = accumulator.samples();
    expect(samples).toHaveLength(2);
    for (const sample of samples) TelemetryEdgeSample.parse(sample);
    const source = samples.find((sample) => sample.reporter === "source");
    expect(source?.responses).toEqual({ "1xx": 0, "2xx": 8, "3xx": 0, "4xx": 0, "5xx": 1, other: 1 });
    expect(source?.latencyCounts.slice(0, 4)).toEqual([0, 0, 6, 3]);
    expect(source?.latencyCounts[19]).toBe(1);
    expect(source).toMatchObject({
      latencySumMs: 55.5,
      requestBytes: 3000,
      responseBytes: 20_000,
      mutualTlsRequests: 0,
    });
    const destination = samples.find((sample) => sample.reporter === "destination");
    expect(destination?.mutualTlsRequests).toBe(10);
  });

  it("keeps TCP edges apart from HTTP ones and leaves out edges that saw nothing", () => {
    const accumulator = new EdgeAccumulator();
    const tcp = { ...labels, request_protocol: "tcp", destination_service_name: "postgres" };
    accumulator.add("tcpOpened", tcp, 3);
    accumulator.add("tcpSent", tcp, 300);
    accumulator.add("tcpReceived", tcp, 8000);
    accumulator.add("requests", labels, 0);
    const samples = accumulator.samples();
    expect(samples).toHaveLength(1);
    expect(samples[0]).toMatchObject({
      protocol: "tcp",
      tcpConnectionsOpened: 3,
      tcpSentBytes: 300,
      tcpReceivedBytes: 8000,
      responses: { "2xx": 0 },
    });
  });
});
