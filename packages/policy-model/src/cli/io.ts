/** What the CLI needs from the outside world; tests pass an in-memory implementation. */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";

export interface CliIo {
  readText(path: string): Promise<string>;
  /** Policy files under a path: the file itself, or every .yaml/.yml file below a directory, sorted. */
  listPolicyFiles(path: string): Promise<string[]>;
  stdout(text: string): void;
  stderr(text: string): void;
}

const isYaml = (name: string) => name.endsWith(".yaml") || name.endsWith(".yml");

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else if (entry.isFile() && isYaml(entry.name)) files.push(path);
  }
  return files;
}

export const nodeIo: CliIo = {
  readText: (path) => readFile(path, "utf8"),
  async listPolicyFiles(path) {
    return (await stat(path)).isDirectory() ? walk(path) : [path];
  },
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};
