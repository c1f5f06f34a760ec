/**
 * `npm run bench -- compile`: 1,000 policies, 100 clusters, 5,000 services, generated here with a
 * fixed seed. Measures a full compile of every cluster and the recompile after one policy changes
 * (only the clusters that change touches, each with its complete resources, diagnostics and hash).
 * Edits go to policies of every kind in the proportions the fleet has them. Prints medians (wall
 * clock, and CPU time, which shared machines disturb less); the last line is the JSON summary.
 */
import type { CompileResult } from "@switchyard/policy-model/compile";
import { affectedClusters, FleetCompiler } from "@switchyard/policy-model/fleet";
import type { ClusterInventory } from "@switchyard/policy-model/inventory";
import { type Policy, policyApiVersion } from "@switchyard/policy-model/schema";
import { validatePolicies } from "@switchyard/policy-model/validate";

const CLUSTERS = 100;
const SERVICES = 5_000;
const POLICIES = 1_000;
const NAMESPACES = 50;
/** Each global service runs in this many clusters. */
const CLUSTERS_PER_SERVICE = 10;
const FULL_RUNS = 5;
/** A multiple of 20 so every kind gets its share of edits (see `policyDocument`). */
const INCREMENTAL_RUNS = 60;

/** mulberry32: a small seeded PRNG, so every run benchmarks the same fleet. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(42);
const pick = <T>(list: readonly T[]): T => {
  const item = list[Math.floor(random() * list.length)];
  if (item === undefined) throw new Error("empty list");
  return item;
};

const regions = ["eu", "us", "ap", "sa"];
const envs = ["prod", "staging"];
const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `team-${i}`);
const services = Array.from({ length: SERVICES }, (_, i) => ({
  name: `svc-${i}`,
  namespace: namespaces[i % NAMESPACES] ?? "team-0",
}));

function buildInventories(): ClusterInventory[] {
  const inventories: ClusterInventory[] = Array.from({ length: CLUSTERS }, (_, i) => ({
    cluster: {
      name: `cluster-${i}`,
      labels: { region: regions[i % regions.length] ?? "eu", env: envs[i % 5 === 0 ? 1 : 0] ?? "prod" },
    },
    namespaces: namespaces.map((name) => ({ name, hasSidecarInjection: true })),
    services: [],
    workloads: [],
  }));
  services.forEach((service, s) => {
    for (let k = 0; k < CLUSTERS_PER_SERVICE; k++) {
      const inventory = inventories[(s * 7 + k * 10) % CLUSTERS];
      if (!inventory) continue;
      inventory.services?.push({ ...service, ports: [{ port: 8080, name: "http" }] });
      for (const version of ["v1", "v2"])
        inventory.workloads?.push({
          name: `${service.name}-${version}`,
          namespace: service.namespace,
          labels: { app: service.name, version },
          hasSidecar: true,
          readyReplicas: 2,
          serviceAccount: service.name,
        });
    }
  });
  return inventories;
}

function clusterScope(): Record<string, unknown> | undefined {
  const r = random();
  if (r < 0.5) return undefined;
  if (r < 0.8) return { matchLabels: { region: pick(regions) } };
  if (r < 0.9) return { matchLabels: { env: "prod" } };
  return {
    names: Array.from({ length: 3 }, () => `cluster-${Math.floor(random() * CLUSTERS)}`).filter(
      (v, i, a) => a.indexOf(v) === i,
    ),
  };
}

function policyDocument(i: number, canaryWeight: number): unknown {
  const service = services[(i * 5) % SERVICES] ?? { name: "svc-0", namespace: "team-0" };
  const clusters = clusterScope();
  const scope = { ...(clusters ? { clusters } : {}), namespace: service.namespace, service: service.name };
  const base = (kind: string, spec: unknown) => ({
    apiVersion: policyApiVersion,
    kind,
    metadata: { name: `policy-${i}`, revision: 1 },
    spec,
  });
  const kind = i % 20;
  if (kind < 8)
    return base("TrafficPolicy", {
      scope,
      routes: [
        {
          name: "beta",
          match: [{ headers: { "x-beta": { exact: "1" } } }],
          destinations: [{ version: "v2" }],
        },
        {
          name: "default",
          destinations: [
            { version: "v1", weight: 100 - canaryWeight },
            { version: "v2", weight: canaryWeight },
          ],
          timeout: "2s",
          retries: { attempts: 3, perTryTimeout: "500ms", retryOn: ["5xx", "reset"] },
        },
      ],
    });
  if (kind < 13)
    return base("ResiliencePolicy", {
      scope,
      loadBalancer: { algorithm: "least-request" },
      connectionPool: { tcp: { maxConnections: 100 }, http: { maxPendingRequests: 50 } },
      outlierDetection: {
        consecutive5xxErrors: 5,
        interval: "10s",
        baseEjectionTime: "30s",
        maxEjectionPercent: 50,
      },
    });
  if (kind < 15) return base("RateLimitPolicy", { scope, limit: { requests: 100 + i, per: "second" } });
  if (kind < 19)
    return base("AuthorizationPolicy", {
      scope: { ...(clusters ? { clusters } : {}), namespace: service.namespace, service: service.name },
      action: kind === 18 ? "deny" : "allow",
      rules: [
        {
          from: { serviceAccounts: [`${service.namespace}/frontend`] },
          to: { methods: ["GET", "POST"], paths: ["/api/*"] },
        },
      ],
    });
  // One namespace-level mTLS policy per namespace, so no two tie.
  return base("MtlsPolicy", {
    scope: {
      ...(clusters ? { clusters } : {}),
      namespace: namespaces[Math.floor(i / 20) % NAMESPACES] ?? "team-0",
    },
    mode: "permissive",
  });
}

function validated(docs: unknown[]): Policy[] {
  const result = validatePolicies(docs);
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0)
    throw new Error(`generated policies are invalid: ${JSON.stringify(errors.slice(0, 3))}`);
  return result.policies;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

const inventories = buildInventories();
const documents = Array.from({ length: POLICIES }, (_, i) => policyDocument(i, 10));
const policies = validated(documents);

// Full compile of every cluster. Each run gets fresh policy objects (as a worker loading them from
// the database would), so nothing emitted in an earlier run is reused.
const fullTimes: number[] = [];
let results: CompileResult[] = [];
let fleet: FleetCompiler | undefined;
for (let run = 0; run < FULL_RUNS; run++) {
  const fresh = structuredClone(policies);
  const start = performance.now();
  fleet = new FleetCompiler(inventories, fresh);
  results = fleet.compileAll();
  fullTimes.push(performance.now() - start);
}
const resources = results.reduce((n, r) => n + r.resources.length, 0);
const errors = results.reduce((n, r) => n + r.diagnostics.filter((d) => d.severity === "error").length, 0);

/** A user's edit of one policy: same name and scope, one field changed, the next revision. */
function editedDocument(index: number, run: number): unknown {
  const doc = structuredClone(documents[index]) as {
    kind: string;
    metadata: { name: string; revision: number };
    spec: Record<string, unknown> & {
      routes?: { destinations: { weight?: number }[] }[];
      connectionPool?: { tcp: { maxConnections: number } };
      limit?: { requests: number };
      rules?: { to: { paths: string[] } }[];
      mode?: string;
    };
  };
  doc.metadata.revision = 2 + run;
  const { spec } = doc;
  const canary = spec.routes?.[1]?.destinations;
  if (canary?.[0] && canary[1]) {
    const weight = 11 + (run % 80);
    canary[0].weight = 100 - weight;
    canary[1].weight = weight;
  }
  if (spec.connectionPool) spec.connectionPool.tcp.maxConnections = 200 + run;
  if (spec.limit) spec.limit.requests = 500 + run;
  spec.rules?.[0]?.to.paths.push(`/v${run}/*`);
  if (spec.mode) spec.mode = run % 2 === 0 ? "strict" : "permissive";
  return doc;
}

