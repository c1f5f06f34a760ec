// Policies end to end on the API side, against the real database and Redis: apply → outbox →
// compile job → per-cluster desired-config versions → agents told over their event streams →
// desired config fetched and status reported back over the agent protocol.
import type { DesiredConfig, InventoryObject, TelemetryEdgeSample } from "@switchyard/agent-protocol/v1";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorkers } from "../src/jobs/workers";
import { compileLockName, compileOrganization, takeCompileLock } from "../src/policies/desired-config";
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

beforeAll(async () => {
  services = createTestServices({ heartbeatIntervalSeconds: 1 });
  api = await startTestApi(services);
  workers = await startWorkers(services, { sweepIntervalMs: 60_000 });
});
afterAll(async () => {
  await workers?.close();
  await api.close();
  await services.close();
});

async function agentRequest(method: "GET" | "POST", path: string, credential: string, body?: unknown) {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${credential}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

const namespace = (name: string): InventoryObject => ({
  kind: "Namespace",
  name,
  labels: {},
  sidecarInjection: true,
  podCount: 2,
});
const service = (ns: string, name: string): InventoryObject => ({
  kind: "Service",
  namespace: ns,
  name,
  labels: { app: name },
  selector: { app: name },
  type: "ClusterIP",
  ports: [{ name: "http", port: 9080, protocol: "TCP" }],
});
const workload = (ns: string, app: string, version: string): InventoryObject => ({
  kind: "Deployment",
  namespace: ns,
  name: `${app}-${version}`,
  labels: { app },
  app,
  version,
  serviceAccount: app,
  replicas: 1,
  readyReplicas: 1,
  podCount: 1,
  sidecarInjected: true,
});
const bookinfo = (versions: string[]) => [
  namespace("shop"),
  service("shop", "reviews"),
  ...versions.map((v) => workload("shop", "reviews", v)),
];

type Org = Awaited<ReturnType<typeof setUpOrg>>;

/** An organization with clusters connected over the agent protocol, each with its inventory. */
async function setUpOrg(label: string, clusters: { name: string; env: string; versions: string[] }[]) {
  const { user: owner, orgSlug } = await signUpOwner(services, label);
  const caller = callerFor(services, owner);
  const connected = new Map<string, { clusterId: string; credential: string; sequence: number }>();
  for (const cluster of clusters) {
    const line = await caller.clusters.create({ orgSlug, name: cluster.name, labels: { env: cluster.env } });
    const registered = await fetch(`${api.url}/agent/v1/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ bootstrapToken: line.bootstrapToken, agentVersion: "0.1.0" }),
    });
    const { credential } = (await registered.json()) as { credential: string };
    const inventory = await agentRequest("POST", "/agent/v1/inventory", credential, {
      sequence: 1,
      snapshot: { id: "s1", isFinal: true },
      upserts: bookinfo(cluster.versions),
      deletes: [],
    });
    expect(inventory.status).toBe(200);
    connected.set(cluster.name, { clusterId: line.clusterId, credential, sequence: 1 });
  }
  const clusterOf = (name: string) => {
    const found = connected.get(name);
    if (!found) throw new Error(`no cluster ${name}`);
    return found;
  };
  return { owner, orgSlug, caller, clusterOf };
}

const split = (v1: number, v2: number, name = "reviews-split") => `apiVersion: policy.switchyard.dev/v1alpha1
kind: TrafficPolicy
metadata:
  name: ${name}
spec:
  scope:
    clusters:
      matchLabels: { env: prod }
    namespace: shop
    service: reviews
  routes:
    - name: default
      destinations:
        - { version: v1, weight: ${v1} }
        - { version: v2, weight: ${v2} }
`;

async function desiredConfig(org: Org, cluster: string): Promise<DesiredConfig> {
  const response = await agentRequest("GET", "/agent/v1/desired-config", org.clusterOf(cluster).credential);
  expect(response.status).toBe(200);
  return response.body as DesiredConfig;
}

async function versionReaches(org: Org, cluster: string, version: number) {
  return eventually(
    async () => {
      const config = await desiredConfig(org, cluster);
      return config.version >= version ? config : undefined;
    },
    { what: `${cluster} at version ${version}` },
  );
}

function weightsOf(config: DesiredConfig): unknown {
  const vs = config.resources.find((r) => r.kind === "VirtualService");
  const http = vs?.spec.http;
  return Array.isArray(http) ? (http[0] as { route?: unknown }).route : undefined;
}

async function settle(org: Org) {
  // Every compile of the organization done: no unprocessed outbox rows and no queued jobs left.
  await eventually(
    async () => {
      const pending = await services.prisma.outbox.count({ where: { processedAt: null } });
      const counts = await services.compileQueue.getJobCounts("waiting", "active", "delayed");
      return pending === 0 && Object.values(counts).every((n) => n === 0) ? true : undefined;
    },
    { what: `${org.orgSlug}'s compiles to finish` },
  );
}

async function codeOf(call: Promise<unknown>): Promise<{ code: string; message: string; cause: unknown }> {
  try {
    await call;
    return { code: "OK", message: "", cause: undefined };
  } catch (error) {
    if (error instanceof TRPCError) return { code: error.code, message: error.message, cause: error.cause };
    throw error;
  }
}

/** An HTTP edge's increase as an agent ships it: `requests` 2xx answered within 25 ms. */
function observedEdge(
  reporter: "source" | "destination",
  from: { namespace: string; workload: string; app: string },
  to: { cluster: string; namespace: string; service: string; workload: string; version: string },
  requests: number,
): TelemetryEdgeSample {
  const latencyCounts = new Array<number>(20).fill(0);
  latencyCounts[4] = requests;
  return {
    reporter,
    protocol: "http",
    source: {
      cluster: to.cluster,
      namespace: from.namespace,
      workload: from.workload,
      app: from.app,
      version: "v1",
    },
    destination: { ...to, app: to.service },
    responses: { "1xx": 0, "2xx": requests, "3xx": 0, "4xx": 0, "5xx": 0, other: 0 },
    latencyCounts,
    latencySumMs: requests * 20,
    mutualTlsRequests: requests,
    requestBytes: 0,
    responseBytes: 0,
    tcpConnectionsOpened: 0,
    tcpSentBytes: 0,
    tcpReceivedBytes: 0,
  };
}

describe("previewing against observed traffic", () => {
  it("shows how a traffic split would move the last hour's traffic between versions", async () => {
    const org = await setUpOrg("impact", [{ name: "eu-1", env: "prod", versions: ["v1", "v2"] }]);
    const windowEnd = Date.now();
    const to = {
      cluster: "eu-1",
      namespace: "shop",
      service: "reviews",
      workload: "reviews-v1",
      version: "v1",
    };
    const from = { namespace: "shop", workload: "frontend-v1", app: "frontend" };
    const shipped = await agentRequest("POST", "/agent/v1/telemetry", org.clusterOf("eu-1").credential, {
      batchId: "impact-batch-1",
      source: "scrape",
      windowStart: windowEnd - 15_000,
      windowEnd,
      edges: [observedEdge("source", from, to, 720), observedEdge("destination", from, to, 720)],
    });
    expect(shipped.status).toBe(200);

    const preview = await org.caller.policies.preview({
      orgSlug: org.orgSlug,
      changes: { edits: [{ name: "reviews-split", yaml: split(90, 10) }] },
    });
    expect(preview.impactNote).toMatch(/observed since/);
    const impact = preview.impact?.clusters.find((cluster) => cluster.clusterName === "eu-1");
    expect(impact?.blocked).toEqual([]);
    const shifts = Object.fromEntries((impact?.routeShifts ?? []).map((shift) => [shift.version, shift]));
    // All of reviews' observed traffic went to v1 (the only version routed without a split)...
    const observedRate = 720 / (preview.impact?.windowSeconds ?? 3600);
    expect(shifts.v2?.afterShare).toBeCloseTo(0.1, 5);
    expect(shifts.v1?.afterShare).toBeCloseTo(0.9, 5);
    // ...and a tenth of it would move to v2.
    expect(shifts.v2?.afterRequestsPerSecond).toBeGreaterThan(0.09 * observedRate);
    expect(shifts.v2?.afterRequestsPerSecond).toBeLessThan(0.11 * observedRate * 1.01);
  });
});

describe("applying policies", () => {
  it("lands a 90/10 split as DestinationRule + VirtualService in the targeted clusters only; edits, no-ops, deletes and rollbacks follow", async () => {
    const org = await setUpOrg("split", [
      { name: "eu-1", env: "prod", versions: ["v1", "v2"] },
      { name: "us-1", env: "prod", versions: ["v1", "v2"] },
      { name: "dev-1", env: "dev", versions: ["v1", "v2"] },
    ]);
    const { caller, orgSlug } = org;
    const preview = await caller.policies.preview({
      orgSlug,
      changes: { edits: [{ name: "reviews-split", yaml: split(90, 10) }] },
    });
    expect(preview.impact).toBeNull();
    expect(preview.impactNote).toMatch(/telemetry/);
    const previewed = Object.fromEntries(preview.clusters.map((c) => [c.clusterName, c]));
    expect(previewed["eu-1"]?.diff.added.map((r) => r.kind)).toEqual(["DestinationRule", "VirtualService"]);
    expect(previewed["eu-1"]?.diff.added[1]?.yaml).toContain("weight: 90");
    expect(previewed["dev-1"]?.isChanged).toBe(false);

    const applied = await caller.policies.applyChanges({
      orgSlug,
      reason: "canary reviews v2",
      changes: { edits: [{ name: "reviews-split", yaml: split(90, 10) }] },
    });
    expect(applied.revisions).toEqual([{ name: "reviews-split", revision: 1, action: "policy.created" }]);
    for (const name of ["eu-1", "us-1"]) {
      const config = await versionReaches(org, name, 1);
      expect(config.version).toBe(1);
      expect(config.repairDrift).toBe(true);
      expect(config.resources.map((r) => r.kind)).toEqual(["DestinationRule", "VirtualService"]);
      expect(weightsOf(config)).toMatchObject([{ weight: 90 }, { weight: 10 }]);
    }
    await settle(org);
    expect(await desiredConfig(org, "dev-1")).toMatchObject({ version: 0, resources: [] });
    const stored = await services.prisma.desiredConfigVersion.findFirstOrThrow({
      where: { clusterId: org.clusterOf("eu-1").clusterId, version: 1 },
    });
    expect(stored.changeSetId).toBe(applied.changeSetId);

    const listed = await caller.policies.list({ orgSlug });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      name: "reviews-split",
      kind: "TrafficPolicy",
      revision: 1,
      scope: { namespace: "shop", service: "reviews", clusterLabels: { env: "prod" } },
      counts: { inSync: 0, pending: 2, failed: 0 },
    });
    expect(listed[0]?.clusters.map((c) => c.clusterName).sort()).toEqual(["eu-1", "us-1"]);
    const got = await caller.policies.get({ orgSlug, name: "reviews-split" });
    expect(got.yaml).toBe(split(90, 10));
    expect(got.document).toMatchObject({ metadata: { name: "reviews-split", revision: 1 } });

    // An edit: a new revision and a new version.
    await caller.policies.applyChanges({
      orgSlug,
      reason: "more canary",
      changes: { edits: [{ name: "reviews-split", yaml: split(80, 20) }] },
    });
    const edited = await versionReaches(org, "eu-1", 2);
    expect(weightsOf(edited)).toMatchObject([{ weight: 80 }, { weight: 20 }]);

    // The same content again: nothing stored, no new version.
    const noop = await caller.policies.applyChanges({
      orgSlug,
      reason: "again",
      changes: { edits: [{ name: "reviews-split", yaml: `# same\n${split(80, 20)}` }] },
    });
    expect(noop).toEqual({ changeSetId: null, revisions: [] });
    // An inventory change that does not alter the output recompiles without a new version.
    const eu = org.clusterOf("eu-1");
    eu.sequence++;
    await agentRequest("POST", "/agent/v1/inventory", eu.credential, {
      sequence: eu.sequence,
      upserts: [{ ...namespace("shop"), podCount: 7 }],
      deletes: [],
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    await settle(org);
    expect((await desiredConfig(org, "eu-1")).version).toBe(2);

    // Delete: the resources are gone from the desired config.
    await caller.policies.delete({ orgSlug, name: "reviews-split", reason: "canary over" });
    const deleted = await versionReaches(org, "eu-1", 3);
    expect(deleted.resources).toEqual([]);
    expect(await caller.policies.list({ orgSlug })).toEqual([]);

    // Roll back to revision 1: a new revision with the old content, and the 90/10 split is back.
    const rolledBack = await caller.policies.rollback({
      orgSlug,
      name: "reviews-split",
      toRevision: 1,
      reason: "again",
    });
    expect(rolledBack.revisions).toEqual([
      { name: "reviews-split", revision: 4, action: "policy.rolled_back" },
    ]);
    const restored = await versionReaches(org, "us-1", 4);
    expect(weightsOf(restored)).toMatchObject([{ weight: 90 }, { weight: 10 }]);

    const history = await caller.policies.history({ orgSlug, name: "reviews-split" });
    expect(history.revisions.map((r) => [r.number, r.isDeletion, r.restoredFrom, r.reason])).toEqual([
      [4, false, 1, "again"],
      [3, true, null, "canary over"],
      [2, false, null, "more canary"],
      [1, false, null, "canary reviews v2"],
    ]);
    expect(history.revisions[2]?.author).toBe(org.owner.email);
    expect(history.revisions[2]?.changes).toEqual([
      { field: "spec.routes.0.destinations.0.weight", before: 90, after: 80 },
      { field: "spec.routes.0.destinations.1.weight", before: 10, after: 20 },
    ]);

    const audit = await services.prisma.auditEvent.findMany({
      where: { targetType: "policy", organization: { slug: orgSlug } },
      orderBy: { createdAt: "asc" },
    });
    expect(audit.map((e) => e.action)).toEqual([
      "policy.created",
      "policy.updated",
      "policy.deleted",
      "policy.rolled_back",
    ]);
    expect(audit[1]?.before).toMatchObject({ revision: 1, yaml: split(90, 10) });
    expect(audit[1]?.after).toMatchObject({ revision: 2, yaml: split(80, 20), reason: "more canary" });
  });

  it("refuses an invalid policy with a field-level error and stores nothing", async () => {
    const org = await setUpOrg("invalid", [{ name: "eu-1", env: "prod", versions: ["v1", "v2"] }]);
    const before = await Promise.all([
      services.prisma.policy.count(),
      services.prisma.changeSet.count(),
      services.prisma.outbox.count(),
      services.prisma.auditEvent.count({ where: { targetType: "policy" } }),
    ]);
    const refused = await codeOf(
      org.caller.policies.applyChanges({
        orgSlug: org.orgSlug,
        reason: "bad",
        changes: {
          edits: [
            { name: "fine", yaml: split(50, 50, "fine") },
            { name: "reviews-split", yaml: split(90, 20) },
          ],
        },
      }),
    );
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.message).toMatch(/reviews-split/);
    expect(refused.message).toMatch(/spec\.routes\.0\.destinations/);
    expect(refused.cause).toMatchObject({ field: "edits.1.yaml.spec.routes.0.destinations" });
    const after = await Promise.all([
      services.prisma.policy.count(),
      services.prisma.changeSet.count(),
      services.prisma.outbox.count(),
      services.prisma.auditEvent.count({ where: { targetType: "policy" } }),
    ]);
    expect(after).toEqual(before);

    const validated = await org.caller.policies.validate({ orgSlug: org.orgSlug, yaml: split(90, 20) });
    expect(validated.isValid).toBe(false);
    expect(validated.diagnostics[0]).toMatchObject({
      code: "weights-not-100",
      field: "spec.routes.0.destinations",
      policy: "reviews-split",
    });
    expect(validated.diagnostics[0]?.line).toBeGreaterThan(1);
    const mismatch = await codeOf(
      org.caller.policies.applyChanges({
        orgSlug: org.orgSlug,
        reason: "rename",
        changes: { edits: [{ name: "other", yaml: split(90, 10) }] },
      }),
    );
    expect(mismatch.cause).toMatchObject({ field: "edits.0.yaml.metadata.name" });
  });

  it("recompiles a cluster when its inventory gains the version a route needs", async () => {
    const org = await setUpOrg("inventory", [{ name: "eu-1", env: "prod", versions: ["v1"] }]);
    await org.caller.policies.applyChanges({
      orgSlug: org.orgSlug,
      reason: "split",
      changes: { edits: [{ name: "reviews-split", yaml: split(90, 10) }] },
    });
    await settle(org);
    // v2 has no workloads there: the policy cannot land, and the console says why.
    expect((await desiredConfig(org, "eu-1")).version).toBe(0);
    const [listed] = await org.caller.policies.list({ orgSlug: org.orgSlug });
    expect(listed?.counts).toEqual({ inSync: 0, pending: 0, failed: 0 });
    const eu = org.clusterOf("eu-1");
    eu.sequence++;
    await agentRequest("POST", "/agent/v1/inventory", eu.credential, {
      sequence: eu.sequence,
      upserts: [workload("shop", "reviews", "v2")],
      deletes: [],
    });
    const config = await versionReaches(org, "eu-1", 1);
    expect(config.resources.map((r) => r.kind)).toEqual(["DestinationRule", "VirtualService"]);
    const stored = await services.prisma.desiredConfigVersion.findFirstOrThrow({
      where: { clusterId: eu.clusterId, version: 1 },
    });
    expect(stored.cause).toBe("inventory-change");
  });
});

describe("the outbox", () => {
  it("keeps a change committed but never enqueued (a crash right after commit) until a worker starts", async () => {
    const org = await setUpOrg("crash", [{ name: "eu-1", env: "prod", versions: ["v1", "v2"] }]);
    await workers?.close();
    workers = null;
    const organization = await services.prisma.organization.findUniqueOrThrow({
      where: { slug: org.orgSlug },
    });
    const stored = await storeChangeSet({
      prisma: services.prisma,
      organizationId: organization.id,
      actor: { userId: org.owner.id, label: org.owner.email },
      reason: "before the crash",
      changes: { edits: [{ name: "reviews-split", yaml: split(90, 10) }], deletions: [] },
    });
    expect(stored.outboxSeq).not.toBeNull();
    const row = await services.prisma.outbox.findUniqueOrThrow({ where: { seq: stored.outboxSeq ?? 0 } });
    expect(row).toMatchObject({ enqueuedAt: null, processedAt: null });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await desiredConfig(org, "eu-1")).version).toBe(0);

    workers = await startWorkers(services, { sweepIntervalMs: 60_000 });
    const config = await versionReaches(org, "eu-1", 1);
    expect(config.resources.map((r) => r.kind)).toEqual(["DestinationRule", "VirtualService"]);
    await eventually(
      async () =>
        (await services.prisma.outbox.findUniqueOrThrow({ where: { seq: row.seq } })).processedAt
          ? true
          : undefined,
      { what: "the outbox row to be processed" },
    );
  });

  it("coalesces change sets queued up behind a busy (here: stopped) worker into one compile of the last", async () => {
    const org = await setUpOrg("rapid", [{ name: "eu-1", env: "prod", versions: ["v1", "v2"] }]);
    await workers?.close();
    workers = null;
    for (let i = 1; i <= 8; i++) {
      await org.caller.policies.applyChanges({
        orgSlug: org.orgSlug,
        reason: `step ${i}`,
        changes: { edits: [{ name: "reviews-split", yaml: split(100 - i * 5, i * 5) }] },
      });
    }
    // Eight jobs are queued; the first to run claims every row, the others find nothing to do.
    workers = await startWorkers(services, { sweepIntervalMs: 60_000 });
    await settle(org);
    const config = await desiredConfig(org, "eu-1");
    expect(config.version).toBe(1);
    expect(weightsOf(config)).toMatchObject([{ weight: 60 }, { weight: 40 }]);
  });

  it("lets no change set commit while a compile reads, so the version it causes names its change set", async () => {
    // CI once saw an inventory recompile find no pending outbox row, then read the policy a change
    // set committed right after: eu-1's version 1 came without its change set.
    const org = await setUpOrg("lock", [{ name: "eu-1", env: "prod", versions: ["v1", "v2"] }]);
    await settle(org);
    await workers?.close();
    workers = null;
    const { id: organizationId } = await services.prisma.organization.findUniqueOrThrow({
      where: { slug: org.orgSlug },
    });
    // A compile in progress holds the organization's compile lock until it commits.
    let releaseCompile = () => {};
    const compileReleased = new Promise<void>((resolve) => {
      releaseCompile = resolve;
    });
    let lockTaken = () => {};
    const compileLocked = new Promise<void>((resolve) => {
      lockTaken = resolve;
    });
    const compiling = services.prisma.$transaction(
      async (tx) => {
        await takeCompileLock(tx, organizationId, "compile");
        lockTaken();
        await compileReleased;
      },
      { timeout: 30_000 },
    );
    await compileLocked;

    const storing = storeChangeSet({
      prisma: services.prisma,
      organizationId,
      actor: { userId: org.owner.id, label: org.owner.email },
      reason: "during a compile",
      changes: { edits: [{ name: "reviews-split", yaml: split(90, 10) }], deletions: [] },
    });
    // Postgres shows the change set waiting for the lock, and nothing of it is visible yet.
    await eventually(
      async () => {
        const [row] = await services.prisma.$queryRaw<{ waiting: bigint }[]>`
          select count(*) as waiting from pg_locks
          where locktype = 'advisory' and not granted
            and objid = (hashtext(${compileLockName(organizationId)})::bigint & 4294967295)::oid`;
        return row?.waiting === 1n ? true : undefined;
      },
      { what: "the change set to wait for the compile lock" },
    );
    expect(await services.prisma.outbox.count({ where: { organizationId } })).toBe(0);
    expect(await services.prisma.policy.count({ where: { organizationId } })).toBe(0);

    releaseCompile();
    await compiling;
    const stored = await storing;
    // Committed now: an inventory recompile defers to its compile, which names it on the version.
    expect(
      await compileOrganization({
        prisma: services.prisma,
        organizationId,
        clusterIds: null,
        claimOutbox: false,
      }),
    ).toEqual({ versions: [], claimed: 0 });
    const compiled = await compileOrganization({
      prisma: services.prisma,
      organizationId,
      clusterIds: null,
      claimOutbox: true,
    });
    expect(compiled).toEqual({
      versions: [{ clusterId: org.clusterOf("eu-1").clusterId, version: 1 }],
      claimed: 1,
    });
    const version = await services.prisma.desiredConfigVersion.findFirstOrThrow({
      where: { clusterId: org.clusterOf("eu-1").clusterId, version: 1 },
    });
    expect(version.changeSetId).toBe(stored.changeSetId);
    workers = await startWorkers(services, { sweepIntervalMs: 60_000 });
  });
});

