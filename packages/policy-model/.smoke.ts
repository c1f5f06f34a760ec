import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { compile } from "./src/compile";
import { parsePolicies } from "./src/documents";
import { compileResultToYaml } from "./src/render";
import { loadCrdValidator } from "./test/crd-validator";
const dir = process.argv[2];
const { policies, diagnostics } = parsePolicies(readFileSync(`${dir}/policies.yaml`, "utf8"));
console.log(diagnostics);
const inv = parse(readFileSync(`${dir}/inventory.yaml`, "utf8"));
const v = loadCrdValidator();
for (const c of inv.clusters) { const r = compile(policies, c); console.log(compileResultToYaml(r)); for (const res of r.resources) console.log(res.kind, v.validate(res)); }
