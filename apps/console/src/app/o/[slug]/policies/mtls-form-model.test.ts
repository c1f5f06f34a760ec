import { describe, expect, it } from "vitest";
import { fromYaml, toYaml } from "~/lib/policy-yaml";
import { docsExamples } from "./docs-examples.testing";
import { emptyMtlsForm, mtlsFormFromDocument, mtlsFormToDocument } from "./mtls-form-model";
import { FormShapeError } from "./traffic-form-model";

describe("MtlsPolicy form model", () => {
  it("keeps both documented examples through YAML → form → YAML", () => {
    const examples = docsExamples("MtlsPolicy");
    expect(examples).toHaveLength(2);
    for (const example of examples) {
      const document = fromYaml(example);
      expect(fromYaml(toYaml(mtlsFormToDocument(mtlsFormFromDocument(document))))).toEqual(document);
    }
    const [orgWide = "", workload = ""] = examples;
    expect(mtlsFormFromDocument(fromYaml(orgWide))).toMatchObject({ level: "clusters", mode: "strict" });
    expect(mtlsFormFromDocument(fromYaml(workload))).toMatchObject({
      level: "workload",
      namespace: "shop",
      workloadBy: "labels",
      workloadLabels: [{ key: "app", value: "metrics-exporter" }],
      clusters: { clusterMode: "names", clusterNames: "eu-1" },
      mode: "disable",
    });
  });

  it("writes an empty form as an organization-wide strict policy that only needs a name", () => {
    expect(mtlsFormToDocument(emptyMtlsForm())).toEqual({
      apiVersion: "policy.switchyard.dev/v1alpha1",
      kind: "MtlsPolicy",
      metadata: { name: "" },
      spec: { mode: "strict" },
    });
  });

  it("writes each level's scope", () => {
    const form = { ...emptyMtlsForm(), name: "m", namespace: "shop", workloadService: "cart" };
    expect(mtlsFormToDocument({ ...form, level: "namespace" }).spec).toEqual({
      scope: { namespace: "shop" },
      mode: "strict",
    });
    const byService = { ...form, level: "workload" as const, mode: "permissive" as const };
    expect(mtlsFormToDocument(byService).spec).toEqual({
      scope: { namespace: "shop", workload: { service: "cart" } },
      mode: "permissive",
    });
    expect(mtlsFormFromDocument(fromYaml(toYaml(mtlsFormToDocument(byService))))).toEqual(byService);
  });

  it("leaves a workload selected both ways to the YAML tab", () => {
    const document = fromYaml(
      "kind: MtlsPolicy\nspec: { scope: { namespace: a, workload: { service: b, matchLabels: { c: d } } } }\n",
    );
    expect(() => mtlsFormFromDocument(document)).toThrow(FormShapeError);
  });
});
