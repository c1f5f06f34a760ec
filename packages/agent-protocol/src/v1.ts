// The machine protocol between the cluster agent and the API, version 1. Both sides import these
// schemas: the API validates every request, the agent validates every response. Plain HTTPS+JSON
// initiated by the agent (it never accepts connections), plus one server-sent-events stream on
// which the API pushes control messages (and, later, desired configuration).
//
//   POST /agent/v1/register   bootstrap token → per-cluster credential (once)
//   POST /agent/v1/hello      versions and mesh → the API's expectations (sequence to resume from)
//   POST /agent/v1/inventory  snapshot chunks and deltas, numbered
//   POST /agent/v1/heartbeat  liveness
//   POST /agent/v1/rotate     trade the current credential for a new one
//   GET  /agent/v1/events     SSE: control messages (revoked, rotate, desired-config)
//   GET  /agent/v1/desired-config   the cluster's latest desired configuration version
//   POST /agent/v1/config-status    per-resource results of applying a version, and drift
//   POST /agent/v1/telemetry  per-edge traffic deltas for one window, idempotent by batch id
// Every call but register carries `Authorization: Bearer <credential>`.
import { z } from "zod";

export const protocolVersion = "v1" as const;

export const agentPaths = {
  register: "/agent/v1/register",
  hello: "/agent/v1/hello",
  inventory: "/agent/v1/inventory",
  heartbeat: "/agent/v1/heartbeat",
  rotate: "/agent/v1/rotate",
  events: "/agent/v1/events",
  desiredConfig: "/agent/v1/desired-config",
  configStatus: "/agent/v1/config-status",
  telemetry: "/agent/v1/telemetry",
  telemetryResume: "/agent/v1/telemetry/resume",
} as const;

const kubeName = z.string().min(1).max(253);
const labels = z.record(z.string().max(317), z.string().max(63 * 5));

// ── register ────────────────────────────────────────────────────────────────────────────────
export const RegisterRequest = z.object({
  bootstrapToken: z.string().min(16).max(200),
  agentVersion: z.string().max(64),
});
export type RegisterRequest = z.infer<typeof RegisterRequest>;

export const RegisterResponse = z.object({
  clusterId: z.string(),
  clusterName: z.string(),
  /** The per-cluster credential; shown once, stored hashed by the API. */
  credential: z.string(),
});
export type RegisterResponse = z.infer<typeof RegisterResponse>;

// ── hello ───────────────────────────────────────────────────────────────────────────────────
export const MeshInfo = z.object({
  kind: z.enum(["istio", "none"]),
  /** e.g. "1.30.3", from istiod's image tag; null when no control plane was found. */
  version: z.string().max(64).nullable(),
});
export type MeshInfo = z.infer<typeof MeshInfo>;

export const HelloRequest = z.object({
  agentVersion: z.string().max(64),
  kubernetesVersion: z.string().max(64),
  mesh: MeshInfo,
});
export type HelloRequest = z.infer<typeof HelloRequest>;

export const HelloResponse = z.object({
  clusterId: z.string(),
  clusterName: z.string(),
  heartbeatIntervalSeconds: z.number().int().positive(),
  /** The last inventory batch the API applied; the agent numbers its next batch after it. */
  lastInventorySequence: z.number().int().nonnegative(),
});
export type HelloResponse = z.infer<typeof HelloResponse>;

// ── inventory ───────────────────────────────────────────────────────────────────────────────
export const NamespaceObject = z.object({
  kind: z.literal("Namespace"),
  name: kubeName,
  labels,
  /** istio-injection=enabled or an istio.io/rev label. */
  sidecarInjection: z.boolean(),
  podCount: z.number().int().nonnegative(),
});

export const ServicePort = z.object({
  name: z.string().max(63).optional(),
  port: z.number().int().min(1).max(65535),
  protocol: z.string().max(16),
  targetPort: z.union([z.number().int(), z.string()]).optional(),
});

