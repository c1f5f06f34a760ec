// Errors of the agent protocol, with the HTTP status and whether the agent should retry.
import type { ErrorCode } from "@switchyard/agent-protocol/v1";

const statusOf: Record<ErrorCode, { status: number; isRetryable: boolean }> = {
  bootstrap_token_invalid: { status: 401, isRetryable: false },
  bootstrap_token_expired: { status: 401, isRetryable: false },
  bootstrap_token_used: { status: 401, isRetryable: false },
  credential_invalid: { status: 401, isRetryable: false },
  credential_revoked: { status: 401, isRetryable: false },
  sequence_gap: { status: 409, isRetryable: true },
  bad_request: { status: 400, isRetryable: false },
  unavailable: { status: 503, isRetryable: true },
};

export class AgentProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "AgentProtocolError";
  }

  get status(): number {
    return statusOf[this.code].status;
  }

  toBody() {
    return {
      error: { code: this.code, message: this.message, isRetryable: statusOf[this.code].isRetryable },
    };
  }
}
