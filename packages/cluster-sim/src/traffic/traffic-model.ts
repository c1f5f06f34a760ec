import type { ClusterStore } from "../cluster-store";
import {
  type ClusterConfig,
  isAuthorized,
  outlierPolicyFor,
  peerModeFor,
  principalOf,
  readClusterConfig,
  routeFor,
  subsetLabels,
  type Workload,
} from "./mesh-config";
import { IstioMetrics, type RequestLabels } from "./metrics";
import { Random } from "./random";
import { type Behaviour, type CallEdge, sampleTopology, type Topology } from "./topology";

/**
 * Requests flowing through one simulated cluster's mesh, one request at a time, with the Istio
 * configuration in its store applied roughly as Envoy applies it. Clusters that share a
 * `TrafficMesh` can call each other: the caller's cluster applies client-side config
 * (VirtualService, DestinationRule) and reports `reporter="source"`; the destination's cluster
 * applies server-side config (PeerAuthentication, AuthorizationPolicy) and reports
 * `reporter="destination"`.
 */

export interface TrafficOptions {
  /** PRNG seed (default: the cluster name): same seed, same clock steps → same metrics. */
  seed?: string;
  topology?: Topology;
  /** `namespace/service` → cluster name: calls from this cluster to that service go there. */
  remoteServices?: Record<string, string>;
  /** Simulated start time, ms since the epoch (default 0). */
  startMs?: number;
  /** Behaviour changes applied at start (the CLI's --behaviour). */
  behaviours?: BehaviourChange[];
}

export interface BehaviourChange {
  namespace: string;
  /** Workload name, e.g. `reviews-v3`. */
  workload: string;
  latencyMs?: number;
  errorRate?: number;
}

/** Links the traffic models of clusters that run in one process into one multi-cluster mesh. */
export class TrafficMesh {
  private readonly models = new Map<string, TrafficModel>();

  register(model: TrafficModel): void {
    this.models.set(model.clusterName, model);
  }

  find(name: string): TrafficModel | undefined {
    return this.models.get(name);
  }
}

interface Outcome {
  code: number;
  durationMs: number;
  flags: string;
}

interface OutlierState {
  consecutive5xx: number;
  ejectedUntilMs: number;
  ejections: number;
}

/** Tick length: config is re-read and arrivals are spread at this granularity. */
const STEP_SECONDS = 1;
/** Envoy's default for a route without `retries` in Istio: 2 retries on 503/connect failures. */
const DEFAULT_RETRIES = {
  attempts: 2,
  retryOn: "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes",
};
const REQUEST_BYTES = 300;
const RESPONSE_BYTES = 2000;

