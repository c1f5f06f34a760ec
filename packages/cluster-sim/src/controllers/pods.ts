import { randomBytes } from "node:crypto";
import { defaultPodSpec } from "../defaults";
import {
  deepClone,
  getObject,
  getString,
  getStringMap,
  isJsonObject,
  type JsonObject,
  type JsonValue,
} from "../json";

/** The Istio release the simulated control plane runs (its proxy image tag says so too). */
export const istioVersion = "1.30.3";

const safeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

/** Kubernetes' rand.String: the suffix of generated names. */
export function randomSuffix(length = 5): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += safeAlphabet[byte % safeAlphabet.length];
  return out;
}

/** FNV-1a of the template, encoded as controllers do for pod-template-hash. */
export function templateHash(template: JsonValue): string {
  let hash = 0x811c9dc5;
  const text = JSON.stringify(template);
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  let out = "";
  for (const digit of String(hash)) out += safeAlphabet[Number(digit) % safeAlphabet.length];
  return out;
}

/** Whether the sidecar injector would add istio-proxy to a pod of this namespace. */
export function isInjected(namespace: JsonObject | undefined, template: JsonObject): boolean {
  const labels = getStringMap(getObject(namespace ?? {}, "metadata"), "labels");
  const podMeta = getObject(template, "metadata");
  const annotations = getStringMap(podMeta, "annotations");
  const podLabels = getStringMap(podMeta, "labels");
  const optOut =
    annotations["sidecar.istio.io/inject"] === "false" || podLabels["sidecar.istio.io/inject"] === "false";
  if (optOut) return false;
  return labels["istio-injection"] === "enabled" || labels["istio.io/rev"] !== undefined;
}

function proxyContainer(): JsonObject {
  return {
    name: "istio-proxy",
    image: `docker.io/istio/proxyv2:${istioVersion}`,
    args: ["proxy", "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local"],
    ports: [{ name: "http-envoy-prom", containerPort: 15090, protocol: "TCP" }],
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "2", memory: "1Gi" } },
  };
}

export interface PodBuildOptions {
  name: string;
  generateName?: string;
  namespace: string;
  template: JsonObject;
  extraLabels: Record<string, string>;
  owner: { apiVersion: string; kind: string; name: string; uid: string };
  isSidecarInjected: boolean;
  podIP: string;
  nodeName: string;
  now: string;
}

/**
 * A pod as the controllers, the injector and a kubelet would leave it: template labels, owner,
 * istio-proxy when injected, scheduled and Running/Ready with an IP (nothing runs it, so it is
 * ready at once).
 */
export function buildPod(options: PodBuildOptions): JsonObject {
  const template = deepClone(options.template);
  const templateMeta = getObject(template, "metadata") ?? {};
  const spec = getObject(template, "spec") ?? {};
  const labels: JsonObject = { ...getStringMap(templateMeta, "labels"), ...options.extraLabels };
  const annotations: JsonObject = { ...getStringMap(templateMeta, "annotations") };
  if (options.isSidecarInjected) {
    const app = getString(labels, "app") ?? options.owner.name;
    labels["security.istio.io/tlsMode"] = "istio";
    labels["service.istio.io/canonical-name"] = app;
    labels["service.istio.io/canonical-revision"] = getString(labels, "version") ?? "latest";
    annotations["sidecar.istio.io/status"] = JSON.stringify({
      initContainers: ["istio-init"],
      containers: ["istio-proxy"],
      volumes: ["istio-envoy", "istio-data", "istio-podinfo", "istio-token", "istiod-ca-cert"],
      revision: "default",
    });
    const containers = Array.isArray(spec.containers) ? spec.containers : [];
    spec.containers = [...containers, proxyContainer()];
    spec.initContainers = [
      ...(Array.isArray(spec.initContainers) ? spec.initContainers : []),
      { name: "istio-init", image: `docker.io/istio/proxyv2:${istioVersion}`, args: ["istio-iptables"] },
    ];
  }
  defaultPodSpec(spec);
  spec.nodeName = options.nodeName;
  const metadata: JsonObject = {
    name: options.name,
    namespace: options.namespace,
    labels,
    ownerReferences: [{ ...options.owner, controller: true, blockOwnerDeletion: true }],
  };
  if (options.generateName) metadata.generateName = options.generateName;
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata,
    spec,
    status: readyStatus(containers, options.podIP, options.now, true),
  };
}

/** Pod status for a running pod, ready or not. */
export function readyStatus(
  containers: JsonValue[],
  podIP: string,
  now: string,
  isReady: boolean,
): JsonObject {
  const flag = isReady ? "True" : "False";
  return {
    phase: "Running",
    conditions: [
      { type: "Initialized", status: "True", lastProbeTime: null, lastTransitionTime: now },
      { type: "Ready", status: flag, lastProbeTime: null, lastTransitionTime: now },
      { type: "ContainersReady", status: flag, lastProbeTime: null, lastTransitionTime: now },
      { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: now },
    ],
    hostIP: "192.168.0.10",
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: now,
    containerStatuses: containers.filter(isJsonObject).map((container) => ({
      name: container.name ?? "",
      state: { running: { startedAt: now } },
      lastState: {},
      ready: isReady,
      restartCount: 0,
      image: container.image ?? "",
      imageID: "",
      started: true,
    })),
    qosClass: "BestEffort",
  };
}

export function isPodReady(pod: JsonObject): boolean {
  const conditions = getObject(pod, "status")?.conditions;
  if (!Array.isArray(conditions)) return false;
  return conditions.some(
    (condition) => isJsonObject(condition) && condition.type === "Ready" && condition.status === "True",
  );
}

export function isTerminating(object: JsonObject): boolean {
  return getObject(object, "metadata")?.deletionTimestamp !== undefined;
}
