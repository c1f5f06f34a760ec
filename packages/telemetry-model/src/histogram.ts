import { counterDelta } from "./counter";
/**
 * Latency histograms as Istio's proxies export them: fixed upper bounds plus an implicit +Inf bucket.
 *
 * Two forms exist on purpose, with different types so they cannot be mixed up:
 * - `CumulativeHistogram`: what Prometheus stores (`_bucket{le="x"}` = observations <= x), so the
 *   +Inf count equals the total count. Scrapes and `histogram_quantile` use this form.
 * - `BucketCounts`: observations per bucket (between the previous bound and this one), the form
 *   that is easy to store as deltas and to sum.
 * Merging is a bucket-wise sum in either form; both are linear, so they merge identically.
 */

/** Istio's default bucket upper bounds for `istio_request_duration_milliseconds` (ms, +Inf implicit). */
export const ISTIO_DEFAULT_BUCKETS_MS: readonly number[] = Object.freeze([
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
]);

export interface CumulativeHistogram {
  readonly form: "cumulative";
  /** Finite upper bounds, strictly ascending; the +Inf bucket is implicit. */
  readonly bounds: readonly number[];
  /** `bounds.length + 1` non-decreasing counts; the last one is the +Inf bucket (= count). */
  readonly cumulative: readonly number[];
  readonly sum: number;
}

export interface BucketCounts {
  readonly form: "per-bucket";
  readonly bounds: readonly number[];
  /** `bounds.length + 1` counts: `(bounds[i-1], bounds[i]]`, the last one `(bounds[n-1], +Inf)`. */
  readonly counts: readonly number[];
  readonly sum: number;
}

export type Histogram = CumulativeHistogram | BucketCounts;

/** One `_bucket` sample as Prometheus hands it to `histogram_quantile`: upper bound and cumulative count. */
export interface BucketSample {
  readonly upperBound: number;
  readonly count: number;
}

export class BucketLayoutError extends Error {
  override readonly name = "BucketLayoutError";
}

export function emptyBucketCounts(bounds: readonly number[] = ISTIO_DEFAULT_BUCKETS_MS): BucketCounts {
  assertBounds(bounds);
  return { form: "per-bucket", bounds, counts: new Array<number>(bounds.length + 1).fill(0), sum: 0 };
}

/** Index of the bucket a value falls into (`le` is inclusive, as in Prometheus client libraries). */
export function bucketIndexOf(bounds: readonly number[], value: number): number {
  // Binary search: the first bound >= value; bounds.length means the +Inf bucket.
  let low = 0;
  let high = bounds.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((bounds[middle] ?? Number.POSITIVE_INFINITY) >= value) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Adds `times` observations of `value`; returns a new histogram (values are immutable). */
export function observe(histogram: BucketCounts, value: number, times = 1): BucketCounts {
  const counts = [...histogram.counts];
  const index = bucketIndexOf(histogram.bounds, value);
  counts[index] = (counts[index] ?? 0) + times;
  return { ...histogram, counts, sum: histogram.sum + value * times };
}

export function toCumulative(histogram: Histogram): CumulativeHistogram {
  if (histogram.form === "cumulative") return histogram;
  let running = 0;
  const cumulative = histogram.counts.map((count) => {
    running += count;
    return running;
  });
  return { form: "cumulative", bounds: histogram.bounds, cumulative, sum: histogram.sum };
}

export function toBucketCounts(histogram: Histogram): BucketCounts {
  if (histogram.form === "per-bucket") return histogram;
  const counts = histogram.cumulative.map((count, index) => count - (histogram.cumulative[index - 1] ?? 0));
  return { form: "per-bucket", bounds: histogram.bounds, counts, sum: histogram.sum };
}

export function countOf(histogram: Histogram): number {
  if (histogram.form === "cumulative") return histogram.cumulative[histogram.cumulative.length - 1] ?? 0;
  return histogram.counts.reduce((total, count) => total + count, 0);
}

/**
 * Bucket-wise sum, the same as PromQL's `sum by (le)`. Both inputs must use the same bounds: summing
 * different layouts would silently misplace observations, which Prometheus avoids only by accident
 * (it coalesces equal `le` values and treats the rest as extra buckets).
 */
export function mergeHistograms<H extends Histogram>(left: H, right: H): H {
  assertSameBounds(left.bounds, right.bounds);
  if (left.form === "cumulative" && right.form === "cumulative") {
    const merged: CumulativeHistogram = {
      form: "cumulative",
      bounds: left.bounds,
      cumulative: left.cumulative.map((count, index) => count + (right.cumulative[index] ?? 0)),
      sum: left.sum + right.sum,
    };
    return merged as H;
  }
  if (left.form === "per-bucket" && right.form === "per-bucket") {
    const merged: BucketCounts = {
      form: "per-bucket",
      bounds: left.bounds,
      counts: left.counts.map((count, index) => count + (right.counts[index] ?? 0)),
      sum: left.sum + right.sum,
    };
    return merged as H;
  }
  throw new BucketLayoutError("cannot merge a cumulative histogram with per-bucket counts");
}

/** Merges any number of histograms of one layout; undefined for none (there is no layout to pick). */
export function mergeAll<H extends Histogram>(histograms: readonly H[]): H | undefined {
  const [first, ...rest] = histograms;
  if (first === undefined) return undefined;
  return rest.reduce<H>((merged, next) => mergeHistograms(merged, next), first);
}

/** The `_bucket` samples of a histogram, the input `histogramQuantile` takes. */
export function toBucketSamples(histogram: Histogram): BucketSample[] {
  const cumulative = toCumulative(histogram);
  return cumulative.cumulative.map((count, index) => ({
    upperBound: cumulative.bounds[index] ?? Number.POSITIVE_INFINITY,
    count,
  }));
}

function assertBounds(bounds: readonly number[]): void {
  for (let index = 0; index < bounds.length; index++) {
    const bound = bounds[index] ?? Number.NaN;
    if (!Number.isFinite(bound)) throw new BucketLayoutError(`bound ${index} is not finite: ${bound}`);
    if (index > 0 && bound <= (bounds[index - 1] ?? Number.NEGATIVE_INFINITY))
      throw new BucketLayoutError(`bounds must be strictly ascending at index ${index}`);
  }
}

function assertSameBounds(left: readonly number[], right: readonly number[]): void {
  if (left === right) return;
  if (left.length !== right.length || left.some((bound, index) => bound !== right[index]))
    throw new BucketLayoutError(`bucket bounds differ: [${left.join(",")}] vs [${right.join(",")}]`);
}

/**
 * Increase between two cumulative scrapes of one histogram, as `increase()` on each `_bucket`
 * series: every bucket (and the sum) is its own counter with its own reset handling, because that
 * is how Prometheus sees them. After a real restart all of them drop together, so the result is
 * the new snapshot itself.
 */
export function histogramDelta(
  previous: CumulativeHistogram,
  current: CumulativeHistogram,
): CumulativeHistogram {
  assertSameBounds(previous.bounds, current.bounds);
  return {
    form: "cumulative",
    bounds: current.bounds,
    cumulative: current.cumulative.map((count, index) =>
      counterDelta(previous.cumulative[index] ?? 0, count),
    ),
    sum: counterDelta(previous.sum, current.sum),
  };
}
