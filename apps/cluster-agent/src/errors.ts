/**
 * How the agent tells failures apart. Transient ones (network errors, 5xx, `unavailable`) end the
 * current session and the agent reconnects with backoff; fatal ones (bad or used bootstrap token,
 * revoked or unknown credential, a response that does not match the protocol) stop the agent
 * with a message that says why, because retrying cannot fix them.
 */
import type { ErrorCode } from "@switchyard/agent-protocol/v1";

export class AgentApiError extends Error {
  constructor(
    message: string,
    /** HTTP status, or 0 when the request never got an answer. */
    readonly status: number,
    readonly code: ErrorCode | undefined,
    readonly isRetryable: boolean,
  ) {
    super(message);
    this.name = "AgentApiError";
  }
}

/** Stop, do not retry. */
export class FatalAgentError extends Error {
  constructor(
    message: string,
    /** The protocol's error code when the API gave one, else a local reason. */
    readonly code: string,
  ) {
    super(message);
    this.name = "FatalAgentError";
  }
}

/** Answered 409 `sequence_gap`: the API missed a batch; say hello again and send a snapshot. */
export function isSequenceGap(error: unknown): boolean {
  return error instanceof AgentApiError && error.code === "sequence_gap";
}

export function isFatal(error: unknown): boolean {
  if (error instanceof FatalAgentError) return true;
  if (error instanceof AgentApiError) return !error.isRetryable && !isSequenceGap(error);
  return false;
}

/** Converts any error into the fatal one that stops the agent, keeping the API's code. */
export function toFatal(error: unknown): FatalAgentError {
  if (error instanceof FatalAgentError) return error;
  if (error instanceof AgentApiError)
    return new FatalAgentError(error.message, error.code ?? `http_${error.status}`);
  return new FatalAgentError(error instanceof Error ? error.message : String(error), "internal");
}

/** Retrying cannot fix these; the message tells the operator what to do instead. */
export const fatalAdvice: Partial<Record<ErrorCode, string>> = {
  bootstrap_token_invalid: "the bootstrap token is not known; copy the install line from the console again",
  bootstrap_token_expired: "the bootstrap token expired; create a new install line in the console",
  bootstrap_token_used: "the bootstrap token was already used; create a new install line in the console",
  credential_invalid: "the stored credential is not accepted; reconnect the cluster from the console",
  credential_revoked: "this cluster's credential was revoked (the cluster was removed or disconnected)",
};
