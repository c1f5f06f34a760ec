import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  aggregatedDiscovery,
  aggregatedDiscoveryType,
  apiVersions,
  etagOf,
  group,
  groupList,
  resourceList,
  versionInfo,
} from "../discovery";
import { ApiError, badRequest, unauthorized } from "../errors";
import { listCollection } from "../list";
import {
  decodeObjectBody,
  deleteResource,
  type FieldValidation,
  type ResourceOperations,
} from "../operations";
import type { ResourceRegistry } from "../resource-registry";
import type { ObjectStore } from "../store";
import { bindPod, scaleOf, writeScale, writeStatus } from "../subresources";
import { type ActiveWatch, startWatch, type WatchSettings } from "../watch";
import { baseHeaders, sendJson, sendPageNotFound } from "./responses";
import { type Route, route } from "./router";

export interface ApiServerOptions {
  store: ObjectStore;
  registry: ResourceRegistry;
  operations: ResourceOperations;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  token?: string;
  watch: WatchSettings;
  /**
   * Paths served beside the Kubernetes API (the traffic model's scrape and admin endpoints).
   * Returns true when it answered. Runs before authentication: each handler decides its own.
   */
  extraHandler?: (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function fieldValidationOf(query: URLSearchParams): FieldValidation | undefined {
  const value = query.get("fieldValidation");
  if (value === null) return undefined;
  if (value === "Strict" || value === "Warn" || value === "Ignore") return value;
  throw badRequest(`fieldValidation must be one of Ignore, Warn, Strict, got ${value}`);
}

/**
 * The Kubernetes API over node:http: authentication, discovery, and the resource verbs. Every
 * failure leaves as a Status, except unknown paths (text, like the Go mux).
 */
export class ApiServer {
  private readonly server: Server;
  private readonly watches = new Set<ActiveWatch>();
  private address = "127.0.0.1:0";

  constructor(private readonly options: ApiServerOptions) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => this.fail(response, error));
    });
    // Watches are long-lived; keep idle sockets from pinning close().
    this.server.keepAliveTimeout = 5000;
  }

  async listen(port: number, host = "127.0.0.1"): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    const info = this.server.address() as AddressInfo;
    this.address = `${host}:${info.port}`;
    return info.port;
  }

  async close(): Promise<void> {
    for (const watch of [...this.watches]) watch.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private fail(response: ServerResponse, error: unknown): void {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (error instanceof ApiError) {
      sendJson(response, error.code, error.toStatus(), error.extraHeaders);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    sendJson(
      response,
      500,
      new ApiError(500, "InternalError", `Internal error occurred: ${message}`).toStatus(),
    );
  }

  isAuthorized(request: IncomingMessage): boolean {
    if (this.options.token === undefined) return true;
    return request.headers.authorization === `Bearer ${this.options.token}`;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (this.options.extraHandler && (await this.options.extraHandler(request, response, url))) return;
    if (!this.isAuthorized(request)) throw unauthorized();
    const target = route(this.options.registry, url.pathname);
    if (!target) {
      await readBody(request);
      sendPageNotFound(response);
      return;
    }
    if (target.kind !== "resource") {
      this.discovery(request, response, target);
      return;
    }
    await this.resource(request, response, target, url.searchParams);
  }

  private discovery(
    request: IncomingMessage,
    response: ServerResponse,
    target: Exclude<Route, { kind: "resource" }>,
  ) {
    const { registry } = this.options;
    const accept = request.headers.accept ?? "";
    const wantsAggregated = accept.includes("as=APIGroupDiscoveryList");
    switch (target.kind) {
      case "version": {
        // /version is the one response the server always indents.
        const text = `${JSON.stringify(versionInfo, null, 2)}\n`;
        response.writeHead(200, {
          ...baseHeaders(),
          "Content-Type": "application/json",
          "Content-Length": String(Buffer.byteLength(text)),
        });
        response.end(text);
        return;
      }
      case "health":
        response.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
        response.end("ok");
        return;
      case "api":
      case "apis": {
        if (wantsAggregated) {
          const body = aggregatedDiscovery(registry, target.kind === "api");
          const etag = etagOf(JSON.stringify(body));
          sendJson(response, 200, body, {
            "Cache-Control": "public",
            "Content-Type": aggregatedDiscoveryType,
            Etag: etag,
            Vary: "Accept",
          });
          return;
        }
        sendJson(response, 200, target.kind === "api" ? apiVersions(this.address) : groupList(registry));
        return;
      }
      case "group": {
        const body = group(registry, target.group);
        if (body) sendJson(response, 200, body);
        else sendPageNotFound(response);
        return;
      }
      case "groupVersion": {
        const body = resourceList(registry, target.group, target.version);
        if (body) sendJson(response, 200, body);
        else sendPageNotFound(response);
        return;
      }
    }
  }

  private async resource(
    request: IncomingMessage,
    response: ServerResponse,
    target: Extract<Route, { kind: "resource" }>,
    query: URLSearchParams,
  ): Promise<void> {
    const { store, operations } = this.options;
    const { type, name, subresource } = target;
    const namespace = type.namespaced ? target.namespace : "";
    const method = request.method ?? "GET";
    const body = method === "GET" || method === "HEAD" ? "" : await readBody(request);
    const contentType = request.headers["content-type"] ?? "application/json";
    const dryRun = query.getAll("dryRun").includes("All");
    const fieldManager = query.get("fieldManager") ?? undefined;
    const userAgent = request.headers["user-agent"];
    const writeOptions = {
      dryRun,
      fieldManager,
      userAgent,
      fieldValidation: fieldValidationOf(query),
      force: query.get("force") === "true",
    };
    const manager = fieldManager ?? (userAgent ?? "unknown").split("/")[0] ?? "unknown";

    if (name === undefined) {
      if (method === "GET") {
        const watchParam = query.get("watch");
        if (watchParam === "1" || watchParam === "true") {
          const watch = startWatch({
            store,
            type,
            namespace: type.namespaced ? target.namespace : undefined,
            query,
            response,
            headers: baseHeaders(),
            settings: this.options.watch,
            onEnd: () => this.watches.delete(watch),
          });
          this.watches.add(watch);
          return;
        }
        sendJson(
          response,
          200,
          listCollection(store, type, type.namespaced ? target.namespace : undefined, query),
        );
        return;
      }
      if (method === "POST") {
        const result = operations.create(
          type,
          namespace ?? "",
          decodeObjectBody(body, contentType),
          writeOptions,
        );
        sendJson(response, 201, result.object, warningHeaders(result.warnings));
        return;
      }
      throw new ApiError(
        405,
        "MethodNotAllowed",
        `the server does not allow this method on the requested resource`,
      );
    }

    const ns = namespace ?? "";
    if (subresource === "scale") {
      if (method === "GET") sendJson(response, 200, scaleOf(store.mustGet(type, ns, name)));
      else
        sendJson(
          response,
          200,
          writeScale(store, type, ns, name, method, contentType, body, manager, dryRun),
        );
      return;
    }
    if (subresource === "status") {
      if (method === "GET") sendJson(response, 200, store.mustGet(type, ns, name));
      else sendJson(response, 200, writeStatus(store, type, ns, name, method, contentType, body, { dryRun }));
      return;
    }
    if (subresource === "binding" && method === "POST") {
      sendJson(response, 201, bindPod(store, type, ns, name, decodeObjectBody(body, contentType)));
      return;
    }
    if (subresource !== undefined)
      throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method");

    switch (method) {
      case "GET":
        sendJson(response, 200, store.mustGet(type, ns, name));
        return;
      case "PUT": {
        const result = operations.replace(type, ns, name, decodeObjectBody(body, contentType), writeOptions);
        sendJson(response, 200, result.object, warningHeaders(result.warnings));
        return;
      }
      case "PATCH": {
        const result = operations.patch(type, ns, name, contentType, body, writeOptions);
        sendJson(response, result.isCreated ? 201 : 200, result.object, warningHeaders(result.warnings));
        return;
      }
      case "DELETE": {
        const options = body.trim() === "" ? {} : decodeObjectBody(body, "application/json");
        const isBodyDryRun = Array.isArray(options.dryRun) && options.dryRun.includes("All");
        const deleted = deleteResource(store, type, ns, name, { dryRun: dryRun || isBodyDryRun });
        sendJson(response, 200, deleted);
        return;
      }
      default:
        throw new ApiError(
          405,
          "MethodNotAllowed",
          "the server does not allow this method on the requested resource",
        );
    }
  }
}

function warningHeaders(warnings: string[]): Record<string, string[]> {
  if (warnings.length === 0) return {};
  return { Warning: warnings.map((warning) => `299 - ${JSON.stringify(warning)}`) };
}
