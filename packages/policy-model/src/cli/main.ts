/**
 * `switchyard-policy validate|compile|diff`: the compiler in CI. All I/O of the package lives under
 * src/cli; the stages it calls are pure.
 */
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import type { CompileResult } from "../compile";
import { type Diagnostic, formatDiagnostic, formatPath, hasErrors, sortDiagnostics } from "../diagnostics";
import { diff } from "../diff";
import { type PolicyDocument, parsePolicyText, validatePolicyDocuments } from "../documents";
import { compileFleet } from "../fleet";
import { impact, type ObservedEdge } from "../impact";
import { type ClusterInventory, inventoryFileSchema } from "../inventory";
import { compileResultToYaml } from "../render";
import type { Policy } from "../schema";
import { type CliIo, nodeIo } from "./io";

const usage = `usage:
  switchyard-policy validate --policies FILE_OR_DIR [--inventory FILE]
  switchyard-policy compile  --policies FILE_OR_DIR --inventory FILE [--cluster NAME]...
  switchyard-policy diff     --before FILE_OR_DIR --after FILE_OR_DIR --inventory FILE [--cluster NAME]... [--edges FILE]

Policies are YAML documents (apiVersion policy.switchyard.dev/v1alpha1); a directory is read
recursively (*.yaml, *.yml). The inventory file is { clusters: [...] } (see docs/policies.md).
--edges is a YAML/JSON list of observed edges; diff then also prints the traffic the change would block.
Exit status: 0 when there is no error, 1 when there is, 2 for bad usage.
`;

class UsageError extends Error {}

interface LoadedPolicies {
  policies: Policy[];
  diagnostics: Diagnostic[];
  /** Where each policy was written, to put file:line on compile diagnostics. */
  documents: Map<string, PolicyDocument>;
}

async function loadPolicies(io: CliIo, path: string): Promise<LoadedPolicies> {
  const documents: PolicyDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of await io.listPolicyFiles(path)) {
    const parsed = parsePolicyText(await io.readText(file), file);
    documents.push(...parsed.documents);
    diagnostics.push(...parsed.diagnostics);
  }
  const validated = validatePolicyDocuments(documents);
  const byName = new Map<string, PolicyDocument>();
  for (const doc of documents) {
    const value = doc.value;
    if (typeof value !== "object" || value === null || !("metadata" in value)) continue;
    const metadata = value.metadata;
    if (
      typeof metadata !== "object" ||
      metadata === null ||
      !("name" in metadata) ||
      typeof metadata.name !== "string"
    )
      continue;
    if (!byName.has(metadata.name)) byName.set(metadata.name, doc);
  }
  return {
    policies: validated.policies,
    diagnostics: [...diagnostics, ...validated.diagnostics],
    documents: byName,
  };
}

async function loadInventory(
  io: CliIo,
  path: string,
): Promise<{ clusters: ClusterInventory[]; diagnostics: Diagnostic[] }> {
  let data: unknown;
  try {
    data = parseYaml(await io.readText(path));
  } catch (error) {
    return {
      clusters: [],
      diagnostics: [
        { severity: "error", code: "yaml-syntax", message: `${path}: ${String(error)}`, path: [] },
      ],
    };
  }
  const result = inventoryFileSchema.safeParse(data);
  if (result.success) return { clusters: result.data.clusters, diagnostics: [] };
  return {
    clusters: [],
    diagnostics: result.error.issues.map((issue) => ({
      severity: "error",
      code: "schema-invalid",
      message: `inventory ${path} at ${formatPath(issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)))}: ${issue.message}`,
      path: [],
    })),
  };
}

const locate = (loaded: LoadedPolicies, d: Diagnostic): Diagnostic => {
  if (d.source || d.policy === undefined) return d;
  const source = loaded.documents.get(d.policy)?.locate(d.path);
  return source ? { ...d, source } : d;
};

function selectClusters(clusters: ClusterInventory[], names: string[] | undefined): ClusterInventory[] {
  if (!names || names.length === 0) return clusters;
  const unknown = names.filter((n) => !clusters.some((c) => c.cluster.name === n));
  if (unknown.length > 0) throw new UsageError(`unknown cluster(s): ${unknown.join(", ")}`);
  return clusters.filter((c) => names.includes(c.cluster.name));
}

const printDiagnostics = (write: (text: string) => void, diagnostics: readonly Diagnostic[]) => {
  for (const d of sortDiagnostics(diagnostics)) write(`${formatDiagnostic(d)}\n`);
};

function summary(diagnostics: readonly Diagnostic[]): string {
  const count = (s: Diagnostic["severity"]) => diagnostics.filter((d) => d.severity === s).length;
  return `${count("error")} error(s), ${count("warning")} warning(s)\n`;
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`missing --${flag}`);
  return value;
}

