// Prometheus metrics for /metrics: process defaults plus request counts and durations per route.
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requestDuration = new Histogram({
    name: "switchyard_api_request_duration_seconds",
    help: "API request duration by route (tRPC procedure path or endpoint) and status code",
    labelNames: ["route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const trpcErrors = new Counter({
    name: "switchyard_api_trpc_errors_total",
    help: "tRPC procedure errors by procedure and code",
    labelNames: ["procedure", "code"] as const,
    registers: [registry],
  });
  return { registry, requestDuration, trpcErrors };
}

export type Metrics = ReturnType<typeof createMetrics>;
