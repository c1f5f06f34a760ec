// A synthetic mesh's telemetry, for benchmarks, tests and demo data: valid agent batches (as each
// cluster's agent would send them) for one window, deterministic for a seed. No I/O; pass the
// batches to `ingestTelemetryBatch` (./ingest) or POST them to `agentPaths.telemetry`.
//
// Shape, per cluster `c<i>` and namespace `ns<j>`: `workloadsPerNamespace` workloads; every fourth
// one is a second version (`v2`) of the previous workload's app, so some services have a traffic
// split. Service `<app>` selects every version of `<app>`. Each workload calls `edgesPerNode`
// services (about 1 in 8 in another cluster when there are several), split over the service's
// versions (v1 80 %, v2 20 %). About 1 in 10 edges is plain text, 1 in 20 is failing (25 % 5xx),
// 1 in 10 is gRPC and 1 in 20 TCP; every namespace's first service is also called by a caller
// without a sidecar (`unknown`, reported by the destination only).
import type { TelemetryBatch, TelemetryEdgeSample } from "@switchyard/agent-protocol/v1";

export interface SyntheticMeshOptions {
  clusters: number;
  namespacesPerCluster: number;
  workloadsPerNamespace: number;
  /** Services each workload calls. */
  edgesPerNode: number;
  /** End of the window, ms since the epoch (exclusive). */
  windowEnd: number;
  windowSeconds: number;
  /** Same seed, same mesh and traffic; the batch ids also depend on `windowEnd`. */
  seed: string | number;
}

/** One agent's batch: `cluster` is the telemetry label of the cluster whose agent sends it. */
export interface SyntheticClusterBatch {
  cluster: string;
  batch: TelemetryBatch;
}

export interface SyntheticWorkload {
  cluster: string;
  namespace: string;
  workload: string;
  app: string;
  version: string;
  service: string;
}

/** Istio's default latency bucket bounds (ms), +Inf implicit: 20 buckets. */
const bounds = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
];
const maxEdgesPerBatch = 20_000;

export function clusterNameOf(index: number): string {
  return `c${index}`;
}

/** The mesh's workloads (the same for every window of a seed). */
export function syntheticMeshWorkloads(
  options: Pick<SyntheticMeshOptions, "clusters" | "namespacesPerCluster" | "workloadsPerNamespace">,
): SyntheticWorkload[] {
  const workloads: SyntheticWorkload[] = [];
  for (let c = 0; c < options.clusters; c++)
    for (let n = 0; n < options.namespacesPerCluster; n++) {
      let app = "";
      for (let w = 0; w < options.workloadsPerNamespace; w++) {
        const isSecondVersion = w % 4 === 3;
        if (!isSecondVersion) app = `app${w}`;
        const version = isSecondVersion ? "v2" : "v1";
        workloads.push({
          cluster: clusterNameOf(c),
          namespace: `ns${n}`,
          workload: `${app}-${version}`,
          app,
          version,
          service: app,
        });
      }
    }
  return workloads;
}

export function syntheticMeshBatches(options: SyntheticMeshOptions): SyntheticClusterBatch[] {
  const workloads = syntheticMeshWorkloads(options);
  const services = new Map<string, SyntheticWorkload[]>();
  for (const workload of workloads) {
    const id = `${workload.cluster}|${workload.namespace}|${workload.service}`;
    const versions = services.get(id);
    if (versions) versions.push(workload);
    else services.set(id, [workload]);
  }
  const serviceList = [...services.values()];
  const byCluster = new Map<string, SyntheticWorkload[][]>();
  for (const versions of serviceList) {
    const cluster = versions[0]?.cluster ?? "";
    const list = byCluster.get(cluster);
    if (list) list.push(versions);
    else byCluster.set(cluster, [versions]);
  }
  // The topology depends on the seed only; the traffic also on the window.
  const topology = randomOf(`${options.seed}`);
  const traffic = randomOf(`${options.seed}|${options.windowEnd}`);
  const samples = new Map<string, TelemetryEdgeSample[]>();
  const add = (cluster: string, sample: TelemetryEdgeSample) => {
    const list = samples.get(cluster);
    if (list) list.push(sample);
    else samples.set(cluster, [sample]);
  };

  const emit = (
    source: SyntheticWorkload | undefined,
    service: SyntheticWorkload[],
    traits: { protocol: "http" | "grpc" | "tcp"; isPlainText: boolean; isFailing: boolean; rps: number },
  ) => {
    for (const destination of service) {
      const share = service.length === 1 ? 1 : destination.version === "v1" ? 0.8 : 0.2;
      const requests = Math.round(traits.rps * share * options.windowSeconds * (0.9 + 0.2 * traffic()));
      const base = sampleOf(source, destination, traits, requests, traffic);
      if (source) add(source.cluster, { ...base, reporter: "source", mutualTlsRequests: 0 });
      add(destination.cluster, base);
    }
  };

  for (const source of workloads) {
    const local = byCluster.get(source.cluster) ?? [];
    for (let e = 0; e < options.edgesPerNode; e++) {
      const isCrossCluster = options.clusters > 1 && topology() < 0.125;
      const pool = isCrossCluster ? serviceList : local;
      const target = pool[Math.floor(topology() * pool.length)];
      if (!target || target[0]?.service === source.service) continue;
      const kind = topology();
      emit(source, target, {
        protocol: kind < 0.05 ? "tcp" : kind < 0.15 ? "grpc" : "http",
        isPlainText: topology() < 0.1,
        isFailing: topology() < 0.05,
        rps: 0.5 + topology() * 20,
      });
    }
  }
  for (const versions of serviceList)
    if (versions[0]?.workload === "app0-v1")
      emit(undefined, versions, { protocol: "http", isPlainText: true, isFailing: false, rps: 2 });

  const result: SyntheticClusterBatch[] = [];
  for (const [cluster, edges] of [...samples.entries()].sort(([a], [b]) => a.localeCompare(b)))
    for (let start = 0; start < edges.length; start += maxEdgesPerBatch)
      result.push({
        cluster,
        batch: {
          batchId: `syn-${hashOf(`${options.seed}|${cluster}|${options.windowEnd}`).toString(36)}-${start / maxEdgesPerBatch}`,
          source: "prometheus",
          windowStart: options.windowEnd - options.windowSeconds * 1000,
          windowEnd: options.windowEnd,
          edges: edges.slice(start, start + maxEdgesPerBatch),
        },
      });
  return result;
}

