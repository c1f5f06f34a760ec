// Per-cluster desired configuration: compile an organization's current policies against each
// cluster's stored inventory into immutable, numbered, content-hashed versions; serve the latest
// to the cluster's agent; store what the agent reports back; show it to the console.
import { type ConfigStatusReport, DriftReport, ResourceResult } from "@switchyard/agent-protocol/v1";
import type { Prisma, PrismaClient } from "@switchyard/db/client";
import { compile } from "@switchyard/policy-model/compile";
import type { ClusterInventory } from "@switchyard/policy-model/inventory";
import { type MeshResource, meshKinds } from "@switchyard/policy-model/resource";
import type { Policy } from "@switchyard/policy-model/schema";
import { validatePolicy } from "@switchyard/policy-model/validate";
import { z } from "zod";
import { AppError } from "../errors";
import { toClusterInventory } from "./cluster-inventory";
import { type FieldDiagnostic, type SyncState, syncStateOf } from "./policy-text";

type Db = PrismaClient | Prisma.TransactionClient;

const meshKindSchema = z.enum(
  Object.keys(meshKinds) as [keyof typeof meshKinds, ...(keyof typeof meshKinds)[]],
);
const meshResourceSchema = z.object({
  apiVersion: z.string(),
  kind: meshKindSchema,
  metadata: z.object({
    name: z.string(),
    namespace: z.string(),
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()),
  }),
  spec: z.record(z.string(), z.json()),
});
const storedResources = z.array(meshResourceSchema);

/** Resources as stored in a version's JSON column (written by us, so a mismatch is a bug). */
export function resourcesOf(json: unknown): MeshResource[] {
  return storedResources.parse(json);
}

/** Plain JSON for a Json column: our values are JSON already, the cast only tells Prisma so. */
export const toJson = (value: unknown): Prisma.InputJsonValue =>
  JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;

/** The current (not deleted) policies of an organization, typed, at their stored revisions. */
export async function loadCurrentPolicies(db: Db, organizationId: string): Promise<Policy[]> {
  const policies = await db.policy.findMany({
    where: { organizationId, deletedAt: null },
    select: { id: true, currentRevision: true },
  });
  if (policies.length === 0) return [];
  const revisions = await db.policyRevision.findMany({
    where: { OR: policies.map((p) => ({ policyId: p.id, number: p.currentRevision })) },
    select: { document: true },
  });
  const out: Policy[] = [];
  for (const revision of revisions) {
    // Stored documents passed validation when written; re-validating types them without a cast.
    const policy = validatePolicy(revision.document).policy;
    if (policy) out.push(policy);
  }
  return out;
}

export type ClusterForCompile = { id: string; name: string; inventory: ClusterInventory };

/**
 * Parsed inventories by cluster, valid for one inventory sequence. Every change to a cluster's
 * inventory rows commits with a higher sequence (inventory-sync.ts; sequences never go back), so a
 * cached inventory whose sequence, name and labels match the cluster row is exactly what the rows
 * would give. Saves reading and parsing every cluster's inventory on every compile.
 */
const inventoryCache = new Map<string, { stamp: string; inventory: ClusterInventory }>();
const inventoryCacheLimit = 5_000;

