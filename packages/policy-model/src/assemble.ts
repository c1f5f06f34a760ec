/**
 * Stage 3b: a cluster's compile units → its CompileResult (resources in their total order, sorted
 * diagnostics, the config hash). `updateResult` produces the same result from the previous one and
 * the few units a change recompiled, so a one-policy edit costs a merge, not a sort of everything.
 */
import type { CompileResult, CompileUnit } from "./compile";
import { compareDiagnostics, type Diagnostic, PolicyModelInternalError } from "./diagnostics";
import { contentHash, sha256Hex } from "./hash";
import { contentHashAnnotation, type MeshKind, type MeshResource, resourceKey } from "./resource";

// Resources are immutable values (see emit/memo.ts) and the memo hands the same object to every
// cluster it lands in, so what is derived from one is computed once per object, not per cluster.
const orderKeys = new WeakMap<MeshResource, string>();
const hashLines = new WeakMap<MeshResource, string>();

// The same order as compareResources: kind rank first (one character, so it decides alone), then
// `namespace/name`, as one string compared once instead of two built on every comparison.
const kindRank: Record<MeshKind, string> = {
  PeerAuthentication: "0",
  AuthorizationPolicy: "1",
  DestinationRule: "2",
  VirtualService: "3",
  EnvoyFilter: "4",
};

function orderKey(r: MeshResource): string {
  let key = orderKeys.get(r);
  if (key === undefined) {
    key = `${kindRank[r.kind]}${r.metadata.namespace}/${r.metadata.name}`;
    orderKeys.set(r, key);
  }
  return key;
}

const compareOrderKeys = (a: MeshResource, b: MeshResource): number => {
  const ka = orderKey(a);
  const kb = orderKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

function hashLine(r: MeshResource): string {
  let line = hashLines.get(r);
  if (line === undefined) {
    line = `${resourceKey(r)} ${r.metadata.annotations[contentHashAnnotation] ?? contentHash(r)}\n`;
    hashLines.set(r, line);
  }
  return line;
}

/** Hash of a cluster's desired config, from the resources' own content hashes. */
export function configHash(resources: readonly MeshResource[]): string {
  let text = "";
  for (const r of resources) text += hashLine(r);
  return `sha256:${sha256Hex(text)}`;
}

/** Two resources with one identity would fight over one object in the cluster: a compiler bug. */
function assertUniqueKeys(resources: readonly MeshResource[]): void {
  for (let i = 1; i < resources.length; i++) {
    const previous = resources[i - 1];
    const current = resources[i];
    if (previous && current && orderKey(previous) === orderKey(current))
      throw new PolicyModelInternalError(`two resources share the key ${resourceKey(current)}`);
  }
}

function finish(cluster: string, resources: MeshResource[], diagnostics: Diagnostic[]): CompileResult {
  assertUniqueKeys(resources);
  return { cluster, resources, diagnostics, hash: configHash(resources) };
}

/** One cluster's result from all of its units. */
export function assembleResult(cluster: string, units: Iterable<CompileUnit>): CompileResult {
  const resources: MeshResource[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const unit of units) {
    for (const r of unit.resources) resources.push(r);
    for (const d of unit.diagnostics) diagnostics.push(d);
  }
  return finish(cluster, resources.sort(compareOrderKeys), diagnostics.sort(compareDiagnostics));
}

/** Merge two lists sorted by `compare` into one sorted list. */
function mergeSorted<T>(a: readonly T[], b: readonly T[], compare: (x: T, y: T) => number): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x === undefined || y === undefined) break;
    if (compare(y, x) < 0) {
      out.push(y);
      j++;
    } else {
      out.push(x);
      i++;
    }
  }
  for (; i < a.length; i++) {
    const x = a[i];
    if (x !== undefined) out.push(x);
  }
  for (; j < b.length; j++) {
    const y = b[j];
    if (y !== undefined) out.push(y);
  }
  return out;
}

/**
 * The result `assembleResult` would give after replacing the `removed` units of `previous` by the
 * `added` ones: everything else of the cluster is already in order and is only merged, not sorted.
 */
export function updateResult(
  previous: CompileResult,
  removed: readonly CompileUnit[],
  added: readonly CompileUnit[],
): CompileResult {
  const goneResources = new Set<MeshResource>();
  const goneDiagnostics = new Set<Diagnostic>();
  for (const unit of removed) {
    for (const r of unit.resources) goneResources.add(r);
    for (const d of unit.diagnostics) goneDiagnostics.add(d);
  }
  const newResources: MeshResource[] = [];
  const newDiagnostics: Diagnostic[] = [];
  for (const unit of added) {
    for (const r of unit.resources) newResources.push(r);
    for (const d of unit.diagnostics) newDiagnostics.push(d);
  }
  const resources = mergeSorted(
    goneResources.size > 0 ? previous.resources.filter((r) => !goneResources.has(r)) : previous.resources,
    newResources.sort(compareOrderKeys),
    compareOrderKeys,
  );
  const diagnostics = mergeSorted(
    goneDiagnostics.size > 0
      ? previous.diagnostics.filter((d) => !goneDiagnostics.has(d))
      : previous.diagnostics,
    newDiagnostics.sort(compareDiagnostics),
    compareDiagnostics,
  );
  return finish(previous.cluster, resources, diagnostics);
}
