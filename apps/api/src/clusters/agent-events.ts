// Control messages to connected agents. An agent's event stream is held by whichever API replica
// it reached; a change made on any replica is published on Redis and delivered by the holder.
import type { AgentEvent } from "@switchyard/agent-protocol/v1";
import type { Redis } from "ioredis";

const channelOf = (clusterId: string) => `agent-events:${clusterId}`;
const channelPattern = "agent-events:*";

type Listener = (event: AgentEvent) => void;

export class AgentEventHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly subscriber: Redis;
  private isSubscribed: Promise<unknown> | undefined;

  constructor(private readonly publisher: Redis) {
    // A subscribed connection can do nothing else, so it is a connection of its own.
    this.subscriber = publisher.duplicate();
    this.subscriber.on("pmessage", (_pattern, channel, message) => {
      const clusterId = channel.slice("agent-events:".length);
      const event = JSON.parse(message) as AgentEvent;
      for (const listener of this.listeners.get(clusterId) ?? []) listener(event);
    });
  }

  /** Resolves once this replica receives published events, so nothing sent after it is missed. */
  async start(): Promise<void> {
    this.isSubscribed ??= this.subscriber.psubscribe(channelPattern);
    await this.isSubscribed;
  }

  listen(clusterId: string, listener: Listener): () => void {
    const set = this.listeners.get(clusterId) ?? new Set();
    set.add(listener);
    this.listeners.set(clusterId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(clusterId);
    };
  }

  connectedCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  async publish(clusterId: string, event: AgentEvent): Promise<void> {
    await this.publisher.publish(channelOf(clusterId), JSON.stringify(event));
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.subscriber.quit().catch(() => undefined);
  }
}
