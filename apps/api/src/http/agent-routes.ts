// The agent protocol's HTTP side (see packages/agent-protocol/src/v1.ts) and the install manifest.
// Requests are validated with the protocol's schemas; errors carry a code and whether to retry.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type AgentEvent,
  agentPaths,
  ConfigStatusReport,
  HeartbeatRequest,
  HelloRequest,
  InventoryBatch,
  RegisterRequest,
  TelemetryBatch,
} from "@switchyard/agent-protocol/v1";
import type { PrismaClient } from "@switchyard/db/client";
import type { Logger } from "pino";
import type { z } from "zod";
import { hashToken } from "../auth/tokens";
import { AgentProtocolError } from "../clusters/agent-errors";
import type { AgentEventHub } from "../clusters/agent-events";
import {
  authenticateAgent,
  markDisconnected,
  markSeen,
  recordHello,
  registerAgent,
  rotateCredential,
} from "../clusters/agent-sessions";
import { renderInstallManifest } from "../clusters/install-manifest";
import { applyInventoryBatch } from "../clusters/inventory-sync";
import { type CompileQueue, enqueueCompile } from "../jobs/compile-job";
import { findLatestVersionNumber, getDesiredConfig, recordConfigStatus } from "../policies/desired-config";
import { findTelemetryResume, ingestTelemetryBatch } from "../telemetry/ingest";

export type AgentRouteOptions = {
  prisma: PrismaClient;
  logger: Logger;
  events: AgentEventHub;
  compileQueue: CompileQueue;
  heartbeatIntervalSeconds: number;
  /** The URL agents use to reach the API, written into the install manifest. */
  agentApiUrl: string;
  agentImage: string;
};

const maxBodyBytes = 16 * 1024 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes)
      throw new AgentProtocolError("bad_request", `Request body over ${maxBodyBytes} bytes.`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
  } catch {
    throw new AgentProtocolError("bad_request", "Request body is not JSON.");
  }
}

