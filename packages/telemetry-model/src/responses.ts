/**
 * Response classes, error rate and mTLS share, read from Istio's standard labels the way Kiali
 * reads them: `response_code` grouped by its first digit, errors = 5xx by default and 4xx when
 * asked (Kiali's health config treats both as errors; many teams count only server faults), and
 * `connection_security_policy="mutual_tls"` as encrypted.
 */

export type ResponseClass = "1xx" | "2xx" | "3xx" | "4xx" | "5xx" | "other";

export const RESPONSE_CLASSES: readonly ResponseClass[] = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"];

/**
 * Class of an HTTP `response_code` label. Envoy reports `0` when no response was sent (the
 * downstream went away, or a TCP-level failure); that and anything unparsable is "other".
 */
export function responseClassOf(responseCode: string | number): ResponseClass {
  const code = typeof responseCode === "number" ? responseCode : Number.parseInt(responseCode, 10);
  if (!Number.isInteger(code) || code < 100 || code > 599) return "other";
  return `${Math.floor(code / 100)}xx` as ResponseClass;
}

export type ResponseCounts = Record<ResponseClass, number>;

export function emptyResponseCounts(): ResponseCounts {
  return { "1xx": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, other: 0 };
}

export function addResponseCounts(left: ResponseCounts, right: ResponseCounts): ResponseCounts {
  const sum = emptyResponseCounts();
  for (const responseClass of RESPONSE_CLASSES)
    sum[responseClass] = left[responseClass] + right[responseClass];
  return sum;
}

export function totalRequests(counts: ResponseCounts): number {
  return RESPONSE_CLASSES.reduce((total, responseClass) => total + counts[responseClass], 0);
}

export interface ErrorRateOptions {
  /** Count 4xx as errors too (Kiali's default health does; default false: 5xx only). */
  isClientErrorIncluded?: boolean;
}

export function errorCount(counts: ResponseCounts, options: ErrorRateOptions = {}): number {
  return counts["5xx"] + (options.isClientErrorIncluded ? counts["4xx"] : 0);
}

/** Errors / requests in [0, 1]; undefined without requests, so "no traffic" is not "healthy". */
export function errorRate(counts: ResponseCounts, options: ErrorRateOptions = {}): number | undefined {
  const total = totalRequests(counts);
  return total === 0 ? undefined : errorCount(counts, options) / total;
}

export type SecurityPolicy = "mutual_tls" | "none" | "unknown";

export function securityPolicyOf(label: string | undefined): SecurityPolicy {
  return label === "mutual_tls" || label === "none" ? label : "unknown";
}

export interface SecurityCounts {
  mutualTls: number;
  total: number;
}

/** Share of requests on mutual TLS in [0, 1]; undefined without requests. */
export function mtlsShare(counts: SecurityCounts): number | undefined {
  return counts.total === 0 ? undefined : counts.mutualTls / counts.total;
}
