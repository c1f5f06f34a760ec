// The install manifest is a tested artifact: it parses, and each object validates against
// Kubernetes' own OpenAPI v3 schemas (v1.28.7) as strictly as a server-side apply would.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { startSimulatedCluster } from "@switchyard/cluster-sim/cluster";
import type { JsonObject } from "@switchyard/cluster-sim/json";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { agentNamespace, renderInstallManifest } from "./install-manifest";

const openApiDir = path.resolve(
  import.meta.dirname,
  "../../../../../shared/fixtures/kubernetes-openapi-1.28",
);

type JsonSchema = Record<string, unknown>;

// Unknown fields are rejected by a real API server under server-side apply; the published schemas
// leave additionalProperties open, so close every object that lists its properties.
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) closeObjects(item);
    return;
  }
  if (!node || typeof node !== "object") return;
  const schema = node as JsonSchema;
  if (
    schema.properties &&
    schema.additionalProperties === undefined &&
    !schema["x-kubernetes-preserve-unknown-fields"]
  ) {
    schema.additionalProperties = false;
  }
  for (const value of Object.values(schema)) closeObjects(value);
}

function createValidator() {
  const schemas: Record<string, JsonSchema> = {};
  for (const file of readdirSync(openApiDir)) {
    const document = JSON.parse(readFileSync(path.join(openApiDir, file), "utf8")) as {
      components: { schemas: Record<string, JsonSchema> };
    };
    Object.assign(schemas, document.components.schemas);
  }
  closeObjects(schemas);
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: "k8s", components: { schemas } });
  const gvkToSchema = new Map<string, string>();
  for (const [name, schema] of Object.entries(schemas)) {
    const gvks = schema["x-kubernetes-group-version-kind"] as
      | { group: string; version: string; kind: string }[]
      | undefined;
    for (const gvk of gvks ?? []) {
      gvkToSchema.set(`${gvk.group ? `${gvk.group}/` : ""}${gvk.version}/${gvk.kind}`, name);
    }
  }
  return (object: { apiVersion: string; kind: string }) => {
    const name = gvkToSchema.get(`${object.apiVersion}/${object.kind}`);
    if (!name) return [`no schema for ${object.apiVersion} ${object.kind}`];
    const validate = ajv.getSchema(`k8s#/components/schemas/${name}`);
    if (!validate) return [`schema ${name} did not compile`];
    return validate(object)
      ? []
      : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
  };
}

const validate = createValidator();
const manifest = renderInstallManifest({
  apiUrl: "https://switchyard.example.com",
  bootstrapToken: "tok_abcdefghijklmnopqrstuvwxyz0123456789",
  clusterName: "prod-eu-1",
  image: "ghcr.io/switchyard/cluster-agent:0.1.0",
});
const objects = parseAllDocuments(manifest).map(
  (document) => document.toJS() as { apiVersion: string; kind: string } & Record<string, unknown>,
);

describe("install manifest", () => {
  it("holds the namespace, account, least-privilege RBAC, secret and deployment", () => {
    expect(objects.map((object) => object.kind)).toEqual([
      "Namespace",
      "ServiceAccount",
      "ClusterRole",
      "ClusterRoleBinding",
      "Role",
      "RoleBinding",
      "Secret",
      "Deployment",
    ]);
  });

  it.each(objects.map((object) => [`${object.kind}`, object] as const))(
    "%s validates against Kubernetes 1.28's OpenAPI schema",
    (_kind, object) => {
      expect(validate(object)).toEqual([]);
    },
  );

  it("the validator catches a wrong type and an unknown field (so the test can fail)", () => {
    const deployment = structuredClone(objects.at(-1)) as unknown as { spec: Record<string, unknown> };
    deployment.spec.replicas = "one";
    deployment.spec.bogus = true;
    const errors = validate(deployment as unknown as { apiVersion: string; kind: string });
    expect(errors.join("\n")).toMatch(/replicas must be integer/);
    expect(errors.join("\n")).toMatch(/must NOT have additional properties/);
  });

  it("writes only Istio resources and reads only what inventory needs", () => {
    const clusterRole = objects.find((object) => object.kind === "ClusterRole") as unknown as {
      rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    };
    const writeVerbs = ["create", "update", "patch", "delete"];
    for (const rule of clusterRole.rules) {
      if (rule.verbs.some((verb) => writeVerbs.includes(verb))) {
        expect(rule.apiGroups.sort()).toEqual(["networking.istio.io", "security.istio.io"]);
      }
    }
    const readResources = clusterRole.rules.flatMap((rule) => rule.resources);
    expect(readResources).not.toContain("secrets");
    expect(readResources).not.toContain("configmaps");
  });

  it("runs the agent as non-root with limits and probes, and mounts no service port", () => {
    const deployment = objects.at(-1) as unknown as {
      metadata: { namespace: string };
      spec: {
        template: {
          spec: { securityContext: { runAsNonRoot: boolean }; containers: Record<string, unknown>[] };
        };
      };
    };
    expect(deployment.metadata.namespace).toBe(agentNamespace);
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const container = pod.containers[0];
    expect(container).toMatchObject({
      resources: { limits: expect.any(Object), requests: expect.any(Object) },
      livenessProbe: expect.any(Object),
      readinessProbe: expect.any(Object),
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
    });
    expect(container?.ports).toBeUndefined();
    // Telemetry from Istio's Prometheus addon, as the agent reads its settings (apps/cluster-agent/src/env.ts).
    expect(container?.env).toContainEqual({
      name: "SWITCHYARD_PROMETHEUS_URL",
      value: "http://prometheus.istio-system.svc.cluster.local:9090",
    });
  });

  it("escapes hostile values instead of letting them add YAML", () => {
    const hostile = renderInstallManifest({
      apiUrl: "https://x.example.com",
      bootstrapToken: "abc\n---\nkind: ClusterRoleBinding",
      clusterName: "c",
      image: "i",
    });
    expect(parseAllDocuments(hostile)).toHaveLength(objects.length);
  });

  it("applies cleanly to a (simulated) cluster, as kubectl apply would", async () => {
    const cluster = await startSimulatedCluster({ name: "install-target", seed: "empty" });
    try {
      for (const object of objects) {
        cluster.store.apply(object as JsonObject, { fieldManager: "kubectl" });
      }
      expect(cluster.store.get("Deployment", agentNamespace, "switchyard-agent")).toBeDefined();
      expect(cluster.store.get("ClusterRole", "", "switchyard-agent")).toBeDefined();
      // A second apply of the same manifest is a no-op, as re-running the line should be.
      const before = cluster.store.resourceVersion;
      for (const object of objects) cluster.store.apply(object as JsonObject, { fieldManager: "kubectl" });
      expect(cluster.store.resourceVersion).toBe(before);
    } finally {
      await cluster.close();
    }
  });
});