async function parseBody<T extends z.ZodType>(req: IncomingMessage, schema: T): Promise<z.infer<T>> {
  const result = schema.safeParse(await readJson(req));
  if (!result.success) {
    const problems = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`);
    throw new AgentProtocolError("bad_request", `Invalid request: ${problems.join("; ")}`);
  }
  return result.data;
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

export function createAgentRoutes(options: AgentRouteOptions) {
  const { prisma } = options;

  async function streamEvents(req: IncomingMessage, res: ServerResponse) {
    const cluster = await authenticateAgent({ prisma, authorization: req.headers.authorization });
    await options.events.start();
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    const send = (event: AgentEvent) => res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    const stopListening = options.events.listen(cluster.id, (event) => {
      send(event);
      if (event.type === "revoked") res.end();
    });
    await prisma.cluster.update({
      where: { id: cluster.id },
      data: { connectedAt: new Date(), lastSeenAt: new Date() },
    });
    send({ type: "ready", clusterId: cluster.id });
    // The current version right after ready: an agent that was offline (or connected to a replica
    // that restarted) catches up on whatever it missed, without the API tracking who saw what.
    send({
      type: "desired-config",
      version: await findLatestVersionNumber({ prisma, clusterId: cluster.id }),
    });
    // Comments keep proxies from closing an idle stream; the open stream keeps the cluster "seen".
    const keepAlive = setInterval(() => {
      res.write(": ping\n\n");
      markSeen({ prisma, clusterId: cluster.id }).catch((error: unknown) =>
        options.logger.warn({ err: error, clusterId: cluster.id }, "could not record agent liveness"),
      );
    }, options.heartbeatIntervalSeconds * 1000);
    res.on("close", () => {
      clearInterval(keepAlive);
      stopListening();
      markDisconnected({ prisma, clusterId: cluster.id }).catch(() => undefined);
    });
  }

  async function installManifest(res: ServerResponse, token: string) {
    const row = await prisma.bootstrapToken.findUnique({
      where: { tokenHash: hashToken(token) },
      include: { cluster: true },
    });
    const problem = !row
      ? "is not valid"
      : row.usedAt
        ? "was already used"
        : row.revokedAt
          ? "was revoked"
          : row.expiresAt <= new Date()
            ? "has expired"
            : null;
    if (!row || problem) {
      res
        .writeHead(404, { "content-type": "text/plain" })
        .end(`This Switchyard install link ${problem}. Create a new one in the console.\n`);
      return;
    }
    const manifest = renderInstallManifest({
      apiUrl: options.agentApiUrl,
      bootstrapToken: token,
      clusterName: row.cluster.name,
      image: options.agentImage,
    });
    res.writeHead(200, { "content-type": "application/yaml", "cache-control": "no-store" }).end(manifest);
  }

  /** Handles the request when it is the agent protocol's or an install link; false otherwise. */
  return async function handleAgentRequest(
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
  ): Promise<boolean> {
    const install = /^\/install\/([\w-]{16,200})\.yaml$/.exec(pathname);
    if (install?.[1] && req.method === "GET") {
      await installManifest(res, install[1]);
      return true;
    }
    if (!pathname.startsWith("/agent/")) return false;
    try {
      switch (`${req.method} ${pathname}`) {
        case `POST ${agentPaths.register}`: {
          const body = await parseBody(req, RegisterRequest);
          sendJson(res, 200, await registerAgent({ prisma, ...body }));
          return true;
        }
        case `POST ${agentPaths.hello}`: {
          const cluster = await authenticateAgent({ prisma, authorization: req.headers.authorization });
          const hello = await parseBody(req, HelloRequest);
          sendJson(
            res,
            200,
            await recordHello({
              prisma,
              cluster,
              hello,
              heartbeatIntervalSeconds: options.heartbeatIntervalSeconds,
            }),
          );
          return true;
        }
        case `POST ${agentPaths.inventory}`: {
          const cluster = await authenticateAgent({ prisma, authorization: req.headers.authorization });
          const batch = await parseBody(req, InventoryBatch);
          const ack = await applyInventoryBatch({ prisma, clusterId: cluster.id, batch });
          // A new version label or namespace in scope can change the cluster's output: recompile it
          // (coalesced per cluster; no new version when the hash is unchanged). Losing this enqueue
          // only delays the cluster until its next batch or policy change.
          if (!ack.isDuplicate)
            await enqueueCompile(options.compileQueue, {
              organizationId: cluster.organizationId,
              clusterIds: [cluster.id],
              outboxSeq: null,
            }).catch((error: unknown) =>
              options.logger.warn({ err: error, clusterId: cluster.id }, "could not enqueue a recompile"),
            );
          sendJson(res, 200, ack);
          return true;
        }
        case `POST ${agentPaths.heartbeat}`: {
          const cluster = await authenticateAgent({ prisma, authorization: req.headers.authorization });
          await parseBody(req, HeartbeatRequest);
          await markSeen({ prisma, clusterId: cluster.id });
          sendJson(res, 200, { ok: true });
          return true;
        }
        case `POST ${agentPaths.rotate}`: {
          const cluster = await authenticateAgent({ prisma, authorization: req.headers.authorization });
          sendJson(res, 200, await rotateCredential({ prisma, cluster }));
          return true;
        }
        case `GET ${agentPaths.desiredConfig}`: {
          const cluster = await authenticateAgent({ prisma, authorization: req.headers.authorization });
          sendJson(res, 200, await getDesiredConfig({ prisma, clusterId: cluster.id }));
          return true;
        }
        case `POST ${agentPaths.configStatus}`: {
          const cluster = await authenticateAgent({ prisma, authorization: req.headers.authorization });
          const report = await parseBody(req, ConfigStatusReport);
          sendJson(res, 200, await recordConfigStatus({ prisma, clusterId: cluster.id, report }));
          return true;
        }
        case `GET ${agentPaths.telemetryResume}`: {
          // Only the credential's own cluster: where its stored telemetry ends.
          const cluster = await authenticateAgent({ prisma, authorization: req.headers.authorization });
          sendJson(res, 200, await findTelemetryResume({ prisma, clusterId: cluster.id }));
          return true;
        }
        case `POST ${agentPaths.telemetry}`: {
          // The cluster (and its organization) come from the credential only: an agent can write
          // its own cluster's telemetry and nothing else. Invalid batches are refused whole.
          const cluster = await authenticateAgent({ prisma, authorization: req.headers.authorization });
          const batch = await parseBody(req, TelemetryBatch);
          sendJson(
            res,
            200,
            await ingestTelemetryBatch({
              prisma,
              organizationId: cluster.organizationId,
              clusterId: cluster.id,
              batch,
            }),
          );
          return true;
        }
        case `GET ${agentPaths.events}`:
          await streamEvents(req, res);
          return true;
        default:
          sendJson(res, 404, {
            error: {
              code: "bad_request",
              message: `No agent endpoint ${req.method} ${pathname}.`,
              isRetryable: false,
            },
          });
          return true;
      }
    } catch (error) {
      if (error instanceof AgentProtocolError) {
        if (!res.headersSent) sendJson(res, error.status, error.toBody());
        return true;
      }
      options.logger.error({ err: error, pathname }, "agent request failed");
      if (!res.headersSent)
        sendJson(
          res,
          503,
          new AgentProtocolError("unavailable", "The API could not handle this request; retry.").toBody(),
        );
      else res.end();
      return true;
    }
  };
}
