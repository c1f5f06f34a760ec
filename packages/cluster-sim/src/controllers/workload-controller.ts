import type { IpAllocator } from "../ip-allocator";
import {
  deepClone,
  deepEqual,
  getNumber,
  getObject,
  getString,
  getStringMap,
  isJsonObject,
  type JsonObject,
} from "../json";
import { deleteResource } from "../operations";
import type { ResourceType } from "../resource-registry";
import { LabelSelector, labelsOf } from "../selectors";
import { keyOf, type ObjectStore, type StoreEvent, timestamp } from "../store";
import { buildPod, isInjected, isPodReady, isTerminating, randomSuffix, templateHash } from "./pods";

interface Owner {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

function ownerOf(object: JsonObject): Owner | undefined {
  const refs = getObject(object, "metadata")?.ownerReferences;
  if (!Array.isArray(refs)) return undefined;
  for (const ref of refs) {
    if (!isJsonObject(ref) || ref.controller !== true) continue;
    const { apiVersion, kind, name, uid } = ref;
    if (
      typeof apiVersion === "string" &&
      typeof kind === "string" &&
      typeof name === "string" &&
      typeof uid === "string"
    ) {
      return { apiVersion, kind, name, uid };
    }
  }
  return undefined;
}

function ownerRefTo(object: JsonObject): Owner {
  const metadata = getObject(object, "metadata") ?? {};
  return {
    apiVersion: getString(object, "apiVersion") ?? "",
    kind: getString(object, "kind") ?? "",
    name: getString(metadata, "name") ?? "",
    uid: getString(metadata, "uid") ?? "",
  };
}

function nameOf(object: JsonObject): string {
  return getString(getObject(object, "metadata"), "name") ?? "";
}

function uidOf(object: JsonObject): string {
  return getString(getObject(object, "metadata"), "uid") ?? "";
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf("/");
  return [key.slice(0, slash), key.slice(slash + 1)];
}

/**
 * What kube-controller-manager (and a kubelet that starts every pod at once) would do: Deployments
 * own ReplicaSets that own Pods, StatefulSets own ordinal Pods, Services get EndpointSlices, and
 * deleting an owner deletes what it owns. Work is marked dirty from events and done when the store
 * is idle, so a burst of pod events ends in one status write.
 */
export class WorkloadController {
  private readonly dirtyDeployments = new Set<string>();
  private readonly dirtyReplicaSets = new Set<string>();
  private readonly dirtyStatefulSets = new Set<string>();
  private readonly dirtyServices = new Set<string>();
  private readonly deploymentStatus = new Set<string>();
  private nodeCounter = 0;
  /**
   * dependent type → owner uid → names of the dependents it controls, kept from events so
   * controllers and the garbage collector never scan a namespace.
   */
  private readonly dependents = new Map<ResourceType, Map<string, Set<string>>>();
  /** namespace → service name → its selector, for matching pod events to services */
  private readonly serviceSelectors = new Map<string, Map<string, LabelSelector>>();
  private readonly types: {
    namespaces: ResourceType;
    pods: ResourceType;
    services: ResourceType;
    deployments: ResourceType;
    replicasets: ResourceType;
    statefulsets: ResourceType;
    endpointslices: ResourceType;
  };
  private readonly stops: (() => void)[] = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly podIPs: IpAllocator,
    private readonly nodeCount = 3,
  ) {
    const registry = store.registry;
    this.types = {
      namespaces: registry.get("", "namespaces"),
      pods: registry.get("", "pods"),
      services: registry.get("", "services"),
      deployments: registry.get("apps", "deployments"),
      replicasets: registry.get("apps", "replicasets"),
      statefulsets: registry.get("apps", "statefulsets"),
      endpointslices: registry.get("discovery.k8s.io", "endpointslices"),
    };
  }

