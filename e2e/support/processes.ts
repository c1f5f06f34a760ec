// Child processes of the e2e run (API, console): started in their own process group so stopping one
// also stops what it spawned (tsx runs node underneath), with output kept in a log for failures.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import net from "node:net";

export type Service = { name: string; process: ChildProcess; logPath: string };

export function startService(options: {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  logPath: string;
}): Service {
  const log = createWriteStream(options.logPath);
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return { name: options.name, process: child, logPath: options.logPath };
}

export async function stopService(service: Service): Promise<void> {
  const { pid } = service.process;
  if (pid === undefined || service.process.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => service.process.once("exit", () => resolve()));
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    return;
  }
  // A process that ignores SIGTERM must not keep the run (and its ports) alive.
  const deadline = setTimeout(() => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }, 5_000);
  await exited;
  clearTimeout(deadline);
}

/** Why `services` cannot be waited on any longer: each one that exited, with its log's tail. */
export function exitedServices(services: readonly Service[]): string[] {
  return services
    .filter((service) => service.process.exitCode !== null || service.process.signalCode !== null)
    .map(
      (service) =>
        `${service.name} exited (${service.process.exitCode ?? service.process.signalCode}):\n${logTail(service)}`,
    );
}

export function logTail(service: Service, lines = 40): string {
  try {
    return readFileSync(service.logPath, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200, the service dies, or the deadline passes. */
export async function waitUntilReady(service: Service, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = "no answer yet";
  while (Date.now() < deadline) {
    if (service.process.exitCode !== null) {
      throw new Error(`${service.name} exited with code ${service.process.exitCode}:\n${logTail(service)}`);
    }
    try {
      const response = await fetch(url, { redirect: "manual" });
      if (response.status === 200) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `${service.name} was not ready at ${url} within ${timeoutMs} ms (${lastProblem}):\n${logTail(service)}`,
  );
}
