import type { ServerResponse } from "node:http";
import { ApiError, invalidOptions } from "./errors";
import type { JsonObject } from "./json";
import { parseResourceVersion } from "./list";
import { apiVersionOf, type ResourceType } from "./resource-registry";
import { FieldSelector, LabelSelector, labelsOf } from "./selectors";
import { encodeJson } from "./serialize";
import type { ObjectStore, StoreEvent } from "./store";

export interface WatchSettings {
  /** Interval of periodic BOOKMARK events (the real server: about a minute). */
  bookmarkIntervalMs: number;
  /** Used when the client sends no timeoutSeconds (the real server picks 30-60 min). */
  defaultTimeoutSeconds: number;
}

/** A running watch stream; `close` ends it (server shutdown). */
export interface ActiveWatch {
  close(): void;
}

function bookmarkObject(type: ResourceType, resourceVersion: number): JsonObject {
  if (type.isCustom) {
    return {
      apiVersion: apiVersionOf(type),
      kind: type.kind,
      metadata: { resourceVersion: String(resourceVersion) },
    };
  }
  return {
    kind: type.kind,
    apiVersion: apiVersionOf(type),
    metadata: { resourceVersion: String(resourceVersion), creationTimestamp: null },
  };
}

function expiredEvent(message: string): JsonObject {
  return {
    type: "ERROR",
    object: {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      reason: "Expired",
      code: 410,
    },
  };
}

/**
 * Serves `?watch=1` as the watch cache does: NDJSON events after the given resourceVersion
 * (replayed from the bounded history, then live), synthetic ADDED events when no RV is given, an
 * in-stream 410 ERROR when the RV left the history, BOOKMARKs when asked for, and the end of the
 * stream at timeoutSeconds.
 */
export function startWatch(options: {
  store: ObjectStore;
  type: ResourceType;
  namespace: string | undefined;
  query: URLSearchParams;
  response: ServerResponse;
  headers: Record<string, string>;
  settings: WatchSettings;
  onEnd: () => void;
}): ActiveWatch {
  const { store, type, namespace, query, response, settings } = options;
  if (query.get("sendInitialEvents") !== null) {
    throw invalidOptions(
      "ListOptions",
      "sendInitialEvents",
      "FieldValueForbidden",
      "Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled",
    );
  }
  const rvText = query.get("resourceVersion") ?? "";
  const startRv = rvText === "" ? 0 : parseResourceVersion(rvText);
  const labels = LabelSelector.parse(query.get("labelSelector") ?? undefined);
  const fields = FieldSelector.parse(query.get("fieldSelector") ?? undefined);
  const timeoutText = query.get("timeoutSeconds");
  const timeoutSeconds = timeoutText === null ? settings.defaultTimeoutSeconds : Number(timeoutText);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0)
    throw new ApiError(400, "BadRequest", "invalid timeoutSeconds");
  const isBookmarking = query.get("allowWatchBookmarks") === "true" && rvText !== "";

  response.writeHead(200, { ...options.headers, "Content-Type": "application/json" });
  response.flushHeaders();

  let isClosed = false;
  let lastSent = startRv;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe: () => void = () => {};
  const close = () => {
    if (isClosed) return;
    isClosed = true;
    unsubscribe();
    for (const timer of timers) clearTimeout(timer);
    response.end();
    options.onEnd();
  };
  response.on("close", close);

  const send = (payload: JsonObject) => {
    if (!isClosed) response.write(encodeJson(payload));
  };

  const isVisible = (object: JsonObject | undefined) =>
    object !== undefined && labels.matches(labelsOf(object)) && fields.matches(object);

  const deliver = (event: StoreEvent) => {
    // A watch from a future RV (too large) stays silent until the store passes it.
    if (event.resource !== type || event.resourceVersion <= startRv) return;
    if (namespace !== undefined && event.namespace !== namespace) return;
    const isNow = event.type !== "DELETED" && isVisible(event.object);
    const wasBefore = isVisible(event.previous);
    let kind: string | undefined;
    if (event.type === "ADDED") kind = isNow ? "ADDED" : undefined;
    else if (event.type === "DELETED") kind = wasBefore ? "DELETED" : undefined;
    // An object moving in or out of a selector looks like an add or a delete to this watcher.
    else if (isNow && wasBefore) kind = "MODIFIED";
    else if (isNow) kind = "ADDED";
    else if (wasBefore) kind = "DELETED";
    if (!kind) return;
    lastSent = event.resourceVersion;
    send({ type: kind, object: event.object });
  };

  if (rvText === "" || rvText === "0") {
    for (const object of store.list(type, namespace)) if (isVisible(object)) send({ type: "ADDED", object });
    lastSent = store.resourceVersion;
  } else if (startRv < store.oldestResourceVersion) {
    send(expiredEvent(`too old resource version: ${startRv} (${store.oldestResourceVersion})`));
    close();
    return { close };
  } else {
    for (const event of store.eventsSince(startRv)) deliver(event);
  }
  unsubscribe = store.subscribe(deliver);

  const bookmark = () => {
    // Like the watch cache: only once it has seen an event of this type newer than the start.
    const latest = store.lastEventResourceVersion(type);
    if (latest === undefined || latest <= startRv) return;
    const resourceVersion = Math.max(latest, lastSent);
    lastSent = resourceVersion;
    send({ type: "BOOKMARK", object: bookmarkObject(type, resourceVersion) });
  };
  if (isBookmarking) {
    const periodic = setInterval(bookmark, settings.bookmarkIntervalMs);
    timers.push(periodic);
    // The watch cache sends one shortly before the timeout, so a client can resume from it.
    if (timeoutSeconds > 2) timers.push(setTimeout(bookmark, (timeoutSeconds - 2) * 1000));
  }
  timers.push(setTimeout(close, timeoutSeconds * 1000));
  return { close };
}