export const ServiceObject = z.object({
  kind: z.literal("Service"),
  namespace: kubeName,
  name: kubeName,
  labels,
  selector: labels,
  type: z.string().max(32),
  ports: z.array(ServicePort).max(256),
});

export const WorkloadObject = z.object({
  kind: z.enum(["Deployment", "StatefulSet"]),
  namespace: kubeName,
  name: kubeName,
  labels,
  /** The pod template's `app` and `version` labels, as Istio reads them. */
  app: z.string().max(63).nullable(),
  version: z.string().max(63).nullable(),
  serviceAccount: z.string().max(253).nullable(),
  replicas: z.number().int().nonnegative(),
  readyReplicas: z.number().int().nonnegative(),
  /** Pods of this workload that exist now. */
  podCount: z.number().int().nonnegative(),
  /** True when its pods run an istio-proxy sidecar (or would be injected, before any pod exists). */
  sidecarInjected: z.boolean(),
});

export const InventoryObject = z.discriminatedUnion("kind", [
  NamespaceObject,
  ServiceObject,
  WorkloadObject.extend({ kind: z.literal("Deployment") }),
  WorkloadObject.extend({ kind: z.literal("StatefulSet") }),
]);
export type InventoryObject = z.infer<typeof InventoryObject>;
export type InventoryKind = InventoryObject["kind"];

export const InventoryKey = z.object({
  kind: z.enum(["Namespace", "Service", "Deployment", "StatefulSet"]),
  /** Empty for namespaces. */
  namespace: z.string().max(253),
  name: kubeName,
});
export type InventoryKey = z.infer<typeof InventoryKey>;

export function inventoryKeyOf(object: InventoryObject): InventoryKey {
  return {
    kind: object.kind,
    namespace: object.kind === "Namespace" ? "" : object.namespace,
    name: object.name,
  };
}

/**
 * One numbered batch. Sequences increase by one per batch for the life of the cluster (the agent
 * resumes after `lastInventorySequence` from hello), so the API can apply each exactly once: a
 * repeat is acknowledged and ignored, a gap answers 409 and the agent re-sends a full snapshot.
 *
 * A snapshot is a run of batches with the same `snapshot.id`; the last one has `isFinal`. When it
 * arrives, the API removes every object of the cluster that the snapshot did not mention.
 */
export const InventoryBatch = z.object({
  sequence: z.number().int().positive(),
  snapshot: z.object({ id: z.string().min(1).max(64), isFinal: z.boolean() }).optional(),
  upserts: z.array(InventoryObject).max(5000),
  deletes: z.array(InventoryKey).max(5000),
});
export type InventoryBatch = z.infer<typeof InventoryBatch>;

export const InventoryAck = z.object({
  /** The last sequence the API has applied (equal to the batch's when it was applied or a repeat). */
  appliedSequence: z.number().int().nonnegative(),
  isDuplicate: z.boolean(),
});
export type InventoryAck = z.infer<typeof InventoryAck>;

// ── heartbeat and rotate ────────────────────────────────────────────────────────────────────
export const HeartbeatRequest = z.object({ inventorySequence: z.number().int().nonnegative() });
export const HeartbeatResponse = z.object({ ok: z.literal(true) });

export const RotateResponse = z.object({ credential: z.string() });

// ── events (server-sent) ────────────────────────────────────────────────────────────────────
export const AgentEvent = z.discriminatedUnion("type", [
  /** First event on every stream. */
  z.object({ type: z.literal("ready"), clusterId: z.string() }),
  /** The credential was revoked (cluster removed or credential revoked): stop, do not retry. */
  z.object({ type: z.literal("revoked"), reason: z.string() }),
  /** An admin asked for a new credential: call rotate and keep the new one. */
  z.object({ type: z.literal("rotate") }),
  /**
   * A new desired configuration version exists for this cluster: fetch it (GET desired-config).
   * Also sent right after `ready` with the current version, so an agent that was offline catches up.
   */
  z.object({ type: z.literal("desired-config"), version: z.number().int().nonnegative() }),
  /** The cluster's settings (e.g. repairDrift) changed: fetch desired-config again, even at the same version. */
  z.object({ type: z.literal("settings-changed") }),
]);
export type AgentEvent = z.infer<typeof AgentEvent>;

