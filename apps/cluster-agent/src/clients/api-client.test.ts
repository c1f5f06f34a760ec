import { describe, expect, it } from "vitest";
import { AgentApiError, isFatal, isSequenceGap } from "../errors";
import { AgentApiClient } from "./api-client";

function client(respond: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const api = new AgentApiClient({
    baseUrl: "http://api.test/",
    fetch: async (input, init) => {
      calls.push({ url: String(input), init: init ?? {} });
      return respond(String(input), init ?? {});
    },
  });
  return { api, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const errorBody = (code: string, isRetryable: boolean) => ({ error: { code, message: "m", isRetryable } });

async function failure(promise: Promise<unknown>): Promise<AgentApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AgentApiError)) throw new Error(`expected an AgentApiError, got ${String(error)}`);
  return error;
}

describe("AgentApiClient", () => {
  it("fetches the desired configuration, validated, and reports status accepting any 2xx", async () => {
    const desired = { version: 4, contentHash: "sha256:x", repairDrift: true, resources: [] };
    const { api, calls } = client((url) =>
      url.endsWith("/desired-config") ? json(200, desired) : new Response(null, { status: 204 }),
    );
    api.setCredential("secret");
    expect(await api.desiredConfig()).toEqual(desired);
    expect(calls[0]?.init.method).toBe("GET");
    await api.reportConfigStatus({ version: 4, reachedVersion: 4, results: [], drift: [] });
    expect(calls[1]?.url).toBe("http://api.test/agent/v1/config-status");
    expect(JSON.parse(String(calls[1]?.init.body))).toMatchObject({ version: 4, reachedVersion: 4 });
  });

  it("treats a desired configuration that does not match the protocol as fatal", async () => {
    const { api } = client(() => json(200, { version: -1 }));
    api.setCredential("secret");
    const error = await failure(api.desiredConfig());
    expect(isFatal(error)).toBe(true);
    const unavailable = client(() => json(503, errorBody("unavailable", true)));
    unavailable.api.setCredential("secret");
    expect(
      isFatal(
        await failure(
          unavailable.api.reportConfigStatus({ version: 1, reachedVersion: 1, results: [], drift: [] }),
        ),
      ),
    ).toBe(false);
  });

  it("registers without a credential and authenticates later calls with it", async () => {
    const { api, calls } = client((url) =>
      url.endsWith("/register")
        ? json(200, { clusterId: "c", clusterName: "n", credential: "secret" })
        : json(200, { ok: true }),
    );
    const registered = await api.register({ bootstrapToken: "bt_0123456789abcdef", agentVersion: "0.1.0" });
    expect(registered.credential).toBe("secret");
    expect(new Headers(calls[0]?.init.headers).get("authorization")).toBeNull();
    api.setCredential(registered.credential);
    await api.heartbeat({ inventorySequence: 3 });
    expect(calls[1]?.url).toBe("http://api.test/agent/v1/heartbeat");
    expect(new Headers(calls[1]?.init.headers).get("authorization")).toBe("Bearer secret");
    expect(JSON.parse(String(calls[1]?.init.body))).toEqual({ inventorySequence: 3 });
  });

  it("classifies protocol errors by their isRetryable flag and adds advice to fatal ones", async () => {
    const { api } = client(() => json(401, errorBody("bootstrap_token_expired", false)));
    const error = await failure(
      api.register({ bootstrapToken: "bt_0123456789abcdef", agentVersion: "0.1.0" }),
    );
    expect(error).toMatchObject({ status: 401, code: "bootstrap_token_expired", isRetryable: false });
    expect(error.message).toContain("create a new install line");
    expect(isFatal(error)).toBe(true);
  });

  it("treats 503 unavailable, bare 5xx and network errors as transient", async () => {
    const unavailable = client(() => json(503, errorBody("unavailable", true))).api;
    unavailable.setCredential("c");
    expect(isFatal(await failure(unavailable.heartbeat({ inventorySequence: 0 })))).toBe(false);

    const proxy = client(() => new Response("<html>bad gateway</html>", { status: 502 })).api;
    proxy.setCredential("c");
    const bad = await failure(proxy.heartbeat({ inventorySequence: 0 }));
    expect(bad).toMatchObject({ status: 502, isRetryable: true });

    const down = client(() => {
      throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED") });
    }).api;
    down.setCredential("c");
    const network = await failure(down.heartbeat({ inventorySequence: 0 }));
    expect(network).toMatchObject({ status: 0, isRetryable: true });
    expect(network.message).toContain("ECONNREFUSED");
  });

  it("calls a 2xx body that does not match the protocol fatal (a version mismatch)", async () => {
    const { api } = client(() => json(200, { hello: "world" }));
    api.setCredential("c");
    const error = await failure(
      api.hello({ agentVersion: "1", kubernetesVersion: "v1.28.0", mesh: { kind: "none", version: null } }),
    );
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain("does not match protocol v1");
  });

  it("recognises a sequence gap (neither fatal nor plain transient)", async () => {
    const { api } = client(() => json(409, errorBody("sequence_gap", true)));
    api.setCredential("c");
    const error = await failure(api.sendInventory({ sequence: 5, upserts: [], deletes: [] }));
    expect(isSequenceGap(error)).toBe(true);
    expect(isFatal(error)).toBe(false);
  });

  it("does not call a credential error fatal when it raced a rotation", async () => {
    let rotated = false;
    const { api } = client((url) => {
      if (url.endsWith("/rotate")) {
        rotated = true;
        return json(200, { credential: "new" });
      }
      return rotated ? json(401, errorBody("credential_invalid", false)) : json(200, { ok: true });
    });
    api.setCredential("old");
    await api.rotate();
    // Between rotate and setCredential the old credential may already be refused.
    expect(isFatal(await failure(api.heartbeat({ inventorySequence: 0 })))).toBe(false);
    api.setCredential("new");
    expect(isFatal(await failure(api.heartbeat({ inventorySequence: 0 })))).toBe(true);
  });

  it("yields validated events and passes unknown ones on", async () => {
    const { api } = client(
      () =>
        new Response(
          'data: {"type":"ready","clusterId":"c"}\n\ndata: {"type":"config","version":3}\n\nevent: revoked\ndata: {"type":"revoked","reason":"removed"}\n\n',
          { status: 200, headers: { "content-type": "text/event-stream" } },
        ),
    );
    api.setCredential("c");
    const seen: unknown[] = [];
    for await (const message of api.events(new AbortController().signal)) seen.push(message);
    expect(seen).toEqual([
      { event: { type: "ready", clusterId: "c" } },
      { unknown: '{"type":"config","version":3}' },
      { event: { type: "revoked", reason: "removed" } },
    ]);
  });
});
