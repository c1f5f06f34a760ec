/**
 * The typed client of the agent protocol (v1). Every response is validated with the protocol's
 * schemas, and every failure classified: an AgentApiError carries the API's `isRetryable`, or one
 * derived from the HTTP status when the body is not a protocol error (a proxy's 502 page, say).
 */
import {
  AgentEvent,
  agentPaths,
  type ConfigStatusReport,
  DesiredConfig,
  ErrorBody,
  type HeartbeatRequest,
  HeartbeatResponse,
  type HelloRequest,
  HelloResponse,
  InventoryAck,
  type InventoryBatch,
  type RegisterRequest,
  RegisterResponse,
  RotateResponse,
  TelemetryAck,
  type TelemetryBatch,
} from "@switchyard/agent-protocol/v1";
import type { z } from "zod";
import { AgentApiError, fatalAdvice } from "../errors";
import { readSse } from "../sse";

export interface AgentApiClientOptions {
  baseUrl: string;
  /** Per-request limit; the events stream has none. */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

/** Statuses worth retrying when the body says nothing: timeouts, throttling, server trouble. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export class AgentApiClient {
  private credential: string | undefined;
  /** Between a rotate call and the new credential being stored and set. */
  private isRotating = false;
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: AgentApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  setCredential(credential: string): void {
    this.credential = credential;
    this.isRotating = false;
  }

  register(body: RegisterRequest, signal?: AbortSignal) {
    return this.post(agentPaths.register, body, RegisterResponse, { isAuthenticated: false, signal });
  }

  hello(body: HelloRequest, signal?: AbortSignal) {
    return this.post(agentPaths.hello, body, HelloResponse, { signal });
  }

  sendInventory(batch: InventoryBatch, signal?: AbortSignal) {
    return this.post(agentPaths.inventory, batch, InventoryAck, { signal });
  }

  heartbeat(body: z.infer<typeof HeartbeatRequest>, signal?: AbortSignal) {
    return this.post(agentPaths.heartbeat, body, HeartbeatResponse, { signal });
  }

  /** The caller stores the new credential, then hands it to setCredential. */
  async rotate(signal?: AbortSignal) {
    this.isRotating = true;
    try {
      return await this.post(agentPaths.rotate, {}, RotateResponse, { signal });
    } catch (error) {
      this.isRotating = false;
      throw error;
    }
  }

  /** The cluster's latest desired configuration. */
  async desiredConfig(signal?: AbortSignal): Promise<DesiredConfig> {
    const response = await this.send("GET", agentPaths.desiredConfig, undefined, {
      isAuthenticated: true,
      signal,
      timeoutMs: this.options.requestTimeoutMs ?? 15_000,
      accept: "application/json",
    });
    return this.parse(agentPaths.desiredConfig, response, DesiredConfig);
  }

  /** One telemetry batch; a repeat of a stored batch id is acknowledged as a duplicate. */
  sendTelemetry(batch: TelemetryBatch, signal?: AbortSignal): Promise<TelemetryAck> {
    return this.post(agentPaths.telemetry, batch, TelemetryAck, { signal });
  }

  /** The protocol defines no answer body for config-status: any 2xx means it was recorded. */
  async reportConfigStatus(report: ConfigStatusReport, signal?: AbortSignal): Promise<void> {
    const response = await this.send("POST", agentPaths.configStatus, report, {
      isAuthenticated: true,
      signal,
      timeoutMs: this.options.requestTimeoutMs ?? 15_000,
      accept: "application/json",
    });
    await response.text().catch(() => "");
  }

  /**
   * Opens the events stream and yields validated events until it ends. Messages this agent does
   * not understand (a newer API) are passed on as `unknown` so the caller can log and skip them.
   */
  async *events(signal: AbortSignal): AsyncGenerator<{ event: AgentEvent } | { unknown: string }> {
    const response = await this.send("GET", agentPaths.events, undefined, {
      isAuthenticated: true,
      signal,
      timeoutMs: undefined,
      accept: "text/event-stream",
    });
    if (!response.body)
      throw new AgentApiError("the events stream has no body", response.status, undefined, true);
    for await (const message of readSse(response.body)) {
      const parsed = AgentEvent.safeParse(safeJson(message.data));
      yield parsed.success ? { event: parsed.data } : { unknown: message.data.slice(0, 200) };
    }
  }

  private async post<T extends z.ZodType>(
    path: string,
    body: unknown,
    schema: T,
    options: { isAuthenticated?: boolean; signal?: AbortSignal },
  ): Promise<z.infer<T>> {
    const response = await this.send("POST", path, body, {
      isAuthenticated: options.isAuthenticated ?? true,
      signal: options.signal,
      timeoutMs: this.options.requestTimeoutMs ?? 15_000,
      accept: "application/json",
    });
    return this.parse(path, response, schema);
  }

  private async parse<T extends z.ZodType>(path: string, response: Response, schema: T): Promise<z.infer<T>> {
    let json: unknown;
    try {
      json = await response.json();
    } catch (error) {
      // A cut connection mid-body is transient; a 200 that is not JSON is a protocol mismatch.
      throw new AgentApiError(
        `${path}: unreadable response (${String(error)})`,
        response.status,
        undefined,
        true,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new AgentApiError(
        `${path}: the response does not match protocol v1 (${parsed.error.issues[0]?.message ?? "invalid"})`,
        response.status,
        undefined,
        false,
      );
    }
    return parsed.data;
  }

  private async send(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    options: {
      isAuthenticated: boolean;
      signal: AbortSignal | undefined;
      timeoutMs: number | undefined;
      accept: string;
    },
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: options.accept };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (options.isAuthenticated) {
      if (this.credential === undefined) {
        throw new AgentApiError(`${path}: no credential yet`, 0, "credential_invalid", false);
      }
      headers.authorization = `Bearer ${this.credential}`;
    }
    const usedCredential = this.credential;
    const signals = [
      options.signal,
      options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs),
    ];
    const active = signals.filter((signal): signal is AbortSignal => signal !== undefined);
    let response: Response;
    try {
      response = await this.fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: active.length === 0 ? undefined : AbortSignal.any(active),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
      throw new AgentApiError(`${method} ${path}: ${String(error)}${cause}`, 0, undefined, true);
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => "");
    const error = ErrorBody.safeParse(safeJson(text));
    if (error.success) {
      const { code, message } = error.data.error;
      // A call that raced a rotation may carry the credential the API just replaced: not fatal.
      const isRotationRace =
        (code === "credential_invalid" || code === "credential_revoked") &&
        options.isAuthenticated &&
        (this.isRotating || usedCredential !== this.credential);
      const isRetryable = error.data.error.isRetryable || isRotationRace;
      const advice = fatalAdvice[code];
      throw new AgentApiError(
        `${method} ${path}: ${response.status} ${code}: ${message}${advice && !isRetryable ? ` (${advice})` : ""}`,
        response.status,
        code,
        isRetryable,
      );
    }
    throw new AgentApiError(
      `${method} ${path}: HTTP ${response.status}${text ? ` ${text.slice(0, 200)}` : ""}`,
      response.status,
      undefined,
      isRetryableStatus(response.status),
    );
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
