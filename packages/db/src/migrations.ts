// Creating and applying migrations with the WebAssembly schema engine. A migration directory holds
// `migration.sql` (what runs) and `schema.prisma` (the schema it leads to), so the next migration is
// a diff from that snapshot to the current schema: no shadow database needed.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { MigrationList } from "@prisma/schema-engine-wasm";
import pg from "pg";
import { openSchemaEngine } from "./schema-engine";

export const repoRoot = path.resolve(import.meta.dirname, "../../..");
export const schemaPath = path.join(repoRoot, "prisma/schema.prisma");
export const migrationsDir = path.join(repoRoot, "prisma/migrations");
const snapshotFile = "schema.prisma";
const lockfileName = "migration_lock.toml";

function migrationDirectoryNames(): string[] {
  if (!existsSync(migrationsDir)) return [];
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

function readMigrationList(): MigrationList {
  const lockfilePath = path.join(migrationsDir, lockfileName);
  return {
    baseDir: migrationsDir,
    lockfile: {
      path: lockfileName,
      content: existsSync(lockfilePath) ? readFileSync(lockfilePath, "utf8") : null,
    },
    shadowDbInitScript: "",
    migrationDirectories: migrationDirectoryNames().map((name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok", value: readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8") },
      },
    })),
  };
}

/** Creates the database named in `databaseUrl` when it does not exist yet. */
export async function ensureDatabaseExists(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  const adminUrl = new URL(databaseUrl);
  adminUrl.pathname = "/postgres";
  const client = new pg.Client({ connectionString: adminUrl.toString() });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount === 0) {
      // Identifiers cannot be bound as parameters; the name is quoted as an identifier.
      await client.query(`create database "${name.replaceAll('"', '""')}"`);
    }
  } finally {
    await client.end();
  }
}

/** Applies every migration not yet applied; returns the names it applied. */
export async function applyMigrations(databaseUrl: string): Promise<string[]> {
  await ensureDatabaseExists(databaseUrl);
  // Opening the engine costs a second and its pool lingers; skip it when there is nothing to do.
  if ((await pendingMigrations(databaseUrl)).length === 0) return [];
  const { engine, close } = await openSchemaEngine({ databaseUrl, schemaPath });
  try {
    const result = await engine.applyMigrations({
      migrationsList: readMigrationList(),
      filters: { externalTables: [], externalEnums: [] },
    });
    return result.appliedMigrationNames;
  } finally {
    await close();
  }
}

/** Names of the migrations in the folder that the database has not applied. */
export async function pendingMigrations(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const table = await client.query("select to_regclass('_prisma_migrations') as t");
    const applied = new Set<string>();
    if (table.rows[0]?.t) {
      const rows = await client.query<{ migration_name: string }>(
        "select migration_name from _prisma_migrations where finished_at is not null and rolled_back_at is null",
      );
      for (const row of rows.rows) applied.add(row.migration_name);
    }
    return migrationDirectoryNames().filter((name) => !applied.has(name));
  } finally {
    await client.end();
  }
}

/**
 * Writes a new migration from the last migration's schema snapshot to the current schema.
 * Returns undefined when the schema has not changed. Needs no database.
 */
export async function createMigration(options: {
  name: string;
  databaseUrl: string;
}): Promise<string | undefined> {
  const previous = migrationDirectoryNames().at(-1);
  const currentSchema = readFileSync(schemaPath, "utf8");
  // The engine connects on open even though a diff between two schemas never queries.
  await ensureDatabaseExists(options.databaseUrl);
  const { engine, close } = await openSchemaEngine({ databaseUrl: options.databaseUrl, schemaPath });
  try {
    const from = previous
      ? {
          tag: "schemaDatamodel" as const,
          files: [
            {
              path: snapshotFile,
              content: readFileSync(path.join(migrationsDir, previous, snapshotFile), "utf8"),
            },
          ],
        }
      : { tag: "empty" as const };
    const result = await engine.diff({
      from,
      to: { tag: "schemaDatamodel", files: [{ path: schemaPath, content: currentSchema }] },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    const sql = result.stdout ?? "";
    if (sql.trim() === "" || sql.includes("This is an empty migration.")) return undefined;
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const directory = `${stamp}_${options.name.replace(/[^a-z0-9_]/gi, "_")}`;
    mkdirSync(path.join(migrationsDir, directory), { recursive: true });
    writeFileSync(path.join(migrationsDir, directory, "migration.sql"), sql);
    writeFileSync(path.join(migrationsDir, directory, snapshotFile), currentSchema);
    const lockfilePath = path.join(migrationsDir, lockfileName);
    if (!existsSync(lockfilePath)) {
      writeFileSync(
        lockfilePath,
        '# Written by packages/db; keep in version control.\nprovider = "postgresql"\n',
      );
    }
    return directory;
  } finally {
    await close();
  }
}