function sampleOf(
  source: SyntheticWorkload | undefined,
  destination: SyntheticWorkload,
  traits: { protocol: "http" | "grpc" | "tcp"; isPlainText: boolean; isFailing: boolean },
  requests: number,
  random: () => number,
): TelemetryEdgeSample {
  const peer = source
    ? {
        cluster: source.cluster,
        namespace: source.namespace,
        workload: source.workload,
        app: source.app,
        version: source.version,
      }
    : { cluster: "unknown", namespace: "unknown", workload: "unknown", app: "unknown", version: "unknown" };
  const common = {
    reporter: "destination" as const,
    protocol: traits.protocol,
    source: peer,
    destination: {
      cluster: destination.cluster,
      namespace: destination.namespace,
      service: destination.service,
      workload: destination.workload,
      app: destination.app,
      version: destination.version,
    },
  };
  const zeros = new Array<number>(20).fill(0);
  if (traits.protocol === "tcp") {
    const connections = Math.max(1, Math.round(requests / 10));
    return {
      ...common,
      responses: { "1xx": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, other: 0 },
      latencyCounts: zeros,
      latencySumMs: 0,
      mutualTlsRequests: traits.isPlainText ? 0 : connections,
      requestBytes: 0,
      responseBytes: 0,
      tcpConnectionsOpened: connections,
      tcpSentBytes: connections * 2048,
      tcpReceivedBytes: connections * 8192,
    };
  }
  const errors = Math.round(requests * (traits.isFailing ? 0.25 : random() < 0.1 ? 0.01 : 0));
  const clientErrors = Math.round(requests * 0.01);
  // A bell over the buckets around a per-destination median bucket (index 3..8: 10..500 ms).
  const median = 3 + (hashOf(destination.workload + destination.namespace) % 6);
  const shape: [number, number][] = [
    [median - 1, 0.15],
    [median, 0.6],
    [median + 1, 0.2],
    [median + 2, 0.05],
  ];
  const latencyCounts = [...zeros];
  let placed = 0;
  for (const [index, share] of shape.slice(0, -1)) {
    const count = Math.round(requests * share);
    latencyCounts[index] = count;
    placed += count;
  }
  latencyCounts[median + 2] = requests - placed;
  let latencySumMs = 0;
  latencyCounts.forEach((count, index) => {
    const upper = bounds[index] ?? 7_200_000;
    const lower = index === 0 ? 0 : (bounds[index - 1] ?? 0);
    latencySumMs += count * ((upper + lower) / 2);
  });
  return {
    ...common,
    responses: {
      "1xx": 0,
      "2xx": requests - errors - clientErrors,
      "3xx": 0,
      "4xx": clientErrors,
      "5xx": errors,
      other: 0,
    },
    latencyCounts,
    latencySumMs,
    mutualTlsRequests: traits.isPlainText ? 0 : requests,
    requestBytes: requests * 512,
    responseBytes: requests * 2048,
    tcpConnectionsOpened: 0,
    tcpSentBytes: 0,
    tcpReceivedBytes: 0,
  };
}

function hashOf(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/** mulberry32: small, fast, deterministic. */
function randomOf(seed: string): () => number {
  let state = hashOf(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
