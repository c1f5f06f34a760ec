/**
 * List-then-watch for one resource, the informer pattern kept slim: a paginated list decoded into
 * slim items (the store replaces its view of that resource), then a watch from the list's
 * resourceVersion with bookmarks, resumed from the last seen resourceVersion when the server ends
 * it, and a fresh list on 410 Gone (the resourceVersion left the server's history).
 */
import type { Logger } from "pino";
import { Backoff, type BackoffOptions, defaultBackoff, sleep } from "../backoff";
import { asError, KubeApiError, type KubernetesClient } from "../clients/kubernetes";
import type { Decoded } from "./slim";

export interface ResourceWatcherOptions<T> {
  kube: KubernetesClient;
  logger: Logger;
  /** e.g. /api/v1/pods */
  path: string;
  decode: (raw: unknown) => Decoded<T>;
  /** A complete list (first sync or re-list). */
  onList: (items: T[]) => void;
  onUpsert: (item: T) => void;
  onDelete: (item: T) => void;
  pageSize?: number;
  backoff?: BackoffOptions;
  /** Server-side watch length; jittered so the agent's watches do not all restart together. */
  watchTimeoutSeconds?: number;
}

export class ResourceWatcher<T> {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private resolveSynced: (() => void) | undefined;
  /** Resolves after the first complete list. */
  readonly synced: Promise<void>;
  listCount = 0;

  constructor(private readonly options: ResourceWatcherOptions<T>) {
    this.synced = new Promise((resolve) => {
      this.resolveSynced = resolve;
    });
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    const { logger, path } = this.options;
    const backoff = new Backoff(this.options.backoff ?? defaultBackoff);
    const signal = this.abort.signal;
    let resourceVersion: string | undefined;
    while (!signal.aborted) {
      try {
        if (resourceVersion === undefined) {
          resourceVersion = await this.list();
          backoff.reset();
          this.resolveSynced?.();
        }
        const base = this.options.watchTimeoutSeconds ?? 300;
        const timeoutSeconds = Math.round(base + Math.random() * base);
        await this.options.kube.watch(path, { resourceVersion, timeoutSeconds, signal }, (event, rv) => {
          if (rv !== undefined) resourceVersion = rv;
          if (event.type === "BOOKMARK") return;
          const decoded = this.options.decode(event.object);
          if (!decoded.ok) {
            logger.warn({ path, error: decoded.error }, "skipping an object the agent cannot read");
            return;
          }
          if (event.type === "DELETED") this.options.onDelete(decoded.value);
          else this.options.onUpsert(decoded.value);
        });
        backoff.reset();
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof KubeApiError && error.isGone) {
          logger.info({ path }, "resourceVersion expired (410 Gone); listing again");
          resourceVersion = undefined;
          continue;
        }
        const delay = backoff.next();
        logger.warn({ path, err: asError(error).message, delayMs: delay }, "list/watch failed; retrying");
        await sleep(delay, signal);
      }
    }
  }

  /** Lists every page; returns the list's resourceVersion to watch from. */
  private async list(): Promise<string> {
    const started = Date.now();
    const items: T[] = [];
    let continueToken: string | undefined;
    let resourceVersion = "";
    for (;;) {
      const page = await this.options.kube.listPage(
        this.options.path,
        { limit: this.options.pageSize ?? 500, continueToken, signal: this.abort.signal },
        // Decoded as it arrives, so only the slim form of each object outlives the page.
        (raw) => {
          const decoded = this.options.decode(raw);
          if (decoded.ok) items.push(decoded.value);
          else
            this.options.logger.warn(
              { path: this.options.path, error: decoded.error },
              "skipping an unreadable object",
            );
        },
      );
      resourceVersion = page.resourceVersion;
      continueToken = page.continue;
      if (!continueToken) break;
    }
    this.listCount++;
    this.options.logger.debug(
      { path: this.options.path, items: items.length, ms: Date.now() - started },
      "listed",
    );
    this.options.onList(items);
    return resourceVersion;
  }
}
