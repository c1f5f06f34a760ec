// Simulated clusters and real agents for journeys that need a live mesh: both started as the
// product's own CLIs (switchyard-sim, switchyard-agent), as a user would run them.
import path from "node:path";
import { logTail, type Service, startService } from "./processes";

const repoRoot = path.resolve(import.meta.dirname, "../..");

export type SimulatedClusterLine = { name: string; url: string; kubeconfig: string };

/**
 * Starts simulated clusters with one CLI (live traffic by default; the first cluster's frontend
 * calls the second's catalog) and waits for the line naming each one.
 */
export async function startSimulatedClusters(
  names: string[],
  directory: string,
): Promise<{ service: Service; clusters: SimulatedClusterLine[] }> {
  const service = startService({
    name: "cluster-sim",
    command: process.execPath,
    args: [
      "packages/cluster-sim/bin/switchyard-sim.js",
      "--names",
      names.join(","),
      "--kubeconfig-dir",
      directory,
    ],
    cwd: repoRoot,
    env: process.env,
    logPath: path.join(directory, "sim.log"),
  });
  const clusters = await new Promise<SimulatedClusterLine[]>((resolve, reject) => {
    let output = "";
    service.process.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const found = [...output.matchAll(/name=(\S+) url=(\S+) kubeconfig=(\S+)/g)].map((match) => ({
        name: match[1] ?? "",
        url: match[2] ?? "",
        kubeconfig: match[3] ?? "",
      }));
      if (found.length >= names.length) resolve(found);
    });
    service.process.once("exit", (code) =>
      reject(new Error(`switchyard-sim exited with ${code}: ${logTail(service)}`)),
    );
  });
  return { service, clusters };
}

/** The agent CLI for one cluster, registering with `bootstrapToken` through the console's URL. */
export function startClusterAgent(options: {
  name: string;
  apiUrl: string;
  bootstrapToken: string;
  cluster: SimulatedClusterLine;
  directory: string;
  /** Scrape the simulated mesh's metrics every this many seconds. */
  telemetryIntervalSeconds?: number;
}): Service {
  const telemetry =
    options.telemetryIntervalSeconds === undefined
      ? []
      : [
          "--metrics-url",
          `${options.cluster.url}/metrics/istio`,
          "--telemetry-interval",
          String(options.telemetryIntervalSeconds),
        ];
  return startService({
    name: `cluster-agent-${options.name}`,
    command: process.execPath,
    args: [
      "apps/cluster-agent/bin/switchyard-agent.js",
      "--api",
      options.apiUrl,
      "--token",
      options.bootstrapToken,
      "--kubeconfig",
      options.cluster.kubeconfig,
      "--state-file",
      path.join(options.directory, `agent-${options.name}.json`),
      ...telemetry,
    ],
    cwd: repoRoot,
    env: process.env,
    logPath: path.join(options.directory, `agent-${options.name}.log`),
  });
}
