import { parse as parseYaml, YAMLParseError } from "yaml";
import { admit, applyDefaults, carryStatus, type DefaultingContext } from "./defaults";
import { ApiError, badRequest, invalidOptions, notFound } from "./errors";
import {
  deepClone,
  getObject,
  getString,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  toJsonValue,
} from "./json";
import { jsonPatch, mergePatch, strategicMergePatch } from "./patch";
import { apiVersionOf, type ResourceType } from "./resource-registry";
import {
  checkAgainstSchema,
  describeForTypedPatch,
  openApiTypeName,
  type SchemaFindings,
} from "./schema/validate";
import { applyConfiguration, encodeManagedFields, pruneMissing, recordUpdate } from "./ssa/managed-fields";
import { type ObjectStore, timestamp } from "./store";

export type FieldValidation = "Strict" | "Warn" | "Ignore";

export interface WriteOptions {
  dryRun: boolean;
  /** fieldManager query parameter */
  fieldManager?: string;
  /** User-Agent, which names the manager when fieldManager is absent */
  userAgent?: string;
  fieldValidation?: FieldValidation;
  force?: boolean;
}

export interface WriteResult {
  object: JsonObject;
  /** 201 when the write created the object */
  isCreated: boolean;
  warnings: string[];
}

export const patchContentTypes = {
  apply: "application/apply-patch+yaml",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  json: "application/json-patch+json",
} as const;

/** `kubectl/v1.28.7 (linux/amd64) ...` → `kubectl`: how the server names a manager nobody named. */
function managerFromUserAgent(userAgent: string | undefined): string {
  const name = (userAgent ?? "unknown").split("/")[0] ?? "unknown";
  return name.slice(0, 128);
}

