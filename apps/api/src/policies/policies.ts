// Policies of an organization: list, read, history, validate, preview, apply change sets, roll
// back and delete. Content lives in immutable revisions; a change set's revisions, its outbox
// record and its audit events are written in one transaction (see docs/policies-pipeline.md).
import type { Prisma, PrismaClient } from "@switchyard/db/client";
import { compile } from "@switchyard/policy-model/compile";
import { diff, type ResourceDiff } from "@switchyard/policy-model/diff";
import { type ImpactReport, impact } from "@switchyard/policy-model/impact";
import { resourcesToYaml } from "@switchyard/policy-model/render";
import type { Policy } from "@switchyard/policy-model/schema";
import { validatePolicy } from "@switchyard/policy-model/validate";
import { recordAuditEvent, type UserActor } from "../audit/record-audit-event";
import { AppError } from "../errors";
import type { CompileQueue } from "../jobs/compile-job";
import { relayOutbox } from "../jobs/outbox-relay";
import {
  diagnosticsOf,
  findLatestVersions,
  loadClusterInventories,
  loadCurrentPolicies,
  resourcesOf,
  storedSyncState,
  takeCompileLock,
  toJson,
} from "./desired-config";
import { impactWindowSeconds, loadObservedTraffic } from "./observed-traffic";
import {
  diffDocuments,
  type FieldDiagnostic,
  isSameContent,
  parsePolicyText,
  type SyncState,
  summarizeScope,
  toJsonValue,
  withRevision,
} from "./policy-text";

export type PolicyEdit = { name: string; yaml: string };
export type ProposedChanges = { edits: PolicyEdit[]; deletions: string[] };

type ValidatedEdit = { index: number; name: string; yaml: string; policy: Policy };

function formatDiagnostic(d: FieldDiagnostic): string {
  const where = d.line === null ? "" : ` (line ${d.line})`;
  return `${d.field || "document"}${where}: ${d.message}`;
}

/** Parse and validate every edit; the first error (of any edit) is thrown naming policy and field. */
function validateEdits(changes: ProposedChanges): ValidatedEdit[] {
  const names = new Set<string>();
  const out: ValidatedEdit[] = [];
  for (const [index, edit] of changes.edits.entries()) {
    const parsed = parsePolicyText(edit.yaml, edit.name);
    const error = parsed.diagnostics.find((d) => d.severity === "error");
    if (!parsed.policy || error) {
      throw new AppError(
        "INVALID",
        `Policy ${edit.name}: ${error ? formatDiagnostic(error) : "not a valid policy"}`,
        { field: `edits.${index}.yaml${error?.field ? `.${error.field}` : ""}` },
      );
    }
    if (names.has(edit.name))
      throw new AppError("INVALID", `Policy ${edit.name} is edited twice in one change set.`, {
        field: `edits.${index}.name`,
      });
    names.add(edit.name);
    out.push({ index, name: edit.name, yaml: edit.yaml, policy: parsed.policy });
  }
  for (const [index, name] of changes.deletions.entries()) {
    if (names.has(name))
      throw new AppError("INVALID", `Policy ${name} is both edited and deleted in one change set.`, {
        field: `deletions.${index}`,
      });
    names.add(name);
  }
  return out;
}

export function validatePolicyYaml(options: { yaml: string; name?: string | undefined }) {
  const parsed = parsePolicyText(options.yaml, options.name);
  return {
    isValid: parsed.policy !== null && !parsed.diagnostics.some((d) => d.severity === "error"),
    name: parsed.policy?.metadata.name ?? null,
    kind: parsed.policy?.kind ?? null,
    diagnostics: parsed.diagnostics,
  };
}

async function clusterSyncStates(prisma: PrismaClient, organizationId: string) {
  const clusters = await prisma.cluster.findMany({
    where: { organizationId, state: "active" },
    select: { id: true, name: true, configStatus: true },
    orderBy: { name: "asc" },
  });
  const latest = await findLatestVersions(
    prisma,
    clusters.map((c) => c.id),
  );
  return clusters.map((cluster) => {
    const version = latest.get(cluster.id);
    const status = cluster.configStatus;
    const state = storedSyncState(version?.version ?? 0, status);
    return {
      id: cluster.id,
      name: cluster.name,
      state,
      resources: version ? resourcesOf(version.resources) : [],
      diagnostics: version ? diagnosticsOf(version.diagnostics) : [],
    };
  });
}

