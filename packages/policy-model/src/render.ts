/** Resources as the multi-document YAML a user reads in review, in CI logs or applies with kubectl. */
import { stringify } from "yaml";
import type { CompileResult } from "./compile";
import { formatDiagnostic } from "./diagnostics";
import type { MeshResource } from "./resource";

export function resourcesToYaml(resources: readonly MeshResource[]): string {
  return resources
    .map((r) => `---\n${stringify(r, { lineWidth: 0, aliasDuplicateObjects: false })}`)
    .join("");
}

/** One cluster's compile result: a comment header (cluster, hash, diagnostics) and the YAML. */
export function compileResultToYaml(result: CompileResult): string {
  const header = [
    `# cluster: ${result.cluster}`,
    `# hash: ${result.hash}`,
    `# resources: ${result.resources.length}`,
  ];
  if (result.diagnostics.length > 0) {
    header.push("# diagnostics:");
    for (const d of result.diagnostics) header.push(`#   ${formatDiagnostic({ ...d, cluster: undefined })}`);
  }
  return `${header.join("\n")}\n${resourcesToYaml(result.resources)}`;
}
