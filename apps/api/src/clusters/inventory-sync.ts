// Applies the agent's numbered inventory batches exactly once each, in order. Upserts and deletes
// go in bulk (a 5,000-pod cluster's snapshot is a few statements, not thousands), inside one
// transaction with the sequence bump, so a crash never leaves a batch half applied.
import { type InventoryAck, type InventoryBatch, inventoryKeyOf } from "@switchyard/agent-protocol/v1";
import type { PrismaClient } from "@switchyard/db/client";
import { AgentProtocolError } from "./agent-errors";

export async function applyInventoryBatch(options: {
  prisma: PrismaClient;
  clusterId: string;
  batch: InventoryBatch;
}): Promise<InventoryAck> {
  const { batch, clusterId } = options;
  return options.prisma.$transaction(
    async (tx) => {
      const [cluster] = await tx.$queryRaw<{ inventorySequence: number }[]>`
        select "inventorySequence" from clusters where id = ${clusterId} for update`;
      if (!cluster) throw new AgentProtocolError("credential_invalid", "This cluster no longer exists.");
      if (batch.sequence <= cluster.inventorySequence) {
        return { appliedSequence: cluster.inventorySequence, isDuplicate: true };
      }
      if (batch.sequence !== cluster.inventorySequence + 1) {
        throw new AgentProtocolError(
          "sequence_gap",
          `Expected inventory batch ${cluster.inventorySequence + 1}, got ${batch.sequence}: say hello and send a full snapshot.`,
        );
      }
      if (batch.upserts.length > 0) {
        const rows = batch.upserts.map((object) => ({ ...inventoryKeyOf(object), data: object }));
        await tx.$executeRaw`
          insert into inventory_objects ("clusterId", kind, namespace, name, data, "snapshotId", "updatedAt")
          select ${clusterId}, r.kind, r.namespace, r.name, r.data, ${batch.snapshot?.id ?? null}, now()
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(kind text, namespace text, name text, data jsonb)
          on conflict ("clusterId", kind, namespace, name) do update
            set data = excluded.data,
                "snapshotId" = coalesce(excluded."snapshotId", inventory_objects."snapshotId"),
                "updatedAt" = now()`;
      }
      if (batch.deletes.length > 0) {
        await tx.$executeRaw`
          delete from inventory_objects o
          using jsonb_to_recordset(${JSON.stringify(batch.deletes)}::jsonb) as d(kind text, namespace text, name text)
          where o."clusterId" = ${clusterId} and o.kind = d.kind and o.namespace = d.namespace and o.name = d.name`;
      }
      const isSynced = !batch.snapshot || batch.snapshot.isFinal;
      if (batch.snapshot?.isFinal) {
        // The snapshot is the whole truth: whatever it did not mention is gone from the cluster.
        await tx.$executeRaw`
          delete from inventory_objects
          where "clusterId" = ${clusterId} and "snapshotId" is distinct from ${batch.snapshot.id}`;
      }
      await tx.cluster.update({
        where: { id: clusterId },
        data: {
          inventorySequence: batch.sequence,
          lastSeenAt: new Date(),
          ...(isSynced ? { inventorySyncedAt: new Date() } : {}),
        },
      });
      return { appliedSequence: batch.sequence, isDuplicate: false };
    },
    { timeout: 30_000 },
  );
}
