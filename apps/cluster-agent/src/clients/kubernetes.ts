/**
 * The agent's one door to the Kubernetes API: a KubeConfig (in-cluster service account or a
 * kubeconfig file) and the few calls the agent makes. Lists and watches go over plain node:http(s)
 * with the KubeConfig's TLS and auth applied, so responses stay raw JSON that the inventory decodes
 * straight into its slim forms (the generated clients would first build full typed objects, with
 * Date instances and all, for every one of thousands of pods).
 */
import http from "node:http";
import https from "node:https";
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  type V1Secret,
  VersionApi,
} from "@kubernetes/client-node";
import { z } from "zod";
import { ListStreamParser } from "./list-stream";

export type KubeConfigSource = { kind: "in-cluster" } | { kind: "file"; path: string };

export function loadKubeConfig(source: KubeConfigSource): KubeConfig {
  const config = new KubeConfig();
  if (source.kind === "in-cluster") config.loadFromCluster();
  else config.loadFromFile(source.path);
  return config;
}

/** A failed Kubernetes call; `statusCode` 0 is a network error. */
export class KubeApiError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
    readonly reason: string | undefined,
  ) {
    super(message);
    this.name = "KubeApiError";
  }

  get isGone(): boolean {
    return this.statusCode === 410;
  }
}

const StatusBody = z.object({ message: z.string().optional(), reason: z.string().optional() });

const ListMeta = z.object({
  metadata: z.object({ resourceVersion: z.string(), continue: z.string().optional() }),
});
/** What a list page says besides its items: where to watch from, and where the next page starts. */
export type ListPage = z.infer<typeof ListMeta>["metadata"];

