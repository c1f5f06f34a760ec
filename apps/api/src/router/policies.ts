import { z } from "zod";
import {
  applyChangeSet,
  getPolicy,
  listPolicies,
  listPolicyHistory,
  previewChangeSet,
  rollbackPolicy,
  validatePolicyYaml,
} from "../policies/policies";
import { router } from "../trpc/init";
import { orgProcedure } from "../trpc/procedures";

const policyNameSchema = z
  .string()
  .trim()
  .min(1, "name is required")
  .max(63, "name must be at most 63 characters")
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "name must be lowercase letters, digits and '-'");
const yamlSchema = z
  .string()
  .min(1, "yaml is required")
  .max(200_000, "yaml must be at most 200,000 characters");
const reasonSchema = z
  .string()
  .trim()
  .min(1, "reason is required")
  .max(500, "reason must be at most 500 characters");
const changesSchema = z
  .object({
    edits: z
      .array(z.object({ name: policyNameSchema, yaml: yamlSchema }))
      .max(100)
      .default([]),
    deletions: z.array(policyNameSchema).max(100).default([]),
  })
  .refine((c) => c.edits.length + c.deletions.length > 0, {
    message: "a change set needs at least one edit or deletion",
  });

const json = z.json();
const diagnosticSchema = z.object({
  severity: z.enum(["error", "warning", "info"]),
  code: z.string(),
  message: z.string(),
  policy: z.string().nullable(),
  field: z.string(),
  path: z.array(z.union([z.string(), z.number()])),
  cluster: z.string().nullable(),
  line: z.number().nullable(),
  column: z.number().nullable(),
});
const syncStateSchema = z.enum(["in-sync", "pending", "failed"]);
const scopeSchema = z.object({
  clusterNames: z.array(z.string()).nullable(),
  clusterLabels: z.record(z.string(), z.string()).nullable(),
  namespace: z.string().nullable(),
  service: z.string().nullable(),
  summary: z.string(),
});
const resourceRefSchema = z.object({ kind: z.string(), namespace: z.string(), name: z.string() });
const fieldChangeSchema = z.object({ field: z.string(), before: json.nullable(), after: json.nullable() });
const verdictSchema = z.enum(["allowed", "conditional", "denied"]);
const edgeImpactSchema = z.object({
  edge: z.object({
    source: z.object({ namespace: z.string(), workload: z.string() }),
    destination: z.object({ namespace: z.string(), service: z.string() }),
    requestsPerSecond: z.number(),
  }),
  before: verdictSchema,
  after: verdictSchema,
  reason: z.string().optional(),
  policies: z.array(z.string()).optional(),
});
/** policy-model's ImpactReport per changed cluster (see packages/policy-model/src/impact.ts). */
const impactSchema = z.object({
  since: z.string(),
  windowSeconds: z.number(),
  clusters: z.array(
    z.object({
      clusterId: z.string(),
      clusterName: z.string(),
      blocked: z.array(edgeImpactSchema),
      unblocked: z.array(edgeImpactSchema),
      routeShifts: z.array(
        z.object({
          namespace: z.string(),
          service: z.string(),
          version: z.string(),
          beforeShare: z.number(),
          afterShare: z.number(),
          beforeRequestsPerSecond: z.number(),
          afterRequestsPerSecond: z.number(),
        }),
      ),
      changedConditionalRoutes: z.array(
        z.object({ namespace: z.string(), service: z.string(), routes: z.array(z.string()) }),
      ),
      blockedRequestsPerSecond: z.number(),
    }),
  ),
});
const appliedSchema = z.object({
  changeSetId: z.string().nullable(),
  revisions: z.array(z.object({ name: z.string(), revision: z.number(), action: z.string() })),
});
const nameInput = z.object({ name: policyNameSchema });

