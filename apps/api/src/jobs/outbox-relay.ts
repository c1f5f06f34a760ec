// Moves outbox rows (written in the same transaction as the change that needs them) into the
// queue. Called right after a commit for the rows it wrote (the fast path), and by the worker at
// start-up and periodically for every unprocessed row (the path that makes a crash between commit
// and enqueue, or a lost Redis job, lose nothing). Enqueueing twice is harmless: jobs are keyed.
import type { PrismaClient } from "@switchyard/db/client";
import { z } from "zod";
import { type CompileQueue, enqueueCompile } from "./compile-job";

const compilePayload = z.object({ changeSetId: z.string() });

export async function relayOutbox(options: {
  prisma: PrismaClient;
  queue: CompileQueue;
  /** Only these rows (the fast path); otherwise every unprocessed row. */
  seqs?: readonly number[];
  /** Only rows enqueued before this (or never): a sweep leaves recently enqueued rows to their job. */
  enqueuedBefore?: Date;
}): Promise<number> {
  const rows = await options.prisma.outbox.findMany({
    where: {
      processedAt: null,
      ...(options.seqs ? { seq: { in: [...options.seqs] } } : {}),
      ...(options.enqueuedBefore
        ? { OR: [{ enqueuedAt: null }, { enqueuedAt: { lt: options.enqueuedBefore } }] }
        : {}),
    },
    orderBy: { seq: "asc" },
    take: 1000,
  });
  // One job per organization, for its newest row: it claims the older ones too.
  const newest = new Map<string, number>();
  for (const row of rows) {
    if (row.topic !== "compile" || !compilePayload.safeParse(row.payload).success) continue;
    newest.set(row.organizationId, row.seq);
  }
  for (const [organizationId, seq] of newest)
    await enqueueCompile(options.queue, { organizationId, clusterIds: null, outboxSeq: seq });
  if (rows.length > 0)
    await options.prisma.outbox.updateMany({
      where: { seq: { in: rows.map((r) => r.seq) } },
      data: { enqueuedAt: new Date(), attempts: { increment: 1 } },
    });
  return newest.size;
}
