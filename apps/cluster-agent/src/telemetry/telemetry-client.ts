import {
  agentPaths,
  TelemetryAck,
  type TelemetryAck as TelemetryAckType,
  type TelemetryBatch,
} from "@switchyard/agent-protocol/v1";
import type { AgentApiClient } from "../clients/api-client";

/** Ships one batch; throws `AgentApiError` (transient or fatal) like every other call. */
export interface TelemetrySender {
  send(batch: TelemetryBatch, signal?: AbortSignal): Promise<TelemetryAckType>;
}

/**
 * `POST /agent/v1/telemetry` through the agent's API client: same credential (rotation
 * included), timeouts, error classification and response validation as the other calls.
 * AgentApiClient has no telemetry method yet (src/clients/ belongs to another change), so this
 * reaches its generic `post`; move it to `AgentApiClient.sendTelemetry` when that file is free.
 */
export function apiTelemetrySender(api: AgentApiClient): TelemetrySender {
  return {
    // biome-ignore lint/complexity/useLiteralKeys: element access reaches the private `post` on purpose (see above)
    send: (batch, signal) => api["post"](agentPaths.telemetry, batch, TelemetryAck, { signal }),
  };
}