export type PolicyClusterStatus = {
  clusterId: string;
  clusterName: string;
  state: SyncState;
  /** Why it is failed when the policy could not be compiled there (its error diagnostic). */
  message: string | null;
};

/** Policies with kind, scope and their state in every cluster they land in (or failed to). */
export async function listPolicies(options: { prisma: PrismaClient; organizationId: string }) {
  const policies = await options.prisma.policy.findMany({
    where: { organizationId: options.organizationId, deletedAt: null },
    orderBy: { name: "asc" },
  });
  const revisions = await options.prisma.policyRevision.findMany({
    where: { OR: policies.map((p) => ({ policyId: p.id, number: p.currentRevision })) },
    select: { policyId: true, document: true, createdAt: true, authorLabel: true, reason: true },
  });
  const byPolicy = new Map(revisions.map((r) => [r.policyId, r]));
  const clusters = policies.length > 0 ? await clusterSyncStates(options.prisma, options.organizationId) : [];
  return policies.flatMap((p) => {
    const revision = byPolicy.get(p.id);
    const policy = revision ? validatePolicy(revision.document).policy : undefined;
    if (!revision || !policy) return [];
    const label = `policy.switchyard.dev/${p.name}`;
    const inClusters: PolicyClusterStatus[] = [];
    for (const cluster of clusters) {
      const carried = cluster.resources.find((r) => label in r.metadata.labels)?.metadata.labels[label];
      const error = cluster.diagnostics.find((d) => d.policy === p.name && d.severity === "error");
      if (error) {
        inClusters.push({
          clusterId: cluster.id,
          clusterName: cluster.name,
          state: "failed",
          message: error.message,
        });
      } else if (carried !== undefined) {
        inClusters.push({
          clusterId: cluster.id,
          clusterName: cluster.name,
          // Resources from an older revision: the new one is still compiling.
          state: carried === String(p.currentRevision) ? cluster.state : "pending",
          message: null,
        });
      }
    }
    return [
      {
        id: p.id,
        name: p.name,
        kind: p.kind,
        revision: p.currentRevision,
        updatedAt: revision.createdAt.toISOString(),
        updatedBy: revision.authorLabel,
        reason: revision.reason,
        scope: summarizeScope(policy),
        clusters: inClusters,
        counts: {
          inSync: inClusters.filter((c) => c.state === "in-sync").length,
          pending: inClusters.filter((c) => c.state === "pending").length,
          failed: inClusters.filter((c) => c.state === "failed").length,
        },
      },
    ];
  });
}

async function findPolicyInOrg(
  db: PrismaClient | Prisma.TransactionClient,
  organizationId: string,
  name: string,
) {
  const policy = await db.policy.findUnique({ where: { organizationId_name: { organizationId, name } } });
  if (!policy) throw new AppError("NOT_FOUND", `No policy named ${name}.`, { field: "name" });
  return policy;
}

export async function getPolicy(options: { prisma: PrismaClient; organizationId: string; name: string }) {
  const policy = await findPolicyInOrg(options.prisma, options.organizationId, options.name);
  if (policy.deletedAt)
    throw new AppError("NOT_FOUND", `Policy ${options.name} was deleted.`, { field: "name" });
  const revision = await options.prisma.policyRevision.findUniqueOrThrow({
    where: { policyId_number: { policyId: policy.id, number: policy.currentRevision } },
  });
  const parsed = validatePolicy(revision.document).policy;
  if (!parsed) throw new Error(`stored revision ${revision.id} does not validate`);
  return {
    id: policy.id,
    name: policy.name,
    kind: policy.kind,
    revision: policy.currentRevision,
    yaml: revision.yaml,
    document: toJsonValue(parsed),
    scope: summarizeScope(parsed),
    updatedAt: revision.createdAt.toISOString(),
    updatedBy: revision.authorLabel,
  };
}

/** Every revision, newest first, with who/when/why and the field changes from the one before. */
export async function listPolicyHistory(options: {
  prisma: PrismaClient;
  organizationId: string;
  name: string;
}) {
  const policy = await findPolicyInOrg(options.prisma, options.organizationId, options.name);
  const revisions = await options.prisma.policyRevision.findMany({
    where: { policyId: policy.id },
    orderBy: { number: "asc" },
  });
  const entries = revisions.map((r, i) => {
    const previous = i > 0 ? revisions[i - 1] : undefined;
    return {
      number: r.number,
      changeSetId: r.changeSetId,
      author: r.authorLabel,
      reason: r.reason,
      createdAt: r.createdAt.toISOString(),
      isDeletion: r.isDeletion,
      restoredFrom: r.restoredFrom,
      yaml: r.yaml,
      changes: diffDocuments(previous?.document ?? undefined, r.document ?? undefined).map((c) => ({
        field: c.field,
        before: toJsonValue(c.before),
        after: toJsonValue(c.after),
      })),
    };
  });
  return {
    name: policy.name,
    kind: policy.kind,
    isDeleted: policy.deletedAt !== null,
    revisions: entries.reverse(),
  };
}

