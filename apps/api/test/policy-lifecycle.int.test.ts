// What happens to a landed policy afterwards, with the real agent and simulated clusters: someone
// edits it in the cluster (drift, repaired), the agent is away during changes (it catches up with
// the latest only), the API dies between commit and enqueue (nothing is lost), another field
// manager already owns the fields (a conflict reported, never forced), and an invalid policy
// (refused per field, nothing stored).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startAgent } from "@switchyard/cluster-agent/start-agent";
import { type SimulatedCluster, startSimulatedCluster } from "@switchyard/cluster-sim/cluster";
import { TRPCError } from "@trpc/server";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorkers } from "../src/jobs/workers";
import { storeChangeSet } from "../src/policies/policies";
import {
  callerFor,
  createTestServices,
  eventually,
  signUpOwner,
  startTestApi,
  type TestServices,
} from "./harness";

let services: TestServices;
let api: Awaited<ReturnType<typeof startTestApi>>;
let workers: { close: () => Promise<void> } | null = null;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  services = createTestServices({ heartbeatIntervalSeconds: 1 });
  api = await startTestApi(services);
  workers = await startWorkers(services, { sweepIntervalMs: 60_000 });
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await workers?.close();
  await api.close();
  await services.close();
});

const split = (v1: number, v2: number) => `apiVersion: policy.switchyard.dev/v1alpha1
kind: TrafficPolicy
metadata:
  name: reviews-canary
spec:
  scope:
    clusters:
      matchLabels: { env: prod }
    namespace: bookinfo
    service: reviews
  routes:
    - name: default
      destinations:
        - { version: v1, weight: ${v1} }
        - { version: v2, weight: ${v2} }
`;

type Caller = ReturnType<typeof callerFor>;

/** A simulated cluster registered in the org with the real agent connected and its inventory in. */
async function connectCluster(caller: Caller, orgSlug: string, name: string, apiUrl = api.url) {
  const sim = await startSimulatedCluster({ name: `${name}-sim`, seed: "sample" });
  cleanups.push(() => sim.close());
  const line = await caller.clusters.create({ orgSlug, name, labels: { env: "prod" } });
  const stateFile = path.join(mkdtempSync(path.join(tmpdir(), "sy-lifecycle-")), "state.json");
  const start = (bootstrapToken?: string) => {
    const agent = startAgent({
      apiUrl,
      ...(bootstrapToken ? { bootstrapToken } : {}),
      kubeconfigPath: sim.kubeconfigPath,
      stateFile,
      coalesceMs: 50,
      configDebounceMs: 50,
      backoff: { initialMs: 100, maxMs: 1000 },
      logger: pino({ level: "silent" }),
    });
    cleanups.push(() => agent.stop());
    return agent;
  };
  const agent = start(line.bootstrapToken);
  await eventually(
    async () =>
      (await caller.clusters.get({ orgSlug, clusterId: line.clusterId })).inventorySyncedAt
        ? true
        : undefined,
    { what: `${name} to sync its inventory` },
  );
  // A restart uses the stored credential only: the bootstrap token is single-use.
  return { sim, clusterId: line.clusterId, agent, restart: () => start() };
}

const reviewsVirtualService = (sim: SimulatedCluster) =>
  sim.store.list("VirtualService", "bookinfo").find((vs) => JSON.stringify(vs).includes("reviews"));

const weightsIn = (sim: SimulatedCluster) =>
  [...JSON.stringify(reviewsVirtualService(sim)?.spec ?? {}).matchAll(/"weight":(\d+)/g)]
    .map((match) => match[1])
    .join(",");

async function weightsReach(sim: SimulatedCluster, weights: string, what: string) {
  await eventually(async () => (weightsIn(sim) === weights ? true : undefined), {
    what: `${weights} in ${what}`,
    timeoutMs: 20_000,
  });
}

async function statusOf(caller: Caller, orgSlug: string, clusterId: string) {
  const [status] = await caller.clusters.configStatus({ orgSlug, clusterId });
  if (!status) throw new Error("no status");
  return status;
}

/** Another team's hand on our VirtualService: the routes they want, under their own field manager. */
function opsTeamVirtualService(weights: [number, number]) {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name: "sy-reviews", namespace: "bookinfo" },
    spec: {
      http: [
        {
          name: "default",
          route: [
            { destination: { host: "reviews", subset: "v1" }, weight: weights[0] },
            { destination: { host: "reviews", subset: "v2" }, weight: weights[1] },
          ],
        },
      ],
    },
  };
}

