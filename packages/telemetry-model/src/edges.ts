import { type BucketCounts, emptyBucketCounts, mergeHistograms } from "./histogram";
import {
  addResponseCounts,
  emptyResponseCounts,
  type ResponseCounts,
  responseClassOf,
  type SecurityCounts,
} from "./responses";

/**
 * A graph edge: who called (workload, namespace, cluster — or unknown, when the caller has no
 * sidecar and only the destination proxy reported) and which service was called. Versions are
 * not part of the edge; they are detail inside a destination service, as in Kiali's service graph.
 */
export interface EdgeKey {
  source: EdgeSource;
  destination: EdgeDestination;
}

export type EdgeSource =
  | { kind: "workload"; cluster: string; namespace: string; workload: string }
  | { kind: "unknown" };

export interface EdgeDestination {
  cluster: string;
  namespace: string;
  service: string;
}

/** The value Istio puts in labels it cannot fill. */
export const UNKNOWN = "unknown";

export type IstioLabels = Readonly<Record<string, string | undefined>>;

/** Reads an edge from Istio's standard labels; undefined when the destination itself is unknown. */
export function edgeKeyOf(labels: IstioLabels): EdgeKey | undefined {
  const destinationService = labels.destination_service_name ?? shortName(labels.destination_service);
  const destinationNamespace = labels.destination_service_namespace ?? labels.destination_workload_namespace;
  if (!isKnown(destinationService) || !isKnown(destinationNamespace)) return undefined;
  const destination: EdgeDestination = {
    cluster: labels.destination_cluster ?? UNKNOWN,
    namespace: destinationNamespace,
    service: destinationService,
  };
  const workload = labels.source_workload;
  const namespace = labels.source_workload_namespace;
  const source: EdgeSource =
    isKnown(workload) && isKnown(namespace)
      ? { kind: "workload", cluster: labels.source_cluster ?? UNKNOWN, namespace, workload }
      : { kind: "unknown" };
  return { source, destination };
}

/** A stable string for maps and database keys; `|` never occurs in Kubernetes names. */
export function edgeKeyString(key: EdgeKey): string {
  const source =
    key.source.kind === "unknown"
      ? "unknown"
      : `${key.source.cluster}|${key.source.namespace}|${key.source.workload}`;
  return `${source}>${key.destination.cluster}|${key.destination.namespace}|${key.destination.service}`;
}

function isKnown(value: string | undefined): value is string {
  return value !== undefined && value !== "" && value !== UNKNOWN;
}

function shortName(host: string | undefined): string | undefined {
  return host?.split(".")[0];
}

/** One increase of `istio_requests_total` (and optionally its latency) for one label set. */
export interface RequestSample {
  labels: IstioLabels;
  requests: number;
  /** Latency observations of the same label set (per-bucket increase). */
  latency?: BucketCounts;
}

export interface EdgeTotals {
  key: EdgeKey;
  responses: ResponseCounts;
  security: SecurityCounts;
  latency: BucketCounts;
  /** Whose reports gave the request counts and latency (see `aggregateEdges`). */
  reporter: "source" | "destination";
}

interface ReporterTotals {
  key: EdgeKey;
  responses: ResponseCounts;
  security: SecurityCounts;
  latency: BucketCounts;
}

/**
 * Sums samples per edge. Every request through two sidecars is reported twice (reporter=source and
 * reporter=destination); counting both would double the rate. Per edge the request counts and
 * latency come from the source reports when there are any, else from the destination ones (the
 * only view of callers without a sidecar), as Kiali does. The mTLS share comes from the
 * destination reports when there are any: Istio's client proxy does not know how the server
 * authenticated the connection and reports `connection_security_policy="unknown"`.
 */
export function aggregateEdges(samples: readonly RequestSample[], bounds?: readonly number[]): EdgeTotals[] {
  const byReporter = {
    source: new Map<string, ReporterTotals>(),
    destination: new Map<string, ReporterTotals>(),
  };
  for (const sample of samples) {
    const key = edgeKeyOf(sample.labels);
    if (key === undefined) continue;
    const map = sample.labels.reporter === "source" ? byReporter.source : byReporter.destination;
    const id = edgeKeyString(key);
    const totals = map.get(id) ?? {
      key,
      responses: emptyResponseCounts(),
      security: { mutualTls: 0, total: 0 },
      latency: emptyBucketCounts(bounds),
    };
    const responses = emptyResponseCounts();
    responses[responseClassOf(sample.labels.response_code ?? "")] = sample.requests;
    totals.responses = addResponseCounts(totals.responses, responses);
    totals.security.total += sample.requests;
    if (sample.labels.connection_security_policy === "mutual_tls")
      totals.security.mutualTls += sample.requests;
    if (sample.latency !== undefined) totals.latency = mergeHistograms(totals.latency, sample.latency);
    map.set(id, totals);
  }
  const ids = new Set([...byReporter.source.keys(), ...byReporter.destination.keys()]);
  const result: EdgeTotals[] = [];
  for (const id of ids) {
    const chosen = chooseReports(byReporter.source.get(id), byReporter.destination.get(id));
    if (chosen === undefined) continue;
    const { counted, secured } = chosen;
    result.push({
      key: counted.key,
      responses: counted.responses,
      latency: counted.latency,
      security: secured.security,
      reporter: chosen.reporter,
    });
  }
  return result;
}

/**
 * The rule `aggregateEdges` applies per edge, for callers that total reports their own way (the
 * API's stored buckets): requests and latency from the source report when there is one, else the
 * destination's; the security counts from the destination report when there is one, else the
 * source's. `isSecurityFromDestination` says whether the security counts can be trusted (a client
 * proxy reports `unknown`). Undefined when there is neither.
 */
export function chooseReports<T>(
  fromSource: T | undefined,
  fromDestination: T | undefined,
):
  | { counted: T; secured: T; reporter: "source" | "destination"; isSecurityFromDestination: boolean }
  | undefined {
  const counted = fromSource ?? fromDestination;
  const secured = fromDestination ?? fromSource;
  if (counted === undefined || secured === undefined) return undefined;
  return {
    counted,
    secured,
    reporter: fromSource !== undefined ? "source" : "destination",
    isSecurityFromDestination: fromDestination !== undefined,
  };
}
