/**
 * The config loop's door to the Kubernetes API: server-side apply, delete, and list/watch of the
 * owned Istio objects. It goes over node:http(s) with the KubeConfig's TLS and credentials applied
 * (as clients/kubernetes.ts does for the inventory), so every answer keeps its HTTP status and the
 * Status body — the conflict causes and the admission messages are what the API needs to show.
 * Apply and delete never throw for an HTTP status; the caller classifies the answer.
 */
import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import type { DesiredResource } from "@switchyard/agent-protocol/v1";
import { z } from "zod";
import { LiveObject } from "./live-object";
import type { KubeResponse } from "./outcome";
import {
  collectionPath,
  fieldManager,
  type ManagedKind,
  objectPath,
  ownershipLabelKey,
  ownershipLabelValue,
  ownershipSelector,
} from "./resource-kinds";

export type WatchType = "ADDED" | "MODIFIED" | "DELETED";

/** A list or watch that failed; `statusCode` 0 is a network error, 410 means re-list. */
export class ResourceListError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = "ResourceListError";
  }
}

/** What the config loop needs from a cluster; the simulated cluster and a real one both serve it. */
export interface IstioCluster {
  apply(resource: DesiredResource, kind: ManagedKind, options: { force: boolean }): Promise<KubeResponse>;
  remove(apiVersion: string, kind: ManagedKind, namespace: string, name: string): Promise<KubeResponse>;
  /** Owned objects of one kind in every namespace; undefined when the kind is not served (no CRD). */
  listOwned(
    kind: ManagedKind,
    signal?: AbortSignal,
  ): Promise<{ items: LiveObject[]; resourceVersion: string } | undefined>;
  /** Resolves when the server ends the watch or the signal aborts; rejects on failure (410 included). */
  watchOwned(
    kind: ManagedKind,
    options: { resourceVersion: string; timeoutSeconds: number; signal: AbortSignal },
    onEvent: (type: WatchType, object: LiveObject) => void,
  ): Promise<void>;
}

const ListBody = z.object({
  metadata: z.object({ resourceVersion: z.string() }),
  items: z.array(z.unknown()),
});
const WatchLine = z.object({ type: z.string(), object: z.unknown() });

/** The object we apply: exactly the compiled resource, with our ownership label always on it. */
export function applyConfiguration(resource: DesiredResource): Record<string, unknown> {
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    metadata: {
      name: resource.metadata.name,
      namespace: resource.metadata.namespace,
      labels: { ...resource.metadata.labels, [ownershipLabelKey]: ownershipLabelValue },
      ...(Object.keys(resource.metadata.annotations).length > 0
        ? { annotations: resource.metadata.annotations }
        : {}),
    },
    spec: resource.spec,
  };
}

