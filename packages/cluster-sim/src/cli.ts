import { parseArgs } from "node:util";
import { type SimulatedClusterOptions, startSimulatedClusters } from "./cluster";
import type { SeedSpec } from "./seed/seed";
import type { BehaviourChange } from "./traffic/traffic-model";

const usage = `switchyard-sim: start simulated Kubernetes clusters (Istio ${"1.30.3"} sample mesh)

  --clusters N          how many clusters (default 1)
  --names a,b,c         cluster names (default sim-1..sim-N)
  --kubeconfig-dir DIR  where <name>.kubeconfig files go (required)
  --port P              first port; cluster i listens on P+i (default 0: free ports)
  --host H              listen address (default 127.0.0.1)
  --token T             bearer token for every cluster (default: a random one each)
  --seed sample|empty|big   (default sample)
  --pods N --services M     size of the big seed (default 5000 / 1000)
  --traffic realtime|off    run the traffic model with the wall clock (default realtime);
                            metrics at <url>/metrics/istio
  --remote ns/svc=cluster   calls from the first cluster to that service go to the named
                            cluster (repeatable; with 2+ clusters the default is
                            shop-backend/catalog=<second cluster>)
  --behaviour ns/workload:latencyMs=N,errorRate=R   make a version slow or failing (repeatable);
                            later: POST <url>/admin/traffic/behaviour {namespace,workload,...}

Prints one line per cluster: name=<name> url=<url> kubeconfig=<path> token=<token>`;

/** Parses flags into cluster options; exported for tests. */
export function parseCli(argv: string[]): SimulatedClusterOptions[] {
  const { values } = parseArgs({
    args: argv,
    options: {
      clusters: { type: "string", default: "1" },
      names: { type: "string" },
      "kubeconfig-dir": { type: "string" },
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      token: { type: "string" },
      seed: { type: "string", default: "sample" },
      pods: { type: "string", default: "5000" },
      services: { type: "string", default: "1000" },
      traffic: { type: "string", default: "realtime" },
      remote: { type: "string", multiple: true, default: [] },
      behaviour: { type: "string", multiple: true, default: [] },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) throw new Error(usage);
  const directory = values["kubeconfig-dir"];
  if (!directory) throw new Error(`--kubeconfig-dir is required\n\n${usage}`);
  const names = values.names?.split(",").filter((name) => name !== "");
  const count = names?.length ?? Number(values.clusters);
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`--clusters must be a positive integer\n\n${usage}`);
  const basePort = Number(values.port);
  let seed: SeedSpec;
  if (values.seed === "big") seed = { pods: Number(values.pods), services: Number(values.services) };
  else if (values.seed === "sample" || values.seed === "empty") seed = values.seed;
  else throw new Error(`--seed must be sample, empty or big\n\n${usage}`);
  if (values.traffic !== "realtime" && values.traffic !== "off")
    throw new Error(`--traffic must be realtime or off\n\n${usage}`);
  const clusterNames = Array.from({ length: count }, (_, index) => names?.[index] ?? `sim-${index + 1}`);
  const remoteServices: Record<string, string> = {};
  const secondCluster = clusterNames[1];
  if (values.remote.length === 0 && secondCluster !== undefined)
    remoteServices["shop-backend/catalog"] = secondCluster;
  for (const entry of values.remote) {
    const [service, cluster] = entry.split("=");
    if (!service?.includes("/") || !cluster)
      throw new Error(`--remote wants ns/service=cluster, got ${entry}`);
    remoteServices[service] = cluster;
  }
  const behaviours = values.behaviour.map(parseBehaviourFlag);
  return clusterNames.map((name, index) => ({
    name,
    traffic: {
      isRealTime: values.traffic === "realtime",
      remoteServices: index === 0 ? remoteServices : {},
      behaviours,
    },
    port: basePort === 0 ? 0 : basePort + index,
    host: values.host,
    token: values.token,
    seed,
    kubeconfigDir: directory,
  }));
}

function parseBehaviourFlag(flag: string): BehaviourChange {
  const [target, settings = ""] = flag.split(":");
  const [namespace, workload] = (target ?? "").split("/");
  if (!namespace || !workload) throw new Error(`--behaviour wants ns/workload:key=value,..., got ${flag}`);
  const change: BehaviourChange = { namespace, workload };
  for (const setting of settings.split(",").filter(Boolean)) {
    const [key, raw] = setting.split("=");
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new Error(`--behaviour: ${setting} is not a number`);
    if (key === "latencyMs") change.latencyMs = value;
    else if (key === "errorRate") change.errorRate = value;
    else throw new Error(`--behaviour: unknown setting ${key}`);
  }
  return change;
}

/** Starts the clusters, prints one line each, and runs until SIGINT/SIGTERM. */
export async function main(argv: string[]): Promise<void> {
  if (argv.includes("--help")) {
    console.log(usage);
    return;
  }
  let options: SimulatedClusterOptions[];
  try {
    options = parseCli(argv);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
  const clusters = await startSimulatedClusters(options);
  for (const cluster of clusters) {
    console.log(
      `name=${cluster.name} url=${cluster.url} kubeconfig=${cluster.kubeconfigPath} token=${cluster.token ?? ""}`,
    );
  }
  const stop = async () => {
    await Promise.all(clusters.map((cluster) => cluster.close()));
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (process.argv[1]?.endsWith("cli.ts")) await main(process.argv.slice(2));
