/**
 * startAgent's telemetry wiring, against a simulated cluster and the fake API (which has no
 * telemetry route, so it answers 404 like an API older than the agent): no telemetry options → no
 * loop; with a metrics URL the loop waits for hello and sends with the session's credential; a
 * 404 turns only telemetry off, the agent goes on.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SimulatedCluster, startSimulatedCluster } from "@switchyard/cluster-sim/cluster";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent } from "../start-agent";
import { FakeApi } from "../testing/fake-api";

const logger = pino({ level: "silent" });
const fast = { coalesceMs: 50, backoff: { initialMs: 20, maxMs: 200 } };

describe("startAgent with telemetry", () => {
  let cluster: SimulatedCluster;
  let api: FakeApi;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({ name: "telemetry-wiring" });
    api = new FakeApi();
    await api.listen();
  });

  afterAll(async () => {
    await api?.close();
    await cluster?.close();
  });

  const stateFile = async () => join(await mkdtemp(join(tmpdir(), "switchyard-agent-")), "state.json");

  it("runs no telemetry loop without a Prometheus or metrics URL", async () => {
    const running = startAgent({
      apiUrl: api.url,
      bootstrapToken: api.newBootstrapToken(),
      kubeconfigPath: cluster.kubeconfigPath,
      stateFile: await stateFile(),
      logger,
      telemetry: { intervalMs: 100 },
      ...fast,
    });
    expect(running.telemetry).toBeUndefined();
    await running.stop();
    expect(await running.done).toEqual({ status: "stopped" });
  });

  it("sends after hello with the session's credential; an API without telemetry (404) turns off only telemetry", async () => {
    const running = startAgent({
      apiUrl: api.url,
      bootstrapToken: api.newBootstrapToken(),
      kubeconfigPath: cluster.kubeconfigPath,
      stateFile: await stateFile(),
      logger,
      telemetry: { metricsUrls: [`${cluster.url}/metrics/istio`], intervalMs: 100 },
      ...fast,
    });
    expect(running.telemetry).toBeDefined();
    cluster.traffic.advance(2);
    // The loop ends by itself once the API answers 404...
    await running.telemetry?.start();
    const paths = api.calls.map((call) => call.path);
    // ...after a hello, with a credential the fake API accepted (404, not 401).
    const telemetryCall = api.calls.find((call) => call.path === "/agent/v1/telemetry");
    expect(telemetryCall?.status).toBe(404);
    expect(paths.indexOf("/agent/v1/hello")).toBeLessThan(paths.indexOf("/agent/v1/telemetry"));
    expect(running.telemetry?.reads).toBeGreaterThanOrEqual(2);
    // ...and the agent is still running until stopped.
    const outcome = await Promise.race([
      running.done,
      new Promise((resolve) => setTimeout(() => resolve("running"), 300)),
    ]);
    expect(outcome).toBe("running");
    await running.stop();
    expect(await running.done).toEqual({ status: "stopped" });
  });
});