// ── desired configuration ───────────────────────────────────────────────────────────────────
/**
 * One Istio resource as compiled by policy-model (`MeshResource`): ours when it carries the label
 * `app.kubernetes.io/managed-by: switchyard`. The agent applies exactly this with server-side apply.
 */
export const DesiredResource = z.object({
  apiVersion: z.string().max(100),
  kind: z.string().max(100),
  metadata: z.object({
    name: kubeName,
    namespace: kubeName,
    labels: labels,
    annotations: z.record(z.string(), z.string()),
  }),
  spec: z.record(z.string(), z.unknown()),
});
export type DesiredResource = z.infer<typeof DesiredResource>;

/**
 * The cluster's complete desired configuration at one version. Versions are per cluster, start at 1
 * and only grow; version 0 means nothing was ever compiled for the cluster (prune nothing).
 * The resources are the whole truth: anything we own that is not listed is to be pruned.
 */
export const DesiredConfig = z.object({
  version: z.number().int().nonnegative(),
  contentHash: z.string().max(128),
  /** Whether the agent should put back owned resources that someone else changed or deleted. */
  repairDrift: z.boolean(),
  resources: z.array(DesiredResource).max(20_000),
});
export type DesiredConfig = z.infer<typeof DesiredConfig>;

export const ResourceRef = z.object({
  apiVersion: z.string().max(100),
  kind: z.string().max(100),
  namespace: z.string().max(253),
  name: kubeName,
});
export type ResourceRef = z.infer<typeof ResourceRef>;

export const ResourceResult = ResourceRef.extend({
  outcome: z.enum(["applied", "unchanged", "pruned", "conflict", "rejected"]),
  /** For conflict: the other field manager(s) named by the API server. */
  conflictManagers: z.array(z.string().max(256)).max(20).optional(),
  /** The API server's message for conflict and rejected. */
  message: z.string().max(4000).optional(),
});
export type ResourceResult = z.infer<typeof ResourceResult>;

export const DriftReport = ResourceRef.extend({
  change: z.enum(["modified", "deleted"]),
  /** Who changed it, from managedFields, when known. */
  manager: z.string().max(256).optional(),
  isRepaired: z.boolean(),
});
export type DriftReport = z.infer<typeof DriftReport>;

/**
 * What happened when the agent applied `version` (results), or drift it saw since (drift only,
 * results empty). `reachedVersion` is the version the cluster now runs: equal to `version` when
 * every resource applied, unchanged or pruned; the previous one otherwise.
 */
export const ConfigStatusReport = z.object({
  version: z.number().int().nonnegative(),
  reachedVersion: z.number().int().nonnegative(),
  results: z.array(ResourceResult).max(20_000),
  drift: z.array(DriftReport).max(20_000),
});
export type ConfigStatusReport = z.infer<typeof ConfigStatusReport>;

// ── telemetry ───────────────────────────────────────────────────────────────────────────────
/** Where a cluster's agent read its telemetry from. */
export const TelemetrySource = z.enum(["prometheus", "scrape"]);
export type TelemetrySource = z.infer<typeof TelemetrySource>;

/** Istio's `unknown` is sent as is; empty strings are not allowed so keys stay comparable. */
const telemetryName = z.string().min(1).max(253);

/**
 * The caller side of an edge as Istio labels it. `workload` "unknown" (with the rest "unknown")
 * is a caller without a sidecar, seen only by the destination's proxy.
 */
export const TelemetryPeer = z.object({
  cluster: telemetryName,
  namespace: telemetryName,
  workload: telemetryName,
  app: telemetryName,
  version: telemetryName,
});
export type TelemetryPeer = z.infer<typeof TelemetryPeer>;

