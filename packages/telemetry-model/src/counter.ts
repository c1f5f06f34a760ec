/**
 * Counter arithmetic as PromQL does it. A counter only goes up; any drop between two consecutive
 * samples means the process restarted and the counter began again at 0, so the increase across
 * that pair is the new value itself (Prometheus' `resets()`/`increase()` rule, promql/functions.go
 * `extrapolatedRate`: `if sample < last { result += last }`).
 */

export interface CounterSample {
  /** Milliseconds since the epoch (or any clock; only differences matter). */
  readonly timestampMs: number;
  readonly value: number;
}

/** Increase between two consecutive snapshots of one counter, with reset handling. */
export function counterDelta(previous: number, current: number): number {
  return current < previous ? current : current - previous;
}

/**
 * Raw increase over consecutive samples (no extrapolation): what an agent that sees every scrape
 * ships. Equal to Prometheus' `last - first + sum(values before each reset)`.
 */
export function counterIncrease(values: readonly number[]): number {
  let total = 0;
  for (let index = 1; index < values.length; index++) {
    total += counterDelta(values[index - 1] ?? 0, values[index] ?? 0);
  }
  return total;
}

/** Number of resets in a run of samples, as PromQL's `resets()`. */
export function counterResets(values: readonly number[]): number {
  let resets = 0;
  for (let index = 1; index < values.length; index++) {
    if ((values[index] ?? 0) < (values[index - 1] ?? 0)) resets++;
  }
  return resets;
}

export interface RangeWindow {
  /** Evaluation time (the end of the range), ms. */
  readonly endMs: number;
  /** Range length, ms (`[5m]` = 300000). */
  readonly rangeMs: number;
}

/**
 * `increase(x[range])` exactly as Prometheus 2.x computes it for float samples (promql/functions.go
 * `extrapolatedRate` with isCounter): reset-corrected increase between the first and last sample in
 * the window, extrapolated towards the window edges when the samples come close enough (within 1.1×
 * the average spacing), otherwise by half a spacing, and never back past the counter's zero point.
 * Fewer than two samples give undefined (PromQL drops the series).
 */
export function extrapolatedIncrease(
  samples: readonly CounterSample[],
  window: RangeWindow,
): number | undefined {
  const rangeStart = window.endMs - window.rangeMs;
  // Prometheus selects samples in (start, end]; its left-open range changed over versions, but
  // for scrapes that never land exactly on the start it makes no difference.
  const inRange = samples.filter(
    (sample) => sample.timestampMs > rangeStart && sample.timestampMs <= window.endMs,
  );
  const first = inRange[0];
  const last = inRange[inRange.length - 1];
  if (first === undefined || last === undefined || inRange.length < 2) return undefined;
  let result = last.value - first.value;
  let previous = 0;
  for (const sample of inRange) {
    if (sample.value < previous) result += previous;
    previous = sample.value;
  }
  let durationToStart = (first.timestampMs - rangeStart) / 1000;
  const durationToEnd = (window.endMs - last.timestampMs) / 1000;
  const sampledInterval = (last.timestampMs - first.timestampMs) / 1000;
  const averageBetweenSamples = sampledInterval / (inRange.length - 1);
  if (result > 0 && first.value >= 0) {
    const durationToZero = sampledInterval * (first.value / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageBetweenSamples * 1.1;
  let extrapolateTo = sampledInterval;
  extrapolateTo += durationToStart < threshold ? durationToStart : averageBetweenSamples / 2;
  extrapolateTo += durationToEnd < threshold ? durationToEnd : averageBetweenSamples / 2;
  return result * (extrapolateTo / sampledInterval);
}

/** `rate(x[range])`: the extrapolated increase per second of the range. */
export function extrapolatedRate(samples: readonly CounterSample[], window: RangeWindow): number | undefined {
  const increase = extrapolatedIncrease(samples, window);
  return increase === undefined ? undefined : increase / (window.rangeMs / 1000);
}
