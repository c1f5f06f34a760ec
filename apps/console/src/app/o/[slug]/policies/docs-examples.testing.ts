// For the form model tests: the examples of docs/policies.md, which users copy, so every form must
// keep all of them through YAML -> form -> YAML.
import { readFileSync } from "node:fs";
import path from "node:path";

const docs = readFileSync(path.resolve(import.meta.dirname, "../../../../../../../docs/policies.md"), "utf8");

/** The YAML documents of the example under the `## <kind>` heading. */
export function docsExamples(kind: string): string[] {
  const text = new RegExp(`## ${kind}[^\\n]*\\n\\n\`\`\`yaml\\n([\\s\\S]*?)\`\`\``).exec(docs)?.[1];
  if (!text) throw new Error(`docs/policies.md has no ${kind} example`);
  return text.split(/^---$/m).map((document) => document.trim());
}
