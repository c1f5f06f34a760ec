/** MtlsPolicy → PeerAuthentication, mesh-wide (root namespace), per namespace or per workload. */
import { type MeshResource, makeResource, sortedRecord } from "../resource";
import type { MtlsMode, MtlsPolicy } from "../schema";
import { sourceOf } from "./names";

export interface PeerAuthenticationInput {
  policy: MtlsPolicy;
  name: string;
  namespace: string;
  /** Workload level only; mesh- and namespace-wide resources have no selector. */
  matchLabels?: Record<string, string>;
}

export const istioMtlsMode: Record<MtlsMode, string> = {
  strict: "STRICT",
  permissive: "PERMISSIVE",
  disable: "DISABLE",
};

export function emitPeerAuthentication(input: PeerAuthenticationInput): MeshResource {
  const mtls = { mode: istioMtlsMode[input.policy.spec.mode] };
  return makeResource({
    kind: "PeerAuthentication",
    name: input.name,
    namespace: input.namespace,
    sources: [sourceOf(input.policy)],
    spec: input.matchLabels ? { selector: { matchLabels: sortedRecord(input.matchLabels) }, mtls } : { mtls },
  });
}