/** Reads server-sent events until `isDone` says so; `onOpen` runs once `ready` arrived. */
async function readEvents(
  credential: string,
  isDone: (events: { type: string; version?: number }[]) => boolean,
  onOpen?: () => Promise<void>,
) {
  const controller = new AbortController();
  const response = await fetch(`${api.url}/agent/v1/events`, {
    headers: { authorization: `Bearer ${credential}` },
    signal: controller.signal,
  });
  if (!response.body) throw new Error("no stream");
  const events: { type: string; version?: number }[] = [];
  const decoder = new TextDecoder();
  let buffer = "";
  let isOpenHandled = false;
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const data = buffer
        .slice(0, end)
        .split("\n")
        .find((line) => line.startsWith("data: "));
      if (data) events.push(JSON.parse(data.slice(6)) as { type: string; version?: number });
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf("\n\n");
    }
    if (!isOpenHandled && events.some((event) => event.type === "desired-config")) {
      isOpenHandled = true;
      await onOpen?.();
    }
    if (isDone(events)) break;
  }
  controller.abort();
  return events;
}

describe("agents", () => {
  it("hear of a new version on their stream, and of the current one right after ready", async () => {
    const org = await setUpOrg("stream", [{ name: "eu-1", env: "prod", versions: ["v1", "v2"] }]);
    const { credential } = org.clusterOf("eu-1");
    const events = await readEvents(
      credential,
      (list) => list.some((e) => e.type === "desired-config" && e.version === 1),
      async () => {
        await org.caller.policies.applyChanges({
          orgSlug: org.orgSlug,
          reason: "split",
          changes: { edits: [{ name: "reviews-split", yaml: split(90, 10) }] },
        });
      },
    );
    expect(events.slice(0, 2)).toEqual([
      { type: "ready", clusterId: org.clusterOf("eu-1").clusterId },
      { type: "desired-config", version: 0 },
    ]);
    // A reconnecting agent is told the current version at once.
    const again = await readEvents(credential, (list) => list.length >= 2);
    expect(again[1]).toEqual({ type: "desired-config", version: 1 });
  });

  it("report status, which the console shows per cluster with errors, drift and the receipt", async () => {
    const org = await setUpOrg("status", [
      { name: "eu-1", env: "prod", versions: ["v1", "v2"] },
      { name: "us-1", env: "prod", versions: ["v1", "v2"] },
    ]);
    await org.caller.policies.applyChanges({
      orgSlug: org.orgSlug,
      reason: "split",
      changes: { edits: [{ name: "reviews-split", yaml: split(90, 10) }] },
    });
    await versionReaches(org, "eu-1", 1);
    await versionReaches(org, "us-1", 1);
    const ref = { apiVersion: "networking.istio.io/v1", namespace: "shop", name: "sy-reviews" };
    const applied = await agentRequest("POST", "/agent/v1/config-status", org.clusterOf("eu-1").credential, {
      version: 1,
      reachedVersion: 1,
      results: [
        { ...ref, kind: "DestinationRule", outcome: "applied" },
        { ...ref, kind: "VirtualService", outcome: "applied" },
      ],
      drift: [],
    });
    expect(applied.status).toBe(200);
    await agentRequest("POST", "/agent/v1/config-status", org.clusterOf("us-1").credential, {
      version: 1,
      reachedVersion: 0,
      results: [
        { ...ref, kind: "DestinationRule", outcome: "applied" },
        {
          ...ref,
          kind: "VirtualService",
          outcome: "conflict",
          conflictManagers: ["kubectl-edit"],
          message: "conflict with kubectl-edit",
        },
      ],
      drift: [],
    });
    const bad = await agentRequest("POST", "/agent/v1/config-status", org.clusterOf("us-1").credential, {
      version: "x",
    });
    expect(bad.status).toBe(400);

    const statuses = await org.caller.clusters.configStatus({ orgSlug: org.orgSlug });
    const byName = Object.fromEntries(statuses.map((s) => [s.clusterName, s]));
    expect(byName["eu-1"]).toMatchObject({
      latestVersion: 1,
      reachedVersion: 1,
      state: "in-sync",
      errors: [],
    });
    expect(byName["eu-1"]?.receipt?.propagationMs).toBeGreaterThanOrEqual(0);
    expect(byName["eu-1"]?.receipt?.applyToAppliedMs).toBeGreaterThanOrEqual(0);
    expect(byName["us-1"]).toMatchObject({
      state: "failed",
      counts: { applied: 1, conflict: 1 },
      errors: [{ kind: "VirtualService", outcome: "conflict", conflictManagers: ["kubectl-edit"] }],
    });
    const [policy] = await org.caller.policies.list({ orgSlug: org.orgSlug });
    expect(policy?.counts).toEqual({ inSync: 1, pending: 0, failed: 1 });

    // A drift-only report keeps the apply results and shows the drift.
    await agentRequest("POST", "/agent/v1/config-status", org.clusterOf("eu-1").credential, {
      version: 1,
      reachedVersion: 1,
      results: [],
      drift: [
        { ...ref, kind: "VirtualService", change: "modified", manager: "kubectl-edit", isRepaired: true },
      ],
    });
    const [eu] = await org.caller.clusters.configStatus({
      orgSlug: org.orgSlug,
      clusterId: org.clusterOf("eu-1").clusterId,
    });
    expect(eu).toMatchObject({
      state: "in-sync",
      counts: { applied: 2 },
      drift: [{ kind: "VirtualService", change: "modified", manager: "kubectl-edit", isRepaired: true }],
    });
  });
});
