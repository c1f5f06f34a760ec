/**
 * The slim forms the agent keeps of what it watches, decoded (and validated) from the Kubernetes
 * API's JSON. Only these fields survive a decode, so a 5,000-pod cluster costs a few hundred KB
 * here instead of the hundreds of MB full pod objects would.
 */
import { z } from "zod";

const stringMap = z.record(z.string(), z.string());
const metadata = z.object({
  name: z.string().min(1),
  namespace: z.string().optional(),
  labels: stringMap.nullish(),
  annotations: stringMap.nullish(),
  resourceVersion: z.string().optional(),
});

export interface SlimNamespace {
  name: string;
  labels: Record<string, string>;
}

export interface SlimService {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  selector: Record<string, string>;
  type: string;
  ports: { name?: string; port: number; protocol: string; targetPort?: number | string }[];
}

export type WorkloadKind = "Deployment" | "StatefulSet";

export interface SlimWorkload {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  app: string | null;
  version: string | null;
  serviceAccount: string | null;
  replicas: number;
  readyReplicas: number;
  /** `sidecar.istio.io/inject` from the pod template (annotation, or the newer label), if set. */
  injectOverride: string | null;
}

export interface SlimPod {
  namespace: string;
  name: string;
  /** The Deployment or StatefulSet that runs the pod, if any. */
  owner: { kind: WorkloadKind; name: string } | null;
  hasSidecar: boolean;
}

const NamespaceJson = z.object({ metadata });

const ServiceJson = z.object({
  metadata,
  spec: z
    .object({
      type: z.string().optional(),
      selector: stringMap.nullish(),
      ports: z
        .array(
          z.object({
            name: z.string().optional(),
            port: z.number().int(),
            protocol: z.string().optional(),
            targetPort: z.union([z.number().int(), z.string()]).optional(),
          }),
        )
        .nullish(),
    })
    .optional(),
});

const WorkloadJson = z.object({
  metadata,
  spec: z
    .object({
      replicas: z.number().int().nonnegative().optional(),
      template: z
        .object({
          metadata: z.object({ labels: stringMap.nullish(), annotations: stringMap.nullish() }).nullish(),
          spec: z.object({ serviceAccountName: z.string().optional() }).nullish(),
        })
        .optional(),
    })
    .optional(),
  status: z.object({ readyReplicas: z.number().int().nonnegative().optional() }).nullish(),
});

const container = z.object({ name: z.string() });
const PodJson = z.object({
  metadata: metadata.extend({
    ownerReferences: z
      .array(z.object({ kind: z.string(), name: z.string(), controller: z.boolean().optional() }))
      .nullish(),
  }),
  spec: z
    .object({ containers: z.array(container).optional(), initContainers: z.array(container).nullish() })
    .optional(),
});

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

function failure(error: z.ZodError): { ok: false; error: string } {
  return {
    ok: false,
    error: error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "),
  };
}

export function decodeNamespace(raw: unknown): Decoded<SlimNamespace> {
  const parsed = NamespaceJson.safeParse(raw);
  if (!parsed.success) return failure(parsed.error);
  return { ok: true, value: { name: parsed.data.metadata.name, labels: parsed.data.metadata.labels ?? {} } };
}

export function decodeService(raw: unknown): Decoded<SlimService> {
  const parsed = ServiceJson.safeParse(raw);
  if (!parsed.success) return failure(parsed.error);
  const { metadata: meta, spec } = parsed.data;
  return {
    ok: true,
    value: {
      namespace: meta.namespace ?? "",
      name: meta.name,
      labels: meta.labels ?? {},
      selector: spec?.selector ?? {},
      type: spec?.type ?? "ClusterIP",
      ports: (spec?.ports ?? []).map((port) => ({
        ...(port.name === undefined || port.name === "" ? {} : { name: port.name }),
        port: port.port,
        protocol: port.protocol ?? "TCP",
        ...(port.targetPort === undefined ? {} : { targetPort: port.targetPort }),
      })),
    },
  };
}

export function decodeWorkload(kind: WorkloadKind, raw: unknown): Decoded<SlimWorkload> {
  const parsed = WorkloadJson.safeParse(raw);
  if (!parsed.success) return failure(parsed.error);
  const { metadata: meta, spec, status } = parsed.data;
  const templateMeta = spec?.template?.metadata;
  const templateLabels = templateMeta?.labels ?? {};
  const injectOverride =
    templateMeta?.annotations?.["sidecar.istio.io/inject"] ??
    templateLabels["sidecar.istio.io/inject"] ??
    null;
  return {
    ok: true,
    value: {
      kind,
      namespace: meta.namespace ?? "",
      name: meta.name,
      labels: meta.labels ?? {},
      app: templateLabels.app ?? templateLabels["app.kubernetes.io/name"] ?? null,
      version: templateLabels.version ?? templateLabels["app.kubernetes.io/version"] ?? null,
      serviceAccount: spec?.template?.spec?.serviceAccountName ?? null,
      // The API server defaults spec.replicas to 1; an absent field means 1.
      replicas: spec?.replicas ?? 1,
      readyReplicas: status?.readyReplicas ?? 0,
      injectOverride,
    },
  };
}

/**
 * A ReplicaSet made by a Deployment is named `<deployment>-<pod-template-hash>`, and its pods carry
 * that hash as a label: stripping it finds the Deployment without watching ReplicaSets too.
 */
export function podOwner(
  ownerReferences: { kind: string; name: string; controller?: boolean }[],
  labels: Record<string, string>,
): SlimPod["owner"] {
  const owner = ownerReferences.find((reference) => reference.controller === true) ?? ownerReferences[0];
  if (!owner) return null;
  if (owner.kind === "StatefulSet") return { kind: "StatefulSet", name: owner.name };
  if (owner.kind === "ReplicaSet") {
    const hash = labels["pod-template-hash"];
    if (hash !== undefined && owner.name.endsWith(`-${hash}`)) {
      return { kind: "Deployment", name: owner.name.slice(0, -(hash.length + 1)) };
    }
  }
  return null;
}

export function decodePod(raw: unknown): Decoded<SlimPod> {
  const parsed = PodJson.safeParse(raw);
  if (!parsed.success) return failure(parsed.error);
  const { metadata: meta, spec } = parsed.data;
  // Istio's native-sidecar mode (Kubernetes 1.29+) puts istio-proxy among the init containers.
  const hasSidecar =
    (spec?.containers ?? []).some((c) => c.name === "istio-proxy") ||
    (spec?.initContainers ?? []).some((c) => c.name === "istio-proxy");
  return {
    ok: true,
    value: {
      namespace: meta.namespace ?? "",
      name: meta.name,
      owner: podOwner(meta.ownerReferences ?? [], meta.labels ?? {}),
      hasSidecar,
    },
  };
}