function parseJsonBody(text: string): JsonValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw badRequest(`error decoding JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const value = toJsonValue(parsed);
  if (value === undefined) throw badRequest("error decoding JSON: unsupported value");
  return value;
}

/** Bodies of POST/PUT: JSON, or YAML when the client says so. */
export function decodeObjectBody(text: string, contentType: string): JsonObject {
  const value = contentType.includes("yaml") ? parseYamlBody(text) : parseJsonBody(text);
  if (!isJsonObject(value)) throw badRequest("the body of the request must be an object");
  return value;
}

function parseYamlBody(text: string): JsonValue {
  // JSON is YAML, and what clients send to apply-patch+yaml is almost always JSON: decode that
  // directly (the YAML parser is ~10× slower); anything JSON.parse refuses goes to the YAML parser.
  if (text.trimStart().startsWith("{")) {
    try {
      const value = toJsonValue(JSON.parse(text));
      if (value !== undefined) return value;
    } catch {
      // Not JSON after all (YAML flow mappings start with "{" too).
    }
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    const detail =
      error instanceof YAMLParseError
        ? `line ${error.linePos?.[0]?.line ?? 1}: ${error.message.split("\n")[0] ?? ""}`
        : String(error);
    throw badRequest(`error decoding YAML: error converting YAML to JSON: yaml: ${detail}`);
  }
  const value = toJsonValue(parsed ?? {});
  if (value === undefined) throw badRequest("error decoding YAML: unsupported value");
  return value;
}

/**
 * The write paths of the API (create, update, the three patch types, server-side apply), with the
 * admission, validation, defaulting and field ownership a real API server does around storage.
 */
export class ResourceOperations {
  constructor(
    private readonly store: ObjectStore,
    private readonly defaulting: DefaultingContext,
  ) {}

  private now(): string {
    return timestamp(this.store.now());
  }

  private requireNamespace(type: ResourceType, namespace: string): void {
    if (!type.namespaced) return;
    const namespaces = this.store.registry.get("", "namespaces");
    if (!this.store.get(namespaces, "", namespace)) throw notFound("namespaces", "", namespace);
  }

  private checkIdentity(
    type: ResourceType,
    body: JsonObject,
    namespace: string,
    name: string | undefined,
  ): JsonObject {
    const metadata = getObject(body, "metadata") ?? {};
    const bodyName = getString(metadata, "name");
    if (name !== undefined && bodyName !== undefined && bodyName !== name) {
      throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
    }
    const bodyNamespace = getString(metadata, "namespace");
    if (
      type.namespaced &&
      bodyNamespace !== undefined &&
      bodyNamespace !== "" &&
      bodyNamespace !== namespace
    ) {
      throw badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    const finalName = name ?? bodyName;
    if (!finalName) {
      throw new ApiError(
        422,
        "Invalid",
        `${type.kind} "" is invalid: metadata.name: Required value: name or generateName is required`,
        {
          kind: type.kind,
          group: type.group,
          causes: [
            {
              reason: "FieldValueRequired",
              message: "Required value: name or generateName is required",
              field: "metadata.name",
            },
          ],
        },
      );
    }
    const out = deepClone(body);
    const outMeta = getObject(out, "metadata") ?? {};
    outMeta.name = finalName;
    if (type.namespaced) outMeta.namespace = namespace;
    out.metadata = outMeta;
    out.apiVersion = apiVersionOf(type);
    out.kind = type.kind;
    return out;
  }

  private checkKind(type: ResourceType, body: JsonObject): void {
    const apiVersion = getString(body, "apiVersion");
    const kind = getString(body, "kind");
    if (!apiVersion || !kind) {
      const [group, version] = (apiVersion ?? "").includes("/")
        ? (apiVersion ?? "").split("/")
        : ["", apiVersion ?? ""];
      throw badRequest(`invalid object type: ${group ?? ""}/${version ?? ""}, Kind=${kind ?? ""}`);
    }
    if (apiVersion !== apiVersionOf(type) || kind !== type.kind) {
      throw badRequest(
        `the API version in the data (${apiVersion}) does not match the expected API version (${apiVersionOf(type)})`,
      );
    }
  }

  /** Unknown fields and wrong types for writes other than apply: prune/warn, 400 or 422. */
  private validateWrite(type: ResourceType, object: JsonObject, validation: FieldValidation): string[] {
    if (!type.schema) return [];
    const findings = checkAgainstSchema(type.schema, object);
    const name = getString(getObject(object, "metadata"), "name") ?? "";
    if (findings.typeProblems.length > 0) throw this.invalid(type, name, findings, true);
    if (findings.unknownFields.length > 0 && validation === "Strict") {
      const list = findings.unknownFields.map((field) => `unknown field "${field}"`).join(", ");
      throw badRequest(
        `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${list}`,
      );
    }
    for (const field of findings.unknownFields) removeDotted(object, field);
    this.checkRules(type, object);
    return validation === "Warn" ? findings.unknownFields.map((field) => `unknown field "${field}"`) : [];
  }

  private checkRules(type: ResourceType, object: JsonObject): void {
    if (!type.schema) return;
    const findings = checkAgainstSchema(type.schema, object);
    if (findings.ruleProblems.length > 0) {
      throw this.invalid(type, getString(getObject(object, "metadata"), "name") ?? "", findings, false);
    }
  }

  private invalid(
    type: ResourceType,
    name: string,
    findings: SchemaFindings,
    isTypeError: boolean,
  ): ApiError {
    const causes = isTypeError
      ? [
          ...findings.typeProblems.map((problem) => {
            const shown = openApiTypeName(problem.value);
            const expected = problem.expected === "integer" ? "integer" : problem.expected;
            return {
              reason: "FieldValueTypeInvalid",
              message: `Invalid value: "${shown}": ${problem.path} in body must be of type ${expected}: "${shown}"`,
              field: problem.path,
            };
          }),
          {
            reason: "FieldValueInvalid",
            message:
              'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
            field: "<nil>",
          },
        ]
      : findings.ruleProblems.map((problem) => ({
          reason: "FieldValueInvalid",
          message: `Invalid value: "${typeof problem.value}": ${problem.message}`,
          field: problem.path,
        }));
    const summary =
      causes.length === 1 && causes[0]
        ? `${causes[0].field}: ${causes[0].message}`
        : `[${causes.map((cause) => `${cause.field}: ${cause.message}`).join(", ")}]`;
    return new ApiError(422, "Invalid", `${type.kind}.${type.group} "${name}" is invalid: ${summary}`, {
      name,
      group: type.group,
      kind: type.kind,
      causes,
    });
  }

  /** POST to a collection. */
  create(type: ResourceType, namespace: string, body: JsonObject, options: WriteOptions): WriteResult {
    const object = this.checkIdentity(type, body, namespace, undefined);
    this.requireNamespace(type, namespace);
    const warnings = this.validateWrite(type, object, options.fieldValidation ?? "Warn");
    return { object: this.writeUpdate(type, undefined, object, options), isCreated: true, warnings };
  }

  /** PUT of a whole object; a stale metadata.resourceVersion is a 409. */
  replace(
    type: ResourceType,
    namespace: string,
    name: string,
    body: JsonObject,
    options: WriteOptions,
  ): WriteResult {
    const object = this.checkIdentity(type, body, namespace, name);
    const current = this.store.mustGet(type, namespace, name);
    const warnings = this.validateWrite(type, object, options.fieldValidation ?? "Warn");
    const expected = getString(getObject(body, "metadata"), "resourceVersion");
    return {
      object: this.writeUpdate(type, current, object, options, expected),
      isCreated: false,
      warnings,
    };
  }

  /** PATCH with any of the four patch types. */
  patch(
    type: ResourceType,
    namespace: string,
    name: string,
    contentType: string,
    bodyText: string,
    options: WriteOptions,
  ): WriteResult {
    const mediaType = contentType.split(";")[0]?.trim() ?? "";
    const accepted = type.isCustom
      ? [patchContentTypes.json, patchContentTypes.merge, patchContentTypes.apply]
      : [
          patchContentTypes.json,
          patchContentTypes.merge,
          patchContentTypes.strategic,
          patchContentTypes.apply,
        ];
    if (!accepted.some((candidate) => candidate === mediaType)) {
      throw new ApiError(
        415,
        "UnsupportedMediaType",
        `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
      );
    }
    if (mediaType === patchContentTypes.apply) return this.apply(type, namespace, name, bodyText, options);
    const current = this.store.mustGet(type, namespace, name);
    const patchBody = parseJsonBody(bodyText);
    let patched: JsonValue;
    if (mediaType === patchContentTypes.json) patched = jsonPatch(current, patchBody);
    else if (mediaType === patchContentTypes.merge) patched = mergePatch(current, patchBody);
    else patched = strategicMergePatch(type, current, patchBody);
    if (!isJsonObject(patched)) throw badRequest("patch produced a non-object");
    const object = this.checkIdentity(type, patched, namespace, name);
    const warnings = this.validateWrite(type, object, options.fieldValidation ?? "Warn");
    return { object: this.writeUpdate(type, current, object, options), isCreated: false, warnings };
  }

  private writeUpdate(
    type: ResourceType,
    current: JsonObject | undefined,
    requested: JsonObject,
    options: WriteOptions,
    expectedResourceVersion?: string,
  ): JsonObject {
    // `requested` is already a private copy (checkIdentity or a patch result).
    const next = requested;
    admit(type, next);
    const manager = options.fieldManager ?? managerFromUserAgent(options.userAgent);
    let managers = recordUpdate({ type, before: current, after: next, manager, now: this.now() });
    carryStatus(type, next, current);
    applyDefaults(type, next, this.defaulting);
    managers = pruneMissing(type, next, managers);
    setManagedFields(type, next, managers);
    if (!current) return this.store.create(type, next, { dryRun: options.dryRun });
    return this.store.update(type, next, { dryRun: options.dryRun, expectedResourceVersion });
  }

  /** Server-side apply (PATCH application/apply-patch+yaml). */
  private apply(
    type: ResourceType,
    namespace: string,
    name: string,
    bodyText: string,
    options: WriteOptions,
  ): WriteResult {
    const manager = options.fieldManager;
    if (!manager) {
      throw invalidOptions(
        "PatchOptions",
        "fieldManager",
        "FieldValueRequired",
        "Required value: is required for apply patch",
      );
    }
    const decoded = parseYamlBody(bodyText);
    if (!isJsonObject(decoded)) throw badRequest("error decoding YAML: the body must be an object");
    this.checkKind(type, decoded);
    const config = this.checkIdentity(type, decoded, namespace, name);
    this.requireNamespace(type, namespace);
    if (type.schema) {
      const findings = checkAgainstSchema(type.schema, config);
      const first = findings.unknownFields[0];
      const problem = findings.typeProblems[0];
      const where = `${type.namespaced ? `${namespace}/` : ""}${name}; ${apiVersionOf(type)}, Kind=${type.kind}`;
      if (first !== undefined) {
        throw new ApiError(
          500,
          undefined,
          `failed to create typed patch object (${where}): .${first}: field not declared in schema`,
        );
      }
      if (problem) {
        throw new ApiError(
          500,
          undefined,
          `failed to create typed patch object (${where}): .${problem.path}: ${describeForTypedPatch(problem)}`,
        );
      }
    }
    const live = this.store.get(type, namespace, name);
    const { object, managers } = applyConfiguration({
      type,
      live,
      config,
      manager,
      force: options.force === true,
      now: this.now(),
    });
    const metadata = getObject(object, "metadata") ?? {};
    metadata.name = name;
    if (type.namespaced) metadata.namespace = namespace;
    object.metadata = metadata;
    admit(type, object);
    carryStatus(type, object, live);
    applyDefaults(type, object, this.defaulting);
    this.checkRules(type, object);
    setManagedFields(type, object, managers);
    if (!live)
      return {
        object: this.store.create(type, object, { dryRun: options.dryRun }),
        isCreated: true,
        warnings: [],
      };
    return {
      object: this.store.update(type, object, { dryRun: options.dryRun }),
      isCreated: false,
      warnings: [],
    };
  }
}

