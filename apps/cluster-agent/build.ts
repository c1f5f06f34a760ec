/**
 * Bundles the agent into one ES module, dist/switchyard-agent.mjs, that plain node runs. Loading
 * the sources through tsx costs seconds and ~200 MB before the agent does anything: tsx compiles
 * hundreds of files, and @kubernetes/client-node's index pulls in all of its generated clients
 * (tens of MB of JS). The bundle keeps only what the agent reaches (tree-shaking drops the unused
 * generated API groups) and starts in a fraction of a second.
 *
 * `npm run build -w @switchyard/cluster-agent`, or `buildAgent()` from scripts (the benchmark).
 * Next to the bundle goes the list of its inputs, so bin/switchyard-agent.js can tell a stale
 * bundle from a fresh one and fall back to the sources through tsx.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
// esbuild comes with tsx (a dependency of this package); it is the same one tsx runs on.
import { build } from "esbuild";

const packageRoot = import.meta.dirname;
export const bundlePath = path.join(packageRoot, "dist", "switchyard-agent.mjs");
export const inputsPath = path.join(packageRoot, "dist", "switchyard-agent.inputs.json");

export async function buildAgent(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(packageRoot, "src", "main.ts")],
    outfile: bundlePath,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    minify: true,
    // Names stay readable in stack traces and logs (error.name, class names in messages).
    keepNames: true,
    sourcemap: "linked",
    metafile: true,
    logLevel: "warning",
    // Some dependencies are CommonJS and require() node built-ins; an ES module has no require.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
    },
  });
  const inputs = Object.keys(result.metafile.inputs)
    // esbuild names inputs relative to the working directory.
    .map((input) => path.relative(path.dirname(bundlePath), path.resolve(input)));
  await writeFile(inputsPath, `${JSON.stringify({ inputs })}\n`);
  return bundlePath;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  const out = await buildAgent();
  process.stdout.write(
    `built ${path.relative(process.cwd(), out)} in ${Math.round(performance.now() - started)} ms\n`,
  );
}
