/**
 * Policies as text: the YAML documents (`apiVersion`, `kind`, `metadata.name`, `spec`) that the
 * console's YAML tab shows and a GitOps repository holds. Parsing text is not I/O; reading files is
 * the CLI's job.
 */
import { isNode, LineCounter, parseAllDocuments, stringify } from "yaml";
import type { Diagnostic, FieldPath } from "./diagnostics";
import type { Policy } from "./schema";
import { type PolicySetValidation, validatePolicies } from "./validate";

export interface PolicyDocument {
  /** The document as plain data, not yet validated. */
  value: unknown;
  file?: string;
  /** Where the field at `path` (or its nearest existing parent) is written. */
  locate(path: FieldPath): Diagnostic["source"];
}

export interface ParsedPolicyText {
  documents: PolicyDocument[];
  /** YAML syntax errors; documents with errors are left out. */
  diagnostics: Diagnostic[];
}

/** Split YAML text into documents, keeping positions for diagnostics. Empty documents are skipped. */
export function parsePolicyText(text: string, file?: string): ParsedPolicyText {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const documents: PolicyDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  const where = (offset: number): NonNullable<Diagnostic["source"]> => {
    const { line, col } = lineCounter.linePos(offset);
    return { ...(file === undefined ? {} : { file }), line, column: col };
  };
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        diagnostics.push({
          severity: "error",
          code: "yaml-syntax",
          message: error.message.split("\n")[0] ?? error.message,
          path: [],
          source: where(error.pos[0]),
        });
      }
      continue;
    }
    if (doc.contents === null) continue;
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    documents.push({
      value,
      ...(file === undefined ? {} : { file }),
      locate(path) {
        for (let depth = path.length; depth >= 0; depth--) {
          const node: unknown = doc.getIn(path.slice(0, depth), true);
          if (isNode(node) && node.range) return where(node.range[0]);
        }
        return undefined;
      },
    });
  }
  return { documents, diagnostics };
}

/** Validate parsed documents (from one or many files) as one policy set. */
export function validatePolicyDocuments(documents: readonly PolicyDocument[]): PolicySetValidation {
  return validatePolicies(
    documents.map((d) => d.value),
    { locate: (index, path) => documents[index]?.locate(path) },
  );
}

/** Parse and validate YAML text in one go — what the console's YAML tab calls on every edit. */
export function parsePolicies(text: string, file?: string): PolicySetValidation {
  const parsed = parsePolicyText(text, file);
  const validated = validatePolicyDocuments(parsed.documents);
  return { policies: validated.policies, diagnostics: [...parsed.diagnostics, ...validated.diagnostics] };
}

/** A policy as the YAML the console's YAML tab shows. */
export function policyToYaml(policy: Policy): string {
  return stringify(policy, { lineWidth: 0 });
}