/** The policy set a change set would produce, with new revisions numbered as they would be stored. */
async function proposedPolicySet(prisma: PrismaClient, organizationId: string, changes: ProposedChanges) {
  const edits = validateEdits(changes);
  const current = await loadCurrentPolicies(prisma, organizationId);
  const touched = new Set([...edits.map((e) => e.name), ...changes.deletions]);
  const rows = await prisma.policy.findMany({
    where: { organizationId, name: { in: [...touched] } },
    select: { name: true, currentRevision: true, deletedAt: true },
  });
  const rowByName = new Map(rows.map((r) => [r.name, r]));
  for (const [index, name] of changes.deletions.entries()) {
    const row = rowByName.get(name);
    if (!row || row.deletedAt)
      throw new AppError("INVALID", `There is no policy named ${name} to delete.`, {
        field: `deletions.${index}`,
      });
  }
  const proposed = current.filter((p) => !touched.has(p.metadata.name));
  for (const edit of edits) {
    const previous = current.find((p) => p.metadata.name === edit.name);
    // An edit that changes nothing keeps its revision (apply stores nothing for it).
    if (previous && isSameContent(previous, edit.policy)) proposed.push(previous);
    else proposed.push(withRevision(edit.policy, (rowByName.get(edit.name)?.currentRevision ?? 0) + 1));
  }
  return { current, proposed };
}

type ResourceSummary = { kind: string; namespace: string; name: string };
const summarizeResource = (r: {
  kind: string;
  metadata: { namespace: string; name: string };
}): ResourceSummary => ({
  kind: r.kind,
  namespace: r.metadata.namespace,
  name: r.metadata.name,
});

function diffDto(d: ResourceDiff) {
  return {
    added: d.added.map((r) => ({ ...summarizeResource(r), yaml: resourcesToYaml([r]) })),
    removed: d.removed.map((r) => ({ ...summarizeResource(r), yaml: resourcesToYaml([r]) })),
    changed: d.changed.map((c) => ({
      ...summarizeResource(c.after),
      beforeYaml: resourcesToYaml([c.before]),
      afterYaml: resourcesToYaml([c.after]),
      fields: c.fields.map((f) => ({
        field: f.path.join("."),
        before: toJsonValue(f.before),
        after: toJsonValue(f.after),
      })),
    })),
    unchanged: d.unchanged,
  };
}

/**
 * What a change set would do: every registered cluster compiled against its current inventory,
 * diffed against its current desired version, and — when the organization has telemetry — what
 * the change would do to the last hour of observed traffic in each changed cluster (edges an
 * authorization or mTLS change would refuse, traffic moving between versions).
 */
export async function previewChangeSet(options: {
  prisma: PrismaClient;
  organizationId: string;
  changes: ProposedChanges;
  now?: number;
}) {
  const { proposed } = await proposedPolicySet(options.prisma, options.organizationId, options.changes);
  const clusters = await loadClusterInventories(options.prisma, { organizationId: options.organizationId });
  const [latest, observed] = await Promise.all([
    findLatestVersions(
      options.prisma,
      clusters.map((c) => c.id),
    ),
    loadObservedTraffic({
      prisma: options.prisma,
      organizationId: options.organizationId,
      ...(options.now === undefined ? {} : { now: options.now }),
    }),
  ]);
  const impacts: (Omit<ImpactReport, "cluster"> & { clusterId: string; clusterName: string })[] = [];
  const perCluster = clusters.map((cluster) => {
    const result = compile(proposed, cluster.inventory);
    const version = latest.get(cluster.id);
    const before = version ? resourcesOf(version.resources) : [];
    const resourceDiff = diff(before, result.resources);
    const isChanged =
      resourceDiff.added.length > 0 || resourceDiff.removed.length > 0 || resourceDiff.changed.length > 0;
    if (observed && isChanged) {
      // Telemetry names clusters by Istio's cluster label; Switchyard's cluster name is that label.
      const edges = observed.edgesByCluster.get(cluster.name) ?? [];
      const { cluster: _name, ...report } = impact(
        { inventory: cluster.inventory, before, after: result.resources },
        edges,
      );
      impacts.push({ clusterId: cluster.id, clusterName: cluster.name, ...report });
    }
    return {
      clusterId: cluster.id,
      clusterName: cluster.name,
      currentVersion: version?.version ?? 0,
      isChanged,
      hasErrors: result.diagnostics.some((d) => d.severity === "error"),
      diff: diffDto(resourceDiff),
      diagnostics: diagnosticsOf(result.diagnostics),
    };
  });
  return {
    clusters: perCluster,
    impact: observed
      ? {
          since: new Date(observed.since).toISOString(),
          windowSeconds: impactWindowSeconds,
          clusters: impacts,
        }
      : null,
    impactNote: observed
      ? `Weighed against the traffic observed since ${new Date(observed.since).toISOString()} (the last hour).`
      : "Impact analysis needs observed traffic; no telemetry has been received for this organization in the last hour.",
  };
}

