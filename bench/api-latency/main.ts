// p50/p99 of an authenticated tRPC query (orgs.get: session decode, user lookup, membership check,
// org overview) under 50 concurrent clients, against a real API process on its own database.
// The same run measures /healthz under the same load as the ceiling: what the HTTP stack alone costs.
import { encode } from "next-auth/jwt";
import { median, quantile, round2, startBenchApi } from "../support";

const concurrency = 50;
const requestsPerRound = 2_000;
const rounds = 3;

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

async function main() {
  const api = await startBenchApi();
  const baseUrl = api.url;
  try {
    const signUp = await fetch(`${baseUrl}/trpc/auth.signUp`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Bench", email: "bench@example.test", password: "bench-password-1" }),
    });
    const created = (await signUp.json()) as { result: { data: { id: string; organizationSlug: string } } };
    const token = await encode({ token: { sub: created.result.data.id }, secret: api.authSecret });
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
        p50_ms: round2(p50),
        p99_ms: round2(median(query.map((r) => r.p99))),
        rps: Math.round(median(query.map((r) => r.rps))),
        healthz_p50_ms: round2(healthzP50),
        ratio_p50_to_healthz: round2(p50 / healthzP50),
      }),
    );
  } finally {
    await api.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
