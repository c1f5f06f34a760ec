// The manifest behind the one-line install (`kubectl apply -f https://HOST/install/TOKEN.yaml`).
// Built as objects and serialized, never by string templating, so no input can inject YAML.
// Least privilege: read what the inventory needs; write only Istio's networking and security
// resources (what compiled policy becomes); and update only its own Secret (the credential).
import { stringify } from "yaml";

/** Where Istio's Prometheus addon (samples/addons/prometheus.yaml) answers inside the cluster. */
export const istioAddonPrometheusUrl = "http://prometheus.istio-system.svc.cluster.local:9090";

export const agentNamespace = "switchyard-system";
export const agentName = "switchyard-agent";

export type InstallManifestOptions = {
  /** Where the agent reaches the API (outbound only). */
  apiUrl: string;
  bootstrapToken: string;
  clusterName: string;
  image: string;
};

/** The agent touches `alive` every loop and `ready` once its inventory is in sync (see docs/agent-protocol.md). */
const statusDir = "/var/run/switchyard";

function fileFreshnessProbe(file: string, maxAgeSeconds: number): string[] {
  return [
    "node",
    "-e",
    `process.exit(Date.now() - require("fs").statSync("${statusDir}/${file}").mtimeMs < ${maxAgeSeconds * 1000} ? 0 : 1)`,
  ];
}

const labels = { "app.kubernetes.io/name": agentName, "app.kubernetes.io/part-of": "switchyard" };

export function installManifestObjects(options: InstallManifestOptions): Record<string, unknown>[] {
  const metadata = (name: string, namespaced = true) => ({
    name,
    ...(namespaced ? { namespace: agentNamespace } : {}),
    labels,
  });
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: agentNamespace, labels } },
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: metadata(agentName),
      automountServiceAccountToken: true,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: metadata(agentName, false),
      rules: [
        { apiGroups: [""], resources: ["namespaces", "services", "pods"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
        {
          apiGroups: ["apps"],
          resources: ["deployments", "statefulsets", "replicasets"],
          verbs: ["get", "list", "watch"],
        },
        {
          apiGroups: ["networking.istio.io", "security.istio.io"],
          resources: ["*"],
          verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
        },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: metadata(agentName, false),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: agentName },
      subjects: [{ kind: "ServiceAccount", name: agentName, namespace: agentNamespace }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: metadata(agentName),
      rules: [
        {
          apiGroups: [""],
          resources: ["secrets"],
          resourceNames: [agentName],
          verbs: ["get", "update", "patch"],
        },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: metadata(agentName),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: agentName },
      subjects: [{ kind: "ServiceAccount", name: agentName, namespace: agentNamespace }],
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: metadata(agentName),
      type: "Opaque",
      // The agent trades the bootstrap token for its credential and writes it back here.
      stringData: { "bootstrap-token": options.bootstrapToken, credential: "" },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: metadata(agentName),
      spec: {
        replicas: 1,
        strategy: { type: "Recreate" },
        selector: { matchLabels: { "app.kubernetes.io/name": agentName } },
        template: {
          metadata: { labels, annotations: { "sidecar.istio.io/inject": "false" } },
          spec: {
            serviceAccountName: agentName,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              runAsGroup: 65532,
              fsGroup: 65532,
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
              {
                name: "agent",
                image: options.image,
                imagePullPolicy: "IfNotPresent",
                env: [
                  { name: "SWITCHYARD_API_URL", value: options.apiUrl },
                  { name: "SWITCHYARD_CLUSTER_NAME", value: options.clusterName },
                  {
                    name: "SWITCHYARD_BOOTSTRAP_TOKEN",
                    valueFrom: { secretKeyRef: { name: agentName, key: "bootstrap-token" } },
                  },
                  { name: "SWITCHYARD_STATUS_DIR", value: statusDir },
                  // Telemetry from the Prometheus that Istio's addon installs; edit the line (or the
                  // Deployment) for a Prometheus elsewhere. Unreachable: the agent logs it and
                  // configuration and inventory work as before.
                  { name: "SWITCHYARD_PROMETHEUS_URL", value: istioAddonPrometheusUrl },
                  // A smaller young generation: ~10 MB less RSS for an agent that allocates little.
                  { name: "NODE_OPTIONS", value: "--max-semi-space-size=1" },
                ],
                resources: {
                  requests: { cpu: "50m", memory: "64Mi" },
                  limits: { cpu: "500m", memory: "256Mi" },
                },
                // Exec probes on files the agent touches, because the agent opens no port at all.
                livenessProbe: {
                  exec: { command: fileFreshnessProbe("alive", 60) },
                  periodSeconds: 20,
                  failureThreshold: 3,
                },
                readinessProbe: { exec: { command: fileFreshnessProbe("ready", 60) }, periodSeconds: 10 },
                volumeMounts: [{ name: "status", mountPath: statusDir }],
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                },
              },
            ],
            volumes: [{ name: "status", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } }],
          },
        },
      },
    },
  ];
}

export function renderInstallManifest(options: InstallManifestOptions): string {
  return installManifestObjects(options)
    .map((object) => stringify(object, { lineWidth: 0 }))
    .join("---\n");
}

/** What to run to remove the agent after its cluster was removed from Switchyard. */
export const uninstallCommand = `kubectl delete namespace ${agentNamespace} && kubectl delete clusterrole,clusterrolebinding ${agentName}`;
