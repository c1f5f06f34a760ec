/**
 * Durations as Istio reads them (Go-style: `250ms`, `1.5s`, `2m`, `1h30m`). Istio's CRDs carry the
 * CEL rule `duration(self) >= duration('1ms')`, which ajv cannot check, so the language checks it.
 */

const unitMs = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000_001 } as const;
type Unit = keyof typeof unitMs;

const durationPattern = /^(?:\d+(?:\.\d+)?(?:h|ms|m|s|us|µs|ns))+$/;
const partPattern = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;

/** Milliseconds in a duration, or undefined when the text is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  if (!durationPattern.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(partPattern)) {
    const [, amount, unit] = match;
    if (amount === undefined || unit === undefined) return undefined;
    total += Number(amount) * unitMs[unit as Unit];
  }
  return total;
}

export const minDurationMs = 1;

/**
 * The canonical text of a duration, so that `1000ms` and `1s` compile to the same bytes: whole hours,
 * minutes or seconds when exact, otherwise milliseconds.
 */
export function formatDurationMs(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1_000 && ms % 1_000 === 0) return `${ms / 1_000}s`;
  if (Number.isInteger(ms)) return `${ms}ms`;
  return `${Number(ms.toFixed(6))}ms`;
}

/** Canonical form of a duration known to be valid (the schema checked it). */
export function normalizeDuration(text: string): string {
  const ms = parseDurationMs(text);
  return ms === undefined ? text : formatDurationMs(ms);
}
