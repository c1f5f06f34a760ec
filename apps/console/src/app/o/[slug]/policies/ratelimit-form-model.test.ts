import { describe, expect, it } from "vitest";
import { fromYaml, toYaml } from "~/lib/policy-yaml";
import { docsExamples } from "./docs-examples.testing";
import {
  emptyRateLimitForm,
  rateLimitFormFromDocument,
  rateLimitFormToDocument,
} from "./ratelimit-form-model";
import { FormShapeError } from "./traffic-form-model";

describe("RateLimitPolicy form model", () => {
  it("keeps the documented example through YAML → form → YAML", () => {
    const [example = ""] = docsExamples("RateLimitPolicy");
    const document = fromYaml(example);
    const form = rateLimitFormFromDocument(document);
    expect(form).toMatchObject({
      namespace: "shop",
      service: "search",
      requests: "100",
      per: "second",
      burst: "200",
    });
    expect(fromYaml(toYaml(rateLimitFormToDocument(form)))).toEqual(document);
  });

  it("carries fields the form does not show", () => {
    const document = fromYaml(
      "apiVersion: policy.switchyard.dev/v1alpha1\nkind: RateLimitPolicy\nmetadata: { name: a, revision: 3 }\n" +
        "spec:\n  scope: { namespace: n, service: s, clusters: {} }\n  limit: { requests: 1, per: hour }\n  extraThing: 1\n",
    );
    expect(rateLimitFormToDocument(rateLimitFormFromDocument(document))).toEqual(document);
  });

  it("writes an empty form as a document to complete, and a completed one as the policy", () => {
    const form = emptyRateLimitForm();
    expect(rateLimitFormToDocument(form)).toEqual({
      apiVersion: "policy.switchyard.dev/v1alpha1",
      kind: "RateLimitPolicy",
      metadata: { name: "" },
      spec: { scope: {}, limit: { per: "second" } },
    });
    const done = { ...form, name: "search-100rps", namespace: "shop", service: "search", requests: "100" };
    expect(rateLimitFormToDocument(done).spec).toEqual({
      scope: { namespace: "shop", service: "search" },
      limit: { requests: 100, per: "second" },
    });
    expect(rateLimitFormFromDocument(fromYaml(toYaml(rateLimitFormToDocument(done))))).toEqual(done);
  });

  it("leaves a unit it cannot show to the YAML tab", () => {
    const document = fromYaml("kind: RateLimitPolicy\nspec: { limit: { requests: 1, per: day } }\n");
    expect(() => rateLimitFormFromDocument(document)).toThrow(FormShapeError);
  });
});
