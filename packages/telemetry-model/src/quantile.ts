import type { BucketSample } from "./histogram";

/**
 * `histogram_quantile` over classic (`le`-labelled) buckets, reproducing Prometheus'
 * promql/quantile.go `bucketQuantile` step by step. Followed:
 * - prometheus/prometheus promql/quantile.go at 8035c04 (the 2.4x line, the generation of Debian's
 *   2.42): NaN q → NaN, q<0 → -Inf, q>1 → +Inf; sort by upper bound; highest bound not +Inf → NaN;
 *   coalesce equal bounds by summing; `ensureMonotonic` (each count raised to the running maximum);
 *   fewer than 2 buckets or 0 observations → NaN; rank = q·count; the first bucket (excluding +Inf)
 *   whose count >= rank, by binary search (`sort.Search`); in +Inf → upper bound of the second
 *   highest; in the lowest bucket with upper bound <= 0 → that bound; otherwise linear
 *   interpolation, from 0 for the lowest bucket.
 * - prometheus/prometheus promql/quantile.go at 01381a8 (later releases) adds
 *   `correctPrecisionErrors(buckets, 1e-12)` before `ensureMonotonic`: a count that differs from the
 *   last kept count by a relative delta (|Δ|/current) <= 1e-12 is set to that kept count, so float
 *   noise from `rate()`/`sum()` neither breaks monotonicity nor creates a sliver bucket. This is the
 *   default here; pass `smallDeltaTolerance: 0` for the exact 2.42 behaviour (which never applies it).
 * Checked against the reference values of promql/promqltest/testdata/histograms.test.
 */

export interface QuantileOptions {
  /** Relative tolerance of `correctPrecisionErrors`; 1e-12 as recent Prometheus, 0 = off (2.42). */
  smallDeltaTolerance?: number;
}

export interface QuantileResult {
  /** The estimate, in the bounds' unit (ms for Istio); NaN, -Inf or +Inf as Prometheus returns. */
  value: number;
  /**
   * The bucket that contains the estimate, `[lower, upper]`, to show its precision: the true value
   * lies somewhere in there. Undefined when Prometheus returns no estimate (NaN, ±Inf from q).
   * When the rank falls in the +Inf bucket the value is `lower` and `upper` is +Infinity.
   */
  bucket: { lower: number; upper: number } | undefined;
  /** Counts had to be raised to make them monotonic (Prometheus' info annotation). */
  isForcedMonotonic: boolean;
  /** Small float deltas were smoothed (recent Prometheus' `fixedPrecision`). */
  isPrecisionFixed: boolean;
}

const DEFAULT_TOLERANCE = 1e-12;

export function histogramQuantile(
  q: number,
  samples: readonly BucketSample[],
  options: QuantileOptions = {},
): QuantileResult {
  return histogramQuantiles([q], samples, options)[0] ?? noEstimate(Number.NaN);
}

function noEstimate(value: number): QuantileResult {
  return { value, bucket: undefined, isForcedMonotonic: false, isPrecisionFixed: false };
}

/**
 * `histogramQuantile` for several quantiles of one histogram, in the order asked: the buckets are
 * sorted, coalesced and made monotonic once (a graph asks p50, p95 and p99 of thousands of edges).
 */
export function histogramQuantiles(
  qs: readonly number[],
  samples: readonly BucketSample[],
  options: QuantileOptions = {},
): QuantileResult[] {
  const prepared = prepareBuckets(samples, options);
  return qs.map((q) => quantileOfPrepared(q, prepared));
}

interface PreparedBuckets {
  /** Sorted, coalesced, monotonic; undefined when Prometheus gives NaN whatever q is. */
  buckets: MutableBucket[] | undefined;
  isForcedMonotonic: boolean;
  isPrecisionFixed: boolean;
}

function prepareBuckets(samples: readonly BucketSample[], options: QuantileOptions): PreparedBuckets {
  const none = { buckets: undefined, isForcedMonotonic: false, isPrecisionFixed: false };
  if (samples.length === 0) return none;
  // Copy: Prometheus sorts and rewrites its slice in place; callers keep theirs intact. Samples
  // already in order (Istio's fixed layout) skip the sort.
  const buckets = samples.map((sample) => ({ upperBound: sample.upperBound, count: sample.count }));
  if (!isSortedByUpperBound(buckets)) buckets.sort((a, b) => a.upperBound - b.upperBound);
  const highest = buckets[buckets.length - 1];
  if (highest === undefined || highest.upperBound !== Number.POSITIVE_INFINITY) return none;
  const coalesced = coalesce(buckets);
  const tolerance = options.smallDeltaTolerance ?? DEFAULT_TOLERANCE;
  const isPrecisionFixed = tolerance > 0 && correctPrecisionErrors(coalesced, tolerance);
  const isForcedMonotonic = ensureMonotonic(coalesced);
  if (coalesced.length < 2) return none;
  if ((coalesced[coalesced.length - 1]?.count ?? 0) === 0) return none;
  return { buckets: coalesced, isForcedMonotonic, isPrecisionFixed };
}

