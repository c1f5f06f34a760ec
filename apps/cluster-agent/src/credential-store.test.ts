import { mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SimulatedCluster, startSimulatedCluster } from "@switchyard/cluster-sim/cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubernetesClient, loadKubeConfig } from "./clients/kubernetes";
import { FileCredentialStore, SecretCredentialStore } from "./credential-store";
import { FatalAgentError } from "./errors";

describe("FileCredentialStore", () => {
  it("has nothing before the first save, then keeps the credential in a 0600 file", async () => {
    const directory = await mkdtemp(join(tmpdir(), "switchyard-state-"));
    const path = join(directory, "state.json");
    const store = new FileCredentialStore(path);
    expect(await store.load()).toBeUndefined();
    await store.save({ credential: "c1", clusterId: "id", clusterName: "prod" });
    await store.save({ credential: "c2", clusterId: "id", clusterName: "prod" });
    expect(await store.load()).toEqual({ credential: "c2", clusterId: "id", clusterName: "prod" });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(directory)).toEqual(["state.json"]);
  });

  it("stops with advice when the file is damaged", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "switchyard-state-")), "state.json");
    await writeFile(path, "{not json");
    await expect(new FileCredentialStore(path).load()).rejects.toThrow(FatalAgentError);
    await writeFile(path, JSON.stringify({ other: 1 }));
    await expect(new FileCredentialStore(path).load()).rejects.toThrow(/remove it to register again/);
  });
});

describe("SecretCredentialStore against the simulated cluster", () => {
  let cluster: SimulatedCluster;
  let kube: KubernetesClient;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({ name: "secret-store", seed: "empty" });
    kube = new KubernetesClient(loadKubeConfig({ kind: "file", path: cluster.kubeconfigPath }));
    cluster.store.createNamespace("switchyard-system");
  });
  afterAll(async () => {
    await cluster.close();
  });

  it("creates the Secret when missing, and updates only its key when present", async () => {
    const store = new SecretCredentialStore(kube, "switchyard-system", "switchyard-agent");
    expect(await store.load()).toBeUndefined();
    await store.save({ credential: "first" });
    expect(await store.load()).toEqual({ credential: "first" });

    cluster.store.apply(
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "switchyard-agent", namespace: "switchyard-system" },
        data: { "bootstrap-token": Buffer.from("bt").toString("base64") },
      },
      { fieldManager: "installer", force: true },
    );
    await store.save({ credential: "second" });
    expect(await store.load()).toEqual({ credential: "second" });
    const secret = cluster.store.get("Secret", "switchyard-system", "switchyard-agent") as {
      data: Record<string, string>;
    };
    expect(Object.keys(secret.data).sort()).toEqual(["bootstrap-token", "credential"]);
    expect(Buffer.from(secret.data.credential ?? "", "base64").toString()).toBe("second");
  });

  it("keeps the reached configuration version beside the credential", async () => {
    const store = new SecretCredentialStore(kube, "switchyard-system", "switchyard-agent");
    await store.save({ credential: "third", reachedConfigVersion: 12 });
    expect(await store.load()).toEqual({ credential: "third", reachedConfigVersion: 12 });
    const secret = cluster.store.get("Secret", "switchyard-system", "switchyard-agent") as {
      data: Record<string, string>;
    };
    expect(Buffer.from(secret.data["reached-config-version"] ?? "", "base64").toString()).toBe("12");
  });
});

describe("state file on disk", () => {
  it("is plain JSON an operator can read", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "switchyard-state-")), "s.json");
    await new FileCredentialStore(path).save({ credential: "x" });
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ credential: "x" });
  });
});
