// 100 simulated clusters (the simulator's CLI, in a process of its own, as the clusters' API
// servers are elsewhere in reality), each with the real agent connected (in this process), against
// a real API process with its workers: apply a traffic split that lands in all of them through the console's
// tRPC API and measure, per cluster, the time from the apply to that cluster's agent reporting the
// new version applied. The per-cluster figure is the receipt the API stamps itself
// (`applyToAppliedMs` = the first report reaching the version − the change set's commit), so how
// often this process polls does not change it; the apply call's own latency is printed beside it.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { type RunningAgent, startAgent } from "@switchyard/cluster-agent/start-agent";
import { encode } from "next-auth/jwt";
import pg from "pg";
import pino from "pino";
import { benchEnv } from "../env";
import { median, quantile, startBenchApi } from "../support";

const clusterCount = benchEnv.BENCH_CLUSTERS;
/** Measured applies (each an edit of the weights), after one unmeasured first apply. */
const runs = benchEnv.BENCH_RUNS;
/** Successive splits, each different from the one before: 90/10, 80/20, … 20/80, 90/10, … */
const weights = Array.from({ length: runs + 1 }, (_, i): [number, number] => [
  90 - 10 * (i % 8),
  10 + 10 * (i % 8),
]);
const pollMs = benchEnv.BENCH_POLL_MS;

type ConfigStatus = {
  clusterId: string;
  clusterName: string;
  latestVersion: number;
  reachedVersion: number;
  state: "in-sync" | "pending" | "failed";
  receipt: { version: number; applyToAppliedMs: number | null; propagationMs: number | null } | null;
};