type StoredRevision = { policyName: string; policyId: string; number: number; action: string };

/**
 * Write a change set in one transaction: revisions, the change set, its outbox record and audit
 * events with before and after. Validation happens first, so an invalid edit stores nothing.
 * Edits whose content equals the current revision store nothing; a change set of only those
 * returns changeSetId null. Exported apart from `applyChangeSet` so tests can commit without
 * enqueueing, as a crash right after commit would.
 */
export async function storeChangeSet(options: {
  prisma: PrismaClient;
  organizationId: string;
  actor: UserActor;
  reason: string;
  changes: ProposedChanges;
  requestId?: string;
  /** Set by rollback: the revision each edit restores, by policy name. */
  restoredFrom?: ReadonlyMap<string, number>;
}): Promise<{ changeSetId: string | null; outboxSeq: number | null; revisions: StoredRevision[] }> {
  const edits = validateEdits(options.changes);
  const { organizationId, actor } = options;
  try {
    return await options.prisma.$transaction(
      async (tx) => {
        await takeCompileLock(tx, organizationId, "change-set");
        const changeSet = await tx.changeSet.create({
          data: {
            organizationId,
            authorUserId: actor.userId,
            authorLabel: actor.label,
            reason: options.reason,
          },
        });
        const stored: StoredRevision[] = [];
        const audit = async (action: string, targetId: string, before: unknown, after: unknown) =>
          recordAuditEvent(tx, {
            organizationId,
            actor,
            action,
            targetType: "policy",
            targetId,
            ...(before === null ? {} : { before: toJson(before) }),
            ...(after === null ? {} : { after: toJson(after) }),
            ...(options.requestId ? { requestId: options.requestId } : {}),
          });
        for (const edit of edits) {
          const existing = await tx.policy.findUnique({
            where: { organizationId_name: { organizationId, name: edit.name } },
          });
          const previous = existing
            ? await tx.policyRevision.findUnique({
                where: { policyId_number: { policyId: existing.id, number: existing.currentRevision } },
              })
            : null;
          if (existing && !existing.deletedAt && previous && isSameContent(previous.document, edit.policy))
            continue;
          const number = (existing?.currentRevision ?? 0) + 1;
          const policy = existing
            ? await tx.policy.update({
                // The revision we read must still be current: a concurrent change set loses with CONFLICT.
                where: { id: existing.id, currentRevision: existing.currentRevision },
                data: { currentRevision: number, kind: edit.policy.kind, deletedAt: null },
              })
            : await tx.policy.create({
                data: { organizationId, name: edit.name, kind: edit.policy.kind, currentRevision: number },
              });
          const document = withRevision(edit.policy, number);
          const restoredFrom = options.restoredFrom?.get(edit.name) ?? null;
          await tx.policyRevision.create({
            data: {
              organizationId,
              policyId: policy.id,
              number,
              kind: edit.policy.kind,
              yaml: edit.yaml,
              document: toJson(document),
              changeSetId: changeSet.id,
              restoredFrom,
              authorUserId: actor.userId,
              authorLabel: actor.label,
              reason: options.reason,
            },
          });
          const action =
            restoredFrom !== null
              ? "policy.rolled_back"
              : existing && !existing.deletedAt
                ? "policy.updated"
                : "policy.created";
          await audit(
            action,
            edit.name,
            previous && !previous.isDeletion ? { revision: previous.number, yaml: previous.yaml } : null,
            {
              revision: number,
              yaml: edit.yaml,
              changeSetId: changeSet.id,
              reason: options.reason,
              restoredFrom,
            },
          );
          stored.push({ policyName: edit.name, policyId: policy.id, number, action });
        }
        for (const [index, name] of options.changes.deletions.entries()) {
          const existing = await tx.policy.findUnique({
            where: { organizationId_name: { organizationId, name } },
          });
          if (!existing || existing.deletedAt)
            throw new AppError("INVALID", `There is no policy named ${name} to delete.`, {
              field: `deletions.${index}`,
            });
          const previous = await tx.policyRevision.findUnique({
            where: { policyId_number: { policyId: existing.id, number: existing.currentRevision } },
          });
          const number = existing.currentRevision + 1;
          await tx.policy.update({
            where: { id: existing.id, currentRevision: existing.currentRevision },
            data: { currentRevision: number, deletedAt: new Date() },
          });
          await tx.policyRevision.create({
            data: {
              organizationId,
              policyId: existing.id,
              number,
              kind: existing.kind,
              yaml: "",
              isDeletion: true,
              changeSetId: changeSet.id,
              authorUserId: actor.userId,
              authorLabel: actor.label,
              reason: options.reason,
            },
          });
          await audit(
            "policy.deleted",
            name,
            previous ? { revision: previous.number, yaml: previous.yaml } : null,
            {
              revision: number,
              isDeletion: true,
              changeSetId: changeSet.id,
              reason: options.reason,
            },
          );
          stored.push({ policyName: name, policyId: existing.id, number, action: "policy.deleted" });
        }
        if (stored.length === 0) {
          // Nothing changed: leave no empty change set behind (rolled back by throwing would be
          // noisier; deleting it in the same transaction is equivalent).
          await tx.changeSet.delete({ where: { id: changeSet.id } });
          return { changeSetId: null, outboxSeq: null, revisions: [] };
        }
        const outbox = await tx.outbox.create({
          data: { organizationId, topic: "compile", payload: { changeSetId: changeSet.id } },
        });
        return { changeSetId: changeSet.id, outboxSeq: outbox.seq, revisions: stored };
      },
      // A running compile holds the lock: waiting for it counts against the timeout.
      { maxWait: 10_000, timeout: 30_000 },
    );
  } catch (error) {
    if (isConcurrentChange(error))
      throw new AppError(
        "CONFLICT",
        "A policy in this change set was changed by someone else meanwhile; review and retry.",
      );
    throw error;
  }
}

