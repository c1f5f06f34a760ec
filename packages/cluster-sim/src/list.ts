import { ApiError, expired, invalidOptions } from "./errors";
import type { JsonObject } from "./json";
import { apiVersionOf, type ResourceType } from "./resource-registry";
import { FieldSelector, LabelSelector, labelsOf } from "./selectors";
import { listItem } from "./serialize";
import type { ObjectStore } from "./store";

interface ContinueToken {
  rv: number;
  start: string;
}

export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv, start })).toString("base64url");
}

function decodeContinue(token: string): ContinueToken {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof parsed === "object" && parsed !== null && "rv" in parsed && "start" in parsed) {
      const { rv, start } = parsed;
      if (typeof rv === "number" && typeof start === "string") return { rv, start };
    }
  } catch {
    // fall through to the error below
  }
  throw new ApiError(
    400,
    "BadRequest",
    "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
  );
}

function tooLarge(requested: number, current: number): ApiError {
  return new ApiError(
    504,
    "Timeout",
    `Timeout: Too large resource version: ${requested}, current: ${current}`,
    {
      causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
      retryAfterSeconds: 1,
    },
    { "Retry-After": "1" },
  );
}

export function parseResourceVersion(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    throw new ApiError(400, "BadRequest", `invalid resource version: ${text}`);
  }
  return value;
}

/**
 * A list request with the API server's resourceVersion rules: no RV is a consistent read that
 * honours limit; RV=0 is served from the watch cache and ignores limit; Exact (or the legacy
 * RV+limit) reads the collection as it was at that revision, 410 once it left the history; a
 * future RV is a 504. Continue tokens keep the first page's revision.
 */
export function listCollection(
  store: ObjectStore,
  type: ResourceType,
  namespace: string | undefined,
  query: URLSearchParams,
): JsonObject {
  const rvText = query.get("resourceVersion") ?? "";
  const match = query.get("resourceVersionMatch") ?? "";
  const limit = Number(query.get("limit") ?? "0");
  const continueText = query.get("continue") ?? "";
  if (match !== "" && rvText === "") {
    throw invalidOptions(
      "ListOptions",
      "resourceVersionMatch",
      "FieldValueForbidden",
      "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided",
    );
  }
  const labels = LabelSelector.parse(query.get("labelSelector") ?? undefined);
  const fields = FieldSelector.parse(query.get("fieldSelector") ?? undefined);
  const current = store.resourceVersion;

  let readAt = current;
  let isExact = false;
  let isLimitHonoured = limit > 0;
  let start = "";
  if (continueText !== "") {
    const token = decodeContinue(continueText);
    start = token.start;
    if (token.rv === -1) readAt = current;
    else if (token.rv < store.oldestResourceVersion) {
      throw expired(
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
        { continue: encodeContinue(-1, token.start) },
      );
    } else {
      readAt = token.rv;
      isExact = true;
    }
  } else if (rvText !== "") {
    const requested = parseResourceVersion(rvText);
    if (requested > current) throw tooLarge(requested, current);
    if (rvText === "0") isLimitHonoured = false;
    else if (match === "Exact" || (match === "" && limit > 0)) {
      if (requested < store.oldestResourceVersion)
        throw expired("The resourceVersion for the provided list is too old.");
      readAt = requested;
      isExact = true;
    } else isLimitHonoured = false;
  }

  const entries =
    isExact && readAt !== current
      ? store.listAt(type, readAt, namespace)
      : store.listWithKeys(type, namespace);
  const hasSelector = !labels.isEmpty || query.has("fieldSelector");
  const matching = entries.filter(
    ([key, object]) =>
      (start === "" || key >= start) && labels.matches(labelsOf(object)) && fields.matches(object),
  );
  let page = matching;
  const metadata: JsonObject = { resourceVersion: String(readAt) };
  if (isLimitHonoured && matching.length > limit) {
    page = matching.slice(0, limit);
    const last = page[page.length - 1];
    if (last) metadata.continue = encodeContinue(readAt, `${last[0]}\u0000`);
    if (!hasSelector) metadata.remainingItemCount = matching.length - limit;
  }
  const items = page.map(([, object]) => listItem(type, object));
  if (type.isCustom) {
    const sortedMeta: JsonObject = { continue: metadata.continue ?? "" };
    if (metadata.remainingItemCount !== undefined)
      sortedMeta.remainingItemCount = metadata.remainingItemCount;
    sortedMeta.resourceVersion = metadata.resourceVersion ?? "";
    return { apiVersion: apiVersionOf(type), items, kind: type.listKind, metadata: sortedMeta };
  }
  return { kind: type.listKind, apiVersion: apiVersionOf(type), metadata, items };
}