async function trpc<T>(
  url: string,
  cookie: string,
  procedure: string,
  input: unknown,
  method: "GET" | "POST",
) {
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
  describe: () => string = () => "",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${describe()}`);
    await sleep(pollMs);
  }
}

function cpuAndMemory() {
  const usage = process.resourceUsage();
  return {
    cpuS: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
  };
}

/** CPU seconds used so far by a child process of this one whose command line contains `marker`. */
function childCpuSeconds(marker: string): number {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (!cmdline.includes(marker) || Number(fields[1]) !== process.pid) continue;
      // utime and stime, in clock ticks (100 per second on Linux).
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // The process ended between listing and reading: not ours.
    }
  }
  return Number.NaN;
}
const apiCpuSeconds = () => childCpuSeconds("apps/api/src/main.ts");
const simCpuSeconds = () => childCpuSeconds("switchyard-sim");

/** The simulator's CLI with `names`, traffic off; resolves with each cluster's kubeconfig. */
async function startSimulatorProcess(names: string[]) {
  const directory = mkdtempSync(path.join(tmpdir(), "sy-bench-propagation-sims-"));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "packages/cluster-sim/bin/switchyard-sim.js",
      "--names",
      names.join(","),
      "--kubeconfig-dir",
      directory,
      "--traffic",
      "off",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const kubeconfigs = await new Promise<Map<string, string>>((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const found = new Map(
        [...output.matchAll(/name=(\S+) url=\S+ kubeconfig=(\S+)/g)].map((m) => [m[1] ?? "", m[2] ?? ""]),
      );
      if (found.size >= names.length) resolve(found);
    });
    child.once("exit", (code) => reject(new Error(`switchyard-sim exited with ${code}`)));
  });
  return {
    kubeconfigs,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/**
 * Where the time went, from the stored timestamps, in ms after the change set's commit: the first
 * and last version row written (the compile) and the first and last report reaching the version.
 */
async function timeline(databaseUrl: string, version: number) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const result = await db.query<
      Record<"first_row" | "last_row" | "first_reached" | "last_reached", string>
    >(
      `select extract(epoch from min(v."createdAt") - c."createdAt") * 1000 as first_row,
              extract(epoch from max(v."createdAt") - c."createdAt") * 1000 as last_row,
              extract(epoch from min(v."reachedAt") - c."createdAt") * 1000 as first_reached,
              extract(epoch from max(v."reachedAt") - c."createdAt") * 1000 as last_reached
       from desired_config_versions v join change_sets c on c.id = v."changeSetId"
       where v.version = $1 group by c."createdAt"`,
      [version],
    );
    const row = result.rows[0];
    const ms = (value: string | undefined) => Math.round(Number(value));
    return {
      firstRow: ms(row?.first_row),
      lastRow: ms(row?.last_row),
      firstReached: ms(row?.first_reached),
      lastReached: ms(row?.last_reached),
    };
  } finally {
    await db.end();
  }
}

async function main() {
  // Heartbeats every 30 s: 100 agents × the default 10 s would be load no real fleet of 100 adds.
  // Queues of its own: any other API on this Redis (a demo, an e2e run) with the default prefix
  // would otherwise take this API's compile jobs and find nothing of this database to compile.
  const api = await startBenchApi({
    AGENT_HEARTBEAT_SECONDS: "30",
    RUN_WORKERS: "true",
    QUEUE_PREFIX: `bench-propagation-${process.pid}`,
  });
  let sims: Awaited<ReturnType<typeof startSimulatorProcess>> | undefined;
  const agents: RunningAgent[] = [];
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

    const setupStarted = performance.now();
    const lines: { name: string; bootstrapToken: string }[] = [];
    for (let i = 0; i < clusterCount; i++) {
      const name = `prod-${String(i).padStart(3, "0")}`;
      const line = await trpc<{ clusterId: string; bootstrapToken: string }>(
        api.url,
        cookie,
        "clusters.create",
        { orgSlug, name, labels: { env: "prod" } },
        "POST",
      );
      lines.push({ name, bootstrapToken: line.bootstrapToken });
    }
    // The sample seed (bookinfo and a little more): the smallest cluster the split applies to.
    sims = await startSimulatorProcess(lines.map((line) => `${line.name}-sim`));
    const logger = pino({ level: "warn" });
    for (const line of lines) {
      const kubeconfigPath = sims.kubeconfigs.get(`${line.name}-sim`);
      if (!kubeconfigPath) throw new Error(`no simulated cluster for ${line.name}`);
      agents.push(
        startAgent({
          apiUrl: api.url,
          bootstrapToken: line.bootstrapToken,
          kubeconfigPath,
          stateFile: path.join(mkdtempSync(path.join(tmpdir(), "sy-bench-propagation-")), "state.json"),
          backoff: { initialMs: 200, maxMs: 2000 },
          logger,
        }),
      );
    }
    await waitFor("every cluster connected with its inventory", 120_000, async () => {
      const clusters = await trpc<{ status: string; inventorySyncedAt: string | null }[]>(
        api.url,
        cookie,
        "clusters.list",
        { orgSlug },
        "GET",
      );
      const synced = clusters.filter((c) => c.status === "connected" && c.inventorySyncedAt).length;
      return synced === clusterCount ? true : undefined;
    });
    const afterSetup = cpuAndMemory();
    console.log(
      `${clusterCount} clusters connected and synced in ${Math.round(performance.now() - setupStarted)} ms; bench process RSS ${afterSetup.rssMb} MB`,
    );
    // The idle baseline (heartbeats, watches, this process's own work), to read the per-apply CPU against.
    const idleApiCpu = apiCpuSeconds();
    await sleep(3000);
    console.log(
      `idle for 3 s: CPU API process ${(apiCpuSeconds() - idleApiCpu).toFixed(1)} s, bench process ${(cpuAndMemory().cpuS - afterSetup.cpuS).toFixed(1)} s`,
    );

    const percentiles: { p50: number; p95: number; p99: number; last: number; call: number }[] = [];
    for (const [run, [v1, v2]] of weights.entries()) {
      const before = await trpc<ConfigStatus[]>(api.url, cookie, "clusters.configStatus", { orgSlug }, "GET");
      const previous = Math.max(0, ...before.map((s) => s.latestVersion));
      const cpuBefore = cpuAndMemory();
      const apiCpuBefore = apiCpuSeconds();
      const simCpuBefore = simCpuSeconds();
      const started = performance.now();
      await trpc(
        api.url,
        cookie,
        "policies.applyChanges",
        {
          orgSlug,
          reason: `bench ${v1}/${v2}`,
          changes: { edits: [{ name: "reviews-canary", yaml: split(v1, v2) }] },
        },
        "POST",
      );
      const call = performance.now() - started;
      let lastSeen: ConfigStatus[] = [];
      const statuses = await waitFor(
        `every cluster at the ${v1}/${v2} version`,
        60_000,
        async () => {
          const found = await trpc<ConfigStatus[]>(
            api.url,
            cookie,
            "clusters.configStatus",
            { orgSlug },
            "GET",
          );
          const done = found.filter(
            (s) =>
              s.latestVersion > previous &&
              s.reachedVersion === s.latestVersion &&
              s.receipt?.applyToAppliedMs !== null &&
              s.receipt?.applyToAppliedMs !== undefined,
          );
          const failed = found.filter((s) => s.state === "failed");
          if (failed.length > 0)
            throw new Error(`${failed.length} clusters failed, e.g. ${failed[0]?.clusterName}`);
          lastSeen = found;
          return done.length === clusterCount ? found : undefined;
        },
        () => {
          // What the stragglers look like, so a timeout says which step they are stuck at.
          const stuck = lastSeen.filter(
            (s) => s.latestVersion <= previous || s.reachedVersion !== s.latestVersion,
          );
          return `(${stuck.length} not there: ${JSON.stringify(stuck.slice(0, 3))})`;
        },
      );
      const receipts = statuses.flatMap((s) =>
        s.receipt?.applyToAppliedMs != null && s.receipt.propagationMs != null
          ? [{ total: s.receipt.applyToAppliedMs, delivery: s.receipt.propagationMs }]
          : [],
      );
      const sorted = receipts.map((r) => r.total).sort((a, b) => a - b);
      const figures = {
        p50: quantile(sorted, 0.5),
        p95: quantile(sorted, 0.95),
        p99: quantile(sorted, 0.99),
        last: sorted.at(-1) ?? Number.NaN,
        call,
      };
      const cpuAfter = cpuAndMemory();
      const simCpu = simCpuSeconds() - simCpuBefore;
      const apiCpu = apiCpuSeconds() - apiCpuBefore;
      const spans = await timeline(api.databaseUrl, previous + 1);
      console.log(
        `${run === 0 ? "first apply (not measured)" : `run ${run}`} ${v1}/${v2}: p50 ${figures.p50} ms, p95 ${figures.p95} ms, p99 ${figures.p99} ms, last ${figures.last} ms`,
      );
      console.log(
        `  from the change set's commit: version rows written ${spans.firstRow}–${spans.lastRow} ms (the compile), reports reaching it ${spans.firstReached}–${spans.lastReached} ms; version → applied median ${median(receipts.map((r) => r.delivery))} ms`,
      );
      console.log(
        `  apply call ${Math.round(call)} ms; all seen in sync after ${Math.round(performance.now() - started)} ms (polled every ${pollMs} ms); CPU: API process ${apiCpu.toFixed(1)} s, agents (this process) ${(cpuAfter.cpuS - cpuBefore.cpuS).toFixed(1)} s, simulated clusters ${simCpu.toFixed(1)} s; bench RSS ${cpuAfter.rssMb} MB; load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores`,
      );
      // The first apply creates the resources and warms every path; the edits are what is measured.
      if (run > 0) percentiles.push(figures);
    }

    console.log(
      JSON.stringify({
        bench: "propagation",
        clusters: clusterCount,
        runs,
        p50_ms: Math.round(median(percentiles.map((p) => p.p50))),
        p95_ms: Math.round(median(percentiles.map((p) => p.p95))),
        p99_ms: Math.round(median(percentiles.map((p) => p.p99))),
        last_ms: Math.round(median(percentiles.map((p) => p.last))),
        apply_call_ms: Math.round(median(percentiles.map((p) => p.call))),
      }),
    );
  } finally {
    await Promise.all(agents.map((agent) => agent.stop()));
    await sims?.stop();
    await api.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