/** Registered clusters of an organization (optionally only some) with their inventories. */
export async function loadClusterInventories(
  db: Db,
  options: { organizationId: string; clusterIds?: readonly string[] | null },
): Promise<ClusterForCompile[]> {
  const clusters = await db.cluster.findMany({
    where: {
      organizationId: options.organizationId,
      state: "active",
      ...(options.clusterIds ? { id: { in: [...options.clusterIds] } } : {}),
    },
    select: { id: true, name: true, labels: true, inventorySequence: true },
    orderBy: { name: "asc" },
  });
  if (clusters.length === 0) return [];
  const stampOf = (c: (typeof clusters)[number]) =>
    `${c.inventorySequence}|${c.name}|${JSON.stringify(c.labels)}`;
  const stale = clusters.filter((c) => inventoryCache.get(c.id)?.stamp !== stampOf(c));
  const rows =
    stale.length === 0
      ? []
      : await db.inventoryObject.findMany({
          where: { clusterId: { in: stale.map((c) => c.id) } },
          select: { clusterId: true, kind: true, data: true },
        });
  const byCluster = new Map<string, { kind: string; data: unknown }[]>();
  for (const row of rows) {
    const list = byCluster.get(row.clusterId) ?? [];
    list.push(row);
    byCluster.set(row.clusterId, list);
  }
  for (const c of stale) {
    const inventory = toClusterInventory({ cluster: c, rows: byCluster.get(c.id) ?? [] });
    inventoryCache.delete(c.id);
    inventoryCache.set(c.id, { stamp: stampOf(c), inventory });
  }
  // Oldest entries first in a Map: drop those beyond the limit.
  for (const id of inventoryCache.keys()) {
    if (inventoryCache.size <= inventoryCacheLimit) break;
    inventoryCache.delete(id);
  }
  return clusters.map((c) => {
    const cached = inventoryCache.get(c.id);
    return {
      id: c.id,
      name: c.name,
      inventory: cached?.inventory ?? toClusterInventory({ cluster: c, rows: byCluster.get(c.id) ?? [] }),
    };
  });
}

/** The newest version number and content hash of each given cluster: what compile compares against. */
export async function findLatestHashes(db: Db, clusterIds: readonly string[]) {
  const map = new Map<string, { version: number; contentHash: string }>();
  if (clusterIds.length === 0) return map;
  const rows = await db.$queryRaw<{ clusterId: string; version: number; contentHash: string }[]>`
    select distinct on ("clusterId") "clusterId", version, "contentHash"
    from desired_config_versions
    where "clusterId" = any(${[...clusterIds]}::text[])
    order by "clusterId", version desc`;
  for (const row of rows) map.set(row.clusterId, row);
  return map;
}

export type LatestVersion = {
  clusterId: string;
  version: number;
  contentHash: string;
  resources: unknown;
  diagnostics: unknown;
  createdAt: Date;
  reachedAt: Date | null;
  changeSetId: string | null;
};

/** The newest desired version of each given cluster (absent when none was ever compiled). */
export async function findLatestVersions(db: Db, clusterIds: readonly string[]) {
  const map = new Map<string, LatestVersion>();
  if (clusterIds.length === 0) return map;
  const rows = await db.$queryRaw<LatestVersion[]>`
    select distinct on ("clusterId") "clusterId", version, "contentHash", resources, diagnostics,
           "createdAt", "reachedAt", "changeSetId"
    from desired_config_versions
    where "clusterId" = any(${[...clusterIds]}::text[])
    order by "clusterId", version desc`;
  for (const row of rows) map.set(row.clusterId, row);
  return map;
}

export type CompiledVersion = { clusterId: string; version: number };

/**
 * The organization's compile lock, held to the end of the transaction. A compile holds it alone; a
 * change set holds it shared while it writes policies and their outbox row. So a compile reads
 * policies and pending outbox rows as one state: no change set commits between its reads. (It once
 * could: an inventory recompile saw no pending row, then read the policy committed just after and
 * stored its version without the change set.) Change sets do not wait for each other.
 */
/** The compile lock's name; Postgres keys the advisory lock by its `hashtext`. */
export const compileLockName = (organizationId: string) => `compile:${organizationId}`;

