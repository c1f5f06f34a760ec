/** Stable names for what the compiler emits: same input, same names, in every cluster. */
import { shortHash } from "../hash";
import type { PolicySource } from "../resource";
import type { Policy } from "../schema";

export const namePrefix = "sy-";

export const serviceHost = (namespace: string, service: string, domainSuffix: string): string =>
  `${service}.${namespace}.${domainSuffix}`;

const dnsLabelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Istio requires subset names to be DNS labels, while version labels may hold `.`, `_` or capitals:
 * such versions get a sanitized name with a hash suffix so two versions never share a subset.
 */
export function subsetName(version: string): string {
  if (version.length <= 63 && dnsLabelPattern.test(version)) return version;
  const cleaned = version
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 50);
  return `${cleaned || "v"}-${shortHash(version)}`;
}

export const sourceOf = (policy: Policy): PolicySource =>
  policy.metadata.revision === undefined
    ? { name: policy.metadata.name }
    : { name: policy.metadata.name, revision: policy.metadata.revision };