async function compileWith(
  io: CliIo,
  policiesPath: string,
  inventoryPath: string,
  clusterNames: string[] | undefined,
) {
  const loaded = await loadPolicies(io, policiesPath);
  const inventory = await loadInventory(io, inventoryPath);
  const clusters = selectClusters(inventory.clusters, clusterNames);
  const fleet = compileFleet(loaded.policies, clusters);
  const diagnostics = [
    ...loaded.diagnostics,
    ...inventory.diagnostics,
    ...fleet.diagnostics,
    ...fleet.results.flatMap((r) => r.diagnostics),
  ].map((d) => locate(loaded, d));
  return { results: fleet.results, diagnostics, clusters };
}

function formatValue(value: unknown): string {
  return value === undefined ? "(none)" : JSON.stringify(value);
}

function printDiff(io: CliIo, before: CompileResult, after: CompileResult) {
  const d = diff(before, after);
  const label = (r: { kind: string; metadata: { namespace: string; name: string } }) =>
    `${r.kind} ${r.metadata.namespace}/${r.metadata.name}`;
  io.stdout(
    `# cluster ${after.cluster}: ${d.added.length} added, ${d.changed.length} changed, ${d.removed.length} removed, ${d.unchanged} unchanged\n`,
  );
  for (const r of d.added) io.stdout(`+ ${label(r)}\n`);
  for (const r of d.removed) io.stdout(`- ${label(r)}\n`);
  for (const c of d.changed) {
    io.stdout(`~ ${label(c.after)}\n`);
    for (const f of c.fields)
      io.stdout(`    ${formatPath(f.path)}: ${formatValue(f.before)} -> ${formatValue(f.after)}\n`);
  }
}

async function loadEdges(io: CliIo, path: string): Promise<ObservedEdge[]> {
  const data: unknown = parseYaml(await io.readText(path));
  if (!Array.isArray(data)) throw new UsageError(`${path} must hold a list of edges`);
  return data as ObservedEdge[];
}

export async function main(argv: readonly string[], io: CliIo = nodeIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    const { values } = parseArgs({
      args: rest,
      options: {
        policies: { type: "string" },
        inventory: { type: "string" },
        cluster: { type: "string", multiple: true },
        before: { type: "string" },
        after: { type: "string" },
        edges: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    });
    if (values.help || command === "help" || command === undefined) {
      io.stdout(usage);
      return command === undefined ? 2 : 0;
    }
    if (command === "validate") {
      const policiesPath = required(values.policies, "policies");
      if (values.inventory) {
        const { diagnostics } = await compileWith(io, policiesPath, values.inventory, values.cluster);
        printDiagnostics(io.stdout, diagnostics);
        io.stdout(summary(diagnostics));
        return hasErrors(diagnostics) ? 1 : 0;
      }
      const loaded = await loadPolicies(io, policiesPath);
      printDiagnostics(io.stdout, loaded.diagnostics);
      io.stdout(
        `${loaded.policies.length} valid polic${loaded.policies.length === 1 ? "y" : "ies"}; ${summary(loaded.diagnostics)}`,
      );
      return hasErrors(loaded.diagnostics) ? 1 : 0;
    }
    if (command === "compile") {
      const { results, diagnostics } = await compileWith(
        io,
        required(values.policies, "policies"),
        required(values.inventory, "inventory"),
        values.cluster,
      );
      io.stdout(results.map(compileResultToYaml).join("\n"));
      printDiagnostics(io.stderr, diagnostics);
      io.stderr(summary(diagnostics));
      return hasErrors(diagnostics) ? 1 : 0;
    }
    if (command === "diff") {
      const inventoryPath = required(values.inventory, "inventory");
      const before = await compileWith(io, required(values.before, "before"), inventoryPath, values.cluster);
      const after = await compileWith(io, required(values.after, "after"), inventoryPath, values.cluster);
      const edges = values.edges ? await loadEdges(io, values.edges) : undefined;
      after.results.forEach((result, i) => {
        const previous = before.results[i];
        const inventory = after.clusters[i];
        if (!previous || !inventory) return;
        printDiff(io, previous, result);
        if (!edges) return;
        const report = impact({ inventory, before: previous.resources, after: result.resources }, edges);
        for (const b of report.blocked)
          io.stdout(
            `! ${b.after === "denied" ? "blocks" : "may block"} ${b.edge.source.namespace}/${b.edge.source.workload} -> ${b.edge.destination.namespace}/${b.edge.destination.service} (${b.edge.requestsPerSecond} rps): ${b.reason ?? ""}\n`,
          );
        for (const s of report.routeShifts)
          io.stdout(
            `  traffic ${s.namespace}/${s.service} ${s.version}: ${(s.beforeShare * 100).toFixed(1)}% -> ${(s.afterShare * 100).toFixed(1)}%\n`,
          );
      });
      printDiagnostics(io.stderr, after.diagnostics);
      io.stderr(summary(after.diagnostics));
      return hasErrors(after.diagnostics) ? 1 : 0;
    }
    throw new UsageError(`unknown command ${command}`);
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))
    ) {
      io.stderr(`${error.message}\n\n${usage}`);
      return 2;
    }
    if (error instanceof Error && "code" in error && error.code === "ENOENT") {
      io.stderr(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
