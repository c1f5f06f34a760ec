/** Tells the API the agent is alive, on the interval hello asked for. */
import type { Logger } from "pino";
import { sleep } from "./backoff";
import type { AgentApiClient } from "./clients/api-client";

export interface HeartbeatLoopOptions {
  api: Pick<AgentApiClient, "heartbeat">;
  intervalMs: number;
  /** The last inventory sequence the API acknowledged. */
  sequence: () => number;
  logger: Logger;
}

export class HeartbeatLoop {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  beats = 0;

  constructor(private readonly options: HeartbeatLoopOptions) {}

  /** Runs until stop() (resolves) or a failed heartbeat (rejects, ending the session). */
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
    for (;;) {
      await sleep(this.options.intervalMs, signal);
      if (signal.aborted) return;
      await this.options.api.heartbeat({ inventorySequence: this.options.sequence() }, signal);
      this.beats++;
      this.options.logger.trace({ beats: this.beats }, "heartbeat");
    }
  }
}
