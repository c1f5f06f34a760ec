import { ensureObject, getObject, isJsonObject, type JsonObject, type JsonValue } from "./json";
import type { ResourceType } from "./resource-registry";

export interface DefaultingContext {
  allocateClusterIP(): string;
}

function setDefault(object: JsonObject, key: string, value: JsonValue): void {
  if (object[key] === undefined) object[key] = value;
}

/** Fields the server sets before anything is compared or owned (admission, not defaulting). */
export function admit(type: ResourceType, object: JsonObject): void {
  if (type.group === "" && type.resource === "namespaces") {
    const metadata = ensureObject(object, "metadata");
    const labels = ensureObject(metadata, "labels");
    if (typeof metadata.name === "string") labels["kubernetes.io/metadata.name"] = metadata.name;
  }
}

function defaultContainer(container: JsonValue): void {
  if (!isJsonObject(container)) return;
  const ports = container.ports;
  if (Array.isArray(ports))
    for (const port of ports) if (isJsonObject(port)) setDefault(port, "protocol", "TCP");
  setDefault(container, "resources", {});
  setDefault(container, "terminationMessagePath", "/dev/termination-log");
  setDefault(container, "terminationMessagePolicy", "File");
  const image = typeof container.image === "string" ? container.image : "";
  const isLatest = !image.includes(":") || image.endsWith(":latest");
  setDefault(container, "imagePullPolicy", isLatest ? "Always" : "IfNotPresent");
}

export function defaultPodSpec(spec: JsonObject): void {
  for (const key of ["containers", "initContainers"]) {
    const list = spec[key];
    if (Array.isArray(list)) list.forEach(defaultContainer);
  }
  setDefault(spec, "restartPolicy", "Always");
  setDefault(spec, "terminationGracePeriodSeconds", 30);
  setDefault(spec, "dnsPolicy", "ClusterFirst");
  setDefault(spec, "securityContext", {});
  setDefault(spec, "schedulerName", "default-scheduler");
}

function defaultTemplate(spec: JsonObject): void {
  const template = ensureObject(spec, "template");
  const metadata = ensureObject(template, "metadata");
  setDefault(metadata, "creationTimestamp", null);
  defaultPodSpec(ensureObject(template, "spec"));
}

/** Defaulting as the API server does it for the built-in types we serve (custom resources have none). */
export function applyDefaults(type: ResourceType, object: JsonObject, context: DefaultingContext): void {
  const key = `${type.group}/${type.resource}`;
  switch (key) {
    case "/namespaces": {
      const spec = ensureObject(object, "spec");
      setDefault(spec, "finalizers", ["kubernetes"]);
      const status = ensureObject(object, "status");
      setDefault(status, "phase", "Active");
      return;
    }
    case "/services": {
      const spec = ensureObject(object, "spec");
      const ports = spec.ports;
      if (Array.isArray(ports)) {
        for (const port of ports) {
          if (!isJsonObject(port)) continue;
          setDefault(port, "protocol", "TCP");
          if (port.targetPort === undefined && port.port !== undefined) port.targetPort = port.port;
        }
      }
      setDefault(spec, "type", "ClusterIP");
      if (spec.clusterIP === undefined) {
        const ip = context.allocateClusterIP();
        spec.clusterIP = ip;
        spec.clusterIPs = [ip];
      }
      setDefault(spec, "sessionAffinity", "None");
      setDefault(spec, "ipFamilies", ["IPv4"]);
      setDefault(spec, "ipFamilyPolicy", "SingleStack");
      setDefault(spec, "internalTrafficPolicy", "Cluster");
      const status = ensureObject(object, "status");
      setDefault(status, "loadBalancer", {});
      return;
    }
    case "/pods": {
      const spec = ensureObject(object, "spec");
      defaultPodSpec(spec);
      setDefault(spec, "tolerations", [
        {
          key: "node.kubernetes.io/not-ready",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
        {
          key: "node.kubernetes.io/unreachable",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
      ]);
      setDefault(spec, "priority", 0);
      setDefault(spec, "enableServiceLinks", true);
      setDefault(spec, "preemptionPolicy", "PreemptLowerPriority");
      const status = ensureObject(object, "status");
      setDefault(status, "phase", "Pending");
      return;
    }
    case "apps/deployments": {
      const spec = ensureObject(object, "spec");
      setDefault(spec, "replicas", 1);
      defaultTemplate(spec);
      setDefault(spec, "strategy", {
        type: "RollingUpdate",
        rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" },
      });
      setDefault(spec, "revisionHistoryLimit", 10);
      setDefault(spec, "progressDeadlineSeconds", 600);
      setDefault(object, "status", {});
      return;
    }
    case "apps/replicasets": {
      const spec = ensureObject(object, "spec");
      setDefault(spec, "replicas", 1);
      defaultTemplate(spec);
      setDefault(object, "status", { replicas: 0 });
      return;
    }
    case "apps/statefulsets": {
      const spec = ensureObject(object, "spec");
      setDefault(spec, "replicas", 1);
      defaultTemplate(spec);
      setDefault(spec, "podManagementPolicy", "OrderedReady");
      setDefault(spec, "updateStrategy", { type: "RollingUpdate", rollingUpdate: { partition: 0 } });
      setDefault(spec, "revisionHistoryLimit", 10);
      setDefault(spec, "persistentVolumeClaimRetentionPolicy", {
        whenDeleted: "Retain",
        whenScaled: "Retain",
      });
      setDefault(object, "status", { replicas: 0, availableReplicas: 0 });
      return;
    }
    case "/secrets": {
      setDefault(object, "type", "Opaque");
      // stringData is write-only: the server folds it into data, base64-encoded.
      const stringData = object.stringData;
      if (isJsonObject(stringData)) {
        const data = ensureObject(object, "data");
        for (const [key, value] of Object.entries(stringData)) {
          if (typeof value === "string") data[key] = Buffer.from(value, "utf8").toString("base64");
        }
        delete object.stringData;
      }
      return;
    }
    default:
      return;
  }
}

/** Status is owned by controllers: writes to the main resource keep the stored status. */
export function carryStatus(type: ResourceType, next: JsonObject, current: JsonObject | undefined): void {
  if (type.resource === "configmaps" || type.resource === "secrets" || type.resource === "serviceaccounts")
    return;
  if (type.group === "rbac.authorization.k8s.io") return;
  if (current && current.status !== undefined) next.status = current.status;
  else delete next.status;
  if (getObject(next, "metadata") === undefined) next.metadata = {};
}
