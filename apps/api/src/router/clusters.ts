import { z } from "zod";
import {
  createCluster,
  createInstallLine,
  getCluster,
  listClusters,
  listInventory,
  removeCluster,
  requestCredentialRotation,
  revokeInstallLines,
  setRepairDrift,
} from "../clusters/clusters";
import { listClusterConfigStatus } from "../policies/desired-config";
import { router } from "../trpc/init";
import { orgProcedure } from "../trpc/procedures";
import { idSchema } from "./schemas";

// Kubernetes' own rules: a DNS-1123 label for the name, and qualified-name keys and values for labels.
const clusterNameSchema = z
  .string()
  .trim()
  .min(1, "name is required")
  .max(63, "name must be at most 63 characters")
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    "name must be lowercase letters, digits and '-', starting and ending with a letter or digit",
  );
const labelKeyPattern = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const labelValuePattern = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
// Checked per entry (not with z.record's key schema) so each message names the label at fault.
const labelsSchema = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  const entries = Object.entries(labels);
  if (entries.length > 20) ctx.addIssue({ code: "custom", message: "at most 20 labels" });
  for (const [key, value] of entries) {
    if (key.length > 63 || !labelKeyPattern.test(key)) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `label key "${key}" must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
      });
    }
    if (value.length > 63 || !labelValuePattern.test(value)) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `label value of "${key}" must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
      });
    }
  }
});

const clusterSchema = z.object({
  id: z.string(),
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  status: z.enum(["pending", "connected", "disconnected"]),
  lastSeenAt: z.string().nullable(),
  agentVersion: z.string().nullable(),
  kubernetesVersion: z.string().nullable(),
  mesh: z.object({ kind: z.string(), version: z.string().nullable() }).nullable(),
  inventorySyncedAt: z.string().nullable(),
  createdAt: z.string(),
  counts: z.object({ namespaces: z.number(), services: z.number(), workloads: z.number(), pods: z.number() }),
});

const installLineSchema = z.object({
  clusterId: z.string(),
  installCommand: z.string(),
  bootstrapToken: z.string(),
  expiresAt: z.string(),
});

const clusterInput = z.object({ clusterId: idSchema });