function setManagedFields(
  type: ResourceType,
  object: JsonObject,
  managers: ReturnType<typeof recordUpdate>,
): void {
  const metadata = getObject(object, "metadata") ?? {};
  if (managers.length > 0) metadata.managedFields = encodeManagedFields(managers, type.isCustom);
  else delete metadata.managedFields;
  object.metadata = metadata;
}

/** Removes `spec.http[0].retries.perTryTimeoutt` from an object (pruning unknown fields). */
function removeDotted(object: JsonObject, dotted: string): void {
  const segments = dotted.match(/[^.[\]]+/g) ?? [];
  let node: JsonValue | undefined = object;
  for (const segment of segments.slice(0, -1)) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isJsonObject(node)) node = node[segment];
    else return;
  }
  const last = segments[segments.length - 1];
  if (last !== undefined && isJsonObject(node)) delete node[last];
}

/** What a DELETE answers: the object for pods and namespaces (graceful), a Status otherwise. */
export function deleteResource(
  store: ObjectStore,
  type: ResourceType,
  namespace: string,
  name: string,
  options: { dryRun: boolean },
): JsonObject {
  const current = store.mustGet(type, namespace, name);
  const metadata = getObject(current, "metadata") ?? {};
  const now = store.now();
  if (type.group === "" && (type.resource === "pods" || type.resource === "namespaces")) {
    const grace = type.resource === "pods" ? podGracePeriod(current) : undefined;
    const deletion = new Date(now.getTime() + (grace ?? 0) * 1000);
    const marked: JsonObject = {
      ...current,
      metadata: {
        ...metadata,
        deletionTimestamp: timestamp(deletion),
        ...(grace !== undefined ? { deletionGracePeriodSeconds: grace } : {}),
      },
    };
    if (type.resource === "namespaces") {
      marked.spec = { finalizers: ["kubernetes"] };
      marked.status = { phase: "Terminating" };
    }
    if (options.dryRun) return marked;
    const terminating = store.update(type, marked);
    if (type.resource === "namespaces") deleteNamespaceContents(store, name);
    // Nothing runs the pod (no kubelet), so the grace period ends at once, as for an unbound pod.
    store.delete(type, namespace, name);
    return terminating;
  }
  if (!options.dryRun) store.delete(type, namespace, name);
  const details: JsonObject = { name, group: type.group, kind: type.resource, uid: metadata.uid ?? "" };
  if (type.group === "") delete details.group;
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details };
}

function podGracePeriod(pod: JsonObject): number {
  const grace = getObject(pod, "spec")?.terminationGracePeriodSeconds;
  return typeof grace === "number" ? grace : 30;
}

/** What the namespace controller does: every namespaced object in it goes, each with a DELETED event. */
export function deleteNamespaceContents(store: ObjectStore, namespace: string): void {
  store.batch(() => {
    for (const type of store.registry.all) {
      if (!type.namespaced) continue;
      for (const object of store.list(type, namespace)) {
        const name = getString(getObject(object, "metadata"), "name");
        if (name && store.get(type, namespace, name)) store.delete(type, namespace, name);
      }
    }
  });
}
