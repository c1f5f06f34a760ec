import type { IncomingMessage, ServerResponse } from "node:http";
import type { TrafficModel } from "./traffic-model";

/**
 * `GET /metrics/istio` — the scrape, without authentication, as Prometheus scrapes sidecars'
 * :15090/stats/prometheus in a real mesh. `POST /admin/traffic/behaviour` with
 * `{ namespace, workload, latencyMs?, errorRate? }` — the demo's "make it slow / failing" switch,
 * behind the cluster's bearer token because it changes the cluster.
 */
export function trafficHandler(
  traffic: TrafficModel,
  isAuthorized: (request: IncomingMessage) => boolean,
): (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean> {
  return async (request, response, url) => {
    if (url.pathname === "/metrics/istio" && request.method === "GET") {
      response.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
      response.end(traffic.scrape());
      return true;
    }
    if (url.pathname === "/admin/traffic/behaviour" && request.method === "POST") {
      if (!isAuthorized(request)) {
        response.writeHead(401, { "Content-Type": "application/json" }).end('{"error":"unauthorized"}');
        return true;
      }
      const body = await readBody(request);
      const change = parseBehaviour(body);
      if (typeof change === "string") {
        response
          .writeHead(400, { "Content-Type": "application/json" })
          .end(JSON.stringify({ error: change }));
        return true;
      }
      traffic.setBehaviour(change);
      response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ ok: true }));
      return true;
    }
    return false;
  };
}

function parseBehaviour(body: string): Parameters<TrafficModel["setBehaviour"]>[0] | string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return "body must be JSON";
  }
  if (typeof value !== "object" || value === null) return "body must be an object";
  const record = value as Record<string, unknown>;
  const { namespace, workload, latencyMs, errorRate } = record;
  if (typeof namespace !== "string" || typeof workload !== "string")
    return "namespace and workload are required";
  if (latencyMs !== undefined && (typeof latencyMs !== "number" || latencyMs < 0))
    return "latencyMs must be >= 0";
  if (errorRate !== undefined && (typeof errorRate !== "number" || errorRate < 0 || errorRate > 1))
    return "errorRate must be in [0, 1]";
  return {
    namespace,
    workload,
    latencyMs: typeof latencyMs === "number" ? latencyMs : undefined,
    errorRate: typeof errorRate === "number" ? errorRate : undefined,
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}
