import { describe, expect, it } from "vitest";
import { fromYaml, toYaml } from "~/lib/policy-yaml";
import {
  authorizationFormFromDocument,
  authorizationFormToDocument,
  emptyAuthorizationForm,
  emptyRule,
} from "./authorization-form-model";
import { docsExamples } from "./docs-examples.testing";
import { FormShapeError } from "./traffic-form-model";

const header =
  "apiVersion: policy.switchyard.dev/v1alpha1\nkind: AuthorizationPolicy\nmetadata: { name: a }\n";

describe("AuthorizationPolicy form model", () => {
  it("keeps the documented example through YAML → form → YAML", () => {
    const [example = ""] = docsExamples("AuthorizationPolicy");
    const document = fromYaml(example);
    const form = authorizationFormFromDocument(document);
    expect(form).toMatchObject({
      namespace: "shop",
      service: "cart",
      action: "allow",
      rules: [
        {
          serviceAccounts: "shop/frontend",
          namespaces: "monitoring",
          methods: "GET, POST",
          ports: "8080",
          when: [{ header: "x-scrape-token", values: "prom" }],
        },
      ],
    });
    expect(fromYaml(toYaml(authorizationFormToDocument(form)))).toEqual(document);
  });

  it("keeps rules that match everything and fields the form does not show", () => {
    const document = fromYaml(
      `${header}spec:\n  scope: { namespace: n }\n  action: deny\n  rules:\n    - {}\n    - { from: {}, to: { ports: [80], hosts: [x] }, when: [{ header: h, values: [v], notValues: [w] }] }\n`,
    );
    expect(authorizationFormToDocument(authorizationFormFromDocument(document))).toEqual(document);
  });

  it("writes an empty form as a document to complete, and a completed one as the policy", () => {
    const form = emptyAuthorizationForm();
    expect(authorizationFormToDocument(form)).toEqual({
      apiVersion: "policy.switchyard.dev/v1alpha1",
      kind: "AuthorizationPolicy",
      metadata: { name: "" },
      spec: { scope: {}, action: "allow", rules: [{}] },
    });
    const done = {
      ...form,
      name: "cart-deny-batch",
      namespace: "shop",
      action: "deny" as const,
      rules: [{ ...emptyRule(), namespaces: "batch", methods: "DELETE", ports: "8080, 9090" }],
    };
    expect(authorizationFormToDocument(done).spec).toEqual({
      scope: { namespace: "shop" },
      action: "deny",
      rules: [{ from: { namespaces: ["batch"] }, to: { methods: ["DELETE"], ports: [8080, 9090] } }],
    });
    expect(authorizationFormFromDocument(fromYaml(toYaml(authorizationFormToDocument(done))))).toEqual(done);
  });

  it("leaves an action it cannot show to the YAML tab", () => {
    expect(() => authorizationFormFromDocument(fromYaml(`${header}spec: { action: audit }\n`))).toThrow(
      FormShapeError,
    );
  });
});
