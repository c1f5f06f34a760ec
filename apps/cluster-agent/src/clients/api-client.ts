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
  TelemetryResume,
} from "@switchyard/agent-protocol/v1";
import type { z } from "zod";
import { AgentApiError, fatalAdvice } from "../errors";
import { readSse } from "../sse";
import { fetchTransport, type HttpTransport, nodeHttpTransport } from "./http-transport";

export interface AgentApiClientOptions {
  baseUrl: string;
  /** Per-request limit; the events stream has none. */
  requestTimeoutMs?: number;
  /** For tests: every call goes through it. By default calls use node:http, the events stream fetch. */
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
  private readonly transport: HttpTransport;

  constructor(private readonly options: AgentApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.fetch = options.fetch ?? globalThis.fetch;
    this.transport = options.fetch ? fetchTransport(options.fetch) : nodeHttpTransport();
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
    const answer = await this.exchange("GET", agentPaths.desiredConfig, undefined, {
      isAuthenticated: true,
      signal,
    });
    return this.parse(agentPaths.desiredConfig, answer, DesiredConfig);
  }

  /** One telemetry batch; a repeat of a stored batch id is acknowledged as a duplicate. */
  sendTelemetry(batch: TelemetryBatch, signal?: AbortSignal): Promise<TelemetryAck> {
    return this.post(agentPaths.telemetry, batch, TelemetryAck, { signal });
  }

  /** Where the API's stored telemetry of this cluster ends (a restarted agent resumes there). */
  async telemetryResume(signal?: AbortSignal): Promise<TelemetryResume> {
    const answer = await this.exchange("GET", agentPaths.telemetryResume, undefined, {
      isAuthenticated: true,
      signal,
    });
    return this.parse(agentPaths.telemetryResume, answer, TelemetryResume);
  }

  /** The protocol defines no answer body for config-status: any 2xx means it was recorded. */
  async reportConfigStatus(report: ConfigStatusReport, signal?: AbortSignal): Promise<void> {
    await this.exchange("POST", agentPaths.configStatus, report, { isAuthenticated: true, signal });
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
    const answer = await this.exchange("POST", path, body, {
      isAuthenticated: options.isAuthenticated ?? true,
      signal: options.signal,
    });
    return this.parse(path, answer, schema);
  }

  private parse<T extends z.ZodType>(path: string, answer: HttpAnswerText, schema: T): z.infer<T> {
    const json = safeJson(answer.text);
    // A cut connection mid-body is transient; a 200 that is not JSON is a protocol mismatch.
    if (json === undefined)
      throw new AgentApiError(`${path}: unreadable response (not JSON)`, answer.status, undefined, true);
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new AgentApiError(
        `${path}: the response does not match protocol v1 (${parsed.error.issues[0]?.message ?? "invalid"})`,
        answer.status,
        undefined,
        false,
      );
    }
    return parsed.data;
  }

  private headersFor(
    path: string,
    options: { isAuthenticated: boolean; accept: string; hasBody: boolean },
  ): Record<string, string> {
    const headers: Record<string, string> = { accept: options.accept };
    if (options.hasBody) headers["content-type"] = "application/json";
    if (options.isAuthenticated) {
      if (this.credential === undefined) {
        throw new AgentApiError(`${path}: no credential yet`, 0, "credential_invalid", false);
      }
      headers.authorization = `Bearer ${this.credential}`;
    }
    return headers;
  }

  /** A whole request and answer (every call but the events stream); a non-2xx answer throws. */
  private async exchange(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    options: { isAuthenticated: boolean; signal: AbortSignal | undefined },
  ): Promise<HttpAnswerText> {
    const headers = this.headersFor(path, {
      isAuthenticated: options.isAuthenticated,
      accept: "application/json",
      hasBody: body !== undefined,
    });
    const usedCredential = this.credential;
    let answer: HttpAnswerText;
    try {
      answer = await this.transport({
        method,
        url: `${this.baseUrl}${path}`,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: options.signal,
        timeoutMs: this.options.requestTimeoutMs ?? 15_000,
      });
    } catch (error) {
      throw networkError(method, path, error);
    }
    if (answer.status >= 200 && answer.status < 300) return answer;
    throw this.errorFor(method, path, answer, usedCredential, options.isAuthenticated);
  }

  /** The events stream: fetch, for its streamed body. */
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
    const headers = this.headersFor(path, { ...options, hasBody: body !== undefined });
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
      throw networkError(method, path, error);
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => "");
    throw this.errorFor(
      method,
      path,
      { status: response.status, text },
      usedCredential,
      options.isAuthenticated,
    );
  }

  /** A non-2xx answer as an AgentApiError: the API's own verdict when the body is a protocol error. */
  private errorFor(
    method: string,
    path: string,
    answer: HttpAnswerText,
    usedCredential: string | undefined,
    isAuthenticated: boolean,
  ): AgentApiError {
    const error = ErrorBody.safeParse(safeJson(answer.text));
    if (error.success) {
      const { code, message } = error.data.error;
      // A call that raced a rotation may carry the credential the API just replaced: not fatal.
      const isRotationRace =
        (code === "credential_invalid" || code === "credential_revoked") &&
        isAuthenticated &&
        (this.isRotating || usedCredential !== this.credential);
      const isRetryable = error.data.error.isRetryable || isRotationRace;
      const advice = fatalAdvice[code];
      return new AgentApiError(
        `${method} ${path}: ${answer.status} ${code}: ${message}${advice && !isRetryable ? ` (${advice})` : ""}`,
        answer.status,
        code,
        isRetryable,
      );
    }
    return new AgentApiError(
      `${method} ${path}: HTTP ${answer.status}${answer.text ? ` ${answer.text.slice(0, 200)}` : ""}`,
      answer.status,
      undefined,
      isRetryableStatus(answer.status),
    );
  }
}

type HttpAnswerText = { status: number; text: string };

function networkError(method: string, path: string, error: unknown): AgentApiError {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return new AgentApiError(`${method} ${path}: ${String(error)}${cause}`, 0, undefined, true);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
