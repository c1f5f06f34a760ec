#!/usr/bin/env node
// Runs the bundled agent (dist/switchyard-agent.mjs, `npm run build`) when it is up to date with its
// sources, else the TypeScript sources through tsx's loader, so a checkout works without a build.
// The bundle starts in a fraction of the time and memory: tsx compiling hundreds of files and
// @kubernetes/client-node's full generated clients cost seconds and ~200 MB before any work.
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dist = new URL("../dist/", import.meta.url);

/** The bundle when it exists and none of its inputs changed after it was built. */
function freshBundle() {
  try {
    const bundle = fileURLToPath(new URL("switchyard-agent.mjs", dist));
    const builtAt = statSync(bundle).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(new URL("switchyard-agent.inputs.json", dist), "utf8"));
    for (const input of inputs) {
      if (statSync(fileURLToPath(new URL(input, dist))).mtimeMs > builtAt) return undefined;
    }
    return bundle;
  } catch {
    // No bundle, no inputs list, or an input gone (moved sources): the sources are the truth.
    return undefined;
  }
}

const bundle = freshBundle();
let main;
if (bundle) {
  ({ main } = await import(bundle));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/main.ts"));
}
process.exitCode = await main(process.argv.slice(2), process.env);