export const policiesRouter = router({
  list: orgProcedure("viewer")
    .output(
      z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          kind: z.string(),
          revision: z.number(),
          updatedAt: z.string(),
          updatedBy: z.string(),
          reason: z.string(),
          scope: scopeSchema,
          clusters: z.array(
            z.object({
              clusterId: z.string(),
              clusterName: z.string(),
              state: syncStateSchema,
              message: z.string().nullable(),
            }),
          ),
          counts: z.object({ inSync: z.number(), pending: z.number(), failed: z.number() }),
        }),
      ),
    )
    .query(({ ctx }) => listPolicies({ prisma: ctx.prisma, organizationId: ctx.org.id })),

  get: orgProcedure("viewer")
    .input(nameInput)
    .output(
      z.object({
        id: z.string(),
        name: z.string(),
        kind: z.string(),
        revision: z.number(),
        yaml: z.string(),
        document: json,
        scope: scopeSchema,
        updatedAt: z.string(),
        updatedBy: z.string(),
      }),
    )
    .query(({ ctx, input }) =>
      getPolicy({ prisma: ctx.prisma, organizationId: ctx.org.id, name: input.name }),
    ),

  history: orgProcedure("viewer")
    .input(nameInput)
    .output(
      z.object({
        name: z.string(),
        kind: z.string(),
        isDeleted: z.boolean(),
        revisions: z.array(
          z.object({
            number: z.number(),
            changeSetId: z.string(),
            author: z.string(),
            reason: z.string(),
            createdAt: z.string(),
            isDeletion: z.boolean(),
            restoredFrom: z.number().nullable(),
            yaml: z.string(),
            changes: z.array(fieldChangeSchema),
          }),
        ),
      }),
    )
    .query(({ ctx, input }) =>
      listPolicyHistory({ prisma: ctx.prisma, organizationId: ctx.org.id, name: input.name }),
    ),

  // Editors call this on every keystroke of the YAML tab; it reads nothing stored. A mutation (as
  // is preview) only so the YAML travels in the body: a query's input goes in the URL, which
  // proxies and Node's header limit (16 KB) cut short.
  validate: orgProcedure("editor")
    .input(z.object({ yaml: yamlSchema, name: policyNameSchema.optional() }))
    .output(
      z.object({
        isValid: z.boolean(),
        name: z.string().nullable(),
        kind: z.string().nullable(),
        diagnostics: z.array(diagnosticSchema),
      }),
    )
    .mutation(({ input }) => validatePolicyYaml({ yaml: input.yaml, name: input.name })),

  preview: orgProcedure("editor")
    .input(z.object({ changes: changesSchema }))
    .output(
      z.object({
        clusters: z.array(
          z.object({
            clusterId: z.string(),
            clusterName: z.string(),
            currentVersion: z.number(),
            isChanged: z.boolean(),
            hasErrors: z.boolean(),
            diff: z.object({
              added: z.array(resourceRefSchema.extend({ yaml: z.string() })),
              removed: z.array(resourceRefSchema.extend({ yaml: z.string() })),
              changed: z.array(
                resourceRefSchema.extend({
                  beforeYaml: z.string(),
                  afterYaml: z.string(),
                  fields: z.array(fieldChangeSchema),
                }),
              ),
              unchanged: z.number(),
            }),
            diagnostics: z.array(diagnosticSchema),
          }),
        ),
        impact: impactSchema.nullable(),
        impactNote: z.string(),
      }),
    )
    .mutation(({ ctx, input }) =>
      previewChangeSet({ prisma: ctx.prisma, organizationId: ctx.org.id, changes: input.changes }),
    ),

  // Named applyChanges: tRPC reserves `apply` (its callers are proxies of functions).
  applyChanges: orgProcedure("editor")
    .input(z.object({ changes: changesSchema, reason: reasonSchema }))
    .output(appliedSchema)
    .mutation(({ ctx, input }) =>
      applyChangeSet({
        prisma: ctx.prisma,
        compileQueue: ctx.compileQueue,
        organizationId: ctx.org.id,
        actor: { userId: ctx.user.id, label: ctx.user.email },
        reason: input.reason,
        changes: input.changes,
        requestId: ctx.requestId,
      }),
    ),

  rollback: orgProcedure("editor")
    .input(nameInput.extend({ toRevision: z.number().int().min(1), reason: reasonSchema }))
    .output(appliedSchema)
    .mutation(({ ctx, input }) =>
      rollbackPolicy({
        prisma: ctx.prisma,
        compileQueue: ctx.compileQueue,
        organizationId: ctx.org.id,
        actor: { userId: ctx.user.id, label: ctx.user.email },
        name: input.name,
        toRevision: input.toRevision,
        reason: input.reason,
        requestId: ctx.requestId,
      }),
    ),

  delete: orgProcedure("editor")
    .input(nameInput.extend({ reason: reasonSchema }))
    .output(appliedSchema)
    .mutation(({ ctx, input }) =>
      applyChangeSet({
        prisma: ctx.prisma,
        compileQueue: ctx.compileQueue,
        organizationId: ctx.org.id,
        actor: { userId: ctx.user.id, label: ctx.user.email },
        reason: input.reason,
        changes: { edits: [], deletions: [input.name] },
        requestId: ctx.requestId,
      }),
    ),
});
