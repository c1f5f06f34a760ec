import type { JsonObject } from "./json";

/** One cause in a Status' details, as the API server reports it. */
export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/**
 * An error the HTTP layer turns into a Kubernetes Status response. Handlers and the store throw it
 * so that every failure has the same wire shape as kube-apiserver's.
 */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string | undefined,
    message: string,
    readonly details?: StatusDetails,
    readonly extraHeaders: Record<string, string> = {},
    readonly statusMetadata: JsonObject = {},
  ) {
    super(message);
  }

  toStatus(): JsonObject {
    const status: JsonObject = {
      kind: "Status",
      apiVersion: "v1",
      metadata: this.statusMetadata,
      status: "Failure",
      message: this.message,
    };
    if (this.reason !== undefined) status.reason = this.reason;
    if (this.details) status.details = detailsToJson(this.details);
    status.code = this.code;
    return status;
  }
}

/** Thrown for URLs no API serves: the real server answers with text, not a Status. */
export class PageNotFound extends Error {}

function detailsToJson(details: StatusDetails): JsonObject {
  const out: JsonObject = {};
  if (details.name !== undefined) out.name = details.name;
  if (details.group !== undefined && details.group !== "") out.group = details.group;
  if (details.kind !== undefined) out.kind = details.kind;
  if (details.uid !== undefined) out.uid = details.uid;
  if (details.causes) {
    out.causes = details.causes.map((cause) => {
      const c: JsonObject = {};
      if (cause.reason !== undefined) c.reason = cause.reason;
      c.message = cause.message;
      if (cause.field !== undefined) c.field = cause.field;
      return c;
    });
  }
  if (details.retryAfterSeconds !== undefined) out.retryAfterSeconds = details.retryAfterSeconds;
  return out;
}

/** `virtualservices.networking.istio.io` or `namespaces`, as messages name a resource. */
export function qualifiedResource(resource: string, group: string): string {
  return group === "" ? resource : `${resource}.${group}`;
}

export function notFound(resource: string, group: string, name: string): ApiError {
  return new ApiError(404, "NotFound", `${qualifiedResource(resource, group)} "${name}" not found`, {
    name,
    group,
    kind: resource,
  });
}

export function alreadyExists(resource: string, group: string, name: string): ApiError {
  return new ApiError(
    409,
    "AlreadyExists",
    `${qualifiedResource(resource, group)} "${name}" already exists`,
    {
      name,
      group,
      kind: resource,
    },
  );
}

export function conflict(resource: string, group: string, name: string, why: string): ApiError {
  return new ApiError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": ${why}`,
    { name, group, kind: resource },
  );
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

/** 422 for option objects (ListOptions, PatchOptions) the way the server words it. */
export function invalidOptions(kind: string, field: string, causeReason: string, message: string): ApiError {
  return new ApiError(422, "Invalid", `${kind}.meta.k8s.io "" is invalid: ${field}: ${message}`, {
    group: "meta.k8s.io",
    kind,
    causes: [{ reason: causeReason, message, field }],
  });
}

export function expired(message: string, metadata: JsonObject = {}): ApiError {
  return new ApiError(410, "Expired", message, undefined, {}, metadata);
}

export function unauthorized(): ApiError {
  return new ApiError(401, "Unauthorized", "Unauthorized");
}