function isSortedByUpperBound(buckets: readonly MutableBucket[]): boolean {
  for (let index = 1; index < buckets.length; index++)
    if ((buckets[index - 1]?.upperBound ?? 0) > (buckets[index]?.upperBound ?? 0)) return false;
  return true;
}

function quantileOfPrepared(q: number, prepared: PreparedBuckets): QuantileResult {
  if (Number.isNaN(q)) return noEstimate(Number.NaN);
  if (q < 0) return noEstimate(Number.NEGATIVE_INFINITY);
  if (q > 1) return noEstimate(Number.POSITIVE_INFINITY);
  const coalesced = prepared.buckets;
  if (coalesced === undefined) return noEstimate(Number.NaN);
  const observations = coalesced[coalesced.length - 1]?.count ?? 0;
  let rank = q * observations;
  const flags = {
    isForcedMonotonic: prepared.isForcedMonotonic,
    isPrecisionFixed: prepared.isPrecisionFixed,
  };

  // sort.Search over all but the +Inf bucket: the smallest index whose count >= rank, or n-1.
  const searchLength = coalesced.length - 1;
  let low = 0;
  let high = searchLength;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((coalesced[middle]?.count ?? 0) >= rank) high = middle;
    else low = middle + 1;
  }
  const index = low;

  if (index === coalesced.length - 1) {
    const secondHighest = coalesced[coalesced.length - 2]?.upperBound ?? Number.NaN;
    return {
      value: secondHighest,
      bucket: { lower: secondHighest, upper: Number.POSITIVE_INFINITY },
      ...flags,
    };
  }
  const bucket = coalesced[index];
  if (bucket === undefined) return noEstimate(Number.NaN);
  if (index === 0 && bucket.upperBound <= 0) {
    return {
      value: bucket.upperBound,
      bucket: { lower: Number.NEGATIVE_INFINITY, upper: bucket.upperBound },
      ...flags,
    };
  }
  let bucketStart = 0;
  let count = bucket.count;
  const previous = coalesced[index - 1];
  if (previous !== undefined) {
    bucketStart = previous.upperBound;
    count -= previous.count;
    rank -= previous.count;
  }
  return {
    value: bucketStart + (bucket.upperBound - bucketStart) * (rank / count),
    bucket: { lower: bucketStart, upper: bucket.upperBound },
    ...flags,
  };
}

interface MutableBucket {
  upperBound: number;
  count: number;
}

/**
 * Buckets with the same upper bound (e.g. `le="0.2"` and `le="2e-1"`) are one bucket: sum them.
 * Rewrites the caller's (already copied) buckets; the common case, no equal bounds, allocates nothing.
 */
function coalesce(sorted: MutableBucket[]): MutableBucket[] {
  let kept = 0;
  for (const bucket of sorted) {
    const last = kept > 0 ? sorted[kept - 1] : undefined;
    if (last !== undefined && last.upperBound === bucket.upperBound) last.count += bucket.count;
    else sorted[kept++] = bucket;
  }
  sorted.length = kept;
  return sorted;
}

/** Prometheus' `correctPrecisionErrors`: compares against the last count it kept, not the last seen. */
function correctPrecisionErrors(buckets: MutableBucket[], tolerance: number): boolean {
  let isFixed = false;
  let previous = buckets[0]?.count ?? 0;
  for (let index = 1; index < buckets.length; index++) {
    const bucket = buckets[index];
    if (bucket === undefined) continue;
    const delta = Math.abs(bucket.count - previous);
    if (delta === 0) continue;
    if (delta / bucket.count <= tolerance) {
      bucket.count = previous;
      isFixed = true;
    } else {
      previous = bucket.count;
    }
  }
  return isFixed;
}

/** Prometheus' `ensureMonotonic`: the running-maximum envelope of the cumulative counts. */
function ensureMonotonic(buckets: MutableBucket[]): boolean {
  let isForced = false;
  let maximum = buckets[0]?.count ?? 0;
  for (let index = 1; index < buckets.length; index++) {
    const bucket = buckets[index];
    if (bucket === undefined) continue;
    if (bucket.count > maximum) maximum = bucket.count;
    else if (bucket.count < maximum) {
      bucket.count = maximum;
      isForced = true;
    }
  }
  return isForced;
}
