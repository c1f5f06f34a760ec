import { z } from "zod";
import { getGraphOverview, getSeries, getServiceGraph } from "../telemetry/graph-query";
import { router } from "../trpc/init";
import { orgProcedure } from "../trpc/procedures";

const maxRangeMs = 90 * 86_400_000;
const lastSecondsSchema = z
  .number()
  .int("lastSeconds must be a whole number")
  .min(300, "lastSeconds must be at least 300")
  .max(604_800, "lastSeconds must be at most 604800 (7 days)");
const namesSchema = z.array(z.string().min(1).max(253)).max(200);

const graphInput = z
  .object({
    lastSeconds: lastSecondsSchema.optional(),
    /** ms since the epoch, instead of lastSeconds */
    start: z.number().int().nonnegative().optional(),
    end: z.number().int().positive().optional(),
    /** Telemetry cluster names; edges with either end in one of them. */
    clusters: namesSchema.optional(),
    /** Edges with either end in one of these namespaces. */
    namespaces: namesSchema.optional(),
  })
  .superRefine((input, ctx) => {
    const hasRange = input.start !== undefined || input.end !== undefined;
    if (input.lastSeconds === undefined && !hasRange)
      ctx.addIssue({
        code: "custom",
        path: ["lastSeconds"],
        message: "lastSeconds or start and end are required",
      });
    if (input.lastSeconds !== undefined && hasRange)
      ctx.addIssue({
        code: "custom",
        path: ["start"],
        message: "give lastSeconds or start and end, not both",
      });
    if (hasRange) {
      if (input.start === undefined)
        ctx.addIssue({ code: "custom", path: ["start"], message: "start is required" });
      if (input.end === undefined)
        ctx.addIssue({ code: "custom", path: ["end"], message: "end is required" });
      if (input.start !== undefined && input.end !== undefined) {
        if (input.end - input.start < 10_000)
          ctx.addIssue({ code: "custom", path: ["end"], message: "end must be at least 10 s after start" });
        if (input.end - input.start > maxRangeMs)
          ctx.addIssue({ code: "custom", path: ["end"], message: "a range is at most 90 days" });
      }
    }
  });

const percentileSchema = z
  .object({ valueMs: z.number(), bucket: z.object({ lowerMs: z.number(), upperMs: z.number() }) })
  .nullable();
const healthSchema = z.enum(["healthy", "degraded", "failing", "idle"]);

const rangeSchema = z.object({ start: z.number(), end: z.number() });
const badgesSchema = z.object({
  hasNoSidecar: z.boolean(),
  hasTrafficSplit: z.boolean(),
  hasFaultInjection: z.boolean(),
  hasCircuitBreaker: z.boolean(),
});
const nodeSchema = z.object({
  id: z.string(),
  kind: z.enum(["service", "workload", "unknown"]),
  cluster: z.string(),
  namespace: z.string(),
  name: z.string(),
  app: z.string().optional(),
  version: z.string().optional(),
  health: healthSchema,
  inboundRate: z.number(),
  outboundRate: z.number(),
  errorRate: z.number().nullable(),
  badges: badgesSchema,
});
const edgeSchema = z.object({
  id: z.string(),
  source: z.string(),
  target: z.string(),
  protocol: z.enum(["http", "grpc", "tcp"]),
  requestRate: z.number(),
  errorRate: z.number().nullable(),
  clientErrorRate: z.number().nullable(),
  latency: z.object({ p50: percentileSchema, p95: percentileSchema, p99: percentileSchema }),
  mtlsShare: z.number().nullable(),
  tcpBytesRate: z.number(),
  isCrossCluster: z.boolean(),
  health: healthSchema,
});

/** When a graph was served from its recording: when that was computed (ms since the epoch). */
const recordedAtSchema = z.number().optional();

const graphOutput = z.object({
  range: rangeSchema,
  resolutionSeconds: z.number(),
  nodes: z.array(nodeSchema),
  edges: z.array(edgeSchema),
  recordedAt: recordedAtSchema,
});

/** graph-aggregate's GraphView: graph nodes and edges plus collapsed namespaces and summed edges. */
const viewSchema = z.object({
  nodes: z.array(
    nodeSchema.extend({
      kind: z.enum(["service", "workload", "unknown", "namespace"]),
      memberCount: z.number(),
    }),
  ),
  edges: z.array(
    edgeSchema.extend({
      protocol: z.enum(["http", "grpc", "tcp", "mixed"]),
      isLatencyWorstOfMembers: z.boolean(),
      memberIds: z.array(z.string()),
    }),
  ),
  expanded: z.array(z.string()),
});

const overviewOutput = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("graph"), graph: graphOutput }),
  z.object({
    mode: z.literal("overview"),
    range: rangeSchema,
    resolutionSeconds: z.number(),
    nodeCount: z.number(),
    hiddenEdgeCount: z.number(),
    view: viewSchema,
    recordedAt: recordedAtSchema,
  }),
]);

const seriesOutput = z.object({
  resolutionSeconds: z.number(),
  points: z.array(
    z.object({
      t: z.number(),
      requestRate: z.number(),
      errorRate: z.number().nullable(),
      p50Ms: z.number().nullable(),
      p95Ms: z.number().nullable(),
      p99Ms: z.number().nullable(),
      mtlsShare: z.number().nullable(),
    }),
  ),
});

function rangeOf(input: {
  lastSeconds?: number | undefined;
  start?: number | undefined;
  end?: number | undefined;
}) {
  if (input.start !== undefined && input.end !== undefined) return { start: input.start, end: input.end };
  const end = Date.now();
  return { start: end - (input.lastSeconds ?? 300) * 1000, end };
}

export const graphRouter = router({
  // The service graph of a range: nodes, edges, rates, error rates, percentiles, mTLS, badges.
  get: orgProcedure("viewer")
    .input(graphInput)
    .output(graphOutput)
    .query(({ ctx, input }) =>
      getServiceGraph({
        prisma: ctx.prisma,
        organizationId: ctx.org.id,
        range: rangeOf(input),
        lastSeconds: input.lastSeconds,
        clusters: input.clusters,
        namespaces: input.namespaces,
      }),
    ),

  // What the graph page opens on: the graph when small, else the namespace overview (a node per
  // namespace, summed edges); namespaces are then expanded with graph.get scoped to each.
  overview: orgProcedure("viewer")
    .input(graphInput)
    .output(overviewOutput)
    .query(({ ctx, input }) =>
      getGraphOverview({
        prisma: ctx.prisma,
        organizationId: ctx.org.id,
        range: rangeOf(input),
        lastSeconds: input.lastSeconds,
        clusters: input.clusters,
        namespaces: input.namespaces,
      }),
    ),

  // One node's or edge's time series (ids as in graph.get).
  series: orgProcedure("viewer")
    .input(
      z.object({
        target: z.object({ kind: z.enum(["node", "edge"]), id: z.string().min(1).max(2000) }),
        lastSeconds: lastSecondsSchema,
      }),
    )
    .output(seriesOutput)
    .query(({ ctx, input }) =>
      getSeries({
        prisma: ctx.prisma,
        organizationId: ctx.org.id,
        target: input.target,
        range: rangeOf(input),
      }),
    ),
});