export const clustersRouter = router({
  list: orgProcedure("viewer")
    .output(z.array(clusterSchema))
    .query(({ ctx }) =>
      listClusters({ prisma: ctx.prisma, settings: ctx.clusterSettings, organizationId: ctx.org.id }),
    ),

  get: orgProcedure("viewer")
    .input(clusterInput)
    .output(clusterSchema.extend({ installLineExpiresAt: z.string().nullable() }))
    .query(({ ctx, input }) =>
      getCluster({
        prisma: ctx.prisma,
        settings: ctx.clusterSettings,
        organizationId: ctx.org.id,
        clusterId: input.clusterId,
      }),
    ),

  inventory: orgProcedure("viewer")
    .input(
      clusterInput.extend({
        kind: z.enum(["Namespace", "Service", "Workload"]),
        search: z.string().trim().max(100).optional(),
        namespace: z.string().max(253).optional(),
        limit: z.number().int().min(1).max(1000).default(200),
      }),
    )
    .output(
      z.object({
        total: z.number(),
        items: z.array(
          z.object({
            kind: z.string(),
            namespace: z.string(),
            name: z.string(),
            data: z.record(z.string(), z.unknown()),
          }),
        ),
      }),
    )
    .query(({ ctx, input }) => listInventory({ prisma: ctx.prisma, organizationId: ctx.org.id, ...input })),

  // Desired configuration per cluster: latest and reached version, sync state, errors, drift, receipt.
  configStatus: orgProcedure("viewer")
    .input(z.object({ clusterId: idSchema.optional() }))
    .output(
      z.array(
        z.object({
          clusterId: z.string(),
          clusterName: z.string(),
          latestVersion: z.number(),
          reachedVersion: z.number(),
          reportedVersion: z.number().nullable(),
          state: z.enum(["in-sync", "pending", "failed"]),
          reportedAt: z.string().nullable(),
          repairDrift: z.boolean(),
          resourceCount: z.number(),
          counts: z.object({
            applied: z.number(),
            unchanged: z.number(),
            pruned: z.number(),
            conflict: z.number(),
            rejected: z.number(),
          }),
          errors: z.array(
            z.object({
              kind: z.string(),
              namespace: z.string(),
              name: z.string(),
              outcome: z.enum(["conflict", "rejected"]),
              message: z.string().nullable(),
              conflictManagers: z.array(z.string()),
            }),
          ),
          drift: z.array(
            z.object({
              kind: z.string(),
              namespace: z.string(),
              name: z.string(),
              change: z.enum(["modified", "deleted"]),
              manager: z.string().nullable(),
              isRepaired: z.boolean(),
            }),
          ),
          receipt: z
            .object({
              version: z.number(),
              createdAt: z.string(),
              reachedAt: z.string().nullable(),
              propagationMs: z.number().nullable(),
              applyToAppliedMs: z.number().nullable(),
            })
            .nullable(),
          diagnostics: z.array(
            z.object({
              severity: z.enum(["error", "warning", "info"]),
              code: z.string(),
              message: z.string(),
              policy: z.string().nullable(),
              field: z.string(),
              path: z.array(z.union([z.string(), z.number()])),
              cluster: z.string().nullable(),
              line: z.number().nullable(),
              column: z.number().nullable(),
            }),
          ),
        }),
      ),
    )
    .query(({ ctx, input }) =>
      listClusterConfigStatus({ prisma: ctx.prisma, organizationId: ctx.org.id, clusterId: input.clusterId }),
    ),

  create: orgProcedure("admin")
    .input(z.object({ name: clusterNameSchema, labels: labelsSchema.default({}) }))
    .output(installLineSchema)
    .mutation(({ ctx, input }) =>
      createCluster({
        prisma: ctx.prisma,
        settings: ctx.clusterSettings,
        organizationId: ctx.org.id,
        actor: { userId: ctx.user.id, label: ctx.user.email },
        name: input.name,
        labels: input.labels,
      }),
    ),

  createInstallLine: orgProcedure("admin")
    .input(clusterInput)
    .output(installLineSchema)
    .mutation(({ ctx, input }) =>
      createInstallLine({
        prisma: ctx.prisma,
        settings: ctx.clusterSettings,
        organizationId: ctx.org.id,
        actor: { userId: ctx.user.id, label: ctx.user.email },
        clusterId: input.clusterId,
      }),
    ),

  revokeInstallLines: orgProcedure("admin")
    .input(clusterInput)
    .output(z.object({ revoked: z.number() }))
    .mutation(({ ctx, input }) =>
      revokeInstallLines({
        prisma: ctx.prisma,
        organizationId: ctx.org.id,
        actor: { userId: ctx.user.id, label: ctx.user.email },
        clusterId: input.clusterId,
      }),
    ),

  rotateCredential: orgProcedure("admin")
    .input(clusterInput)
    .output(z.object({ requested: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await requestCredentialRotation({
        prisma: ctx.prisma,
        events: ctx.events,
        organizationId: ctx.org.id,
        actor: { userId: ctx.user.id, label: ctx.user.email },
        clusterId: input.clusterId,
      });
      return { requested: true as const };
    }),

  setRepairDrift: orgProcedure("admin")
    .input(clusterInput.extend({ repairDrift: z.boolean() }))
    .output(z.object({ repairDrift: z.boolean() }))
    .mutation(({ ctx, input }) =>
      setRepairDrift({
        prisma: ctx.prisma,
        events: ctx.events,
        organizationId: ctx.org.id,
        actor: { userId: ctx.user.id, label: ctx.user.email },
        clusterId: input.clusterId,
        repairDrift: input.repairDrift,
      }),
    ),

  remove: orgProcedure("admin")
    .input(clusterInput)
    .output(z.object({ uninstallCommand: z.string() }))
    .mutation(({ ctx, input }) =>
      removeCluster({
        prisma: ctx.prisma,
        events: ctx.events,
        organizationId: ctx.org.id,
        actor: { userId: ctx.user.id, label: ctx.user.email },
        clusterId: input.clusterId,
      }),
    ),
});
