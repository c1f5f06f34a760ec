// Prisma's schema engine compiled to WebAssembly, driven through the pg driver adapter. The CLI's
// native engine is downloaded at first use from a host our build machines cannot reach, so
// migrations are created and applied here instead (see docs/decisions.md). It also makes
// air-gapped installs work.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { SchemaEngine as SchemaEngineType } from "@prisma/schema-engine-wasm";
import * as bindings from "@prisma/schema-engine-wasm/schema_engine_bg";

const require = createRequire(import.meta.url);

// TypeScript's ES libs leave WebAssembly to the DOM lib; this is the part we use.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, object>) => { exports: Record<string, unknown> };
};

type PanicRegistry = { message: string; set_message(text: string): void };

let isWasmLoaded = false;

function loadWasm(): void {
  if (isWasmLoaded) return;
  // The engine reports Rust panics through this global, as Prisma's CLI sets it up.
  const registry: PanicRegistry = {
    message: "",
    set_message(text: string) {
      this.message = `RuntimeError: ${text}`;
    },
  };
  (globalThis as { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry }).PRISMA_WASM_PANIC_REGISTRY = registry;
  // The package exports no path to its .wasm; resolve it beside the entry point.
  const wasmPath = path.join(
    path.dirname(require.resolve("@prisma/schema-engine-wasm")),
    "schema_engine_bg.wasm",
  );
  const module = new WebAssembly.Module(readFileSync(wasmPath));
  const instance = new WebAssembly.Instance(module, { "./schema_engine_bg.js": bindings });
  bindings.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  isWasmLoaded = true;
}

export type SchemaEngine = SchemaEngineType;

/** Opens a schema engine on the database at `databaseUrl`; call `free()` when done. */
export async function openSchemaEngine(options: {
  databaseUrl: string;
  schemaPath: string;
  /** Receives the engine's own log lines (JSON); ignored when absent. */
  onLog?: (line: string) => void;
}): Promise<{ engine: SchemaEngine; close: () => Promise<void> }> {
  loadWasm();
  const schema = readFileSync(options.schemaPath, "utf8");
  const adapterFactory = bindMigrationAwareSqlAdapterFactory(
    new PrismaPg({ connectionString: options.databaseUrl }),
  );
  const engine = await bindings.SchemaEngine.new(
    { datamodels: [[options.schemaPath, schema]] },
    (line: string) => options.onLog?.(line),
    adapterFactory,
  );
  return {
    engine,
    close: async () => {
      engine.free();
    },
  };
}