function isConcurrentChange(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("code" in error)) return false;
  // P2025: the guarded update found no row at the revision we read; P2002: a concurrent create won.
  return error.code === "P2025" || error.code === "P2002";
}

/** Store a change set, then hand its outbox record to the queue (the worker's sweep is the backstop). */
export async function applyChangeSet(options: {
  prisma: PrismaClient;
  compileQueue: CompileQueue;
  organizationId: string;
  actor: UserActor;
  reason: string;
  changes: ProposedChanges;
  requestId?: string;
  restoredFrom?: ReadonlyMap<string, number>;
}) {
  const stored = await storeChangeSet(options);
  if (stored.outboxSeq !== null) {
    // The change is committed: failing to enqueue now only delays it until the sweep.
    await relayOutbox({
      prisma: options.prisma,
      queue: options.compileQueue,
      seqs: [stored.outboxSeq],
    }).catch(() => undefined);
  }
  return {
    changeSetId: stored.changeSetId,
    revisions: stored.revisions.map((r) => ({ name: r.policyName, revision: r.number, action: r.action })),
  };
}

/** A new revision with the content of an earlier one (which must not be a deletion). */
export async function rollbackPolicy(options: {
  prisma: PrismaClient;
  compileQueue: CompileQueue;
  organizationId: string;
  actor: UserActor;
  name: string;
  toRevision: number;
  reason: string;
  requestId?: string;
}) {
  const policy = await findPolicyInOrg(options.prisma, options.organizationId, options.name);
  const target = await options.prisma.policyRevision.findUnique({
    where: { policyId_number: { policyId: policy.id, number: options.toRevision } },
  });
  if (!target)
    throw new AppError("NOT_FOUND", `Policy ${options.name} has no revision ${options.toRevision}.`, {
      field: "toRevision",
    });
  if (target.isDeletion)
    throw new AppError(
      "INVALID",
      `Revision ${options.toRevision} of ${options.name} is a deletion; pick another.`,
      {
        field: "toRevision",
      },
    );
  return applyChangeSet({
    ...options,
    changes: { edits: [{ name: options.name, yaml: target.yaml }], deletions: [] },
    restoredFrom: new Map([[options.name, target.number]]),
  });
}
