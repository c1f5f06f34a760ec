import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClusterStore } from "./cluster-store";
import { WorkloadController } from "./controllers/workload-controller";
import { ApiServer } from "./http/api-server";
import { IpAllocator } from "./ip-allocator";
import { writeKubeconfig } from "./kubeconfig";
import { ResourceOperations } from "./operations";
import { ResourceRegistry } from "./resource-registry";
import { applySeed, type SeedSpec } from "./seed/seed";
import { ObjectStore } from "./store";
import { trafficHandler } from "./traffic/http";
import { TrafficMesh, TrafficModel, type TrafficOptions } from "./traffic/traffic-model";

export interface SimulatedClusterOptions {
  name: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Bearer token every request must carry; a random one when omitted, none when null. */
  token?: string | null;
  /** "sample" (default), "empty", or a generated cluster of that size. */
  seed?: SeedSpec;
  /** Where to write `<name>.kubeconfig`; a fresh temporary directory when omitted. */
  kubeconfigDir?: string;
  /** Events kept for watches to resume from (default 10,000); older RVs get 410 Gone. */
  historyLimit?: number;
  /** Interval of periodic watch BOOKMARKs (default 60 s, as the real server). */
  bookmarkIntervalMs?: number;
  /** Watch length when the client sends no timeoutSeconds (default 1800 s). */
  watchTimeoutSeconds?: number;
  /** The traffic model (see docs/cluster-sim.md); `isRealTime` advances it with the wall clock. */
  traffic?: TrafficOptions & { isRealTime?: boolean };
  /** Shared by clusters that call each other; startSimulatedClusters passes one. */
  mesh?: TrafficMesh;
}

export interface SimulatedCluster {
  name: string;
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  token: string | undefined;
  kubeconfigPath: string;
  store: ClusterStore;
  /** Istio traffic: `advance(seconds)`, `setBehaviour(...)`, `scrape()`; served at /metrics/istio. */
  traffic: TrafficModel;
  close(): Promise<void>;
}

let sharedRegistry: ResourceRegistry | undefined;

/** The registry is immutable; clusters in one process share it (and its parsed Istio schemas). */
function registry(): ResourceRegistry {
  sharedRegistry ??= new ResourceRegistry();
  return sharedRegistry;
}

/** Starts one simulated cluster: seeded store, controllers, API server and a kubeconfig. */
export async function startSimulatedCluster(options: SimulatedClusterOptions): Promise<SimulatedCluster> {
  const types = registry();
  const store = new ObjectStore({ registry: types, historyLimit: options.historyLimit });
  const operations = new ResourceOperations(store, { allocateClusterIP: ipAllocator("10.96") });
  const controller = new WorkloadController(store, new IpAllocator("10.244"));
  controller.start();
  applySeed(store, types, operations, options.seed ?? "sample");

  const clusterStore = new ClusterStore(store, types, operations);
  const traffic = new TrafficModel(options.name, clusterStore, options.mesh, options.traffic);
  if (options.traffic?.isRealTime) traffic.start();
  const token =
    options.token === null ? undefined : (options.token ?? `sim-${randomBytes(16).toString("hex")}`);
  const server: ApiServer = new ApiServer({
    extraHandler: trafficHandler(traffic, (request) => server.isAuthorized(request)),
    store,
    registry: types,
    operations,
    token,
    watch: {
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
      defaultTimeoutSeconds: options.watchTimeoutSeconds ?? 1800,
    },
  });
  const host = options.host ?? "127.0.0.1";
  const port = await server.listen(options.port ?? 0, host);
  const url = `http://${host}:${port}`;
  const directory = options.kubeconfigDir ?? (await mkdtemp(join(tmpdir(), "switchyard-sim-")));
  await mkdir(directory, { recursive: true });
  const kubeconfigPath = join(directory, `${options.name}.kubeconfig`);
  await writeKubeconfig(kubeconfigPath, { name: options.name, server: url, token });
  return {
    name: options.name,
    url,
    port,
    token,
    kubeconfigPath,
    store: clusterStore,
    traffic,
    close: async () => {
      traffic.stop();
      controller.stop();
      await server.close();
    },
  };
}

/** Several clusters in one process, each on its own port. */
export async function startSimulatedClusters(
  options: SimulatedClusterOptions[],
): Promise<SimulatedCluster[]> {
  const started: SimulatedCluster[] = [];
  const mesh = new TrafficMesh();
  try {
    for (const option of options) started.push(await startSimulatedCluster({ mesh, ...option }));
  } catch (error) {
    await Promise.all(started.map((cluster) => cluster.close()));
    throw error;
  }
  return started;
}

function ipAllocator(prefix: string): () => string {
  const allocator = new IpAllocator(prefix);
  return () => allocator.allocate();
}
