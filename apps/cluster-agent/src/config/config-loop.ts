/**
 * The desired-configuration loop, one per session. It fetches the cluster's desired configuration
 * at session start and whenever a `desired-config` event names a version newer than the one this
 * cluster reached, applies it with server-side apply under our field manager (never forced),
 * prunes owned objects that are no longer desired, and reports per-resource results. Events that
 * arrive while it applies coalesce: it fetches once afterwards and gets the latest version.
 *
 * Alongside, it lists and watches the owned Istio objects to see drift (an owned object edited or
 * deleted by someone else): a burst of changes is debounced into one report and, when the
 * configuration asks for it, repaired by re-applying our version with force.
 *
 * Everything that writes or reports runs on one sequence (the `run` loop), so a drift check never
 * sees a half-applied version. Transient failures are retried here with backoff instead of ending
 * the session: a reconnect would re-send the whole inventory for a hiccup of one call.
 */
import type {
  ConfigStatusReport,
  DesiredConfig,
  DesiredResource,
  DriftReport,
  ResourceResult,
} from "@switchyard/agent-protocol/v1";
import type { Logger } from "pino";
import { Backoff, type BackoffOptions, defaultBackoff, sleep } from "../backoff";
import type { AgentApiClient } from "../clients/api-client";
import { isFatal } from "../errors";
import { type DetectedDrift, detectDrift, matchesDesired } from "./drift";
import { type IstioCluster, ResourceListError, type WatchType } from "./istio-resources";
import { isNewerResourceVersion, LiveObject } from "./live-object";
import { classifyApply, classifyPrune, describe } from "./outcome";
import { type OwnedObject, pruneSet } from "./prune";
import {
  type ManagedKind,
  managedKindOf,
  managedKinds,
  refOf,
  resourceKey,
  sortForApply,
} from "./resource-kinds";

/** What outlives a session: the version reached and the baseline drift is measured against. */
export class ConfigState {
  /** Resources of the last version applied (those applied or unchanged), by key. */
  baseline: Map<string, DesiredResource> | undefined;
  baselineVersion = 0;
  repairDrift = false;

  constructor(public reachedVersion = 0) {}
}

export interface ConfigLoopOptions {
  api: Pick<AgentApiClient, "desiredConfig" | "reportConfigStatus">;
  cluster: IstioCluster;
  state: ConfigState;
  logger: Logger;
  /** Persists the reached version with the credential, so a restart resumes from it. */
  saveReachedVersion: (version: number) => Promise<void>;
  /** Drift changes are gathered for this long into one report (default 200 ms). */
  debounceMs?: number;
  backoff?: BackoffOptions;
  /** Base length of each watch (default 300 s). */
  watchTimeoutSeconds?: number;
}

function keyOfKind(kind: ManagedKind, object: LiveObject): string {
  return resourceKey({
    apiVersion: `${kind.group}/${kind.version}`,
    kind: kind.kind,
    namespace: object.metadata.namespace ?? "",
    name: object.metadata.name,
  });
}

/** The start of every `resourceKey` of a kind (without the trailing "/"). */
function kindPrefix(kind: ManagedKind): string {
  return resourceKey({
    apiVersion: `${kind.group}/${kind.version}`,
    kind: kind.kind,
    namespace: "",
    name: "",
  }).slice(0, -2);
}

function keyOfResource(resource: DesiredResource): string {
  return resourceKey(refOf(resource));
}

export class ConfigLoop {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  /** A fetch is due (session start, or an event named a newer version). */
  private isFetchDue = true;
  private isDriftDue = false;
  private wake: () => void = () => undefined;
  /** The newest version this session tried to apply, so a repeated event does not re-apply a failure. */
  private attemptedVersion = 0;
  /** Owned objects as last seen (list, watch, or our own apply responses). */
  private readonly live = new Map<string, LiveObject>();
  private readonly touched = new Set<string>();
  private readonly kindsNotListed = new Set<ManagedKind>(managedKinds);
  /**
   * Kinds whose watch is established (listed, then watched without a gap): for these `live` holds
   * every owned object, so an apply reads owned objects from it instead of listing each kind again.
   */
  private readonly kindsWatched = new Set<ManagedKind>();
  /** Kinds the cluster does not serve (no CRD). */
  private readonly kindsNotServed = new Set<ManagedKind>();
  /** Per key, the live resourceVersion last reported as drift, so one change is reported once. */
  private readonly reported = new Map<string, string>();
  private driftTimer: NodeJS.Timeout | undefined;
  /** For tests and logs. */
  applies = 0;

  constructor(private readonly options: ConfigLoopOptions) {}