/**
 * One edge's increase over the batch window, from one reporter: `source` samples are what the
 * calling proxy saw, `destination` what the called proxy saw. Both are shipped because a
 * cross-cluster call is seen by two agents; the API picks per edge as `aggregateEdges` does
 * (counts from source reports, the mTLS share from destination reports).
 *
 * `responses` holds requests by class (`1xx`..`5xx`, `other` for Envoy's code 0); `latencyCounts`
 * the per-bucket increase (not cumulative) over `ISTIO_DEFAULT_BUCKETS_MS` plus +Inf, so it has
 * 20 entries; `mutualTlsRequests` those with connection_security_policy="mutual_tls". TCP edges
 * carry connections and bytes, with zero requests.
 */
export const TelemetryEdgeSample = z.object({
  reporter: z.enum(["source", "destination"]),
  protocol: z.enum(["http", "grpc", "tcp"]),
  source: TelemetryPeer,
  destination: z.object({
    cluster: telemetryName,
    namespace: telemetryName,
    service: telemetryName,
    workload: telemetryName,
    app: telemetryName,
    version: telemetryName,
  }),
  responses: z.object({
    "1xx": z.number().nonnegative(),
    "2xx": z.number().nonnegative(),
    "3xx": z.number().nonnegative(),
    "4xx": z.number().nonnegative(),
    "5xx": z.number().nonnegative(),
    other: z.number().nonnegative(),
  }),
  latencyCounts: z.array(z.number().nonnegative()).length(20),
  latencySumMs: z.number().nonnegative(),
  mutualTlsRequests: z.number().nonnegative(),
  requestBytes: z.number().nonnegative(),
  responseBytes: z.number().nonnegative(),
  tcpConnectionsOpened: z.number().nonnegative(),
  tcpSentBytes: z.number().nonnegative(),
  tcpReceivedBytes: z.number().nonnegative(),
});
export type TelemetryEdgeSample = z.infer<typeof TelemetryEdgeSample>;

/**
 * The increase of every edge over `[windowStart, windowEnd)` (ms since the epoch). `batchId` is
 * chosen by the agent when it reads the window and kept across retries, so a batch re-sent after
 * a lost response is stored once. Counts are floats: Prometheus' `increase()` extrapolates.
 */
export const TelemetryBatch = z
  .object({
    batchId: z.string().min(8).max(64),
    source: TelemetrySource,
    windowStart: z.number().int().nonnegative(),
    windowEnd: z.number().int().positive(),
    edges: z.array(TelemetryEdgeSample).max(20_000),
  })
  .refine((batch) => batch.windowEnd > batch.windowStart, {
    path: ["windowEnd"],
    message: "windowEnd must be after windowStart",
  });
export type TelemetryBatch = z.infer<typeof TelemetryBatch>;

export const TelemetryAck = z.object({ isDuplicate: z.boolean(), storedEdges: z.number().int() });
export type TelemetryAck = z.infer<typeof TelemetryAck>;

/**
 * `GET telemetryResume`: where the cluster's stored telemetry ends (the latest `windowEnd` the API
 * stored for it; null when none is on record). An agent that (re)starts reads from there when its
 * source keeps history (a Prometheus server), so a restart leaves no gap.
 */
export const TelemetryResume = z.object({ lastWindowEnd: z.number().int().nonnegative().nullable() });
export type TelemetryResume = z.infer<typeof TelemetryResume>;

// ── errors ──────────────────────────────────────────────────────────────────────────────────
/**
 * Error bodies. `isRetryable` tells the agent whether to back off and retry (transient) or stop
 * and say why (fatal: bad token, revoked credential, protocol mismatch).
 */
export const ErrorCode = z.enum([
  "bootstrap_token_invalid",
  "bootstrap_token_expired",
  "bootstrap_token_used",
  "credential_invalid",
  "credential_revoked",
  "sequence_gap",
  "bad_request",
  "unavailable",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  error: z.object({ code: ErrorCode, message: z.string(), isRetryable: z.boolean() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
