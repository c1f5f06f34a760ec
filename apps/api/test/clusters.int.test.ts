// Connecting clusters over the real agent protocol (HTTP + SSE) against the real database and
// Redis: install lines, registration, inventory batches, isolation, revocation and rotation.
import type { InventoryBatch, InventoryObject } from "@switchyard/agent-protocol/v1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestServices, signUpOwner, startTestApi, type TestServices } from "./harness";

let services: TestServices;
let api: Awaited<ReturnType<typeof startTestApi>>;

beforeAll(async () => {
  services = createTestServices({ heartbeatIntervalSeconds: 1 });
  api = await startTestApi(services);
});
afterAll(async () => {
  await api.close();
  await services.close();
});

async function agentPost(path: string, body: unknown, credential?: string) {
  const response = await fetch(`${api.url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(credential ? { authorization: `Bearer ${credential}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & {
      error?: { code: string; message: string; isRetryable: boolean };
    },
  };
}

/** Reads server-sent events until `isDone` says so or the stream ends; returns them in order. */
async function readEvents(
  credential: string,
  isDone: (events: { type: string }[]) => boolean,
  onOpen?: () => Promise<void>,
) {
  const controller = new AbortController();
  const response = await fetch(`${api.url}/agent/v1/events`, {
    headers: { authorization: `Bearer ${credential}` },
    signal: controller.signal,
  });
  if (!response.body) throw new Error("no stream");
  const events: { type: string }[] = [];
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
      if (data) events.push(JSON.parse(data.slice(6)) as { type: string });
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf("\n\n");
    }
    if (!isOpenHandled && events.some((event) => event.type === "ready")) {
      isOpenHandled = true;
      await onOpen?.();
    }
    if (isDone(events)) break;
  }
  controller.abort();
  return events;
}

async function connectCluster(
  owner: { id: string; email: string; name: string },
  orgSlug: string,
  name: string,
) {
  const line = await callerFor(services, owner).clusters.create({ orgSlug, name, labels: { env: "test" } });
  const registered = await agentPost("/agent/v1/register", {
    bootstrapToken: line.bootstrapToken,
    agentVersion: "0.1.0",
  });
  expect(registered.status).toBe(200);
  const credential = String(registered.body.credential);
  const hello = await agentPost(
    "/agent/v1/hello",
    { agentVersion: "0.1.0", kubernetesVersion: "v1.28.7", mesh: { kind: "istio", version: "1.30.3" } },
    credential,
  );
  expect(hello.status).toBe(200);
  return { clusterId: line.clusterId, credential, line };
}

const namespace = (name: string, podCount = 2): InventoryObject => ({
  kind: "Namespace",
  name,
  labels: {},
  sidecarInjection: true,
  podCount,
});
const service = (ns: string, name: string): InventoryObject => ({
  kind: "Service",
  namespace: ns,
  name,
  labels: { app: name },
  selector: { app: name },
  type: "ClusterIP",
  ports: [{ name: "http", port: 8080, protocol: "TCP" }],
});

describe("install lines", () => {
  it("serve the manifest, work once, and say clearly why a used, expired or revoked one is refused", async () => {
    const { user: owner, orgSlug } = await signUpOwner(services, "installer");
    const line = await callerFor(services, owner).clusters.create({
      orgSlug,
      name: "prod-eu-1",
      labels: { region: "eu-west-1" },
    });
    expect(line.installCommand).toBe(
      `kubectl apply -f "http://console.test/install/${line.bootstrapToken}.yaml"`,
    );
    const stored = await services.prisma.bootstrapToken.findFirstOrThrow({
      where: { clusterId: line.clusterId },
    });
    expect(stored.tokenHash).not.toContain(line.bootstrapToken);

    const manifest = await fetch(`${api.url}/install/${line.bootstrapToken}.yaml`);
    expect(manifest.status).toBe(200);
    const yaml = await manifest.text();
    expect(yaml).toContain("kind: Deployment");
    expect(yaml).toContain(line.bootstrapToken);

    expect(
      (await agentPost("/agent/v1/register", { bootstrapToken: line.bootstrapToken, agentVersion: "0.1.0" }))
        .status,
    ).toBe(200);
    const reused = await agentPost("/agent/v1/register", {
      bootstrapToken: line.bootstrapToken,
      agentVersion: "0.1.0",
    });
    expect(reused.status).toBe(401);
    expect(reused.body.error).toMatchObject({ code: "bootstrap_token_used", isRetryable: false });
    expect(reused.body.error?.message).toMatch(/already used/);
    expect((await fetch(`${api.url}/install/${line.bootstrapToken}.yaml`)).status).toBe(404);

    const expiring = await callerFor(services, owner).clusters.create({
      orgSlug,
      name: "expiring",
      labels: {},
    });
    await services.prisma.bootstrapToken.updateMany({
      where: { clusterId: expiring.clusterId },
      data: { expiresAt: new Date(Date.now() - 1) },
    });
    const expired = await agentPost("/agent/v1/register", {
      bootstrapToken: expiring.bootstrapToken,
      agentVersion: "0.1.0",
    });
    expect(expired.body.error).toMatchObject({ code: "bootstrap_token_expired" });

    const revoking = await callerFor(services, owner).clusters.create({
      orgSlug,
      name: "revoking",
      labels: {},
    });
    await callerFor(services, owner).clusters.revokeInstallLines({ orgSlug, clusterId: revoking.clusterId });
    const revoked = await agentPost("/agent/v1/register", {
      bootstrapToken: revoking.bootstrapToken,
      agentVersion: "0.1.0",
    });
    expect(revoked.body.error?.message).toMatch(/revoked/);
  });

  it("refuses a bad cluster name on the name field and creates nothing", async () => {
    const { user: owner, orgSlug } = await signUpOwner(services, "badname");
    await expect(
      callerFor(services, owner).clusters.create({ orgSlug, name: "Prod EU!", labels: {} }),
    ).rejects.toThrow(/name must be lowercase/);
    await expect(
      callerFor(services, owner).clusters.create({ orgSlug, name: "ok", labels: { "bad key!": "x" } }),
    ).rejects.toThrow(/label key .{0,4}bad key!.{0,4} must be/);
    expect(await callerFor(services, owner).clusters.list({ orgSlug })).toEqual([]);
  });
});

