// p50/p99 of an authenticated tRPC query (orgs.get: session decode, user lookup, membership check,
// org overview) under 50 concurrent clients, against a real API process on its own database.
// The same run measures /healthz under the same load as the ceiling: what the HTTP stack alone costs.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import path from "node:path";
import { encode } from "next-auth/jwt";
import { createTestDatabase, dropTestDatabase } from "../../packages/db/src/test-database";

const concurrency = 50;
const requestsPerRound = 2_000;
const rounds = 3;
const repoRoot = path.resolve(import.meta.dirname, "../..");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

function quantile(sorted: number[], q: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function load(
  url: string,
  headers: Record<string, string>,
): Promise<{ p50: number; p99: number; rps: number }> {
  const latencies: number[] = [];
  let issued = 0;
  const started = performance.now();
  async function client() {
    while (issued < requestsPerRound) {
      issued++;
      const t0 = performance.now();
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`status ${response.status} from ${url}`);
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, client));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), rps: latencies.length / seconds };
}

async function waitForReady(baseUrl: string, api: ChildProcess) {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (api.exitCode !== null) throw new Error("the API exited during start-up");
    try {
      if ((await fetch(`${baseUrl}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the API did not become ready");
}

async function main() {
  const databaseUrl = await createTestDatabase(
    process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/switchyard",
  );
  const authSecret = randomBytes(32).toString("hex");
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // node --import tsx (not npx) so that killing the child stops the API itself.
  const api = spawn(process.execPath, ["--import", "tsx", "apps/api/src/main.ts"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      API_PORT: String(port),
      AUTH_SECRET: authSecret,
      PUBLIC_URL: "http://localhost:3000",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    await waitForReady(baseUrl, api);
    const signUp = await fetch(`${baseUrl}/trpc/auth.signUp`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Bench", email: "bench@example.test", password: "bench-password-1" }),
    });
    const created = (await signUp.json()) as { result: { data: { id: string; organizationSlug: string } } };
    const token = await encode({ token: { sub: created.result.data.id }, secret: authSecret });
    const headers = { cookie: `next-auth.session-token=${token}` };
    const queryUrl = `${baseUrl}/trpc/orgs.get?input=${encodeURIComponent(
      JSON.stringify({ orgSlug: created.result.data.organizationSlug }),
    )}`;

    await load(queryUrl, headers); // warm-up: JIT, connection pools
    const query: { p50: number; p99: number; rps: number }[] = [];
    const ceiling: { p50: number; p99: number; rps: number }[] = [];
    for (let round = 0; round < rounds; round++) {
      query.push(await load(queryUrl, headers));
      ceiling.push(await load(`${baseUrl}/healthz`, {}));
      const last = query.at(-1);
      console.log(
        `round ${round + 1}: orgs.get p50 ${last?.p50.toFixed(2)} ms p99 ${last?.p99.toFixed(2)} ms`,
      );
    }
    const p50 = median(query.map((r) => r.p50));
    const healthzP50 = median(ceiling.map((r) => r.p50));
    console.log(
      JSON.stringify({
        bench: "api-latency",
        concurrency,
        requests: requestsPerRound * rounds,
        p50_ms: Number(p50.toFixed(2)),
        p99_ms: Number(median(query.map((r) => r.p99)).toFixed(2)),
        rps: Math.round(median(query.map((r) => r.rps))),
        healthz_p50_ms: Number(healthzP50.toFixed(2)),
        ratio_p50_to_healthz: Number((p50 / healthzP50).toFixed(2)),
      }),
    );
  } finally {
    api.kill("SIGTERM");
    await new Promise((resolve) => api.once("exit", resolve));
    await dropTestDatabase(databaseUrl);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
