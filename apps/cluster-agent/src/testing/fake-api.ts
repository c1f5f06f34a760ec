/**
 * An in-process implementation of the API side of agent protocol v1 over node:http, for tests of
 * the agent: single-use bootstrap tokens, credentials, sequenced idempotent inventory with
 * snapshot semantics, heartbeats, rotation, the SSE events stream, and desired configuration
 * (served, announced on connect and on change; reports recorded). Its state outlives
 * `restart()`, like the real API's database outlives an API process.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type AgentEvent,
  agentPaths,
  ConfigStatusReport,
  type DesiredConfig,
  type ErrorCode,
  HelloRequest,
  InventoryBatch,
  type InventoryObject,
  inventoryKeyOf,
  RegisterRequest,
} from "@switchyard/agent-protocol/v1";

export interface FakeApiCall {
  path: string;
  body: unknown;
  status: number;
}

function keyOf(object: { kind: string; namespace: string; name: string }): string {
  return `${object.kind}/${object.namespace}/${object.name}`;
}

export class FakeApi {
  private server: Server | undefined;
  private port = 0;
  readonly bootstrapTokens = new Set<string>();
  private readonly usedTokens = new Set<string>();
  /** credential → whether it still works */
  readonly credentials = new Map<string, "valid" | "revoked">();
  readonly inventory = new Map<string, InventoryObject>();
  lastAppliedSequence = 0;
  readonly calls: FakeApiCall[] = [];
  readonly hellos: HelloRequest[] = [];
  readonly batches: InventoryBatch[] = [];
  heartbeats = 0;
  /** The credential of the latest authenticated call. */
  lastCredential: string | undefined;
  rotations = 0;
  private snapshot: { id: string; keys: Set<string> } | undefined;
  private readonly streams = new Set<ServerResponse>();
  /** Answers to give instead of the real one, consumed in order (per path). */
  private readonly injected = new Map<string, { status: number; code: ErrorCode; isRetryable: boolean }[]>();
  heartbeatIntervalSeconds = 1;
  /** What GET desired-config answers; version 0 (nothing compiled yet) until set. */
  desiredConfig: DesiredConfig = { version: 0, contentHash: "", repairDrift: false, resources: [] };
  readonly configReports: ConfigStatusReport[] = [];

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  newBootstrapToken(): string {
    const token = `bt_${randomBytes(16).toString("hex")}`;
    this.bootstrapTokens.add(token);
    return token;
  }

  async listen(port = this.port): Promise<void> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Drops every connection (events streams included), as a dying API process would. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const stream of this.streams) stream.destroy();
    this.streams.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Process restart: same port, same stored state. */
  async restart(): Promise<void> {
    await this.close();
    await this.listen(this.port);
  }

  /** The next `path` request gets this error instead. */
  inject(path: string, error: { status: number; code: ErrorCode; isRetryable: boolean }): void {
    const list = this.injected.get(path) ?? [];
    list.push(error);
    this.injected.set(path, list);
  }

  push(event: AgentEvent): void {
    for (const stream of this.streams)
      stream.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  /** A new desired configuration version: stored, then announced to connected agents. */
  setDesiredConfig(config: Omit<DesiredConfig, "contentHash"> & { contentHash?: string }): void {
    this.desiredConfig = { contentHash: `sha256:${config.version}`, ...config };
    this.push({ type: "desired-config", version: config.version });
  }

  /** Reports about applying a version (results), not drift-only ones. */
  get applyReports(): ConfigStatusReport[] {
    return this.configReports.filter((report) => report.results.length > 0 || report.drift.length === 0);
  }

  get driftReports(): ConfigStatusReport[] {
    return this.configReports.filter((report) => report.drift.length > 0);
  }

  get streamCount(): number {
    return this.streams.size;
  }

  /** Revokes every credential and tells connected agents. */
  revoke(reason: string): void {
    for (const credential of this.credentials.keys()) this.credentials.set(credential, "revoked");
    this.push({ type: "revoked", reason });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    const body = request.method === "POST" ? await readJson(request) : undefined;
    const reply = (status: number, json: unknown) => {
      this.calls.push({ path, body, status });
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
    };
    const fail = (status: number, code: ErrorCode, isRetryable: boolean, message: string = code) =>
      reply(status, { error: { code, message, isRetryable } });

    const injected = this.injected.get(path)?.shift();
    if (injected) return fail(injected.status, injected.code, injected.isRetryable, "injected");

    if (path === agentPaths.register) {
      const parsed = RegisterRequest.safeParse(body);
      if (!parsed.success) return fail(400, "bad_request", false);
      const token = parsed.data.bootstrapToken;
      if (this.usedTokens.has(token))
        return fail(401, "bootstrap_token_used", false, "bootstrap token already used");
      if (!this.bootstrapTokens.has(token))
        return fail(401, "bootstrap_token_invalid", false, "unknown bootstrap token");
      this.bootstrapTokens.delete(token);
      this.usedTokens.add(token);
      const credential = `cred_${randomBytes(16).toString("hex")}`;
      this.credentials.set(credential, "valid");
      return reply(200, { clusterId: "cluster-1", clusterName: "sim", credential });
    }

    const credential = (request.headers.authorization ?? "").replace(/^Bearer /, "");
    const state = this.credentials.get(credential);
    if (state === undefined) return fail(401, "credential_invalid", false, "unknown credential");
    if (state === "revoked") return fail(401, "credential_revoked", false, "credential revoked");
    this.lastCredential = credential;

    switch (path) {
      case agentPaths.hello: {
        const parsed = HelloRequest.safeParse(body);
        if (!parsed.success) return fail(400, "bad_request", false);
        this.hellos.push(parsed.data);
        return reply(200, {
          clusterId: "cluster-1",
          clusterName: "sim",
          heartbeatIntervalSeconds: this.heartbeatIntervalSeconds,
          lastInventorySequence: this.lastAppliedSequence,
        });
      }
      case agentPaths.inventory: {
        const parsed = InventoryBatch.safeParse(body);
        if (!parsed.success) return fail(400, "bad_request", false, parsed.error.message);
        const batch = parsed.data;
        if (batch.sequence <= this.lastAppliedSequence) {
          return reply(200, { appliedSequence: this.lastAppliedSequence, isDuplicate: true });
        }
        if (batch.sequence !== this.lastAppliedSequence + 1) {
          return fail(409, "sequence_gap", true, `expected ${this.lastAppliedSequence + 1}`);
        }
        this.apply(batch);
        return reply(200, { appliedSequence: batch.sequence, isDuplicate: false });
      }
      case agentPaths.heartbeat:
        this.heartbeats++;
        return reply(200, { ok: true });
      case agentPaths.rotate: {
        // The old credential keeps working: a rotation must not cut off calls already in flight.
        const next = `cred_${randomBytes(16).toString("hex")}`;
        this.credentials.set(next, "valid");
        this.rotations++;
        return reply(200, { credential: next });
      }
      case agentPaths.desiredConfig:
        return reply(200, this.desiredConfig);
      case agentPaths.configStatus: {
        const parsed = ConfigStatusReport.safeParse(body);
        if (!parsed.success) return fail(400, "bad_request", false, parsed.error.message);
        this.configReports.push(parsed.data);
        return reply(200, { ok: true });
      }
      case agentPaths.events: {
        this.calls.push({ path, body: undefined, status: 200 });
        response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
        response.write(
          `: hello\n\nevent: ready\ndata: ${JSON.stringify({ type: "ready", clusterId: "cluster-1" })}\n\n`,
        );
        // Like the real API: the current version right after ready, so a returning agent catches up.
        const announce: AgentEvent = { type: "desired-config", version: this.desiredConfig.version };
        response.write(`event: desired-config\ndata: ${JSON.stringify(announce)}\n\n`);
        this.streams.add(response);
        response.on("close", () => this.streams.delete(response));
        return;
      }
      default:
        return fail(404, "bad_request", false, `no route ${path}`);
    }
  }

  private apply(batch: InventoryBatch): void {
    this.batches.push(batch);
    if (batch.snapshot && this.snapshot?.id !== batch.snapshot.id) {
      this.snapshot = { id: batch.snapshot.id, keys: new Set() };
    }
    for (const object of batch.upserts) {
      const key = keyOf(inventoryKeyOf(object));
      this.inventory.set(key, object);
      this.snapshot?.keys.add(key);
    }
    for (const key of batch.deletes) this.inventory.delete(keyOf(key));
    if (batch.snapshot?.isFinal && this.snapshot) {
      const seen = this.snapshot.keys;
      for (const key of [...this.inventory.keys()]) if (!seen.has(key)) this.inventory.delete(key);
      this.snapshot = undefined;
    }
    this.lastAppliedSequence = batch.sequence;
  }

  get(kind: string, namespace: string, name: string): InventoryObject | undefined {
    return this.inventory.get(`${kind}/${namespace}/${name}`);
  }
}

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        resolve(undefined);
      }
    });
    request.on("error", reject);
  });
}

/** Polls `condition` until it holds or `timeoutMs` passes; tests assert on state, never on sleeps. */
export async function waitFor<T>(
  description: string,
  condition: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
