/**
 * The sample application's call graph and each version's behaviour. Rates are requests per second
 * entering at the roots; every call below a root happens `perRequest` times for each request the
 * caller serves (bookinfo's productpage calls details once and reviews once; reviews v1 never
 * calls ratings, v2 and v3 do, as in Istio's bookinfo).
 */

export interface ServiceRef {
  namespace: string;
  service: string;
}

export interface TrafficRoot {
  /** Who sends the traffic: a workload with a sidecar (the ingress gateway) or "unknown" (no proxy). */
  source: { namespace: string; workload: string } | "unknown";
  target: ServiceRef;
  /** Requests per second. */
  rate: number;
}

export interface CallEdge {
  /** The calling workload's app label and namespace. */
  from: { namespace: string; app: string; versions?: string[] };
  to: ServiceRef;
  /** Calls per request the caller serves (may be fractional: 0.5 = every other request). */
  perRequest: number;
  protocol: "http" | "tcp";
}

export interface Behaviour {
  /** Median own processing latency, ms (before downstream calls). */
  latencyMs: number;
  /** Share of requests failing with 500, in [0, 1]. */
  errorRate: number;
}

export interface Topology {
  roots: TrafficRoot[];
  calls: CallEdge[];
  /** Behaviour per `namespace/workload`; the default applies to the rest. */
  behaviours: Record<string, Behaviour>;
  defaultBehaviour: Behaviour;
}

export function sampleTopology(): Topology {
  const gateway = { namespace: "istio-system", workload: "istio-ingressgateway" };
  return {
    roots: [
      { source: gateway, target: { namespace: "bookinfo", service: "productpage" }, rate: 10 },
      { source: gateway, target: { namespace: "shop-frontend", service: "frontend" }, rate: 20 },
      // Health checks from outside the mesh: only the destination proxy sees them.
      { source: "unknown", target: { namespace: "shop-frontend", service: "frontend" }, rate: 1 },
    ],
    calls: [
      http("bookinfo", "productpage", "bookinfo", "details", 1),
      http("bookinfo", "productpage", "bookinfo", "reviews", 1),
      {
        ...http("bookinfo", "reviews", "bookinfo", "ratings", 1),
        from: { namespace: "bookinfo", app: "reviews", versions: ["v2", "v3"] },
      },
      http("shop-frontend", "frontend", "shop-backend", "catalog", 2),
      http("shop-frontend", "frontend", "shop-backend", "cart", 1),
      http("shop-frontend", "frontend", "shop-backend", "payments", 0.2),
      { ...http("shop-backend", "catalog", "data", "postgres", 1), protocol: "tcp" },
      { ...http("shop-backend", "payments", "data", "postgres", 1), protocol: "tcp" },
      { ...http("shop-backend", "cart", "data", "redis", 1), protocol: "tcp" },
    ],
    behaviours: {
      "bookinfo/productpage-v1": { latencyMs: 8, errorRate: 0 },
      "bookinfo/reviews-v1": { latencyMs: 6, errorRate: 0 },
      "bookinfo/reviews-v2": { latencyMs: 9, errorRate: 0 },
      "bookinfo/reviews-v3": { latencyMs: 14, errorRate: 0.005 },
      "shop-backend/catalog-v2": { latencyMs: 12, errorRate: 0.01 },
      "shop-backend/payments-v1": { latencyMs: 40, errorRate: 0.002 },
      "shop-backend/payments-v2": { latencyMs: 30, errorRate: 0.002 },
    },
    defaultBehaviour: { latencyMs: 5, errorRate: 0 },
  };
}

function http(
  fromNamespace: string,
  app: string,
  namespace: string,
  service: string,
  perRequest: number,
): CallEdge {
  return {
    from: { namespace: fromNamespace, app },
    to: { namespace, service },
    perRequest,
    protocol: "http",
  };
}
