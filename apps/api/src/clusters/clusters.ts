// Clusters as the console sees them: connect (mint an install line), list with live status,
// detail with inventory, new install line, rotate credential, remove.
import type { Prisma, PrismaClient } from "@switchyard/db/client";
import { recordAuditEvent, type UserActor } from "../audit/record-audit-event";
import { generateToken, hashToken } from "../auth/tokens";
import { AppError } from "../errors";
import type { AgentEventHub } from "./agent-events";
import { uninstallCommand } from "./install-manifest";

export type ClusterSettings = {
  /** Where kubectl fetches the install manifest from (the console's public URL). */
  publicUrl: string;
  bootstrapTokenTtlMs: number;
  /** An agent not heard from for this long counts as disconnected. */
  connectedWithinMs: number;
};

export type ClusterStatus = "pending" | "connected" | "disconnected";

export function statusOf(
  cluster: { state: string; lastSeenAt: Date | null; connectedAt: Date | null },
  now: Date,
  connectedWithinMs: number,
): ClusterStatus {
  if (cluster.state === "pending") return "pending";
  const isRecent =
    cluster.lastSeenAt !== null && now.getTime() - cluster.lastSeenAt.getTime() <= connectedWithinMs;
  return isRecent && cluster.connectedAt !== null ? "connected" : "disconnected";
}

export function installCommandFor(publicUrl: string, token: string): string {
  return `kubectl apply -f "${publicUrl.replace(/\/$/, "")}/install/${token}.yaml"`;
}

