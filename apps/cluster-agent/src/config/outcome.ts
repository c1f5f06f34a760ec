/**
 * Turns the API server's answer to one server-side apply (or prune) into the per-resource result
 * the API shows: applied, unchanged, conflict (with the other managers named) or rejected (with
 * the server's message). Transient answers are kept apart: they are retried, never reported.
 */
import type { ResourceRef, ResourceResult } from "@switchyard/agent-protocol/v1";
import { z } from "zod";

export interface KubeResponse {
  /** 0 when the request never got an answer. */
  statusCode: number;
  body: unknown;
}

export type Classified = { result: ResourceResult } | { transient: string };

const maxMessage = 4000;

const StatusBody = z.object({
  message: z.string().optional(),
  reason: z.string().optional(),
  details: z
    .object({
      causes: z
        .array(
          z.object({
            reason: z.string().optional(),
            message: z.string().optional(),
            field: z.string().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

const WrittenObject = z.object({ metadata: z.object({ resourceVersion: z.string().optional() }) });

/** Network failures, timeouts, throttling and an overloaded or restarting server. */
export function isTransientStatus(statusCode: number): boolean {
  return (
    statusCode === 0 ||
    statusCode === 408 ||
    statusCode === 429 ||
    statusCode === 502 ||
    statusCode === 503 ||
    statusCode === 504
  );
}

export function statusMessage(response: KubeResponse): string {
  const status = StatusBody.safeParse(response.body);
  const message = status.success ? status.data.message : undefined;
  const text =
    message ??
    (typeof response.body === "string" && response.body !== ""
      ? response.body
      : `HTTP ${response.statusCode}`);
  return text.slice(0, maxMessage);
}

/**
 * The managers named by FieldManagerConflict causes. The API server words them
 * `conflict with "kubectl"` (an Apply manager) or `conflict with "kubectl-edit" using
 * networking.istio.io/v1` (an Update manager); the message may also be the summary form.
 */
export function conflictManagers(body: unknown): string[] {
  const status = StatusBody.safeParse(body);
  if (!status.success) return [];
  const names = new Set<string>();
  const causes = status.data.details?.causes ?? [];
  for (const cause of causes) {
    if (cause.reason !== "FieldManagerConflict") continue;
    const match = /conflicts? with "([^"]+)"/.exec(cause.message ?? "");
    if (match?.[1]) names.add(match[1]);
  }
  if (names.size === 0) {
    for (const match of (status.data.message ?? "").matchAll(/conflicts? with "([^"]+)"/g)) {
      if (match[1]) names.add(match[1]);
    }
  }
  return [...names].sort();
}

export function resourceVersionOf(body: unknown): string | undefined {
  const parsed = WrittenObject.safeParse(body);
  return parsed.success ? parsed.data.metadata.resourceVersion : undefined;
}

/**
 * `previousResourceVersion` is the object's version before the apply (undefined when it did not
 * exist, or was not ours yet): a no-op apply keeps the version, anything else changes it.
 */
export function classifyApply(
  ref: ResourceRef,
  previousResourceVersion: string | undefined,
  response: KubeResponse,
): Classified {
  const { statusCode } = response;
  if (statusCode >= 200 && statusCode < 300) {
    const written = resourceVersionOf(response.body);
    const isUnchanged = previousResourceVersion !== undefined && written === previousResourceVersion;
    return { result: { ...ref, outcome: isUnchanged ? "unchanged" : "applied" } };
  }
  if (isTransientStatus(statusCode))
    return { transient: `apply ${describe(ref)}: ${statusMessage(response)}` };
  if (statusCode === 409) {
    // Never forced: another manager owns a field we want; a person decides who should win.
    return {
      result: {
        ...ref,
        outcome: "conflict",
        conflictManagers: conflictManagers(response.body).slice(0, 20),
        message: statusMessage(response),
      },
    };
  }
  return { result: { ...ref, outcome: "rejected", message: statusMessage(response) } };
}

/** A prune: gone (or already gone) is pruned; a refusal is reported with the server's message. */
export function classifyPrune(ref: ResourceRef, response: KubeResponse): Classified {
  const { statusCode } = response;
  if ((statusCode >= 200 && statusCode < 300) || statusCode === 404)
    return { result: { ...ref, outcome: "pruned" } };
  if (isTransientStatus(statusCode))
    return { transient: `prune ${describe(ref)}: ${statusMessage(response)}` };
  return { result: { ...ref, outcome: "rejected", message: statusMessage(response) } };
}

export function describe(ref: ResourceRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}
