// What the agent endpoints do: register with a bootstrap token, authenticate by credential, record
// hello and heartbeats, rotate the credential. Every function is scoped to the one cluster the
// credential belongs to; an agent cannot name another cluster anywhere in the protocol.
import type { HelloRequest, HelloResponse, RegisterResponse } from "@switchyard/agent-protocol/v1";
import type { PrismaClient } from "@switchyard/db/client";
import { recordAuditEvent } from "../audit/record-audit-event";
import { generateToken, hashToken } from "../auth/tokens";
import { AgentProtocolError } from "./agent-errors";

export type AgentCluster = { id: string; organizationId: string; name: string; inventorySequence: number };

export async function registerAgent(options: {
  prisma: PrismaClient;
  bootstrapToken: string;
  agentVersion: string;
}): Promise<RegisterResponse> {
  const credential = generateToken("credential");
  return options.prisma.$transaction(async (tx) => {
    // Lock the token so two agents racing with the same line cannot both get a credential.
    const [token] = await tx.$queryRaw<{ id: string }[]>`
      select id from bootstrap_tokens where "tokenHash" = ${hashToken(options.bootstrapToken)} for update`;
    const row = token
      ? await tx.bootstrapToken.findUnique({ where: { id: token.id }, include: { cluster: true } })
      : null;
    if (!row)
      throw new AgentProtocolError(
        "bootstrap_token_invalid",
        "This install token is not valid. Create a new install line in the console.",
      );
    if (row.usedAt)
      throw new AgentProtocolError(
        "bootstrap_token_used",
        "This install token was already used. Create a new install line in the console.",
      );
    if (row.revokedAt)
      throw new AgentProtocolError(
        "bootstrap_token_invalid",
        "This install token was revoked. Create a new install line in the console.",
      );
    if (row.expiresAt <= new Date())
      throw new AgentProtocolError(
        "bootstrap_token_expired",
        "This install token has expired. Create a new install line in the console.",
      );
    await tx.bootstrapToken.update({ where: { id: row.id }, data: { usedAt: new Date() } });
    // A cluster has one working credential: a re-install replaces the old one.
    await tx.clusterCredential.updateMany({
      where: { clusterId: row.clusterId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    await tx.clusterCredential.create({
      data: { clusterId: row.clusterId, secretHash: hashToken(credential), confirmedAt: new Date() },
    });
    await tx.cluster.update({
      where: { id: row.clusterId },
      data: { state: "active", agentVersion: options.agentVersion },
    });
    await recordAuditEvent(tx, {
      organizationId: row.cluster.organizationId,
      actor: { userId: row.createdById, label: `agent of ${row.cluster.name}` },
      action: "cluster.agent_registered",
      targetType: "cluster",
      targetId: row.cluster.name,
      after: { agentVersion: options.agentVersion },
    });
    return { clusterId: row.clusterId, clusterName: row.cluster.name, credential };
  });
}

/** The cluster a bearer credential belongs to; throws a fatal protocol error otherwise. */
export async function authenticateAgent(options: {
  prisma: PrismaClient;
  authorization: string | undefined;
}): Promise<AgentCluster> {
  const match = /^Bearer (\S+)$/.exec(options.authorization ?? "");
  if (!match?.[1])
    throw new AgentProtocolError(
      "credential_invalid",
      "Missing agent credential (Authorization: Bearer ...).",
    );
  // One query with the join: every agent call starts here.
  const [credential] = await options.prisma.$queryRaw<
    {
      id: string;
      clusterId: string;
      confirmedAt: Date | null;
      revokedAt: Date | null;
      organizationId: string;
      name: string;
      inventorySequence: number;
    }[]
  >`
    select k.id, k."clusterId", k."confirmedAt", k."revokedAt", c."organizationId", c.name, c."inventorySequence"
    from cluster_credentials k join clusters c on c.id = k."clusterId"
    where k."secretHash" = ${hashToken(match[1])}`;
  if (!credential)
    throw new AgentProtocolError(
      "credential_invalid",
      "This agent credential is not known; the cluster may have been removed.",
    );
  if (credential.revokedAt)
    throw new AgentProtocolError("credential_revoked", "This agent credential was revoked.");
  if (!credential.confirmedAt) {
    // First use of a rotated credential: the agent has stored it, so the old one can go.
    await options.prisma.$transaction([
      options.prisma.clusterCredential.update({
        where: { id: credential.id },
        data: { confirmedAt: new Date() },
      }),
      options.prisma.clusterCredential.updateMany({
        where: { clusterId: credential.clusterId, revokedAt: null, id: { not: credential.id } },
        data: { revokedAt: new Date() },
      }),
    ]);
  }
  return {
    id: credential.clusterId,
    organizationId: credential.organizationId,
    name: credential.name,
    inventorySequence: credential.inventorySequence,
  };
}

export async function recordHello(options: {
  prisma: PrismaClient;
  cluster: AgentCluster;
  hello: HelloRequest;
  heartbeatIntervalSeconds: number;
}): Promise<HelloResponse> {
  const now = new Date();
  const updated = await options.prisma.cluster.update({
    where: { id: options.cluster.id },
    data: {
      agentVersion: options.hello.agentVersion,
      kubernetesVersion: options.hello.kubernetesVersion,
      meshKind: options.hello.mesh.kind,
      meshVersion: options.hello.mesh.version,
      lastSeenAt: now,
      connectedAt: now,
    },
  });
  return {
    clusterId: updated.id,
    clusterName: updated.name,
    heartbeatIntervalSeconds: options.heartbeatIntervalSeconds,
    lastInventorySequence: updated.inventorySequence,
  };
}

export async function markSeen(options: { prisma: PrismaClient; clusterId: string }): Promise<void> {
  await options.prisma.cluster.update({ where: { id: options.clusterId }, data: { lastSeenAt: new Date() } });
}

/** Marks the agent gone now (its stream closed), so the console does not wait for a timeout. */
export async function markDisconnected(options: { prisma: PrismaClient; clusterId: string }): Promise<void> {
  await options.prisma.cluster.updateMany({ where: { id: options.clusterId }, data: { connectedAt: null } });
}

export async function rotateCredential(options: {
  prisma: PrismaClient;
  cluster: AgentCluster;
}): Promise<{ credential: string }> {
  const credential = generateToken("credential");
  await options.prisma.$transaction(async (tx) => {
    // The current credential keeps working until the new one is first used (see authenticateAgent).
    await tx.clusterCredential.create({
      data: { clusterId: options.cluster.id, secretHash: hashToken(credential) },
    });
    await recordAuditEvent(tx, {
      organizationId: options.cluster.organizationId,
      actor: { userId: null, label: `agent of ${options.cluster.name}` },
      action: "cluster.credential_rotated",
      targetType: "cluster",
      targetId: options.cluster.name,
    });
  });
  return { credential };
}
