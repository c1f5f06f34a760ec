/**
 * For tests: a stand-in for the API's `POST /agent/v1/telemetry` that validates each batch with
 * the protocol's schema, checks the bearer credential, records what arrived (in order, repeats
 * included) and answers `TelemetryAck`, deduplicating by `batchId` as the API must; and for
 * `GET /agent/v1/telemetry/resume`, the latest window end stored. It can be told to fail the next
 * requests (503) to exercise retries.
 */
import { createServer, type Server } from "node:http";
import { agentPaths, TelemetryBatch } from "@switchyard/agent-protocol/v1";

export interface TelemetryReceiver {
  url: string;
  /** Every accepted POST in arrival order, repeats included. */
  received: TelemetryBatch[];
  /** Batches by id, stored once. */
  stored: Map<string, TelemetryBatch>;
  /** Requests answered 503 by `failNext`, by batch id. */
  failedIds: string[];
  /** Answers the next `count` requests with 503 unavailable. */
  failNext(count: number): void;
  close(): Promise<void>;
}

export async function startTelemetryReceiver(credential: string): Promise<TelemetryReceiver> {
  const received: TelemetryBatch[] = [];
  const stored = new Map<string, TelemetryBatch>();
  const failedIds: string[] = [];
  let failures = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const answer = (status: number, body: unknown) =>
        response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      const isResume = request.method === "GET" && request.url === agentPaths.telemetryResume;
      if (!isResume && (request.method !== "POST" || request.url !== agentPaths.telemetry)) {
        answer(404, { error: { code: "bad_request", message: "not found", isRetryable: false } });
        return;
      }
      if (request.headers.authorization !== `Bearer ${credential}`) {
        answer(401, { error: { code: "credential_invalid", message: "bad credential", isRetryable: false } });
        return;
      }
      if (isResume) {
        const ends = [...stored.values()].map((batch) => batch.windowEnd);
        answer(200, { lastWindowEnd: ends.length > 0 ? Math.max(...ends) : null });
        return;
      }
      let json: unknown;
      try {
        json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        answer(400, { error: { code: "bad_request", message: "not JSON", isRetryable: false } });
        return;
      }
      const parsed = TelemetryBatch.safeParse(json);
      if (!parsed.success) {
        answer(400, {
          error: {
            code: "bad_request",
            message: parsed.error.issues[0]?.message ?? "invalid",
            isRetryable: false,
          },
        });
        return;
      }
      if (failures > 0) {
        failures--;
        failedIds.push(parsed.data.batchId);
        answer(503, { error: { code: "unavailable", message: "try later", isRetryable: true } });
        return;
      }
      received.push(parsed.data);
      const isDuplicate = stored.has(parsed.data.batchId);
      if (!isDuplicate) stored.set(parsed.data.batchId, parsed.data);
      answer(200, { isDuplicate, storedEdges: isDuplicate ? 0 : parsed.data.edges.length });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    stored,
    failedIds,
    failNext: (count) => {
      failures = count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