// Incremental: a user edits one policy; validate it and recompile only the clusters it touches, on
// the long-lived fleet compiler from the last full run. The stride of 41 walks through every kind
// slot of policyDocument (i % 20) in turn, each time on a different policy.
const incrementalTimes: number[] = [];
const incrementalCpu: number[] = [];
const byKind = new Map<string, number[]>();
const touched: number[] = [];
const current = new Map(policies.map((p) => [p.metadata.name, p]));
const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
for (let run = 0; run < INCREMENTAL_RUNS && fleet; run++) {
  // A policy that lands in no cluster is edited for free: take the next one of the same kind instead.
  let index = (run * 41 + 3) % POLICIES;
  while (affectedClusters(current.get(`policy-${index}`), undefined, inventories).length === 0)
    index = (index + 20) % POLICIES;
  const before = current.get(`policy-${index}`);
  const changedDoc = editedDocument(index, run);
  const startCpu = cpuMs();
  const start = performance.now();
  const [after] = validated([changedDoc]);
  const recompiled = fleet.applyChange(before, after);
  const elapsed = performance.now() - start;
  incrementalCpu.push(cpuMs() - startCpu);
  incrementalTimes.push(elapsed);
  touched.push(recompiled.length);
  if (after) {
    current.set(after.metadata.name, after);
    const times = byKind.get(after.kind) ?? [];
    times.push(elapsed);
    byKind.set(after.kind, times);
  }
  if (recompiled.length === 0) throw new Error(`edit of policy-${index} recompiled no cluster`);
}

const fullMs = median(fullTimes);
const incrementalMs = median(incrementalTimes);
const percentile = (values: number[], p: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0;
// How many clusters' worth of a full compile (measured in this same run) one edit costs: the
// incremental path should cost well under the clusters it touches.
const perClusterMs = fullMs / CLUSTERS;
const kinds = Object.fromEntries(
  [...byKind].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, t]) => [k, round(median(t))]),
);
console.log(
  `fleet: ${CLUSTERS} clusters, ${SERVICES} services (${CLUSTERS_PER_SERVICE} clusters each), ${policies.length} policies`,
);
console.log(
  `full compile: ${resources} resources, ${errors} error diagnostics; runs (ms): ${fullTimes.map((t) => round(t, 1)).join(", ")}`,
);
console.log(
  `incremental: median ${round(incrementalMs)} ms (CPU ${round(median(incrementalCpu))} ms, p90 ${round(percentile(incrementalTimes, 0.9))} ms) over ${incrementalTimes.length} single-policy edits of every kind, touching a median of ${median(touched)} clusters (max ${Math.max(...touched)})`,
);
console.log(`incremental median by kind (ms): ${JSON.stringify(kinds)}`);
console.log(
  `incremental / (full / clusters) = ${round(incrementalMs / perClusterMs)} (full compile costs ${round(perClusterMs)} ms per cluster in this run)`,
);
console.log(
  JSON.stringify({
    bench: "compile",
    full_ms: round(fullMs),
    incremental_ms: round(incrementalMs),
    resources_per_s: Math.round(resources / (fullMs / 1000)),
    resources,
    clusters: CLUSTERS,
    services: SERVICES,
    policies: policies.length,
    incremental_clusters: median(touched),
    incremental_p90_ms: round(percentile(incrementalTimes, 0.9)),
    incremental_cpu_ms: round(median(incrementalCpu)),
    incremental_ms_by_kind: kinds,
    incremental_per_cluster_ratio: round(incrementalMs / perClusterMs),
  }),
);