export class TrafficModel {
  readonly metrics = new IstioMetrics();
  private readonly random: Random;
  private readonly topology: Topology;
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly carry = new Map<string, number>();
  private readonly outliers = new Map<string, OutlierState>();
  private config: ClusterConfig | undefined;
  private nowMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly clusterName: string,
    private readonly store: ClusterStore,
    private readonly mesh: TrafficMesh = new TrafficMesh(),
    private readonly options: TrafficOptions = {},
  ) {
    this.random = new Random(options.seed ?? clusterName);
    this.topology = options.topology ?? sampleTopology();
    this.nowMs = options.startMs ?? 0;
    mesh.register(this);
    for (const change of options.behaviours ?? []) this.setBehaviour(change);
  }

  /** Simulated time, ms. */
  get now(): number {
    return this.nowMs;
  }

  /** Makes a workload slow or failing (or well again) from now on. */
  setBehaviour(change: BehaviourChange): void {
    const key = `${change.namespace}/${change.workload}`;
    const current = this.behaviourOf(key);
    this.behaviours.set(key, {
      latencyMs: change.latencyMs ?? current.latencyMs,
      errorRate: change.errorRate ?? current.errorRate,
    });
  }

  /** Runs the mesh for `seconds` of simulated time, in 1 s steps. */
  advance(seconds: number): void {
    let remaining = seconds;
    while (remaining > 1e-9) {
      const step = Math.min(STEP_SECONDS, remaining);
      this.step(step);
      remaining -= step;
    }
  }

  /** Advances with the wall clock (for the demo); stop() ends it. */
  start(intervalMs = 1000): void {
    if (this.timer) return;
    let last = Date.now();
    this.timer = setInterval(() => {
      const now = Date.now();
      this.advance((now - last) / 1000);
      last = now;
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The scrape body of `/metrics/istio`. */
  scrape(): string {
    return this.metrics.render();
  }

  /** The config as of the last tick, read again when none was read yet. */
  clusterConfig(): ClusterConfig {
    this.config ??= readClusterConfig(this.store);
    return this.config;
  }

  private step(seconds: number): void {
    this.config = readClusterConfig(this.store);
    for (const model of this.linkedModels()) model.config = readClusterConfig(model.store);
    for (const [index, root] of this.topology.roots.entries()) {
      const count = this.arrivals(`root:${index}`, root.rate * seconds);
      for (let request = 0; request < count; request++) {
        const caller =
          root.source === "unknown"
            ? undefined
            : this.clusterConfig().workloads.find(
                (workload) =>
                  root.source !== "unknown" &&
                  workload.namespace === root.source.namespace &&
                  workload.name === root.source.workload,
              );
        if (root.source !== "unknown" && caller === undefined) continue;
        this.call(caller, `${root.target.namespace}/${root.target.service}`, "http");
      }
    }
    this.nowMs += seconds * 1000;
  }

  private linkedModels(): TrafficModel[] {
    const names = new Set(Object.values(this.options.remoteServices ?? {}));
    return [...names].flatMap((name) => this.mesh.find(name) ?? []).filter((model) => model !== this);
  }

  /** Deterministic arrival counts: the fractional part carries over, so rates are exact over time. */
  private arrivals(key: string, expected: number): number {
    const total = (this.carry.get(key) ?? 0) + expected;
    const count = Math.floor(total);
    this.carry.set(key, total - count);
    return count;
  }

  /**
   * One request from `caller` (undefined = no sidecar, unknown source) to a service. Returns what
   * the caller sees. Client-side policy comes from this cluster, server-side from the destination's.
   */
  private call(caller: Workload | undefined, service: string, protocol: "http" | "tcp"): Outcome {
    const remoteName = this.options.remoteServices?.[service];
    const destinationModel = (remoteName && this.mesh.find(remoteName)) || this;
    const clientConfig = this.clusterConfig();
    const serverConfig = destinationModel.clusterConfig();
    // Without a client sidecar nothing applies VirtualServices or DestinationRules.
    const route = caller?.hasSidecar ? routeFor(clientConfig, service) : undefined;
    const chosen = route
      ? this.random.weighted(route.destinations, (destination) => destination.weight)
      : undefined;
    const targetService = chosen?.host ?? service;
    let candidates = serverConfig.workloads.filter(
      (workload) => `${workload.namespace}/${workload.app}` === targetService && workload.readyPods > 0,
    );
    if (chosen?.subset !== undefined) {
      const labels = subsetLabels(clientConfig, targetService, chosen.subset);
      candidates =
        labels === undefined
          ? []
          : candidates.filter((workload) =>
              Object.entries(labels).every(([key, value]) => workload.labels[key] === value),
            );
    }

    if (protocol === "tcp") {
      const target = this.random.weighted(candidates, (workload) => workload.readyPods);
      if (caller?.hasSidecar && target) {
        const outcome = { code: 0, flags: "-" };
        const security = securityOf(caller, target, serverConfig);
        const labels = this.labels("source", caller, target, service, destinationModel, outcome, security);
        labels.request_protocol = "tcp";
        labels.response_code = "0";
        this.metrics.recordTcpConnection(labels, REQUEST_BYTES, RESPONSE_BYTES * 4);
      }
      return { code: 200, durationMs: 1, flags: "-" };
    }

    if (route?.abort && this.random.chance(route.abort.percentage / 100)) {
      // The fault filter answers before the router: no upstream sees the request.
      const outcome = { code: route.abort.httpStatus, durationMs: 0, flags: "FI" };
      this.reportSource(caller, candidates[0], targetService, destinationModel, serverConfig, outcome);
      return outcome;
    }
    let delayMs = 0;
    if (route?.delay && this.random.chance(route.delay.percentage / 100)) delayMs = route.delay.delayMs;
    const retries = route?.retries ?? (caller?.hasSidecar ? DEFAULT_RETRIES : { attempts: 0 });
    const result = this.attempts(
      caller,
      targetService,
      candidates,
      destinationModel,
      retries,
      route?.timeoutMs,
    );
    const flags =
      [delayMs > 0 ? "DI" : "", result.flags === "-" ? "" : result.flags].filter(Boolean).join(",") || "-";
    const outcome = { code: result.code, durationMs: delayMs + result.durationMs, flags };
    this.reportSource(
      caller,
      result.target ?? candidates[0],
      targetService,
      destinationModel,
      serverConfig,
      outcome,
    );
    return outcome;
  }

  private reportSource(
    caller: Workload | undefined,
    target: Workload | undefined,
    service: string,
    destinationModel: TrafficModel,
    serverConfig: ClusterConfig,
    outcome: Outcome,
  ): void {
    if (!caller?.hasSidecar) return;
    const security = target ? securityOf(caller, target, serverConfig) : "unknown";
    const labels = this.labels("source", caller, target, service, destinationModel, outcome, security);
    this.metrics.recordRequest(labels, outcome.durationMs, REQUEST_BYTES, RESPONSE_BYTES);
  }

  /** The router: picks an endpoint per attempt, skipping ejected ones, retrying as configured. */
  private attempts(
    caller: Workload | undefined,
    service: string,
    candidates: Workload[],
    destinationModel: TrafficModel,
    retries: { attempts: number; perTryTimeoutMs?: number; retryOn?: string },
    timeoutMs: number | undefined,
  ): Outcome & { target?: Workload } {
    if (candidates.length === 0) return { code: 503, durationMs: 0, flags: "NR" };
    const outlier = outlierPolicyFor(this.clusterConfig(), service);
    let elapsed = 0;
    let last: Outcome & { target?: Workload } = { code: 503, durationMs: 0, flags: "UH" };
    for (let attempt = 0; attempt <= retries.attempts; attempt++) {
      const healthy = candidates.filter(
        (workload) => (this.outlierState(service, workload).ejectedUntilMs ?? 0) <= this.nowMs,
      );
      // Envoy's panic threshold: with every host ejected it balances over all of them.
      const pool = healthy.length > 0 ? healthy : candidates;
      const target = this.random.weighted(pool, (workload) => workload.readyPods);
      if (target === undefined) return last;
      const served = destinationModel.serve(caller, target, service, this.clusterName);
      let code = served.code;
      let durationMs = served.durationMs;
      let flags = "-";
      if (retries.perTryTimeoutMs !== undefined && durationMs > retries.perTryTimeoutMs) {
        code = 504;
        durationMs = retries.perTryTimeoutMs;
        flags = "UT";
      }
      elapsed += durationMs;
      if (timeoutMs !== undefined && elapsed > timeoutMs)
        return { code: 504, durationMs: timeoutMs, flags: "UT", target };
      if (outlier) this.trackOutlier(service, target, candidates, code, outlier);
      last = { code, durationMs: elapsed, flags, target };
      if (!isRetriable(code, retries.retryOn)) return last;
    }
    return { ...last, flags: last.flags === "-" ? "URX" : last.flags };
  }

  private outlierState(service: string, workload: Workload): OutlierState {
    const key = `${service}|${workload.namespace}/${workload.name}`;
    let state = this.outliers.get(key);
    if (state === undefined) {
      state = { consecutive5xx: 0, ejectedUntilMs: 0, ejections: 0 };
      this.outliers.set(key, state);
    }
    return state;
  }

  /**
   * Envoy's consecutive-5xx detector, per version instead of per pod: N 5xx in a row eject the
   * version for baseEjectionTime × times ejected, as long as no more than maxEjectionPercent of
   * the versions are out (but always at least one, as Envoy allows).
   */
  private trackOutlier(
    service: string,
    target: Workload,
    candidates: Workload[],
    code: number,
    policy: { consecutive5xxErrors: number; baseEjectionTimeMs: number; maxEjectionPercent: number },
  ): void {
    const state = this.outlierState(service, target);
    if (code < 500) {
      state.consecutive5xx = 0;
      return;
    }
    state.consecutive5xx++;
    if (state.consecutive5xx < policy.consecutive5xxErrors || state.ejectedUntilMs > this.nowMs) return;
    const ejected = candidates.filter(
      (workload) => this.outlierState(service, workload).ejectedUntilMs > this.nowMs,
    );
    const allowed = Math.max(1, Math.floor((candidates.length * policy.maxEjectionPercent) / 100));
    if (ejected.length >= allowed) return;
    state.ejections++;
    state.ejectedUntilMs = this.nowMs + policy.baseEjectionTimeMs * state.ejections;
    state.consecutive5xx = 0;
  }

  /** The destination side: mTLS, authorization, the workload's own latency and errors, its calls. */
  serve(caller: Workload | undefined, target: Workload, service: string, callerCluster: string): Outcome {
    const config = this.clusterConfig();
    const security = securityOf(caller, target, config);
    // A plain-text client against STRICT: the TLS handshake fails; no HTTP exchange is reported.
    if (security === "reject") return { code: 503, durationMs: 0, flags: "UF" };
    const principal = security === "mutual_tls" && caller ? principalOf(caller) : "";
    let outcome: Outcome;
    if (
      target.hasSidecar &&
      !isAuthorized(config, target, { principal, namespace: caller?.namespace ?? "" })
    ) {
      outcome = { code: 403, durationMs: 0.3, flags: "-" };
    } else {
      const behaviour = this.behaviourOf(`${target.namespace}/${target.name}`);
      let durationMs = this.random.latency(behaviour.latencyMs);
      const code = this.random.chance(behaviour.errorRate) ? 500 : 200;
      if (code === 200) {
        for (const edge of this.callsOf(target)) {
          const times = Math.floor(edge.perRequest) + (this.random.chance(edge.perRequest % 1) ? 1 : 0);
          for (let index = 0; index < times; index++) {
            const downstream = this.call(target, `${edge.to.namespace}/${edge.to.service}`, edge.protocol);
            durationMs += downstream.durationMs;
          }
        }
      }
      outcome = { code, durationMs, flags: "-" };
    }
    if (target.hasSidecar) {
      const labels = this.labels(
        "destination",
        caller,
        target,
        service,
        this,
        outcome,
        security,
        callerCluster,
      );
      this.metrics.recordRequest(labels, outcome.durationMs, REQUEST_BYTES, RESPONSE_BYTES);
    }
    return outcome;
  }

  private callsOf(workload: Workload): CallEdge[] {
    return this.topology.calls.filter(
      (edge) =>
        edge.from.namespace === workload.namespace &&
        edge.from.app === workload.app &&
        (edge.from.versions === undefined || edge.from.versions.includes(workload.version)),
    );
  }

  private behaviourOf(key: string): Behaviour {
    return this.behaviours.get(key) ?? this.topology.behaviours[key] ?? this.topology.defaultBehaviour;
  }

  private labels(
    reporter: "source" | "destination",
    caller: Workload | undefined,
    target: Workload | undefined,
    service: string,
    destinationModel: TrafficModel,
    outcome: Outcome | { code: number; flags: string },
    security: Security,
    sourceCluster = this.clusterName,
  ): RequestLabels {
    const [serviceNamespace = "unknown", serviceName = "unknown"] = service.split("/");
    const isMutual = security === "mutual_tls";
    return {
      reporter,
      source_workload: caller?.name ?? "unknown",
      source_workload_namespace: caller?.namespace ?? "unknown",
      source_principal: caller && isMutual ? `spiffe://${principalOf(caller)}` : "unknown",
      source_app: caller?.app ?? "unknown",
      source_version: caller?.version ?? "unknown",
      source_canonical_service: caller?.app ?? "unknown",
      source_canonical_revision: caller?.version ?? "latest",
      source_cluster: caller ? sourceCluster : "unknown",
      destination_workload: target?.name ?? "unknown",
      destination_workload_namespace: target?.namespace ?? "unknown",
      destination_principal: target && isMutual ? `spiffe://${principalOf(target)}` : "unknown",
      destination_app: target?.app ?? "unknown",
      destination_version: target?.version ?? "unknown",
      destination_service: `${serviceName}.${serviceNamespace}.svc.cluster.local`,
      destination_service_name: serviceName,
      destination_service_namespace: serviceNamespace,
      destination_canonical_service: target?.app ?? "unknown",
      destination_canonical_revision: target?.version ?? "latest",
      destination_cluster: destinationModel.clusterName,
      request_protocol: "http",
      response_code: String(outcome.code),
      grpc_response_status: "",
      response_flags: outcome.flags,
      connection_security_policy: security === "reject" ? "unknown" : security,
    };
  }
}

type Security = "mutual_tls" | "none" | "unknown" | "reject";

/**
 * What the destination's inbound listener negotiates. Auto mTLS: a client sidecar always offers
 * mTLS to a server sidecar unless the server's mode is DISABLE. Without a sidecar on either side
 * the traffic is plain text; STRICT refuses plain text. Both reporters carry the result (real
 * Istio's client proxy reports "unknown"; see docs/cluster-sim.md).
 */
function securityOf(caller: Workload | undefined, target: Workload, config: ClusterConfig): Security {
  if (!target.hasSidecar) return "none";
  const mode = peerModeFor(config, target);
  if (mode === "DISABLE") return "none";
  if (caller?.hasSidecar) return "mutual_tls";
  return mode === "STRICT" ? "reject" : "none";
}

/** Envoy's retry_on conditions, as far as status codes can tell them apart. */
function isRetriable(code: number, retryOn: string | undefined): boolean {
  if (code < 500) return false;
  const conditions = (retryOn ?? DEFAULT_RETRIES.retryOn).split(",").map((condition) => condition.trim());
  if (conditions.includes("5xx")) return true;
  if (conditions.includes("gateway-error") && code >= 502 && code <= 504) return true;
  return (
    code === 503 &&
    conditions.some((condition) =>
      ["retriable-status-codes", "unavailable", "connect-failure", "reset"].includes(condition),
    )
  );
}
