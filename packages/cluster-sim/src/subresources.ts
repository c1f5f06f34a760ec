import { ApiError, badRequest } from "./errors";
import { getObject, getString, isJsonObject, type JsonObject, type JsonValue, toJsonValue } from "./json";
import { jsonPatch, mergePatch } from "./patch";
import type { ResourceType } from "./resource-registry";
import { encodeManagedFields, recordUpdate } from "./ssa/managed-fields";
import { type ObjectStore, timestamp } from "./store";

/** autoscaling/v1 Scale of a Deployment, StatefulSet or ReplicaSet. */
export function scaleOf(object: JsonObject): JsonObject {
  const metadata = getObject(object, "metadata") ?? {};
  const spec = getObject(object, "spec") ?? {};
  const status = getObject(object, "status") ?? {};
  const matchLabels = getObject(getObject(spec, "selector") ?? {}, "matchLabels") ?? {};
  const selector = Object.entries(matchLabels)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(",");
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: metadata.name ?? "",
      namespace: metadata.namespace ?? "",
      uid: metadata.uid ?? "",
      resourceVersion: metadata.resourceVersion ?? "",
      creationTimestamp: metadata.creationTimestamp ?? null,
    },
    spec: { replicas: spec.replicas ?? 1 },
    status: { replicas: status.replicas ?? 0, selector },
  };
}

function decodePatch(contentType: string, text: string): JsonValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest(`error decoding ${contentType} body`);
  }
  const value = toJsonValue(parsed);
  if (value === undefined) throw badRequest(`error decoding ${contentType} body`);
  return value;
}

function patchSubresource(current: JsonObject, contentType: string, bodyText: string): JsonObject {
  const mediaType = contentType.split(";")[0]?.trim() ?? "";
  let patched: JsonValue;
  if (mediaType === "application/json-patch+json")
    patched = jsonPatch(current, decodePatch(mediaType, bodyText));
  else if (
    mediaType === "application/merge-patch+json" ||
    mediaType === "application/strategic-merge-patch+json" ||
    mediaType === "application/apply-patch+yaml" ||
    mediaType === "application/json"
  ) {
    // Applying to a subresource is treated as a merge of its fields (no per-manager ownership).
    patched = mergePatch(current, decodePatch(mediaType, bodyText));
  } else {
    throw new ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format");
  }
  if (!isJsonObject(patched)) throw badRequest("patch produced a non-object");
  return patched;
}

/** PATCH/PUT of .../scale: only spec.replicas moves. */
export function writeScale(
  store: ObjectStore,
  type: ResourceType,
  namespace: string,
  name: string,
  method: string,
  contentType: string,
  bodyText: string,
  manager: string,
  dryRun: boolean,
): JsonObject {
  const current = store.mustGet(type, namespace, name);
  const scale = scaleOf(current);
  const next =
    method === "PUT" ? decodePatch(contentType, bodyText) : patchSubresource(scale, contentType, bodyText);
  const replicas = isJsonObject(next) ? getObject(next, "spec")?.replicas : undefined;
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
    throw new ApiError(
      422,
      "Invalid",
      `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value`,
    );
  }
  const updated: JsonObject = { ...current, spec: { ...(getObject(current, "spec") ?? {}), replicas } };
  const managers = recordUpdate({
    type,
    before: current,
    after: updated,
    manager,
    subresource: "scale",
    now: timestamp(store.now()),
  });
  updated.metadata = {
    ...(getObject(updated, "metadata") ?? {}),
    managedFields: encodeManagedFields(managers, type.isCustom),
  };
  return scaleOf(store.update(type, updated, { dryRun }));
}

/** PATCH/PUT of .../status: everything but status stays as stored. */
export function writeStatus(
  store: ObjectStore,
  type: ResourceType,
  namespace: string,
  name: string,
  method: string,
  contentType: string,
  bodyText: string,
  options: { dryRun: boolean },
): JsonObject {
  const current = store.mustGet(type, namespace, name);
  const next =
    method === "PUT" ? decodePatch(contentType, bodyText) : patchSubresource(current, contentType, bodyText);
  if (!isJsonObject(next)) throw badRequest("the body of the request must be an object");
  // Status ownership is not tracked: controllers' status entries are not modelled either.
  const updated: JsonObject = { ...current };
  if (next.status !== undefined) updated.status = next.status;
  return store.update(type, updated, { dryRun: options.dryRun });
}

/** POST pods/<name>/binding: what the scheduler does. */
export function bindPod(
  store: ObjectStore,
  type: ResourceType,
  namespace: string,
  name: string,
  body: JsonObject,
): JsonObject {
  const pod = store.mustGet(type, namespace, name);
  const node = getString(getObject(body, "target"), "name");
  if (!node) throw badRequest("binding target name is required");
  store.update(type, { ...pod, spec: { ...(getObject(pod, "spec") ?? {}), nodeName: node } });
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 };
}
