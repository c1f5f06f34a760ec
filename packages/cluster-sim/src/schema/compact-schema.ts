import { readFileSync } from "node:fs";
import { z } from "zod";

/**
 * A CRD's openAPIV3Schema reduced to what the simulator checks: types, properties, list kinds and
 * the CEL rules we emulate (durations of at least 1ms, ports in 1..65535). Short keys keep the
 * committed JSON small.
 */
export interface CompactSchema {
  t?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  p?: Record<string, CompactSchema>;
  i?: CompactSchema;
  ap?: CompactSchema;
  /** x-kubernetes-preserve-unknown-fields */
  u?: boolean;
  /** x-kubernetes-int-or-string */
  ios?: boolean;
  lt?: "map" | "set";
  lk?: string[];
  /** CEL: duration(self) >= duration('1ms') */
  d?: boolean;
  /** CEL: 0 < self && self <= 65535 */
  port?: boolean;
}

const compactSchema: z.ZodType<CompactSchema> = z.lazy(() =>
  z.object({
    t: z.enum(["object", "array", "string", "integer", "number", "boolean"]).optional(),
    p: z.record(z.string(), compactSchema).optional(),
    i: compactSchema.optional(),
    ap: compactSchema.optional(),
    u: z.boolean().optional(),
    ios: z.boolean().optional(),
    lt: z.enum(["map", "set"]).optional(),
    lk: z.array(z.string()).optional(),
    d: z.boolean().optional(),
    port: z.boolean().optional(),
  }),
);

let cached: Map<string, CompactSchema> | undefined;

/** Schemas keyed by `group/Kind`, loaded once (the file is ~100 KB, parsed lazily). */
export function istioSchemas(): Map<string, CompactSchema> {
  if (cached) return cached;
  const text = readFileSync(new URL("./istio-schemas.generated.json", import.meta.url), "utf8");
  const parsed = z.record(z.string(), compactSchema).parse(JSON.parse(text));
  cached = new Map(Object.entries(parsed));
  return cached;
}
