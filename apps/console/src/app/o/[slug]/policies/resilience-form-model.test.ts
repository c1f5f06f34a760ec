import { describe, expect, it } from "vitest";
import { fromYaml, toYaml } from "~/lib/policy-yaml";
import { docsExamples } from "./docs-examples.testing";
import {
  emptyResilienceForm,
  resilienceFormFromDocument,
  resilienceFormToDocument,
} from "./resilience-form-model";
import { FormShapeError } from "./traffic-form-model";

const header = "apiVersion: policy.switchyard.dev/v1alpha1\nkind: ResiliencePolicy\nmetadata: { name: r }\n";

describe("ResiliencePolicy form model", () => {
  it("keeps the documented example through YAML → form → YAML", () => {
    const [example = ""] = docsExamples("ResiliencePolicy");
    const document = fromYaml(example);
    const form = resilienceFormFromDocument(document);
    expect(form).toMatchObject({
      algorithm: "consistent-hash",
      hashBy: "cookie",
      cookieName: "session",
      cookieTtl: "1h",
      failover: [{ from: "eu-west1", to: "eu-central1" }],
    });
    expect(form.limits).toMatchObject({
      tcpMaxConnections: "100",
      httpIdleTimeout: "5m",
      outlierInterval: "10s",
    });
    expect(fromYaml(toYaml(resilienceFormToDocument(form)))).toEqual(document);
  });

  it("keeps header and source IP hash keys, and fields the form does not show", () => {
    for (const hashKey of ["{ header: x-user }", "{ sourceIp: true }", "{ cookie: { name: s, path: /a } }"]) {
      const document = fromYaml(
        `${header}spec:\n  scope: { namespace: n, service: s }\n  loadBalancer: { algorithm: consistent-hash, hashKey: ${hashKey} }\n  connectionPool: { tcp: {} }\n`,
      );
      expect(resilienceFormToDocument(resilienceFormFromDocument(document))).toEqual(document);
    }
  });

  it("writes an empty form as a document to complete, and a completed one as the policy", () => {
    const form = emptyResilienceForm();
    expect(resilienceFormToDocument(form)).toEqual({
      apiVersion: "policy.switchyard.dev/v1alpha1",
      kind: "ResiliencePolicy",
      metadata: { name: "" },
      spec: { scope: {} },
    });
    const done = {
      ...form,
      name: "ratings",
      namespace: "shop",
      service: "ratings",
      algorithm: "least-request" as const,
      limits: { ...form.limits, httpMaxRequests: "200", outlierInterval: "10s" },
    };
    expect(resilienceFormToDocument(done).spec).toEqual({
      scope: { namespace: "shop", service: "ratings" },
      loadBalancer: { algorithm: "least-request" },
      connectionPool: { http: { maxRequests: 200 } },
      outlierDetection: { interval: "10s" },
    });
    expect(resilienceFormFromDocument(fromYaml(toYaml(resilienceFormToDocument(done))))).toEqual(done);
  });

  it("leaves two hash keys to the YAML tab", () => {
    const document = fromYaml(
      `${header}spec: { loadBalancer: { hashKey: { header: a, sourceIp: true } } }\n`,
    );
    expect(() => resilienceFormFromDocument(document)).toThrow(FormShapeError);
  });
});
