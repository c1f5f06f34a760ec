/**
 * A real Prometheus (Debian's `prometheus`, 2.42; `bash infra/dev/ensure-prometheus.sh` installs
 * it) for integration tests: a temporary config and TSDB directory, loopback only, a free port.
 * `close()` stops it and removes the directory; so does the test process exiting.
 *
 *   const prometheus = await startPrometheus({ scrapeTargets: [{ url: sim.url }], scrapeIntervalMs: 1000 });
 *   ... fetch(`${prometheus.url}/api/v1/query?...`) ...
 *   await prometheus.close();
 *
 * A target URL without a path (a simulated cluster's base URL) is scraped at `/metrics/istio`;
 * with a path, at that path. `honor_labels: true` keeps the mesh's own labels (`source_cluster`…)
 * instead of Prometheus' target labels when they clash.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PrometheusScrapeTarget {
  url: string;
  /** Extra target labels (e.g. `cluster`); honor_labels keeps the scraped ones on a clash. */
  labels?: Record<string, string>;
}

export interface StartPrometheusOptions {
  scrapeTargets: PrometheusScrapeTarget[];
  /** Scrape (and evaluation) interval; default 1000 ms. */
  scrapeIntervalMs?: number;
  /** The binary (default `prometheus` on PATH). */
  binary?: string;
  /** How long to wait for /-/ready and the first scrapes (default 30 s). */
  readyTimeoutMs?: number;
  /**
   * Also wait until every target was scraped once (default true). Prometheus 2.x hands new
   * targets to its scrapers only after a 5 s discovery throttle, so "ready" is not "scraping".
   */
  isFirstScrapeAwaited?: boolean;
}

export interface RunningPrometheus {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  directory: string;
  /** Stops the process and removes its directory. */
  close(): Promise<void>;
}

/** Fails with the command that installs it when the binary is missing. */
export function assertPrometheusInstalled(binary = "prometheus"): void {
  const result = spawnSync(binary, ["--version"], { stdio: "ignore" });
  if (result.error !== undefined || result.status !== 0) {
    throw new Error(`${binary} is not installed: run \`bash infra/dev/ensure-prometheus.sh\``);
  }
}

export async function startPrometheus(options: StartPrometheusOptions): Promise<RunningPrometheus> {
  const binary = options.binary ?? "prometheus";
  assertPrometheusInstalled(binary);
  const intervalMs = options.scrapeIntervalMs ?? 1000;
  const directory = await mkdtemp(join(tmpdir(), "switchyard-prometheus-"));
  const configFile = join(directory, "prometheus.yml");
  await writeFile(configFile, configYaml(options.scrapeTargets, intervalMs));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(directory, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-lifecycle",
      "--storage.tsdb.retention.time=2h",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString("utf8")).slice(-4000);
  });
  const onExit = () => {
    child.kill("SIGKILL");
    rmSync(directory, { recursive: true, force: true });
  };
  process.once("exit", onExit);
  let isClosed = false;
  const close = async () => {
    if (isClosed) return;
    isClosed = true;
    process.removeListener("exit", onExit);
    await stopChild(child);
    await rm(directory, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
    await waitReady(url, child, deadline, () => log);
    if (options.isFirstScrapeAwaited ?? true) {
      await waitScraped(url, options.scrapeTargets.length, child, deadline, () => log);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { url, port, directory, close };
}

function configYaml(targets: PrometheusScrapeTarget[], intervalMs: number): string {
  const duration = `${Math.max(1, Math.round(intervalMs))}ms`;
  // JSON is YAML: no templating of user strings into YAML syntax.
  const config = {
    global: { scrape_interval: duration, scrape_timeout: duration, evaluation_interval: duration },
    scrape_configs: targets.map((target, index) => {
      const parsed = new URL(target.url);
      const path = parsed.pathname === "" || parsed.pathname === "/" ? "/metrics/istio" : parsed.pathname;
      return {
        job_name: `target-${index}`,
        honor_labels: true,
        scheme: parsed.protocol.replace(/:$/, ""),
        metrics_path: path,
        static_configs: [{ targets: [parsed.host], labels: target.labels ?? {} }],
      };
    }),
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(
  url: string,
  child: ChildProcess,
  deadline: number,
  log: () => string,
): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`prometheus exited (${child.exitCode ?? child.signalCode}): ${log()}`);
    }
    try {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      await response.text();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`prometheus did not become ready in time: ${log()}`);
}

async function waitScraped(
  url: string,
  targets: number,
  child: ChildProcess,
  deadline: number,
  log: () => string,
): Promise<void> {
  let last = "";
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`prometheus exited (${child.exitCode ?? child.signalCode}): ${log()}`);
    }
    const response = await fetch(`${url}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(2000) });
    const body = (await response.json()) as {
      data?: { activeTargets?: Array<{ health: string; lastError: string; scrapeUrl: string }> };
    };
    const active = body.data?.activeTargets ?? [];
    const up = active.filter((target) => target.health === "up");
    if (active.length >= targets && up.length === active.length) return;
    last = active.map((target) => `${target.scrapeUrl}: ${target.health} ${target.lastError}`).join("; ");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`prometheus did not scrape every target in time (${last}): ${log()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}