export class KubeIstioCluster implements IstioCluster {
  // Kept-alive connections: an apply is a handful of requests, and a new TCP (and TLS) connection
  // for each cost more CPU than the requests themselves. Idle sockets do not hold the process open.
  private readonly agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };

  constructor(
    private readonly config: KubeConfig,
    private readonly requestTimeoutMs = 30_000,
  ) {}

  apply(resource: DesiredResource, kind: ManagedKind, options: { force: boolean }): Promise<KubeResponse> {
    const path = objectPath(resource.apiVersion, kind, resource.metadata.namespace, resource.metadata.name);
    const query = new URLSearchParams({ fieldManager, force: String(options.force) });
    // JSON is YAML: the apply-patch+yaml content type accepts it as is.
    return this.call("PATCH", path, query, {
      contentType: "application/apply-patch+yaml",
      text: JSON.stringify(applyConfiguration(resource)),
    });
  }

  remove(apiVersion: string, kind: ManagedKind, namespace: string, name: string): Promise<KubeResponse> {
    return this.call(
      "DELETE",
      objectPath(apiVersion, kind, namespace, name),
      new URLSearchParams(),
      undefined,
    );
  }

  async listOwned(kind: ManagedKind, signal?: AbortSignal) {
    const query = new URLSearchParams({ labelSelector: ownershipSelector });
    const response = await this.call("GET", collectionPath(kind), query, undefined, signal);
    if (response.statusCode === 404) return undefined;
    if (response.statusCode !== 200) {
      throw new ResourceListError(`list ${kind.plural}: HTTP ${response.statusCode}`, response.statusCode);
    }
    const list = ListBody.safeParse(response.body);
    if (!list.success) throw new ResourceListError(`list ${kind.plural}: unexpected response`, 200);
    const items: LiveObject[] = [];
    for (const item of list.data.items) {
      const parsed = LiveObject.safeParse(item);
      if (parsed.success) items.push(parsed.data);
    }
    return { items, resourceVersion: list.data.metadata.resourceVersion };
  }

  async watchOwned(
    kind: ManagedKind,
    options: { resourceVersion: string; timeoutSeconds: number; signal: AbortSignal },
    onEvent: (type: WatchType, object: LiveObject) => void,
  ): Promise<void> {
    const query = new URLSearchParams({
      watch: "true",
      labelSelector: ownershipSelector,
      resourceVersion: options.resourceVersion,
      allowWatchBookmarks: "true",
      timeoutSeconds: String(options.timeoutSeconds),
    });
    const response = await this.open("GET", collectionPath(kind), query, undefined, options.signal);
    if (response.statusCode !== 200) {
      const body = await collect(response).catch(() => "");
      throw new ResourceListError(
        `watch ${kind.plural}: HTTP ${response.statusCode} ${body.slice(0, 200)}`,
        response.statusCode ?? 0,
      );
    }
    await new Promise<void>((resolve, reject) => {
      let buffer = "";
      response.setEncoding("utf8");
      response.on("data", (text: string) => {
        buffer += text;
        for (let newline = buffer.indexOf("\n"); newline !== -1; newline = buffer.indexOf("\n")) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line === "") continue;
          const event = WatchLine.safeParse(parseJson(line));
          if (!event.success) continue;
          if (event.data.type === "ERROR") {
            const code = z.object({ code: z.number() }).safeParse(event.data.object);
            response.destroy();
            reject(
              new ResourceListError(`watch ${kind.plural}: error event`, code.success ? code.data.code : 500),
            );
            return;
          }
          if (event.data.type !== "ADDED" && event.data.type !== "MODIFIED" && event.data.type !== "DELETED")
            continue;
          const object = LiveObject.safeParse(event.data.object);
          if (object.success) onEvent(event.data.type, object.data);
        }
      });
      response.on("end", () => resolve());
      response.on("close", () => resolve());
      response.on("error", (error) => (options.signal.aborted ? resolve() : reject(error)));
    });
  }

  private async call(
    method: "GET" | "PATCH" | "DELETE",
    path: string,
    query: URLSearchParams,
    body: { contentType: string; text: string } | undefined,
    signal?: AbortSignal,
  ): Promise<KubeResponse> {
    try {
      const response = await this.open(method, path, query, body, signal).catch((error: unknown) => {
        // A kept-alive socket the server closed just as we reused it: send once more on a new one.
        if ((error as NodeJS.ErrnoException).code === "ECONNRESET" && !signal?.aborted)
          return this.open(method, path, query, body, signal);
        throw error;
      });
      const text = await collect(response);
      return { statusCode: response.statusCode ?? 0, body: parseJson(text) ?? text };
    } catch (error) {
      return {
        statusCode: 0,
        body: { message: `${method} ${path}: ${error instanceof Error ? error.message : String(error)}` },
      };
    }
  }

  private async open(
    method: string,
    path: string,
    query: URLSearchParams,
    body: { contentType: string; text: string } | undefined,
    signal: AbortSignal | undefined,
  ): Promise<http.IncomingMessage> {
    const cluster = this.config.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig has no current cluster");
    const options: https.RequestOptions = {};
    // TLS material and the bearer token (re-read from the projected token file in-cluster).
    await this.config.applyToHTTPSOptions(options);
    const search = query.toString();
    const url = new URL(`${cluster.server}${path}${search ? `?${search}` : ""}`);
    const isHttp = url.protocol === "http:";
    const transport = isHttp ? http : https;
    const isWatch = query.get("watch") === "true";
    return new Promise((resolve, reject) => {
      const request = transport.request(url, {
        ...options,
        agent: isHttp ? this.agents.http : this.agents.https,
        method,
        headers: {
          ...options.headers,
          Accept: "application/json",
          ...(body ? { "Content-Type": body.contentType } : {}),
        },
        signal,
      });
      const idleMs = isWatch ? (Number(query.get("timeoutSeconds")) + 30) * 1000 : this.requestTimeoutMs;
      request.setTimeout(idleMs, () =>
        request.destroy(new Error(`${method} ${path}: no answer in ${idleMs} ms`)),
      );
      request.on("response", resolve);
      request.on("error", reject);
      request.end(body?.text);
    });
  }
}

function collect(response: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on("data", (chunk: Buffer) => chunks.push(chunk));
    response.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    response.on("error", reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