export const WatchEvent = z.object({
  type: z.enum(["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]),
  object: z.unknown(),
});
export type WatchEvent = z.infer<typeof WatchEvent>;

const WatchObjectMeta = z.object({ metadata: z.object({ resourceVersion: z.string() }) });
const WatchError = z.object({
  code: z.number().optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
});

/** istiod's image tag, e.g. docker.io/istio/pilot:1.30.3 → 1.30.3 (a digest is no version). */
export function imageTag(image: string): string | null {
  const withoutDigest = image.split("@")[0] ?? "";
  const lastSlash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.indexOf(":", lastSlash + 1);
  if (colon === -1) return null;
  const tag = withoutDigest.slice(colon + 1);
  // Distroless and debug variants carry a suffix (1.30.3-distroless): the version is what precedes it.
  return tag.replace(/-(distroless|debug)$/, "") || null;
}

export interface MeshDetection {
  kind: "istio" | "none";
  version: string | null;
}

export class KubernetesClient {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly versions: VersionApi;

  constructor(readonly config: KubeConfig) {
    this.core = config.makeApiClient(CoreV1Api);
    this.apps = config.makeApiClient(AppsV1Api);
    this.versions = config.makeApiClient(VersionApi);
  }

  get server(): string {
    const cluster = this.config.getCurrentCluster();
    if (!cluster) throw new KubeApiError("the kubeconfig has no current cluster", 0, undefined);
    return cluster.server;
  }

  /** GET /version → gitVersion, e.g. v1.28.3. */
  async kubernetesVersion(): Promise<string> {
    const info = await this.wrap(() => this.versions.getCode());
    return info.gitVersion;
  }

  /** Istio's control plane: an istiod Deployment in istio-system (any revision), version from its image. */
  async detectMesh(): Promise<MeshDetection> {
    const list = await this.wrap(() =>
      this.apps.listNamespacedDeployment({ namespace: "istio-system", labelSelector: "app=istiod" }),
    );
    const istiod =
      list.items.find((deployment) => deployment.metadata?.name === "istiod") ??
      list.items.find((deployment) => deployment.metadata?.name?.startsWith("istiod"));
    if (!istiod) return { kind: "none", version: null };
    const containers = istiod.spec?.template.spec?.containers ?? [];
    const discovery = containers.find((container) => container.name === "discovery") ?? containers[0];
    return { kind: "istio", version: discovery?.image ? imageTag(discovery.image) : null };
  }

  async readSecret(namespace: string, name: string): Promise<V1Secret | undefined> {
    try {
      return await this.wrap(() => this.core.readNamespacedSecret({ namespace, name }));
    } catch (error) {
      if (error instanceof KubeApiError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async replaceSecret(secret: V1Secret): Promise<V1Secret> {
    const namespace = secret.metadata?.namespace ?? "";
    const name = secret.metadata?.name ?? "";
    return this.wrap(() => this.core.replaceNamespacedSecret({ namespace, name, body: secret }));
  }

  async createSecret(secret: V1Secret): Promise<V1Secret> {
    const namespace = secret.metadata?.namespace ?? "";
    return this.wrap(() => this.core.createNamespacedSecret({ namespace, body: secret }));
  }

  /**
   * One page of a list. Items are handed to `onItem` one by one as the response arrives (see
   * ListStreamParser): the page is never held whole, as text or as parsed objects.
   */
  async listPage(
    path: string,
    options: { limit: number; continueToken?: string; signal?: AbortSignal },
    onItem: (raw: unknown) => void,
  ): Promise<ListPage> {
    const query = new URLSearchParams({ limit: String(options.limit) });
    if (options.continueToken) query.set("continue", options.continueToken);
    const response = await this.open(path, query, options.signal, 60);
    const statusCode = response.statusCode ?? 0;
    if (statusCode !== 200) throw statusError(statusCode, parseJson(await collect(response)), `list ${path}`);
    const parser = new ListStreamParser(onItem);
    const fields = await new Promise<Record<string, unknown>>((resolve, reject) => {
      response.setEncoding("utf8");
      response.on("data", (text: string) => {
        try {
          parser.write(text);
        } catch (error) {
          response.destroy();
          reject(new KubeApiError(`list ${path}: ${asError(error).message}`, statusCode, undefined));
        }
      });
      response.on("end", () => {
        try {
          resolve(parser.end());
        } catch (error) {
          reject(new KubeApiError(`list ${path}: ${asError(error).message}`, statusCode, undefined));
        }
      });
      response.on("error", (error) =>
        reject(new KubeApiError(`list ${path}: ${error.message}`, 0, undefined)),
      );
    });
    const parsed = ListMeta.safeParse(fields);
    if (!parsed.success)
      throw new KubeApiError(`list ${path}: unexpected response shape`, statusCode, undefined);
    return parsed.data.metadata;
  }

  /**
   * Watches from `resourceVersion`, calling `onEvent` per event, until the server ends the stream
   * (resolves), the signal aborts (resolves) or the connection fails (rejects). An in-stream 410
   * rejects with a KubeApiError whose `isGone` is true.
   */
  watch(
    path: string,
    options: { resourceVersion: string; timeoutSeconds: number; signal: AbortSignal },
    onEvent: (event: WatchEvent, resourceVersion: string | undefined) => void,
  ): Promise<void> {
    const query = new URLSearchParams({
      watch: "true",
      resourceVersion: options.resourceVersion,
      allowWatchBookmarks: "true",
      timeoutSeconds: String(options.timeoutSeconds),
    });
    return new Promise((resolve, reject) => {
      let isSettled = false;
      const settle = (error?: Error) => {
        if (isSettled) return;
        isSettled = true;
        if (error) reject(error);
        else resolve();
      };
      this.open(path, query, options.signal, options.timeoutSeconds + 30)
        .then((response) => {
          if (response.statusCode !== 200) {
            collect(response)
              .then((body) => settle(statusError(response.statusCode ?? 0, parseJson(body), `watch ${path}`)))
              .catch((error: unknown) => settle(asError(error)));
            return;
          }
          response.setEncoding("utf8");
          let buffer = "";
          response.on("data", (text: string) => {
            buffer += text;
            let newline = buffer.indexOf("\n");
            while (newline !== -1) {
              const line = buffer.slice(0, newline).trim();
              buffer = buffer.slice(newline + 1);
              newline = buffer.indexOf("\n");
              if (line === "" || isSettled) continue;
              const event = WatchEvent.safeParse(parseJson(line));
              if (!event.success) continue;
              if (event.data.type === "ERROR") {
                const status = WatchError.safeParse(event.data.object);
                const code = status.success ? (status.data.code ?? 500) : 500;
                const reason = status.success ? status.data.reason : undefined;
                settle(
                  new KubeApiError(`watch ${path}: ${status.data?.message ?? "error event"}`, code, reason),
                );
                response.destroy();
                return;
              }
              const meta = WatchObjectMeta.safeParse(event.data.object);
              onEvent(event.data, meta.success ? meta.data.metadata.resourceVersion : undefined);
            }
          });
          response.on("end", () => settle());
          response.on("close", () => settle());
          response.on("error", (error) => settle(options.signal.aborted ? undefined : error));
        })
        .catch((error: unknown) => settle(options.signal.aborted ? undefined : asError(error)));
    });
  }

  private async open(
    path: string,
    query: URLSearchParams,
    signal: AbortSignal | undefined,
    idleTimeoutSeconds: number,
  ): Promise<http.IncomingMessage> {
    const options: https.RequestOptions = {};
    // Applies TLS material and the bearer token (re-read from the projected token file in-cluster).
    await this.config.applyToHTTPSOptions(options);
    const url = new URL(`${this.server}${path}?${query.toString()}`);
    const transport = url.protocol === "http:" ? http : https;
    return new Promise((resolve, reject) => {
      const request = transport.request(url, {
        ...options,
        method: "GET",
        headers: { ...options.headers, Accept: "application/json" },
        signal,
      });
      request.setTimeout(idleTimeoutSeconds * 1000, () => {
        request.destroy(new KubeApiError(`GET ${path}: no data for ${idleTimeoutSeconds} s`, 0, "Timeout"));
      });
      request.on("response", resolve);
      request.on("error", (error) =>
        reject(
          error instanceof KubeApiError
            ? error
            : new KubeApiError(`GET ${path}: ${error.message}`, 0, undefined),
        ),
      );
      request.end();
    });
  }

  private async wrap<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ApiException) {
        const status = StatusBody.safeParse(
          typeof error.body === "string" ? parseJson(error.body) : error.body,
        );
        const message = status.success ? (status.data.message ?? error.message) : error.message;
        throw new KubeApiError(message, error.code, status.success ? status.data.reason : undefined);
      }
      throw new KubeApiError(asError(error).message, 0, undefined);
    }
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

function statusError(statusCode: number, json: unknown, what: string): KubeApiError {
  const status = StatusBody.safeParse(json);
  const message = status.success && status.data.message ? status.data.message : `HTTP ${statusCode}`;
  return new KubeApiError(`${what}: ${message}`, statusCode, status.success ? status.data.reason : undefined);
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
