// One simulated cluster with 5,000 pods and 1,000 services: time from starting the agent (its real
// CLI, as a process of its own) to the cluster's complete inventory in the API, and the agent's
// peak RSS. The ceiling measured in the same run: listing the same resources straight from the
// simulated API server, which is the transfer no agent can avoid.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startSimulatedCluster } from "@switchyard/cluster-sim/cluster";
import { encode } from "next-auth/jwt";
import { buildAgent } from "../../apps/cluster-agent/build";
import { median, repoRoot, round2, startBenchApi } from "../support";

const pods = 5_000;
const services = 1_000;
const runs = 3;

async function trpc<T>(
  url: string,
  cookie: string,
  procedure: string,
  input: unknown,
  method: "GET" | "POST",
): Promise<T> {
  const response =
    method === "GET"
      ? await fetch(`${url}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`, {
          headers: { cookie },
        })
      : await fetch(`${url}/trpc/${procedure}`, {
          method: "POST",
          headers: { cookie, "content-type": "application/json" },
          body: JSON.stringify(input),
        });
  const body = (await response.json()) as { result?: { data: T }; error?: { message: string } };
  if (!body.result) throw new Error(`${procedure}: ${body.error?.message ?? response.status}`);
  return body.result.data;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

async function main() {
  // What ships is the bundle (bin/switchyard-agent.js runs it when fresh): measure that, not tsx.
  await buildAgent();
  const api = await startBenchApi({ AGENT_HEARTBEAT_SECONDS: "5" });
  const cluster = await startSimulatedCluster({ name: "bench", seed: { pods, services } });
  try {
    const signUp = await fetch(`${api.url}/trpc/auth.signUp`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Bench", email: "bench@example.test", password: "bench-password-1" }),
    });
    const user = ((await signUp.json()) as { result: { data: { id: string; organizationSlug: string } } })
      .result.data;
    const cookie = `next-auth.session-token=${await encode({ token: { sub: user.id }, secret: api.authSecret })}`;
    const orgSlug = user.organizationSlug;
    const expected = {
      namespaces: cluster.store.count("Namespace"),
      services: cluster.store.count("Service"),
      workloads: cluster.store.count("Deployment") + cluster.store.count("StatefulSet"),
      pods: cluster.store.count("Pod"),
    };

    // The ceiling: the raw lists an agent must read, straight from the simulated API server.
    const listOnly: number[] = [];
    for (let run = 0; run < runs; run++) {
      const t0 = performance.now();
      for (const list of [
        "/api/v1/namespaces",
        "/api/v1/services",
        "/api/v1/pods",
        "/apis/apps/v1/deployments",
        "/apis/apps/v1/statefulsets",
      ]) {
        const response = await fetch(`${cluster.url}${list}`, {
          headers: { authorization: `Bearer ${cluster.token}` },
        });
        await response.arrayBuffer();
      }
      listOnly.push(performance.now() - t0);
    }

    const inventoryMs: number[] = [];
    const rssMb: number[] = [];
    for (let run = 0; run < runs; run++) {
      const line = await trpc<{ clusterId: string; bootstrapToken: string }>(
        api.url,
        cookie,
        "clusters.create",
        { orgSlug, name: `bench-${run}`, labels: {} },
        "POST",
      );
      const stateFile = path.join(mkdtempSync(path.join(tmpdir(), "sy-bench-agent-")), "state.json");
      const started = performance.now();
      const agent: ChildProcess = spawn(
        process.execPath,
        [
          "apps/cluster-agent/bin/switchyard-agent.js",
          "--api",
          api.url,
          "--token",
          line.bootstrapToken,
          "--kubeconfig",
          cluster.kubeconfigPath,
          "--state-file",
          stateFile,
          "--log-level",
          "warn",
        ],
        { cwd: repoRoot, stdio: ["ignore", "ignore", "inherit"] },
      );
      try {
        for (;;) {
          if (agent.exitCode !== null) throw new Error(`the agent exited with ${agent.exitCode}`);
          const found = await trpc<{ inventorySyncedAt: string | null; counts: typeof expected }>(
            api.url,
            cookie,
            "clusters.get",
            { orgSlug, clusterId: line.clusterId },
            "GET",
          );
          if (found.inventorySyncedAt && JSON.stringify(found.counts) === JSON.stringify(expected)) break;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        inventoryMs.push(performance.now() - started);
        if (agent.pid === undefined) throw new Error("no agent pid");
        rssMb.push(peakRssMb(agent.pid));
      } finally {
        agent.kill("SIGTERM");
        await new Promise((resolve) => agent.once("exit", resolve));
      }
      console.log(
        `run ${run + 1}: inventory ${Math.round(inventoryMs.at(-1) ?? 0)} ms, agent peak RSS ${Math.round(rssMb.at(-1) ?? 0)} MB`,
      );
    }
    const inventory = median(inventoryMs);
    const ceiling = median(listOnly);
    console.log(
      JSON.stringify({
        bench: "inventory",
        pods: expected.pods,
        services: expected.services,
        runs,
        inventory_ms: Math.round(inventory),
        agent_rss_mb: round2(median(rssMb)),
        list_only_ms: Math.round(ceiling),
        ratio_inventory_to_list_only: round2(inventory / ceiling),
      }),
    );
  } finally {
    await cluster.close();
    await api.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
