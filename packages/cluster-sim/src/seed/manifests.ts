import { istioVersion } from "../controllers/pods";
import type { JsonObject } from "../json";

/** Small builders for the objects the seeds and the store API create. */

export function namespaceManifest(name: string, labels: Record<string, string> = {}): JsonObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
}

export interface WorkloadSpec {
  namespace: string;
  name: string;
  app: string;
  version: string;
  replicas: number;
  image?: string;
  port?: number;
}

function podTemplate(spec: WorkloadSpec): JsonObject {
  const port = spec.port ?? 9080;
  return {
    metadata: { labels: { app: spec.app, version: spec.version } },
    spec: {
      serviceAccountName: spec.app,
      containers: [
        {
          name: spec.app,
          image: spec.image ?? `docker.io/switchyard/sample-${spec.app}:${spec.version}`,
          ports: [{ containerPort: port }],
        },
      ],
    },
  };
}

export function deploymentManifest(spec: WorkloadSpec): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      labels: { app: spec.app, version: spec.version },
    },
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: { app: spec.app, version: spec.version } },
      template: podTemplate(spec),
    },
  };
}

export function statefulSetManifest(spec: WorkloadSpec): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      labels: { app: spec.app, version: spec.version },
    },
    spec: {
      replicas: spec.replicas,
      serviceName: spec.app,
      selector: { matchLabels: { app: spec.app, version: spec.version } },
      template: podTemplate(spec),
    },
  };
}

export interface ServiceSpec {
  namespace: string;
  name: string;
  /** pods with this `app` label back the service */
  app?: string;
  port?: number;
  labels?: Record<string, string>;
}

export function serviceManifest(spec: ServiceSpec): JsonObject {
  const port = spec.port ?? 9080;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      labels: { app: spec.app ?? spec.name, ...spec.labels },
    },
    spec: {
      selector: { app: spec.app ?? spec.name },
      ports: [{ name: "http", port, targetPort: port }],
    },
  };
}

/** istiod as `istioctl install` leaves it: its image tag is how tools read the mesh version. */
export function istiodManifest(): JsonObject {
  const deployment = deploymentManifest({
    namespace: "istio-system",
    name: "istiod",
    app: "istiod",
    version: istioVersion,
    replicas: 1,
    image: `docker.io/istio/pilot:${istioVersion}`,
    port: 15010,
  });
  const metadata = deployment.metadata as JsonObject;
  metadata.labels = {
    app: "istiod",
    istio: "pilot",
    "istio.io/rev": "default",
    "operator.istio.io/version": istioVersion,
  };
  const spec = deployment.spec as JsonObject;
  spec.selector = { matchLabels: { app: "istiod", istio: "pilot" } };
  spec.template = {
    metadata: {
      labels: {
        app: "istiod",
        istio: "pilot",
        "istio.io/rev": "default",
        "sidecar.istio.io/inject": "false",
      },
    },
    spec: {
      serviceAccountName: "istiod",
      containers: [
        {
          name: "discovery",
          image: `docker.io/istio/pilot:${istioVersion}`,
          args: ["discovery", "--monitoringAddr=:15014", "--log_output_level=default:info"],
          ports: [{ containerPort: 8080 }, { containerPort: 15010 }, { containerPort: 15017 }],
        },
      ],
    },
  };
  return deployment;
}
