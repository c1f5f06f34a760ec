import type { TelemetryAck, TelemetryBatch } from "@switchyard/agent-protocol/v1";
import type { AgentApiClient } from "../clients/api-client";

/** Ships one batch; throws `AgentApiError` (transient or fatal) like every other call. */
export interface TelemetrySender {
  send(batch: TelemetryBatch, signal?: AbortSignal): Promise<TelemetryAck>;
  /** Where the API's stored telemetry of this cluster ends (ms), null when none is on record. */
  lastWindowEnd?(signal?: AbortSignal): Promise<number | null>;
}

/** `POST /agent/v1/telemetry` through the agent's API client (credential, rotation, timeouts, errors). */
export function apiTelemetrySender(
  api: Pick<AgentApiClient, "sendTelemetry" | "telemetryResume">,
): TelemetrySender {
  return {
    send: (batch, signal) => api.sendTelemetry(batch, signal),
    lastWindowEnd: async (signal) => (await api.telemetryResume(signal)).lastWindowEnd,
  };
}
