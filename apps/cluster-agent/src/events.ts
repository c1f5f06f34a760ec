/**
 * The API's control stream (SSE): `revoked` stops the agent for good, `rotate` trades the
 * credential for a new one, `desired-config` wakes the config loop. When the stream ends the
 * session ends with it: the agent cannot know what it missed while disconnected, so it says hello
 * again and re-sends its inventory.
 */
import type { Logger } from "pino";
import type { AgentApiClient } from "./clients/api-client";
import { AgentApiError, FatalAgentError } from "./errors";

export interface EventStreamOptions {
  api: Pick<AgentApiClient, "events">;
  logger: Logger;
  onRotate: (signal: AbortSignal) => Promise<void>;
  /** A newer desired configuration may exist; the config loop decides whether to fetch it. */
  onDesiredConfig?: (version: number) => void;
  /** The cluster's settings changed: the config loop fetches desired-config again. */
  onSettingsChanged?: () => void;
}

export class EventStream {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly options: EventStreamOptions) {}

  /** Resolves on stop(); rejects when the stream ends or fails, or with a fatal error on `revoked`. */
  start(): Promise<void> {
    this.running ??= this.run();
    return this.running;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const { logger } = this.options;
    try {
      for await (const message of this.options.api.events(signal)) {
        if ("unknown" in message) {
          logger.warn({ data: message.unknown }, "ignoring an event this agent version does not know");
          continue;
        }
        const { event } = message;
        switch (event.type) {
          case "ready":
            logger.debug({ clusterId: event.clusterId }, "events stream ready");
            break;
          case "revoked":
            throw new FatalAgentError(
              `the API revoked this cluster's credential (${event.reason}); the agent stops and will not retry`,
              "credential_revoked",
            );
          case "rotate":
            logger.info("the API asked for a credential rotation");
            await this.options.onRotate(signal);
            logger.info("credential rotated and stored");
            break;
          case "desired-config":
            logger.debug({ version: event.version }, "desired configuration announced");
            this.options.onDesiredConfig?.(event.version);
            break;
          case "settings-changed":
            logger.info("the cluster's settings changed");
            this.options.onSettingsChanged?.();
            break;
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
    if (signal.aborted) return;
    throw new AgentApiError("the events stream ended", 0, undefined, true);
  }
}