describe("a landed policy", () => {
  it("edited directly in the cluster is reported as drift and repaired", async () => {
    const { user, orgSlug } = await signUpOwner(services, "drift");
    const caller = callerFor(services, user);
    const cluster = await connectCluster(caller, orgSlug, "prod-drift");
    await caller.policies.applyChanges({
      orgSlug,
      reason: "canary",
      changes: { edits: [{ name: "reviews-canary", yaml: split(90, 10) }] },
    });
    await weightsReach(cluster.sim, "90,10", "the cluster");
    expect((await statusOf(caller, orgSlug, cluster.clusterId)).repairDrift).toBe(true);

    const ours = reviewsVirtualService(cluster.sim);
    expect(ours?.metadata).toMatchObject({ name: "sy-reviews" });
    const generation = Number((ours?.metadata as { generation?: number } | undefined)?.generation);
    // Forced, as `kubectl apply --server-side --force-conflicts` by another team would.
    cluster.sim.store.apply(opsTeamVirtualService([50, 50]), { fieldManager: "ops-team", force: true });
    expect(weightsIn(cluster.sim)).toBe("50,50");

    const status = await eventually(
      async () => {
        const found = await statusOf(caller, orgSlug, cluster.clusterId);
        return found.drift.some((d) => d.isRepaired) ? found : undefined;
      },
      { what: "the drift reported as repaired" },
    );
    expect(status.drift).toEqual([
      {
        kind: "VirtualService",
        namespace: "bookinfo",
        name: "sy-reviews",
        change: "modified",
        manager: "ops-team",
        isRepaired: true,
      },
    ]);
    expect(status.state).toBe("in-sync");
    expect(weightsIn(cluster.sim)).toBe("90,10");
    // Changed by them, then back by us: nothing else touched it.
    const repaired = reviewsVirtualService(cluster.sim);
    expect((repaired?.metadata as { generation?: number } | undefined)?.generation).toBe(generation + 2);
  });

  it("catches up with only the latest version when its agent was offline during two changes", async () => {
    const { user, orgSlug } = await signUpOwner(services, "offline");
    const caller = callerFor(services, user);
    const cluster = await connectCluster(caller, orgSlug, "prod-offline");
    await caller.policies.applyChanges({
      orgSlug,
      reason: "canary",
      changes: { edits: [{ name: "reviews-canary", yaml: split(90, 10) }] },
    });
    await weightsReach(cluster.sim, "90,10", "the cluster");
    await eventually(
      async () =>
        (await statusOf(caller, orgSlug, cluster.clusterId)).reachedVersion === 1 ? true : undefined,
      { what: "version 1 reached" },
    );
    const generation = Number(
      (reviewsVirtualService(cluster.sim)?.metadata as { generation?: number } | undefined)?.generation,
    );

    await cluster.agent.stop();
    for (const [v1, v2] of [
      [70, 30],
      [60, 40],
    ] as const) {
      await caller.policies.applyChanges({
        orgSlug,
        reason: `step to ${v2}`,
        changes: { edits: [{ name: "reviews-canary", yaml: split(v1, v2) }] },
      });
    }
    await eventually(
      async () =>
        (await statusOf(caller, orgSlug, cluster.clusterId)).latestVersion >= 2 ? true : undefined,
      { what: "the changes compiled" },
    );
    // Compiled while nobody listened: the cluster still runs what it had.
    expect(weightsIn(cluster.sim)).toBe("90,10");

    cluster.restart();
    await weightsReach(cluster.sim, "60,40", "the cluster after the reconnect");
    const status = await eventually(
      async () => {
        const found = await statusOf(caller, orgSlug, cluster.clusterId);
        return found.state === "in-sync" && found.reachedVersion === found.latestVersion ? found : undefined;
      },
      { what: "the latest version reached" },
    );
    expect(status.reachedVersion).toBeGreaterThanOrEqual(2);
    // One spec change in the cluster: the intermediate 70/30 was never applied.
    expect(
      (reviewsVirtualService(cluster.sim)?.metadata as { generation?: number } | undefined)?.generation,
    ).toBe(generation + 1);
  });

  it("reports a server-side-apply conflict with the other manager named, and never forces it", async () => {
    const { user, orgSlug } = await signUpOwner(services, "conflict");
    const caller = callerFor(services, user);
    const cluster = await connectCluster(caller, orgSlug, "prod-conflict");
    cluster.sim.store.apply(opsTeamVirtualService([100, 0]), { fieldManager: "ops-team", force: true });

    await caller.policies.applyChanges({
      orgSlug,
      reason: "canary",
      changes: { edits: [{ name: "reviews-canary", yaml: split(90, 10) }] },
    });
    const status = await eventually(
      async () => {
        const found = await statusOf(caller, orgSlug, cluster.clusterId);
        return found.state === "failed" ? found : undefined;
      },
      { what: "the conflict reported" },
    );
    expect(status.reachedVersion).toBe(0);
    expect(status.errors).toEqual([
      expect.objectContaining({
        kind: "VirtualService",
        namespace: "bookinfo",
        name: "sy-reviews",
        outcome: "conflict",
        conflictManagers: ["ops-team"],
      }),
    ]);
    expect(status.errors[0]?.message).toContain("ops-team");
    // The DestinationRule, which nobody else owns, landed; the VirtualService is still theirs.
    expect(status.counts).toMatchObject({ applied: 1, conflict: 1 });
    expect(weightsIn(cluster.sim)).toBe("100,0");
    expect(JSON.stringify(reviewsVirtualService(cluster.sim))).not.toContain('"manager":"switchyard"');
  });

  it("refuses an invalid policy with a field-level error and stores nothing", async () => {
    const { user, orgSlug } = await signUpOwner(services, "invalid");
    const caller = callerFor(services, user);
    const organization = await services.prisma.organization.findUniqueOrThrow({ where: { slug: orgSlug } });
    const refused = await caller.policies
      .applyChanges({
        orgSlug,
        reason: "typo",
        changes: { edits: [{ name: "reviews-canary", yaml: split(90, 20) }] },
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(TRPCError);
    expect(refused instanceof TRPCError && refused.code).toBe("BAD_REQUEST");
    expect(refused instanceof TRPCError && refused.cause).toMatchObject({
      field: "edits.0.yaml.spec.routes.0.destinations",
    });
    const where = { organizationId: organization.id };
    expect(
      await Promise.all([
        services.prisma.policy.count({ where }),
        services.prisma.changeSet.count({ where }),
        services.prisma.outbox.count({ where }),
      ]),
    ).toEqual([0, 0, 0]);
  });
});

describe("an API killed mid-apply", () => {
  it("loses nothing: a change committed but never enqueued lands once an API starts again", async () => {
    // This API's own services and no workers anywhere: the shared ones would take its queue's jobs.
    await workers?.close();
    workers = null;
    const first = createTestServices({ heartbeatIntervalSeconds: 1 });
    const firstApi = await startTestApi(first);
    const { user, orgSlug } = await signUpOwner(first, "killed");
    const caller = callerFor(first, user);
    const cluster = await connectCluster(caller, orgSlug, "prod-killed", firstApi.url);
    const organization = await first.prisma.organization.findUniqueOrThrow({ where: { slug: orgSlug } });

    // What applyChanges does up to its commit; the process dies before the enqueue after it.
    const stored = await storeChangeSet({
      prisma: first.prisma,
      organizationId: organization.id,
      actor: { userId: user.id, label: user.email },
      reason: "before the crash",
      changes: { edits: [{ name: "reviews-canary", yaml: split(90, 10) }], deletions: [] },
    });
    const seq = stored.outboxSeq;
    if (seq === null) throw new Error("no outbox row");
    expect(await first.prisma.outbox.findUniqueOrThrow({ where: { seq } })).toMatchObject({
      enqueuedAt: null,
      processedAt: null,
    });
    await firstApi.close();
    await first.close();

    // A new API process on the same address (the agent reconnects to it) with its workers.
    const second = createTestServices({ heartbeatIntervalSeconds: 1 });
    const secondApi = await startTestApi(second, firstApi.port);
    const secondWorkers = await startWorkers(second, { sweepIntervalMs: 60_000 });
    try {
      await weightsReach(cluster.sim, "90,10", "the cluster after the restart");
      const secondCaller = callerFor(second, user);
      await eventually(
        async () => {
          const found = await statusOf(secondCaller, orgSlug, cluster.clusterId);
          return found.state === "in-sync" && found.reachedVersion === 1 ? true : undefined;
        },
        { what: "the cluster in sync at version 1" },
      );
      expect((await second.prisma.outbox.findUniqueOrThrow({ where: { seq } })).processedAt).not.toBeNull();
    } finally {
      await cluster.agent.stop();
      await secondWorkers.close();
      await secondApi.close();
      await second.close();
      workers = await startWorkers(services, { sweepIntervalMs: 60_000 });
    }
  });
});
