// The API's HTTP server: tRPC under /trpc, health and readiness probes, Prometheus metrics, and a
// JSON access log line per request carrying its request id.
import { randomUUID } from "node:crypto";
import http from "node:http";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { readSessionUserId } from "../auth/session";
import { appRouter } from "../router";
import type { Context, Services } from "../trpc/context";
import { findSessionUser } from "../users/accounts";
import { createAgentRoutes } from "./agent-routes";
import { createMetrics } from "./metrics";

export type ApiServerOptions = Services & {
  authSecret: string;
  heartbeatIntervalSeconds: number;
  agentApiUrl: string;
  agentImage: string;
};

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function createApiServer(options: ApiServerOptions) {
  const metrics = createMetrics();
  const { logger } = options;

  const handleAgentRequest = createAgentRoutes(options);

  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    async createContext({ req }): Promise<Context> {
      const requestId = headerValue(req.headers["x-request-id"]) ?? randomUUID();
      const userId = await readSessionUserId({
        cookieHeader: req.headers.cookie,
        secret: options.authSecret,
      });
      const user = userId ? await findSessionUser({ prisma: options.prisma, userId }) : null;
      // The console's proxy passes the browser's address; direct callers are taken at their socket.
      const forwarded = headerValue(req.headers["x-forwarded-for"])?.split(",")[0]?.trim();
      return {
        ...options,
        logger: logger.child({ requestId }),
        user,
        requestId,
        clientIp: forwarded || req.socket.remoteAddress || "unknown",
      };
    },
    onError({ error, path, ctx }) {
      metrics.trpcErrors.inc({ procedure: path ?? "unknown", code: error.code });
      const log = ctx?.logger ?? logger;
      if (error.code === "INTERNAL_SERVER_ERROR")
        log.error({ err: error, procedure: path }, "procedure failed");
      else log.info({ procedure: path, code: error.code, message: error.message }, "procedure refused");
    },
  });

  async function isReady(): Promise<{ postgres: boolean; redis: boolean }> {
    const [postgres, redis] = await Promise.all([
      options.prisma.$queryRaw`select 1`.then(
        () => true,
        () => false,
      ),
      options.redis.ping().then(
        (answer) => answer === "PONG",
        () => false,
      ),
    ]);
    return { postgres, redis };
  }

  const server = http.createServer(async (req, res) => {
    const started = process.hrtime.bigint();
    const requestId = headerValue(req.headers["x-request-id"]) ?? randomUUID();
    req.headers["x-request-id"] = requestId;
    res.setHeader("x-request-id", requestId);
    const url = new URL(req.url ?? "/", "http://api");
    // Install links carry a secret: never put it in logs or metric labels.
    const route = url.pathname.startsWith("/trpc/")
      ? url.pathname.slice("/trpc/".length)
      : url.pathname.startsWith("/install/")
        ? "/install/:token"
        : url.pathname;
    res.on("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.requestDuration.observe({ route, status: String(res.statusCode) }, seconds);
      logger.info(
        { requestId, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) },
        "request",
      );
    });
    try {
      if (url.pathname.startsWith("/trpc/")) return trpcHandler(req, res);
      if (await handleAgentRequest(req, res, url.pathname)) return;
      if (url.pathname === "/healthz") {
        res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
        return;
      }
      if (url.pathname === "/readyz") {
        const checks = await isReady();
        const isOk = checks.postgres && checks.redis;
        res
          .writeHead(isOk ? 200 : 503, { "content-type": "application/json" })
          .end(JSON.stringify({ status: isOk ? "ok" : "unavailable", checks }));
        return;
      }
      if (url.pathname === "/metrics") {
        res
          .writeHead(200, { "content-type": metrics.registry.contentType })
          .end(await metrics.registry.metrics());
        return;
      }
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
    } catch (error) {
      logger.error({ err: error, requestId }, "request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end('{"error":"internal error"}');
    }
  });
  return server;
}