export async function takeCompileLock(
  tx: Prisma.TransactionClient,
  organizationId: string,
  holder: "compile" | "change-set",
): Promise<void> {
  const key = compileLockName(organizationId);
  if (holder === "compile") await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${key}))`;
  else await tx.$executeRaw`select pg_advisory_xact_lock_shared(hashtext(${key}))`;
}

/**
 * Compile the organization's current policies for its clusters (all, or the given ones) and store a
 * new version for each cluster whose content hash changed. Compiles of one organization are
 * serialized by its compile lock (`takeCompileLock`), so versions only grow and a stale compile never lands after a
 * newer one. When `claimOutbox` is set, the unprocessed compile work of the organization committed
 * before the lock was taken is marked processed in the same transaction: those changes are in
 * what this compile read. Returns the new versions (to notify agents after commit).
 */
export async function compileOrganization(options: {
  prisma: PrismaClient;
  organizationId: string;
  clusterIds: readonly string[] | null;
  claimOutbox: boolean;
}): Promise<{ versions: CompiledVersion[]; claimed: number }> {
  const { organizationId } = options;
  return options.prisma.$transaction(
    async (tx) => {
      await takeCompileLock(tx, organizationId, "compile");
      const claimed = options.claimOutbox
        ? await tx.outbox.findMany({
            where: { organizationId, topic: "compile", processedAt: null },
            select: { seq: true, payload: true },
            orderBy: { seq: "asc" },
          })
        : [];
      if (options.claimOutbox && claimed.length === 0) return { versions: [], claimed: 0 };
      // An inventory recompile defers to pending policy work: that compile covers every cluster with
      // the inventory as it is then, and attributes the versions to their change set.
      if (
        !options.claimOutbox &&
        (await tx.outbox.count({ where: { organizationId, topic: "compile", processedAt: null } })) > 0
      )
        return { versions: [], claimed: 0 };
      const lastPayload = z.object({ changeSetId: z.string() }).safeParse(claimed.at(-1)?.payload);
      const changeSetId = lastPayload.success ? lastPayload.data.changeSetId : null;
      const policies = await loadCurrentPolicies(tx, organizationId);
      const clusters = await loadClusterInventories(tx, { organizationId, clusterIds: options.clusterIds });
      const latest = await findLatestHashes(
        tx,
        clusters.map((c) => c.id),
      );
      const versions: CompiledVersion[] = [];
      const rows: Prisma.DesiredConfigVersionCreateManyInput[] = [];
      for (const cluster of clusters) {
        const result = compile(policies, cluster.inventory);
        const previous = latest.get(cluster.id);
        // An empty config that was never compiled needs no version 1: version 0 already means nothing.
        if (previous ? previous.contentHash === result.hash : result.resources.length === 0) continue;
        const version = (previous?.version ?? 0) + 1;
        rows.push({
          clusterId: cluster.id,
          organizationId,
          version,
          contentHash: result.hash,
          resources: toJson(result.resources),
          diagnostics: toJson(result.diagnostics),
          changeSetId: options.claimOutbox ? changeSetId : null,
          cause: options.claimOutbox ? "policy-change" : "inventory-change",
        });
        versions.push({ clusterId: cluster.id, version });
      }
      // One statement for the whole fleet: a round trip per cluster kept the transaction (and the
      // organization's lock) open for hundreds of milliseconds at 100 clusters.
      if (rows.length > 0) await tx.desiredConfigVersion.createMany({ data: rows });
      if (claimed.length > 0)
        await tx.outbox.updateMany({
          where: { seq: { in: claimed.map((row) => row.seq) } },
          data: { processedAt: new Date() },
        });
      return { versions, claimed: claimed.length };
    },
    { maxWait: 30_000, timeout: 120_000 },
  );
}

/** What the agent fetches: the latest version of its cluster, or version 0 with nothing. One query: every agent asks at once after an apply. */
export async function getDesiredConfig(options: { prisma: PrismaClient; clusterId: string }) {
  const [row] = await options.prisma.$queryRaw<
    { repairDrift: boolean; version: number | null; contentHash: string | null; resources: unknown }[]
  >`
    select c."repairDrift", v.version, v."contentHash", v.resources
    from clusters c
    left join lateral (
      select version, "contentHash", resources from desired_config_versions
      where "clusterId" = c.id order by version desc limit 1
    ) v on true
    where c.id = ${options.clusterId}`;
  return {
    version: row?.version ?? 0,
    contentHash: row?.contentHash ?? "",
    repairDrift: row?.repairDrift ?? true,
    resources: row?.version != null ? resourcesOf(row.resources) : [],
  };
}

export async function findLatestVersionNumber(options: { prisma: PrismaClient; clusterId: string }) {
  const latest = await options.prisma.desiredConfigVersion.findFirst({
    where: { clusterId: options.clusterId },
    orderBy: { version: "desc" },
    select: { version: true },
  });
  return latest?.version ?? 0;
}

/**
 * Store an agent's report. A report with results replaces the stored results; a drift-only report
 * (no results) keeps them. The first report that reaches a version stamps its reachedAt: the
 * receipt's "time from apply to applied".
 */
export async function recordConfigStatus(options: {
  prisma: PrismaClient;
  clusterId: string;
  report: ConfigStatusReport;
}): Promise<{ ok: true }> {
  const { report, clusterId } = options;
  const now = new Date();
  const hasResults = report.results.length > 0;
  const hasDrift = report.drift.length > 0;
  const results = JSON.stringify(report.results);
  const drift = JSON.stringify(report.drift);
  // One statement (so one round trip, and atomic without an interactive transaction): every agent
  // reports at once after an apply, and this is on the apply-to-applied path.
  await options.prisma.$executeRaw`
    with status as (
      insert into cluster_config_status as s
        ("clusterId", "reportedVersion", "reachedVersion", "reportedAt", results, drift, "driftReportedAt")
      values (${clusterId}, ${report.version}, ${report.reachedVersion}, ${now}, ${results}::jsonb,
              ${drift}::jsonb, ${hasDrift ? now : null})
      on conflict ("clusterId") do update set
        "reportedVersion" = excluded."reportedVersion",
        "reachedVersion" = excluded."reachedVersion",
        "reportedAt" = excluded."reportedAt",
        results = case when ${hasResults} = false and s."reportedVersion" = excluded."reportedVersion"
                       then s.results else excluded.results end,
        drift = excluded.drift,
        "driftReportedAt" = coalesce(excluded."driftReportedAt", s."driftReportedAt")
      returning 1
    )
    update desired_config_versions set "reachedAt" = ${now}
    where "clusterId" = ${clusterId} and version = ${report.reachedVersion} and "reachedAt" is null
      and ${report.reachedVersion} > 0 and exists (select 1 from status)`;
  return { ok: true };
}

const storedResults = z.array(ResourceResult);
const storedDrift = z.array(DriftReport);

/** syncStateOf over a stored status row (its results JSON parsed). */
export function storedSyncState(
  latestVersion: number,
  status: { reachedVersion: number; reportedVersion: number; results: unknown } | null,
): SyncState {
  if (!status) return syncStateOf(latestVersion, null);
  const results = storedResults.safeParse(status.results);
  return syncStateOf(latestVersion, { ...status, results: results.success ? results.data : [] });
}

export type ClusterConfigStatusDto = {
  clusterId: string;
  clusterName: string;
  latestVersion: number;
  reachedVersion: number;
  reportedVersion: number | null;
  state: SyncState;
  reportedAt: string | null;
  repairDrift: boolean;
  resourceCount: number;
  counts: { applied: number; unchanged: number; pruned: number; conflict: number; rejected: number };
  errors: {
    kind: string;
    namespace: string;
    name: string;
    outcome: "conflict" | "rejected";
    message: string | null;
    conflictManagers: string[];
  }[];
  drift: {
    kind: string;
    namespace: string;
    name: string;
    change: "modified" | "deleted";
    manager: string | null;
    isRepaired: boolean;
  }[];
  /** The latest version's receipt: when it was compiled, when the cluster reached it, and how long that took. */
  receipt: {
    version: number;
    createdAt: string;
    reachedAt: string | null;
    propagationMs: number | null;
    applyToAppliedMs: number | null;
  } | null;
  /** Compile diagnostics of the latest version (errors mean a policy does not land in this cluster). */
  diagnostics: FieldDiagnostic[];
};

const storedDiagnostics = z.array(
  z.object({
    severity: z.enum(["error", "warning", "info"]),
    code: z.string(),
    message: z.string(),
    policy: z.string().optional(),
    path: z.array(z.union([z.string(), z.number()])),
    cluster: z.string().optional(),
  }),
);

/** Compile diagnostics (stored JSON, or fresh from compile) as the console shows them. */
export function diagnosticsOf(json: unknown): FieldDiagnostic[] {
  const parsed = storedDiagnostics.safeParse(json);
  if (!parsed.success) return [];
  return parsed.data.map((d) => ({
    severity: d.severity,
    code: d.code,
    message: d.message,
    policy: d.policy ?? null,
    field: d.path.join("."),
    path: d.path,
    cluster: d.cluster ?? null,
    line: null,
    column: null,
  }));
}

/** Configuration status of an organization's clusters (or one), for the console. */
export async function listClusterConfigStatus(options: {
  prisma: PrismaClient;
  organizationId: string;
  clusterId?: string | undefined;
}): Promise<ClusterConfigStatusDto[]> {
  const clusters = await options.prisma.cluster.findMany({
    where: {
      organizationId: options.organizationId,
      ...(options.clusterId ? { id: options.clusterId } : {}),
    },
    select: { id: true, name: true, repairDrift: true, configStatus: true },
    orderBy: { name: "asc" },
  });
  if (options.clusterId && clusters.length === 0) throw new AppError("NOT_FOUND", "Cluster not found.");
  const latest = await findLatestVersions(
    options.prisma,
    clusters.map((c) => c.id),
  );
  const changeSetIds = [...latest.values()].flatMap((v) => (v.changeSetId ? [v.changeSetId] : []));
  const changeSets = new Map(
    (
      await options.prisma.changeSet.findMany({
        where: { id: { in: changeSetIds }, organizationId: options.organizationId },
        select: { id: true, createdAt: true },
      })
    ).map((c) => [c.id, c.createdAt]),
  );
  return clusters.map((cluster) => {
    const version = latest.get(cluster.id);
    const status = cluster.configStatus;
    const results = status ? storedResults.safeParse(status.results) : null;
    const drift = status ? storedDrift.safeParse(status.drift) : null;
    const resultList = results?.success ? results.data : [];
    const counts = { applied: 0, unchanged: 0, pruned: 0, conflict: 0, rejected: 0 };
    for (const r of resultList) counts[r.outcome]++;
    const latestVersion = version?.version ?? 0;
    const appliedAt = version?.changeSetId ? changeSets.get(version.changeSetId) : undefined;
    return {
      clusterId: cluster.id,
      clusterName: cluster.name,
      latestVersion,
      reachedVersion: status?.reachedVersion ?? 0,
      reportedVersion: status?.reportedVersion ?? null,
      state: syncStateOf(
        latestVersion,
        status
          ? {
              reachedVersion: status.reachedVersion,
              reportedVersion: status.reportedVersion,
              results: resultList,
            }
          : null,
      ),
      reportedAt: status?.reportedAt.toISOString() ?? null,
      repairDrift: cluster.repairDrift,
      resourceCount: version ? resourcesOf(version.resources).length : 0,
      counts,
      errors: resultList.flatMap((r) =>
        r.outcome === "conflict" || r.outcome === "rejected"
          ? [
              {
                kind: r.kind,
                namespace: r.namespace,
                name: r.name,
                outcome: r.outcome,
                message: r.message ?? null,
                conflictManagers: r.conflictManagers ?? [],
              },
            ]
          : [],
      ),
      drift: (drift?.success ? drift.data : []).map((d) => ({
        kind: d.kind,
        namespace: d.namespace,
        name: d.name,
        change: d.change,
        manager: d.manager ?? null,
        isRepaired: d.isRepaired,
      })),
      receipt: version
        ? {
            version: version.version,
            createdAt: version.createdAt.toISOString(),
            reachedAt: version.reachedAt?.toISOString() ?? null,
            propagationMs: version.reachedAt
              ? version.reachedAt.getTime() - version.createdAt.getTime()
              : null,
            applyToAppliedMs:
              version.reachedAt && appliedAt ? version.reachedAt.getTime() - appliedAt.getTime() : null,
          }
        : null,
      diagnostics: version ? diagnosticsOf(version.diagnostics) : [],
    };
  });
}