describe("an agent", () => {
  it("shows connected with its versions while its stream is open", async () => {
    const { user: owner, orgSlug } = await signUpOwner(services, "status");
    const { clusterId, credential } = await connectCluster(owner, orgSlug, "live");
    let statusWhileOpen = "";
    await readEvents(
      credential,
      (events) => events.length >= 1,
      async () => {
        statusWhileOpen = (await callerFor(services, owner).clusters.get({ orgSlug, clusterId })).status;
      },
    );
    expect(statusWhileOpen).toBe("connected");
    const cluster = await callerFor(services, owner).clusters.get({ orgSlug, clusterId });
    expect(cluster).toMatchObject({
      kubernetesVersion: "v1.28.7",
      mesh: { kind: "istio", version: "1.30.3" },
      agentVersion: "0.1.0",
    });
  });

  it("applies numbered inventory batches once each, in order, and a final snapshot is the whole truth", async () => {
    const { user: owner, orgSlug } = await signUpOwner(services, "inventory");
    const { clusterId, credential } = await connectCluster(owner, orgSlug, "inv");
    const post = (batch: InventoryBatch) => agentPost("/agent/v1/inventory", batch, credential);
    expect(
      (
        await post({
          sequence: 1,
          snapshot: { id: "s1", isFinal: false },
          upserts: [namespace("shop"), namespace("old")],
          deletes: [],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await post({
          sequence: 2,
          snapshot: { id: "s1", isFinal: true },
          upserts: [service("shop", "cart"), service("old", "legacy")],
          deletes: [],
        })
      ).body,
    ).toEqual({ appliedSequence: 2, isDuplicate: false });
    // A retried batch (the agent did not see the answer) is acknowledged, not applied twice.
    expect((await post({ sequence: 2, upserts: [service("shop", "ghost")], deletes: [] })).body).toEqual({
      appliedSequence: 2,
      isDuplicate: true,
    });
    const gap = await post({ sequence: 5, upserts: [], deletes: [] });
    expect(gap.status).toBe(409);
    expect(gap.body.error).toMatchObject({ code: "sequence_gap", isRetryable: true });

    const services1 = await callerFor(services, owner).clusters.inventory({
      orgSlug,
      clusterId,
      kind: "Service",
      limit: 100,
    });
    expect(services1.items.map((item) => `${item.namespace}/${item.name}`)).toEqual([
      "old/legacy",
      "shop/cart",
    ]);

    await post({ sequence: 3, upserts: [], deletes: [{ kind: "Service", namespace: "shop", name: "cart" }] });
    // A new snapshot that no longer mentions namespace "old" and its service removes them.
    await post({
      sequence: 4,
      snapshot: { id: "s2", isFinal: true },
      upserts: [namespace("shop", 5), service("shop", "checkout")],
      deletes: [],
    });
    const after = await callerFor(services, owner).clusters.inventory({
      orgSlug,
      clusterId,
      kind: "Service",
      limit: 100,
    });
    expect(after.items.map((item) => `${item.namespace}/${item.name}`)).toEqual(["shop/checkout"]);
    const card = (await callerFor(services, owner).clusters.list({ orgSlug })).find(
      (c) => c.id === clusterId,
    );
    expect(card?.counts).toEqual({ namespaces: 1, services: 1, workloads: 0, pods: 5 });
    const searched = await callerFor(services, owner).clusters.inventory({
      orgSlug,
      clusterId,
      kind: "Service",
      search: "CHECK",
      limit: 10,
    });
    expect(searched.total).toBe(1);
  });

  it("reaches only its own cluster: another cluster's inventory is untouched", async () => {
    const { user: ownerA, orgSlug: orgA } = await signUpOwner(services, "iso-a");
    const { user: ownerB, orgSlug: orgB } = await signUpOwner(services, "iso-b");
    const a = await connectCluster(ownerA, orgA, "same-name");
    const b = await connectCluster(ownerB, orgB, "same-name");
    await agentPost(
      "/agent/v1/inventory",
      { sequence: 1, upserts: [namespace("from-a")], deletes: [] },
      a.credential,
    );
    const inB = await callerFor(services, ownerB).clusters.inventory({
      orgSlug: orgB,
      clusterId: b.clusterId,
      kind: "Namespace",
      limit: 10,
    });
    expect(inB.total).toBe(0);
    // B's owner cannot read A's cluster by id either.
    await expect(
      callerFor(services, ownerB).clusters.get({ orgSlug: orgB, clusterId: a.clusterId }),
    ).rejects.toThrow(/not found/i);
    const bogus = await agentPost(
      "/agent/v1/hello",
      { agentVersion: "x", kubernetesVersion: "x", mesh: { kind: "none", version: null } },
      "not-a-credential",
    );
    expect(bogus.status).toBe(401);
  });

  it("is told at once when its cluster is removed, and its credential stops working", async () => {
    const { user: owner, orgSlug } = await signUpOwner(services, "remove");
    const { clusterId, credential } = await connectCluster(owner, orgSlug, "doomed");
    let uninstall = "";
    const events = await readEvents(
      credential,
      (seen) => seen.some((event) => event.type === "revoked"),
      async () => {
        uninstall = (await callerFor(services, owner).clusters.remove({ orgSlug, clusterId }))
          .uninstallCommand;
      },
    );
    // Every stream starts with ready and the cluster's current desired-config version.
    expect(events.map((event) => event.type)).toEqual(["ready", "desired-config", "revoked"]);
    expect(uninstall).toMatch(/kubectl delete namespace switchyard-system/);
    const after = await agentPost("/agent/v1/heartbeat", { inventorySequence: 0 }, credential);
    expect(after.status).toBe(401);
    expect(after.body.error?.isRetryable).toBe(false);
    const audit = await callerFor(services, owner).audit.list({ orgSlug, limit: 10 });
    expect(audit.events.map((event) => event.action)).toContain("cluster.removed");
  });

  it("rotates its credential on request; the old one works until the new one is used", async () => {
    const { user: owner, orgSlug } = await signUpOwner(services, "rotate");
    const { clusterId, credential } = await connectCluster(owner, orgSlug, "rotating");
    const events = await readEvents(
      credential,
      (seen) => seen.some((event) => event.type === "rotate"),
      async () => {
        await callerFor(services, owner).clusters.rotateCredential({ orgSlug, clusterId });
      },
    );
    expect(events.at(-1)).toEqual({ type: "rotate" });
    const rotated = await agentPost("/agent/v1/rotate", {}, credential);
    const next = String(rotated.body.credential);
    expect((await agentPost("/agent/v1/heartbeat", { inventorySequence: 0 }, credential)).status).toBe(200);
    expect((await agentPost("/agent/v1/heartbeat", { inventorySequence: 0 }, next)).status).toBe(200);
    const old = await agentPost("/agent/v1/heartbeat", { inventorySequence: 0 }, credential);
    expect(old.status).toBe(401);
    expect(old.body.error?.code).toBe("credential_revoked");
  });

  it("is told at once when an admin turns drift repair off, and its desired config says so", async () => {
    const { user: owner, orgSlug } = await signUpOwner(services, "repair");
    const { clusterId, credential } = await connectCluster(owner, orgSlug, "repairing");
    const events = await readEvents(
      credential,
      (seen) => seen.some((event) => event.type === "settings-changed"),
      async () => {
        await callerFor(services, owner).clusters.setRepairDrift({ orgSlug, clusterId, repairDrift: false });
      },
    );
    expect(events.at(-1)).toEqual({ type: "settings-changed" });
    const desired = await fetch(`${api.url}/agent/v1/desired-config`, {
      headers: { authorization: `Bearer ${credential}` },
    });
    expect(((await desired.json()) as { repairDrift: boolean }).repairDrift).toBe(false);
    const audit = await callerFor(services, owner).audit.list({ orgSlug, limit: 5 });
    expect(audit.events[0]).toMatchObject({
      action: "cluster.repair_drift_changed",
      before: { repairDrift: true },
      after: { repairDrift: false },
    });
  });
});