async function mintBootstrapToken(
  tx: Prisma.TransactionClient,
  options: { clusterId: string; createdById: string; ttlMs: number },
): Promise<{ token: string; expiresAt: Date }> {
  const token = generateToken("bootstrap");
  const expiresAt = new Date(Date.now() + options.ttlMs);
  // Only one install line works at a time: minting a new one revokes the unused ones.
  await tx.bootstrapToken.updateMany({
    where: { clusterId: options.clusterId, usedAt: null, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  await tx.bootstrapToken.create({
    data: {
      clusterId: options.clusterId,
      tokenHash: hashToken(token),
      expiresAt,
      createdById: options.createdById,
    },
  });
  return { token, expiresAt };
}

export async function createCluster(options: {
  prisma: PrismaClient;
  settings: ClusterSettings;
  organizationId: string;
  actor: UserActor;
  name: string;
  labels: Record<string, string>;
}) {
  return options.prisma.$transaction(async (tx) => {
    if (
      await tx.cluster.findUnique({
        where: { organizationId_name: { organizationId: options.organizationId, name: options.name } },
      })
    ) {
      throw new AppError("CONFLICT", `A cluster named ${options.name} already exists in this organization.`, {
        field: "name",
      });
    }
    const cluster = await tx.cluster.create({
      data: { organizationId: options.organizationId, name: options.name, labels: options.labels },
    });
    const { token, expiresAt } = await mintBootstrapToken(tx, {
      clusterId: cluster.id,
      createdById: options.actor.userId,
      ttlMs: options.settings.bootstrapTokenTtlMs,
    });
    await recordAuditEvent(tx, {
      organizationId: options.organizationId,
      actor: options.actor,
      action: "cluster.created",
      targetType: "cluster",
      targetId: cluster.name,
      after: { name: cluster.name, labels: options.labels },
    });
    return {
      clusterId: cluster.id,
      installCommand: installCommandFor(options.settings.publicUrl, token),
      bootstrapToken: token,
      expiresAt: expiresAt.toISOString(),
    };
  });
}

async function findClusterInOrg(
  prisma: PrismaClient | Prisma.TransactionClient,
  organizationId: string,
  clusterId: string,
) {
  const cluster = await prisma.cluster.findFirst({ where: { id: clusterId, organizationId } });
  if (!cluster) throw new AppError("NOT_FOUND", "Cluster not found.", { field: "clusterId" });
  return cluster;
}

export async function createInstallLine(options: {
  prisma: PrismaClient;
  settings: ClusterSettings;
  organizationId: string;
  actor: UserActor;
  clusterId: string;
}) {
  return options.prisma.$transaction(async (tx) => {
    const cluster = await findClusterInOrg(tx, options.organizationId, options.clusterId);
    const { token, expiresAt } = await mintBootstrapToken(tx, {
      clusterId: cluster.id,
      createdById: options.actor.userId,
      ttlMs: options.settings.bootstrapTokenTtlMs,
    });
    await recordAuditEvent(tx, {
      organizationId: options.organizationId,
      actor: options.actor,
      action: "cluster.install_line_created",
      targetType: "cluster",
      targetId: cluster.name,
    });
    return {
      clusterId: cluster.id,
      installCommand: installCommandFor(options.settings.publicUrl, token),
      bootstrapToken: token,
      expiresAt: expiresAt.toISOString(),
    };
  });
}

export async function revokeInstallLines(options: {
  prisma: PrismaClient;
  organizationId: string;
  actor: UserActor;
  clusterId: string;
}): Promise<{ revoked: number }> {
  return options.prisma.$transaction(async (tx) => {
    const cluster = await findClusterInOrg(tx, options.organizationId, options.clusterId);
    const { count } = await tx.bootstrapToken.updateMany({
      where: { clusterId: cluster.id, usedAt: null, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    await recordAuditEvent(tx, {
      organizationId: options.organizationId,
      actor: options.actor,
      action: "cluster.install_line_revoked",
      targetType: "cluster",
      targetId: cluster.name,
    });
    return { revoked: count };
  });
}

type InventoryCounts = { namespaces: number; services: number; workloads: number; pods: number };

async function inventoryCounts(
  prisma: PrismaClient,
  clusterIds: string[],
): Promise<Map<string, InventoryCounts>> {
  if (clusterIds.length === 0) return new Map();
  const rows = await prisma.$queryRaw<{ clusterId: string; kind: string; objects: bigint; pods: bigint }[]>`
    select "clusterId", kind, count(*) as objects,
           coalesce(sum(case when kind = 'Namespace' then (data->>'podCount')::int else 0 end), 0) as pods
    from inventory_objects where "clusterId" = any(${clusterIds}) group by "clusterId", kind`;
  const counts = new Map<string, InventoryCounts>();
  for (const id of clusterIds) counts.set(id, { namespaces: 0, services: 0, workloads: 0, pods: 0 });
  for (const row of rows) {
    const entry = counts.get(row.clusterId);
    if (!entry) continue;
    if (row.kind === "Namespace") {
      entry.namespaces = Number(row.objects);
      entry.pods = Number(row.pods);
    } else if (row.kind === "Service") entry.services = Number(row.objects);
    else entry.workloads += Number(row.objects);
  }
  return counts;
}

function toClusterDto(
  cluster: Prisma.ClusterGetPayload<object>,
  counts: InventoryCounts | undefined,
  settings: ClusterSettings,
  now: Date,
) {
  return {
    id: cluster.id,
    name: cluster.name,
    labels: cluster.labels as Record<string, string>,
    status: statusOf(cluster, now, settings.connectedWithinMs),
    lastSeenAt: cluster.lastSeenAt?.toISOString() ?? null,
    agentVersion: cluster.agentVersion,
    kubernetesVersion: cluster.kubernetesVersion,
    mesh: cluster.meshKind ? { kind: cluster.meshKind, version: cluster.meshVersion } : null,
    inventorySyncedAt: cluster.inventorySyncedAt?.toISOString() ?? null,
    createdAt: cluster.createdAt.toISOString(),
    counts: counts ?? { namespaces: 0, services: 0, workloads: 0, pods: 0 },
  };
}

export type ClusterDto = ReturnType<typeof toClusterDto>;

export async function listClusters(options: {
  prisma: PrismaClient;
  settings: ClusterSettings;
  organizationId: string;
}) {
  const clusters = await options.prisma.cluster.findMany({
    where: { organizationId: options.organizationId },
    orderBy: { name: "asc" },
  });
  const counts = await inventoryCounts(
    options.prisma,
    clusters.map((cluster) => cluster.id),
  );
  const now = new Date();
  return clusters.map((cluster) => toClusterDto(cluster, counts.get(cluster.id), options.settings, now));
}

export async function getCluster(options: {
  prisma: PrismaClient;
  settings: ClusterSettings;
  organizationId: string;
  clusterId: string;
}) {
  const cluster = await findClusterInOrg(options.prisma, options.organizationId, options.clusterId);
  const counts = await inventoryCounts(options.prisma, [cluster.id]);
  const pendingInstall = await options.prisma.bootstrapToken.findFirst({
    where: { clusterId: cluster.id, usedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
  });
  return {
    ...toClusterDto(cluster, counts.get(cluster.id), options.settings, new Date()),
    installLineExpiresAt: pendingInstall?.expiresAt.toISOString() ?? null,
  };
}

export async function listInventory(options: {
  prisma: PrismaClient;
  organizationId: string;
  clusterId: string;
  kind: "Namespace" | "Service" | "Workload";
  search?: string | undefined;
  namespace?: string | undefined;
  limit: number;
}) {
  const cluster = await findClusterInOrg(options.prisma, options.organizationId, options.clusterId);
  const kinds = options.kind === "Workload" ? ["Deployment", "StatefulSet"] : [options.kind];
  const where: Prisma.InventoryObjectWhereInput = {
    clusterId: cluster.id,
    kind: { in: kinds },
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.search
      ? {
          OR: [
            { name: { contains: options.search, mode: "insensitive" } },
            { namespace: { contains: options.search, mode: "insensitive" } },
          ],
        }
      : {}),
  };
  const [total, rows] = await Promise.all([
    options.prisma.inventoryObject.count({ where }),
    options.prisma.inventoryObject.findMany({
      where,
      orderBy: [{ namespace: "asc" }, { name: "asc" }],
      take: options.limit,
    }),
  ]);
  return {
    total,
    items: rows.map((row) => ({
      kind: row.kind,
      namespace: row.namespace,
      name: row.name,
      data: row.data as Record<string, unknown>,
    })),
  };
}

export async function requestCredentialRotation(options: {
  prisma: PrismaClient;
  events: AgentEventHub;
  organizationId: string;
  actor: UserActor;
  clusterId: string;
}): Promise<void> {
  const cluster = await findClusterInOrg(options.prisma, options.organizationId, options.clusterId);
  if (cluster.state !== "active")
    throw new AppError("CONFLICT", "This cluster's agent has not connected yet.");
  await options.prisma.$transaction(async (tx) => {
    await recordAuditEvent(tx, {
      organizationId: options.organizationId,
      actor: options.actor,
      action: "cluster.credential_rotation_requested",
      targetType: "cluster",
      targetId: cluster.name,
    });
  });
  await options.events.publish(cluster.id, { type: "rotate" });
}

/** Revokes the agent (it is told at once and stops) and deletes the cluster and its inventory. */
export async function removeCluster(options: {
  prisma: PrismaClient;
  events: AgentEventHub;
  organizationId: string;
  actor: UserActor;
  clusterId: string;
}): Promise<{ uninstallCommand: string }> {
  const cluster = await options.prisma.$transaction(async (tx) => {
    const found = await findClusterInOrg(tx, options.organizationId, options.clusterId);
    await tx.cluster.delete({ where: { id: found.id } });
    await recordAuditEvent(tx, {
      organizationId: options.organizationId,
      actor: options.actor,
      action: "cluster.removed",
      targetType: "cluster",
      targetId: found.name,
      before: { name: found.name, labels: found.labels as Prisma.InputJsonValue },
    });
    return found;
  });
  await options.events.publish(cluster.id, {
    type: "revoked",
    reason: `Cluster ${cluster.name} was removed from Switchyard.`,
  });
  return { uninstallCommand };
}

/** Whether the cluster's agent puts back owned resources someone else changed; agents are told at once. */
export async function setRepairDrift(options: {
  prisma: PrismaClient;
  events: AgentEventHub;
  organizationId: string;
  actor: UserActor;
  clusterId: string;
  repairDrift: boolean;
}): Promise<{ repairDrift: boolean }> {
  const cluster = await options.prisma.$transaction(async (tx) => {
    const found = await findClusterInOrg(tx, options.organizationId, options.clusterId);
    await tx.cluster.update({ where: { id: found.id }, data: { repairDrift: options.repairDrift } });
    await recordAuditEvent(tx, {
      organizationId: options.organizationId,
      actor: options.actor,
      action: "cluster.repair_drift_changed",
      targetType: "cluster",
      targetId: found.name,
      before: { repairDrift: found.repairDrift },
      after: { repairDrift: options.repairDrift },
    });
    return found;
  });
  await options.events.publish(cluster.id, { type: "settings-changed" });
  return { repairDrift: options.repairDrift };
}