  /** Resolves on stop(); rejects with a fatal error (a rejected credential, a protocol mismatch). */
  start(): Promise<void> {
    this.running ??= this.run();
    return this.running;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake();
    await this.running?.catch(() => undefined);
  }

  /** A `desired-config` event. */
  notify(version: number): void {
    if (version <= Math.max(this.options.state.reachedVersion, this.attemptedVersion)) return;
    this.isFetchDue = true;
    this.wake();
  }

  /** The cluster's settings changed: fetch again (same version), then look for drift to repair. */
  refresh(): void {
    this.isFetchDue = true;
    this.isDriftDue = true;
    this.wake();
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  private async run(): Promise<void> {
    const watches = managedKinds.map((kind) => this.watchKind(kind));
    try {
      while (!this.signal.aborted) {
        if (this.isFetchDue) {
          this.isFetchDue = false;
          await this.sync();
        } else if (this.isDriftDue) {
          this.isDriftDue = false;
          await this.checkDrift();
        } else {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
        }
      }
    } catch (error) {
      if (!this.signal.aborted) throw error;
    } finally {
      this.abort.abort();
      clearTimeout(this.driftTimer);
      await Promise.all(watches);
    }
  }

  /** Retries transient failures with backoff; fatal ones and stop() end it. */
  private async retrying<T>(what: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const backoff = new Backoff(this.options.backoff ?? defaultBackoff);
    for (;;) {
      try {
        return await call(this.signal);
      } catch (error) {
        if (isFatal(error) || this.signal.aborted) throw error;
        const delayMs = backoff.next();
        this.options.logger.warn({ err: String(error), delayMs }, `could not ${what}; retrying`);
        await sleep(delayMs, this.signal);
      }
    }
  }

  private async sync(): Promise<void> {
    const { api, state, logger } = this.options;
    const config = await this.retrying("fetch the desired configuration", (signal) =>
      api.desiredConfig(signal),
    );
    state.repairDrift = config.repairDrift;
    if (config.version > state.reachedVersion && config.version > this.attemptedVersion) {
      this.attemptedVersion = config.version;
      await this.apply(config);
      return;
    }
    if (config.version < state.reachedVersion) {
      logger.warn(
        { version: config.version, reachedVersion: state.reachedVersion },
        "the API's desired configuration is older than the version this cluster reached; leaving the cluster as it is",
      );
      return;
    }
    if (config.version === state.reachedVersion && state.baseline === undefined) {
      // A restart at the version already reached: nothing to apply, but drift is measured from it,
      // including whatever changed while the agent was away.
      for (const key of this.setBaseline(config, config.resources).keys()) this.touched.add(key);
      this.scheduleDrift();
    }
  }

  private setBaseline(config: DesiredConfig, resources: DesiredResource[]): Map<string, DesiredResource> {
    const { state } = this.options;
    const baseline = new Map(resources.map((resource) => [keyOfResource(resource), resource]));
    state.baseline = baseline;
    state.baselineVersion = config.version;
    this.reported.clear();
    return baseline;
  }

  private async apply(config: DesiredConfig): Promise<void> {
    const { api, state, logger } = this.options;
    const started = Date.now();
    const results = await this.retrying(`apply version ${config.version}`, () => this.applyOnce(config));
    this.applies++;
    const isReached = results.every(
      (result) => result.outcome !== "conflict" && result.outcome !== "rejected",
    );
    const reachedVersion = isReached ? config.version : state.reachedVersion;
    const applied = new Set(
      results
        .filter((result) => result.outcome === "applied" || result.outcome === "unchanged")
        .map((result) => resourceKey(result)),
    );
    this.setBaseline(
      config,
      config.resources.filter((resource) => applied.has(keyOfResource(resource))),
    );
    const report: ConfigStatusReport = { version: config.version, reachedVersion, results, drift: [] };
    // Reported before the reached version is stored: a crash in between re-applies (harmlessly)
    // and reports again, where the other order could leave the API never hearing of this version.
    await this.retrying("report the configuration status", (signal) =>
      api.reportConfigStatus(report, signal),
    );
    const counts: Record<string, number> = {};
    for (const result of results) counts[result.outcome] = (counts[result.outcome] ?? 0) + 1;
    logger.info(
      { version: config.version, reachedVersion, ...counts, ms: Date.now() - started },
      isReached ? "desired configuration applied" : "desired configuration applied with failures",
    );
    for (const result of results) {
      if (result.outcome === "conflict" || result.outcome === "rejected") {
        logger.warn(
          { outcome: result.outcome, managers: result.conflictManagers },
          `${describe(result)}: ${result.message ?? ""}`,
        );
      }
    }
    if (reachedVersion !== state.reachedVersion) {
      state.reachedVersion = reachedVersion;
      await this.options.saveReachedVersion(reachedVersion).catch((error: unknown) => {
        logger.error({ err: String(error) }, "could not store the reached configuration version");
      });
    }
  }

  /** One attempt; throws on a transient failure (every step is idempotent, so it is re-run whole). */
  private async applyOnce(config: DesiredConfig): Promise<ResourceResult[]> {
    const { cluster } = this.options;
    const owned = new Map<string, OwnedObject>();
    for (const kind of managedKinds) {
      if (this.kindsNotServed.has(kind)) continue;
      const apiVersion = `${kind.group}/${kind.version}`;
      // A watched kind's cache is complete (list + every event since, plus our own writes); an
      // unwatched one (watch starting or broken) is listed, as prune must see every owned object.
      const items = this.kindsWatched.has(kind)
        ? this.liveOfKind(kind)
        : (await cluster.listOwned(kind, this.signal))?.items;
      if (items === undefined) continue;
      for (const object of items) owned.set(keyOfKind(kind, object), { apiVersion, kind: kind.kind, object });
    }
    const results: ResourceResult[] = [];
    for (const resource of sortForApply(config.resources)) {
      if (this.signal.aborted) throw new Error("stopped");
      const ref = refOf(resource);
      const kind = managedKindOf(resource.apiVersion, resource.kind);
      if (kind === undefined) {
        results.push({
          ...ref,
          outcome: "rejected",
          message: `${resource.apiVersion} ${resource.kind} is not a kind this agent manages`,
        });
        continue;
      }
      const key = keyOfResource(resource);
      const previous = owned.get(key)?.object.metadata.resourceVersion;
      const response = await cluster.apply(resource, kind, { force: false });
      const classified = classifyApply(ref, previous, response);
      if ("transient" in classified) throw new Error(classified.transient);
      results.push(classified.result);
      if (classified.result.outcome === "applied" || classified.result.outcome === "unchanged") {
        this.remember(key, response.body);
      }
    }
    for (const entry of pruneSet(config.resources, [...owned.values()])) {
      const kind = managedKindOf(entry.apiVersion, entry.kind);
      if (kind === undefined) continue;
      const namespace = entry.object.metadata.namespace ?? "";
      const ref = {
        apiVersion: entry.apiVersion,
        kind: entry.kind,
        namespace,
        name: entry.object.metadata.name,
      };
      const classified = classifyPrune(
        ref,
        await cluster.remove(entry.apiVersion, kind, namespace, ref.name),
      );
      if ("transient" in classified) throw new Error(classified.transient);
      results.push(classified.result);
      if (classified.result.outcome === "pruned") this.live.delete(resourceKey(ref));
    }
    return results;
  }

  /** Our own writes update the cache at once, so drift is never judged on a stale copy. */
  private remember(key: string, body: unknown): LiveObject | undefined {
    const parsed = LiveObject.safeParse(body);
    if (!parsed.success) return undefined;
    const current = this.live.get(key);
    if (
      !current ||
      isNewerResourceVersion(parsed.data.metadata.resourceVersion, current.metadata.resourceVersion)
    ) {
      this.live.set(key, parsed.data);
    }
    return parsed.data;
  }

  // ── drift ────────────────────────────────────────────────────────────────────────────────

  private async watchKind(kind: ManagedKind): Promise<void> {
    const { cluster, logger } = this.options;
    const backoff = new Backoff(this.options.backoff ?? defaultBackoff);
    const base = this.options.watchTimeoutSeconds ?? 300;
    while (!this.signal.aborted) {
      try {
        const list = await cluster.listOwned(kind, this.signal);
        if (list === undefined) {
          logger.debug(
            { kind: kind.kind },
            "kind not served by this cluster (CRD not installed); not watching it",
          );
          this.kindsNotListed.delete(kind);
          this.kindsNotServed.add(kind);
          this.scheduleDrift();
          return;
        }
        this.replaceKind(kind, list.items);
        this.kindsNotListed.delete(kind);
        this.kindsWatched.add(kind);
        this.scheduleDrift();
        let resourceVersion = list.resourceVersion;
        for (;;) {
          const timeoutSeconds = Math.round(base * (1 + Math.random()));
          await cluster.watchOwned(
            kind,
            { resourceVersion, timeoutSeconds, signal: this.signal },
            (type, object) => {
              resourceVersion = object.metadata.resourceVersion ?? resourceVersion;
              this.observe(kind, type, object);
            },
          );
          if (this.signal.aborted) return;
          backoff.reset();
        }
      } catch (error) {
        // Events may be missed until the next list: applies list this kind meanwhile.
        this.kindsWatched.delete(kind);
        if (this.signal.aborted) return;
        // 410: our resourceVersion is too old to resume from; list again at once.
        if (error instanceof ResourceListError && error.statusCode === 410) continue;
        const delayMs = backoff.next();
        logger.warn(
          { err: String(error), kind: kind.kind, delayMs },
          "watching owned Istio objects failed; retrying",
        );
        await sleep(delayMs, this.signal);
      }
    }
  }

  private liveOfKind(kind: ManagedKind): LiveObject[] {
    const prefix = `${kindPrefix(kind)}/`;
    const items: LiveObject[] = [];
    for (const [key, object] of this.live) if (key.startsWith(prefix)) items.push(object);
    return items;
  }

  private replaceKind(kind: ManagedKind, items: LiveObject[]): void {
    const prefix = kindPrefix(kind);
    const seen = new Set<string>();
    for (const object of items) {
      const key = keyOfKind(kind, object);
      seen.add(key);
      this.live.set(key, object);
      this.touched.add(key);
    }
    for (const key of [...this.live.keys()]) {
      if (key.startsWith(`${prefix}/`) && !seen.has(key)) {
        this.live.delete(key);
        this.touched.add(key);
      }
    }
    // Owned objects deleted while nobody watched are missing from the list: look at all of them.
    for (const key of this.options.state.baseline?.keys() ?? [])
      if (key.startsWith(`${prefix}/`)) this.touched.add(key);
  }

  private observe(kind: ManagedKind, type: WatchType, object: LiveObject): void {
    const key = keyOfKind(kind, object);
    const current = this.live.get(key);
    // An event that trails our own apply response carries an older object: keep the newer one.
    if (current && !isNewerResourceVersion(object.metadata.resourceVersion, current.metadata.resourceVersion))
      return;
    if (type === "DELETED") this.live.delete(key);
    else this.live.set(key, object);
    this.touched.add(key);
    this.scheduleDrift();
  }

  private scheduleDrift(): void {
    if (this.driftTimer !== undefined || this.signal.aborted) return;
    this.driftTimer = setTimeout(() => {
      this.driftTimer = undefined;
      this.isDriftDue = true;
      this.wake();
    }, this.options.debounceMs ?? 200);
  }

  private async checkDrift(): Promise<void> {
    const { state, cluster, api, logger } = this.options;
    // Until every kind is listed, a missing object may just not be listed yet.
    if (state.baseline === undefined || this.kindsNotListed.size > 0) return;
    const found: { key: string; desired: DesiredResource; drift: DetectedDrift }[] = [];
    for (const key of this.touched) {
      const desired = state.baseline.get(key);
      if (desired === undefined) continue;
      const live = this.live.get(key);
      const drift = detectDrift(desired, live);
      if (drift === undefined) {
        this.reported.delete(key);
        continue;
      }
      const stamp = live?.metadata.resourceVersion ?? "deleted";
      if (this.reported.get(key) === stamp) continue;
      this.reported.set(key, stamp);
      found.push({ key, desired, drift });
    }
    this.touched.clear();
    if (found.length === 0) return;
    const drift: DriftReport[] = [];
    for (const { key, desired, drift: detected } of found) {
      let isRepaired = false;
      const kind = managedKindOf(desired.apiVersion, desired.kind);
      if (state.repairDrift && kind !== undefined) {
        // Force takes back only the fields we apply; fields others added and we never set stay theirs.
        const response = await cluster.apply(desired, kind, { force: true });
        if (response.statusCode >= 200 && response.statusCode < 300) {
          const repaired = this.remember(key, response.body);
          isRepaired = repaired !== undefined && matchesDesired(desired, repaired);
          // Our repair's own watch event must not be reported as new drift.
          if (repaired?.metadata.resourceVersion !== undefined)
            this.reported.set(key, repaired.metadata.resourceVersion);
          if (isRepaired) this.reported.delete(key);
        } else {
          logger.warn(
            { statusCode: response.statusCode, body: response.body },
            `could not repair drift of ${key}`,
          );
        }
      }
      drift.push({ ...refOf(desired), ...detected, isRepaired });
    }
    logger.info(
      { drift: drift.length, repaired: drift.filter((entry) => entry.isRepaired).length },
      "drift detected",
    );
    const report: ConfigStatusReport = {
      version: state.baselineVersion,
      reachedVersion: state.reachedVersion,
      results: [],
      drift,
    };
    await this.retrying("report drift", (signal) => api.reportConfigStatus(report, signal));
  }
}