  start(): void {
    this.stops.push(this.store.subscribe((event) => this.observe(event)));
    this.stops.push(this.store.onIdle(() => this.work()));
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  private observe(event: StoreEvent): void {
    const key = keyOf(event.namespace, event.name);
    const { types } = this;
    this.indexOwner(event);
    if (event.type === "DELETED") this.collectGarbage(event);
    switch (event.resource) {
      case types.deployments:
        if (event.type !== "DELETED") this.dirtyDeployments.add(key);
        return;
      case types.replicasets: {
        if (event.type !== "DELETED") this.dirtyReplicaSets.add(key);
        const owner = ownerOf(event.object);
        if (owner?.kind === "Deployment") this.deploymentStatus.add(keyOf(event.namespace, owner.name));
        return;
      }
      case types.statefulsets:
        if (event.type !== "DELETED") this.dirtyStatefulSets.add(key);
        return;
      case types.pods: {
        const owner = ownerOf(event.object);
        if (owner?.kind === "ReplicaSet") this.dirtyReplicaSets.add(keyOf(event.namespace, owner.name));
        if (owner?.kind === "StatefulSet") this.dirtyStatefulSets.add(keyOf(event.namespace, owner.name));
        this.markServicesFor(event);
        return;
      }
      case types.services: {
        let selectors = this.serviceSelectors.get(event.namespace);
        if (!selectors) {
          selectors = new Map();
          this.serviceSelectors.set(event.namespace, selectors);
        }
        const selector = getStringMap(getObject(event.object, "spec"), "selector");
        if (event.type === "DELETED" || Object.keys(selector).length === 0) selectors.delete(event.name);
        else selectors.set(event.name, LabelSelector.fromMap(selector));
        if (event.type !== "DELETED") this.dirtyServices.add(key);
        return;
      }
      default:
        return;
    }
  }

  private indexOwner(event: StoreEvent): void {
    const { types } = this;
    if (
      event.resource !== types.pods &&
      event.resource !== types.replicasets &&
      event.resource !== types.endpointslices
    ) {
      return;
    }
    const owner = ownerOf(event.object);
    if (!owner) return;
    let byOwner = this.dependents.get(event.resource);
    if (!byOwner) {
      byOwner = new Map();
      this.dependents.set(event.resource, byOwner);
    }
    let names = byOwner.get(owner.uid);
    if (!names) {
      names = new Set();
      byOwner.set(owner.uid, names);
    }
    if (event.type === "DELETED") names.delete(event.name);
    else names.add(event.name);
    if (names.size === 0) byOwner.delete(owner.uid);
  }

  private dependentsOf(type: ResourceType, namespace: string, ownerUid: string): JsonObject[] {
    const out: JsonObject[] = [];
    for (const name of this.dependents.get(type)?.get(ownerUid) ?? []) {
      const object = this.store.get(type, namespace, name);
      if (object) out.push(object);
    }
    return out;
  }

  private markServicesFor(event: StoreEvent): void {
    const before = event.previous ? labelsOf(event.previous) : undefined;
    const after = labelsOf(event.object);
    const selectors = this.serviceSelectors.get(event.namespace);
    if (!selectors) return;
    for (const [service, match] of selectors) {
      if (match.matches(after) || (before && match.matches(before))) {
        this.dirtyServices.add(keyOf(event.namespace, service));
      }
    }
  }

  /** Background cascading deletion: dependents of a deleted object go too. */
  private collectGarbage(event: StoreEvent): void {
    const uid = uidOf(event.object);
    if (!uid || event.namespace === "") return;
    for (const type of [this.types.replicasets, this.types.pods, this.types.endpointslices]) {
      for (const dependent of this.dependentsOf(type, event.namespace, uid)) {
        const name = nameOf(dependent);
        if (this.store.get(type, event.namespace, name))
          deleteResource(this.store, type, event.namespace, name, { dryRun: false });
      }
    }
  }

  private work(): boolean {
    let didWork = false;
    const drain = (set: Set<string>, run: (namespace: string, name: string) => void) => {
      const keys = [...set];
      set.clear();
      for (const key of keys) {
        didWork = true;
        run(...splitKey(key));
      }
    };
    drain(this.dirtyDeployments, (ns, name) => this.reconcileDeployment(ns, name));
    drain(this.dirtyReplicaSets, (ns, name) => this.reconcileReplicaSet(ns, name));
    drain(this.dirtyStatefulSets, (ns, name) => this.reconcileStatefulSet(ns, name));
    drain(this.deploymentStatus, (ns, name) => this.updateDeploymentStatus(ns, name));
    drain(this.dirtyServices, (ns, name) => this.reconcileEndpointSlice(ns, name));
    return didWork;
  }

  private isNamespaceActive(namespace: string): boolean {
    const ns = this.store.get(this.types.namespaces, "", namespace);
    return ns !== undefined && !isTerminating(ns);
  }

  private write(type: ResourceType, object: JsonObject, next: JsonObject): void {
    if (!deepEqual(object, next)) this.store.update(type, next);
  }

  private reconcileDeployment(namespace: string, name: string): void {
    const deployment = this.store.get(this.types.deployments, namespace, name);
    if (!deployment || isTerminating(deployment) || !this.isNamespaceActive(namespace)) return;
    const spec = getObject(deployment, "spec") ?? {};
    const template = getObject(spec, "template") ?? {};
    const hash = templateHash(template);
    const rsName = `${name}-${hash}`;
    const replicas = getNumber(spec, "replicas") ?? 1;
    const owned = this.dependentsOf(this.types.replicasets, namespace, uidOf(deployment));
    let revision = 0;
    for (const rs of owned) {
      const rev = Number(
        getStringMap(getObject(rs, "metadata"), "annotations")["deployment.kubernetes.io/revision"] ?? 0,
      );
      revision = Math.max(revision, rev);
      if (nameOf(rs) === rsName) continue;
      // The whole rollout happens at once: old ReplicaSets go to zero.
      const rsSpec = getObject(rs, "spec") ?? {};
      if (rsSpec.replicas !== 0)
        this.store.update(this.types.replicasets, { ...rs, spec: { ...rsSpec, replicas: 0 } });
    }
    const current = owned.find((rs) => nameOf(rs) === rsName);
    if (current) {
      const rsSpec = getObject(current, "spec") ?? {};
      if (rsSpec.replicas !== replicas) {
        this.store.update(this.types.replicasets, { ...current, spec: { ...rsSpec, replicas } });
      }
    } else {
      const templateCopy = deepClone(template);
      const templateMeta = getObject(templateCopy, "metadata") ?? {};
      const labels = { ...getStringMap(templateMeta, "labels"), "pod-template-hash": hash };
      templateCopy.metadata = { ...templateMeta, labels };
      const matchLabels = getStringMap(getObject(spec, "selector"), "matchLabels");
      this.store.create(this.types.replicasets, {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: {
          name: rsName,
          namespace,
          labels,
          annotations: { "deployment.kubernetes.io/revision": String(revision + 1) },
          ownerReferences: [{ ...ownerRefTo(deployment), controller: true, blockOwnerDeletion: true }],
        },
        spec: {
          replicas,
          selector: { matchLabels: { ...matchLabels, "pod-template-hash": hash } },
          template: templateCopy,
        },
        status: { replicas: 0 },
      });
    }
    this.deploymentStatus.add(keyOf(namespace, name));
  }

  private ownedPods(namespace: string, ownerUid: string): JsonObject[] {
    return this.dependentsOf(this.types.pods, namespace, ownerUid)
      .filter((pod) => !isTerminating(pod))
      .sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1));
  }

  private newPod(
    namespace: string,
    owner: JsonObject,
    name: string,
    template: JsonObject,
    extra: Record<string, string>,
    generateName?: string,
  ) {
    const namespaceObject = this.store.get(this.types.namespaces, "", namespace);
    this.nodeCounter += 1;
    const pod = buildPod({
      name,
      generateName,
      namespace,
      template,
      extraLabels: extra,
      owner: ownerRefTo(owner),
      isSidecarInjected: isInjected(namespaceObject, template),
      podIP: this.podIPs.allocate(),
      nodeName: `node-${(this.nodeCounter % this.nodeCount) + 1}`,
      now: timestamp(this.store.now()),
    });
    this.store.create(this.types.pods, pod);
  }

  private reconcileReplicaSet(namespace: string, name: string): void {
    const rs = this.store.get(this.types.replicasets, namespace, name);
    if (!rs || isTerminating(rs)) return;
    const spec = getObject(rs, "spec") ?? {};
    const desired = getNumber(spec, "replicas") ?? 1;
    let pods = this.ownedPods(namespace, uidOf(rs));
    if (pods.length < desired && this.isNamespaceActive(namespace)) {
      const template = getObject(spec, "template") ?? {};
      for (let index = pods.length; index < desired; index++) {
        let podName = `${name}-${randomSuffix()}`;
        while (this.store.get(this.types.pods, namespace, podName)) podName = `${name}-${randomSuffix()}`;
        this.newPod(namespace, rs, podName, template, {}, `${name}-`);
      }
    } else if (pods.length > desired) {
      for (const pod of pods.slice(desired).reverse()) {
        deleteResource(this.store, this.types.pods, namespace, nameOf(pod), { dryRun: false });
      }
    }
    pods = this.ownedPods(namespace, uidOf(rs));
    const ready = pods.filter(isPodReady).length;
    const status: JsonObject = {
      replicas: pods.length,
      fullyLabeledReplicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: getNumber(getObject(rs, "metadata"), "generation") ?? 1,
    };
    if (ready === 0) {
      delete status.readyReplicas;
      delete status.availableReplicas;
    }
    if (pods.length === 0) delete status.fullyLabeledReplicas;
    this.write(this.types.replicasets, rs, { ...rs, status });
    const owner = ownerOf(rs);
    if (owner?.kind === "Deployment") this.deploymentStatus.add(keyOf(namespace, owner.name));
  }

  private updateDeploymentStatus(namespace: string, name: string): void {
    const deployment = this.store.get(this.types.deployments, namespace, name);
    if (!deployment) return;
    const spec = getObject(deployment, "spec") ?? {};
    const metadata = getObject(deployment, "metadata") ?? {};
    const hash = templateHash(getObject(spec, "template") ?? {});
    const owned = this.dependentsOf(this.types.replicasets, namespace, uidOf(deployment));
    const current = owned.find((rs) => nameOf(rs) === `${name}-${hash}`);
    let replicas = 0;
    let ready = 0;
    for (const rs of owned) {
      const status = getObject(rs, "status") ?? {};
      replicas += getNumber(status, "replicas") ?? 0;
      ready += getNumber(status, "readyReplicas") ?? 0;
    }
    const updated = getNumber(getObject(current ?? {}, "status"), "replicas") ?? 0;
    const desired = getNumber(spec, "replicas") ?? 1;
    const unavailable = Math.max(0, desired - ready);
    const previous = getObject(deployment, "status") ?? {};
    const previousConditions = Array.isArray(previous.conditions)
      ? previous.conditions.filter(isJsonObject)
      : [];
    const now = timestamp(this.store.now());
    const condition = (type: string, status: string, reason: string, message: string): JsonObject => {
      const old = previousConditions.find((c) => c.type === type);
      const isSame = old?.status === status && old.reason === reason;
      return {
        type,
        status,
        lastUpdateTime: isSame ? (old.lastUpdateTime ?? now) : now,
        lastTransitionTime: old?.status === status ? (old.lastTransitionTime ?? now) : now,
        reason,
        message,
      };
    };
    const isAvailable = unavailable === 0;
    const rsName = current ? nameOf(current) : `${name}-${hash}`;
    const status: JsonObject = {
      observedGeneration: getNumber(metadata, "generation") ?? 1,
      replicas,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: ready,
      unavailableReplicas: unavailable,
      conditions: [
        isAvailable
          ? condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
          : condition(
              "Available",
              "False",
              "MinimumReplicasUnavailable",
              "Deployment does not have minimum availability.",
            ),
        isAvailable && updated === desired
          ? condition(
              "Progressing",
              "True",
              "NewReplicaSetAvailable",
              `ReplicaSet "${rsName}" has successfully progressed.`,
            )
          : condition("Progressing", "True", "ReplicaSetUpdated", `ReplicaSet "${rsName}" is progressing.`),
      ],
    };
    if (ready === 0) {
      delete status.readyReplicas;
      delete status.availableReplicas;
    }
    if (unavailable === 0) delete status.unavailableReplicas;
    const revision = getStringMap(getObject(current ?? {}, "metadata"), "annotations")[
      "deployment.kubernetes.io/revision"
    ];
    const annotations = { ...getStringMap(metadata, "annotations") };
    if (revision) annotations["deployment.kubernetes.io/revision"] = revision;
    const nextMeta: JsonObject = { ...metadata };
    if (Object.keys(annotations).length > 0) nextMeta.annotations = annotations;
    this.write(this.types.deployments, deployment, { ...deployment, metadata: nextMeta, status });
  }

  private reconcileStatefulSet(namespace: string, name: string): void {
    const sts = this.store.get(this.types.statefulsets, namespace, name);
    if (!sts || isTerminating(sts)) return;
    const spec = getObject(sts, "spec") ?? {};
    const template = getObject(spec, "template") ?? {};
    const desired = getNumber(spec, "replicas") ?? 1;
    const revision = `${name}-${templateHash(template)}`;
    const pods = this.ownedPods(namespace, uidOf(sts));
    const byName = new Map(pods.map((pod) => [nameOf(pod), pod]));
    for (let ordinal = 0; ordinal < desired && this.isNamespaceActive(namespace); ordinal++) {
      const podName = `${name}-${ordinal}`;
      if (byName.has(podName) || this.store.get(this.types.pods, namespace, podName)) continue;
      this.newPod(namespace, sts, podName, template, {
        "controller-revision-hash": revision,
        "statefulset.kubernetes.io/pod-name": podName,
        "apps.kubernetes.io/pod-index": String(ordinal),
      });
    }
    for (const pod of pods) {
      const ordinal = Number(nameOf(pod).slice(name.length + 1));
      if (ordinal >= desired)
        deleteResource(this.store, this.types.pods, namespace, nameOf(pod), { dryRun: false });
    }
    const current = this.ownedPods(namespace, uidOf(sts));
    const ready = current.filter(isPodReady).length;
    const status: JsonObject = {
      observedGeneration: getNumber(getObject(sts, "metadata"), "generation") ?? 1,
      replicas: current.length,
      readyReplicas: ready,
      currentReplicas: current.length,
      updatedReplicas: current.length,
      currentRevision: revision,
      updateRevision: revision,
      collisionCount: 0,
      availableReplicas: ready,
    };
    this.write(this.types.statefulsets, sts, { ...sts, status });
  }

  private reconcileEndpointSlice(namespace: string, name: string): void {
    const service = this.store.get(this.types.services, namespace, name);
    if (!service) return;
    const spec = getObject(service, "spec") ?? {};
    const selector = getStringMap(spec, "selector");
    if (Object.keys(selector).length === 0) return;
    const match = LabelSelector.fromMap(selector);
    const pods = [...this.store.unsortedIn(this.types.pods, namespace)]
      .filter(
        (pod) =>
          !isTerminating(pod) && match.matches(labelsOf(pod)) && getString(getObject(pod, "status"), "podIP"),
      )
      .sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1));
    const endpoints = pods.map((pod) => {
      const isReady = isPodReady(pod);
      return {
        addresses: [getString(getObject(pod, "status"), "podIP") ?? ""],
        conditions: { ready: isReady, serving: isReady, terminating: false },
        targetRef: { kind: "Pod", namespace, name: nameOf(pod), uid: uidOf(pod) },
        nodeName: getString(getObject(pod, "spec"), "nodeName") ?? "node-1",
        zone: "zone-a",
      };
    });
    const ports = (Array.isArray(spec.ports) ? spec.ports : []).filter(isJsonObject).map((port) => {
      const out: JsonObject = {};
      if (port.name !== undefined) out.name = port.name;
      out.protocol = port.protocol ?? "TCP";
      out.port = typeof port.targetPort === "number" ? port.targetPort : (port.port ?? 0);
      return out;
    });
    const labels = {
      ...getStringMap(getObject(service, "metadata"), "labels"),
      "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
      "kubernetes.io/service-name": name,
    };
    const existing = this.dependentsOf(this.types.endpointslices, namespace, uidOf(service))[0];
    const body: JsonObject = {
      addressType: "IPv4",
      endpoints: endpoints.length > 0 ? endpoints : null,
      ports: endpoints.length > 0 ? ports : null,
    };
    if (existing) {
      const isSame =
        deepEqual(existing.endpoints, body.endpoints) &&
        deepEqual(existing.ports, body.ports) &&
        deepEqual(getObject(existing, "metadata")?.labels, labels);
      if (isSame) return;
      const metadata = {
        ...(getObject(existing, "metadata") ?? {}),
        labels,
        annotations: { "endpoints.kubernetes.io/last-change-trigger-time": timestamp(this.store.now()) },
      };
      this.store.update(this.types.endpointslices, { ...existing, ...body, metadata });
      return;
    }
    let sliceName = `${name}-${randomSuffix()}`;
    while (this.store.get(this.types.endpointslices, namespace, sliceName))
      sliceName = `${name}-${randomSuffix()}`;
    this.store.create(this.types.endpointslices, {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        name: sliceName,
        generateName: `${name}-`,
        namespace,
        labels,
        annotations: { "endpoints.kubernetes.io/last-change-trigger-time": timestamp(this.store.now()) },
        ownerReferences: [{ ...ownerRefTo(service), controller: true, blockOwnerDeletion: true }],
      },
      ...body,
    });
  }
}
