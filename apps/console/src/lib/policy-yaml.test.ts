import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { trafficFormFromDocument, trafficFormToDocument } from "~/app/o/[slug]/policies/traffic-form-model";
import { fromYaml, toYaml, YamlSubsetError } from "./policy-yaml";

// The TrafficPolicy example of docs/policies.md: what users copy, so the editor must keep all of it.
const docs = readFileSync(path.resolve(import.meta.dirname, "../../../../docs/policies.md"), "utf8");
const example = /## TrafficPolicy[^\n]*\n\n```yaml\n([\s\S]*?)```/.exec(docs)?.[1] ?? "";

describe("policy YAML in the editor", () => {
  it("reads the documented TrafficPolicy example", () => {
    const document = fromYaml(example);
    expect(document).toMatchObject({ kind: "TrafficPolicy", metadata: { name: "reviews-canary" } });
  });

  it("keeps everything through YAML → form → YAML, including fields the form does not show", () => {
    const document = fromYaml(example);
    const roundTripped = fromYaml(toYaml(trafficFormToDocument(trafficFormFromDocument(document))));
    expect(roundTripped).toEqual(document);
  });

  it("refuses several documents and YAML errors with a message, so the text stays in the YAML tab", () => {
    expect(() => fromYaml("a: 1\n---\nb: 2\n")).toThrow(YamlSubsetError);
    expect(() => fromYaml("a: [1, 2\n")).toThrow(YamlSubsetError);
  });

  it("writes plain data the API's parser reads back the same", () => {
    const value = {
      spec: { routes: [{ destinations: [{ version: "v1", weight: 90 }] }], on: "yes", empty: "" },
    };
    expect(fromYaml(toYaml(value))).toEqual(value);
  });
});
