// A policy lands in real (simulated) clusters: the API's pipeline compiles it, the real agent
// applies it with server-side apply, reports back, and the console's status shows it in sync.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startAgent } from "@switchyard/cluster-agent/start-agent";
import { type SimulatedCluster, startSimulatedCluster } from "@switchyard/cluster-sim/cluster";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorkers } from "../src/jobs/workers";
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

describe("a traffic split applied in the console", () => {
  it("lands as DestinationRule + VirtualService in the targeted clusters only, updates, and is pruned on delete", async () => {
    const { user, orgSlug } = await signUpOwner(services, "landing");
    const caller = callerFor(services, user);
    const clusters: { name: string; env: string; sim: SimulatedCluster; clusterId: string }[] = [];
    for (const [name, env] of [
      ["prod-a", "prod"],
      ["prod-b", "prod"],
      ["stage-a", "staging"],
    ] as const) {
      const sim = await startSimulatedCluster({ name: `${name}-sim`, seed: "sample" });
      cleanups.push(() => sim.close());
      const line = await caller.clusters.create({ orgSlug, name, labels: { env } });
      const agent = startAgent({
        apiUrl: api.url,
        bootstrapToken: line.bootstrapToken,
        kubeconfigPath: sim.kubeconfigPath,
        stateFile: path.join(mkdtempSync(path.join(tmpdir(), "sy-landing-")), "state.json"),
        coalesceMs: 50,
        backoff: { initialMs: 100, maxMs: 1000 },
        logger: pino({ level: "silent" }),
      });
      cleanups.push(() => agent.stop());
      clusters.push({ name, env, sim, clusterId: line.clusterId });
    }
    for (const cluster of clusters) {
      await eventually(
        async () =>
          (await caller.clusters.get({ orgSlug, clusterId: cluster.clusterId })).inventorySyncedAt
            ? true
            : undefined,
        { what: `${cluster.name} to sync its inventory` },
      );
    }

    const weightsIn = (sim: SimulatedCluster) => {
      const virtualService = sim.store
        .list("VirtualService", "bookinfo")
        .find((vs) => JSON.stringify(vs).includes("reviews"));
      const routes = JSON.stringify(virtualService?.spec ?? {});
      return [...routes.matchAll(/"weight":(\d+)/g)].map((match) => Number(match[1]));
    };

    await caller.policies.applyChanges({
      orgSlug,
      reason: "canary v2",
      changes: { edits: [{ name: "reviews-canary", yaml: split(90, 10) }] },
    });
    for (const cluster of clusters.filter((c) => c.env === "prod")) {
      await eventually(async () => (weightsIn(cluster.sim).join(",") === "90,10" ? true : undefined), {
        what: `the 90/10 VirtualService in ${cluster.name}`,
        timeoutMs: 20_000,
      });
      const destinationRule = cluster.sim.store.list("DestinationRule", "bookinfo");
      expect(JSON.stringify(destinationRule)).toContain('"subsets"');
      // Applied under our field manager, so a later change by someone else is a conflict, not a silent overwrite.
      expect(JSON.stringify(destinationRule)).toContain('"manager":"switchyard"');
    }
    const staging = clusters.find((c) => c.env === "staging");
    expect(staging && weightsIn(staging.sim)).toEqual([]);

    await eventually(
      async () => {
        const statuses = await caller.clusters.configStatus({ orgSlug });
        const prod = statuses.filter((s) => s.clusterName.startsWith("prod"));
        return prod.length === 2 && prod.every((s) => s.state === "in-sync") ? prod : undefined;
      },
      { what: "both prod clusters reported in sync" },
    );

    await caller.policies.applyChanges({
      orgSlug,
      reason: "more canary",
      changes: { edits: [{ name: "reviews-canary", yaml: split(50, 50) }] },
    });
    for (const cluster of clusters.filter((c) => c.env === "prod")) {
      await eventually(async () => (weightsIn(cluster.sim).join(",") === "50,50" ? true : undefined), {
        what: `the 50/50 edit in ${cluster.name}`,
        timeoutMs: 20_000,
      });
    }

    await caller.policies.delete({ orgSlug, name: "reviews-canary", reason: "done" });
    for (const cluster of clusters.filter((c) => c.env === "prod")) {
      await eventually(
        async () =>
          cluster.sim.store.list("VirtualService", "bookinfo").length === 0 &&
          cluster.sim.store.list("DestinationRule", "bookinfo").length === 0
            ? true
            : undefined,
        { what: `the resources pruned from ${cluster.name}`, timeoutMs: 20_000 },
      );
    }
  });
});
