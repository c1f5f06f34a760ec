import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BucketSample, emptyBucketCounts, ISTIO_DEFAULT_BUCKETS_MS, toBucketSamples } from "./histogram";
import { histogramQuantile } from "./quantile";

const inf = Number.POSITIVE_INFINITY;
const buckets = (pairs: Array<[number, number]>): BucketSample[] =>
  pairs.map(([upperBound, count]) => ({ upperBound, count }));
const quantile = (q: number, samples: BucketSample[]) => histogramQuantile(q, samples).value;

// Reference values from prometheus/prometheus promql/promqltest/testdata/histograms.test, evaluated at
// 50m on series loaded as `0+Nx10` every 5m, i.e. bucket counts of 10·N.
describe("histogramQuantile against Prometheus' histograms.test", () => {
  const positive = buckets([
    [0.1, 50],
    [0.2, 70],
    [1, 110],
    [inf, 120],
  ]);
  const negative = buckets([
    [-0.2, 10],
    [-0.1, 20],
    [0.3, 20],
    [inf, 30],
  ]);

  it.each([
    [0, 0, -0.2],
    [1, 1, 0.3],
    [0.2, 0.048, -0.2],
    [0.5, 0.15, -0.15],
    [0.8, 0.72, 0.3],
  ])("testhistogram q=%s", (q, expectedPositive, expectedNegative) => {
    expect(quantile(q, positive)).toBeCloseTo(expectedPositive, 12);
    expect(quantile(q, negative)).toBeCloseTo(expectedNegative, 12);
  });

  it("q out of range and NaN", () => {
    expect(quantile(-0.1, positive)).toBe(Number.NEGATIVE_INFINITY);
    expect(quantile(1.01, positive)).toBe(inf);
    expect(quantile(Number.NaN, positive)).toBeNaN();
    expect(histogramQuantile(1.01, positive).bucket).toBeUndefined();
  });

  it("testhistogram2: quantiles in the middle of buckets", () => {
    const h = buckets([
      [0, 0],
      [2, 1],
      [4, 2],
      [6, 3],
      [inf, 3],
    ]);
    expect(quantile(1 / 6, h)).toBeCloseTo(1, 12);
    expect(quantile(0.5, h)).toBeCloseTo(3, 12);
    expect(quantile(5 / 6, h)).toBeCloseTo(5, 12);
  });

  it("testhistogram3: lowest bucket at or below zero", () => {
    const positive3 = buckets([
      [0, 0],
      [0.1, 50],
      [0.2, 70],
      [1, 110],
      [inf, 110],
    ]);
    const negative3 = buckets([
      [-0.25, 0],
      [-0.2, 10],
      [-0.1, 20],
      [0.3, 20],
      [inf, 20],
    ]);
    const expected: Array<[number, number, number]> = [
      [0, 0, -0.25],
      [0.25, 0.055, -0.225],
      [0.5, 0.125, -0.2],
      [0.75, 0.45, -0.15],
      [1, 1, -0.1],
    ];
    for (const [q, p, n] of expected) {
      expect(quantile(q, positive3)).toBeCloseTo(p, 12);
      expect(quantile(q, negative3)).toBeCloseTo(n, 12);
    }
  });

  it("request_duration_seconds aggregated by le, by job (sum of rates)", () => {
    // rate() divides every bucket by the same range, so the quantiles match the raw increases.
    const all = buckets([
      [0.1, 100 / 600],
      [0.2, 190 / 600],
      [inf, 250 / 600],
    ]);
    expect(quantile(0.3, all)).toBeCloseTo(0.075, 12);
    expect(quantile(0.5, all)).toBeCloseTo(0.1277777777777778, 12);
    const job1 = buckets([
      [0.1, 30],
      [0.2, 80],
      [inf, 100],
    ]);
    const job2 = buckets([
      [0.1, 70],
      [0.2, 110],
      [inf, 150],
    ]);
    expect(quantile(0.3, job1)).toBeCloseTo(0.1, 12);
    expect(quantile(0.5, job1)).toBeCloseTo(0.14, 12);
    expect(quantile(0.3, job2)).toBeCloseTo(0.0642857142857143, 12);
    expect(quantile(0.5, job2)).toBeCloseTo(0.1125, 12);
  });

  it("nonmonotonic buckets are forced monotonic", () => {
    const h = buckets([
      [0.1, 20],
      [1, 10],
      [10, 50],
      [100, 40],
      [1000, 90],
      [inf, 80],
    ]);
    expect(quantile(0.01, h)).toBeCloseTo(0.0045, 12);
    expect(quantile(0.5, h)).toBeCloseTo(8.5, 12);
    expect(quantile(0.99, h)).toBeCloseTo(979.75, 12);
    expect(histogramQuantile(0.5, h).isForcedMonotonic).toBe(true);
  });

  it("buckets with the same upper bound are coalesced (mixed_bucket)", () => {
    const h = buckets([
      [0.1, 10],
      [0.2, 10],
      [0.2, 10],
      [0.2, 10],
      [inf, 40],
    ]);
    expect(quantile(0.5, h)).toBeCloseTo(0.15, 12);
    expect(quantile(0.75, h)).toBeCloseTo(0.2, 12);
    expect(quantile(1, h)).toBeCloseTo(0.2, 12);
    expect(
      quantile(
        0.5,
        buckets([
          [inf, 0],
          [inf, 0],
        ]),
      ),
    ).toBeNaN();
  });

  it("empty or zero-count histograms and missing +Inf give NaN", () => {
    expect(quantile(0.5, [])).toBeNaN();
    expect(
      quantile(
        1,
        buckets([
          [0, 0],
          [1, 0],
          [2, 0],
          [inf, 0],
        ]),
      ),
    ).toBeNaN();
    expect(
      quantile(
        0.5,
        buckets([
          [1, 1],
          [2, 2],
        ]),
      ),
    ).toBeNaN();
  });
});

describe("histogramQuantile, hand-computed on Istio's buckets", () => {
  it("interpolates, reports the bucket, and returns the second-highest bound for +Inf", () => {
    // 100 requests: 60 in (5,10], 30 in (10,25], 10 above 3600000.
    const counts = [...emptyBucketCounts().counts];
    counts[3] = 60;
    counts[4] = 30;
    counts[19] = 10;
    const samples = toBucketSamples({ ...emptyBucketCounts(), counts });
    // p50: rank 50 in (5,10] holding 60 → 5 + 5·50/60.
    expect(histogramQuantile(0.5, samples)).toMatchObject({
      value: 5 + (5 * 50) / 60,
      bucket: { lower: 5, upper: 10 },
    });
    // p95: rank 95 > 90 → +Inf bucket → the highest finite bound.
    expect(histogramQuantile(0.95, samples)).toEqual({
      value: 3600000,
      bucket: { lower: 3600000, upper: inf },
      isForcedMonotonic: false,
      isPrecisionFixed: false,
    });
    // p0 with an empty first bucket: rank 0 is met by the first bucket (count 0 >= 0) and Prometheus
    // interpolates 0 + 0.5·(0/0) = NaN. Reproduced on purpose; the bucket is still reported.
    expect(histogramQuantile(0, samples)).toMatchObject({
      value: Number.NaN,
      bucket: { lower: 0, upper: 0.5 },
    });
  });

  it("small float deltas are smoothed as recent Prometheus does, not in 2.42 mode", () => {
    const h = buckets([
      [1, 50],
      [2, 50 + 1e-11],
      [inf, 100],
    ]);
    const q = 0.50000000000005;
    const recent = histogramQuantile(q, h);
    expect(recent.isPrecisionFixed).toBe(true);
    expect(recent.value).toBe(2);
    const old = histogramQuantile(q, h, { smallDeltaTolerance: 0 });
    expect(old.isPrecisionFixed).toBe(false);
    expect(old.value).toBeCloseTo(1.5, 2);
  });

  it("does not mutate its input", () => {
    const h = buckets([
      [inf, 5],
      [1, 3],
    ]);
    histogramQuantile(0.5, h);
    expect(h).toEqual(
      buckets([
        [inf, 5],
        [1, 3],
      ]),
    );
  });
});

const perBucketCounts = fc.array(fc.nat({ max: 1000 }), {
  minLength: ISTIO_DEFAULT_BUCKETS_MS.length + 1,
  maxLength: ISTIO_DEFAULT_BUCKETS_MS.length + 1,
});
const samplesOf = (counts: number[]) => toBucketSamples({ ...emptyBucketCounts(), counts });

describe("histogramQuantile properties", () => {
  it("is monotone in q", () => {
    fc.assert(
      fc.property(
        perBucketCounts,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (counts, a, b) => {
          fc.pre(counts.some((count) => count > 0));
          const [low, high] = a <= b ? [a, b] : [b, a];
          const samples = samplesOf(counts);
          const lowValue = histogramQuantile(low, samples).value;
          // q=0 on an empty lowest bucket is NaN in Prometheus (see above); there is nothing to order.
          fc.pre(!Number.isNaN(lowValue));
          expect(lowValue).toBeLessThanOrEqual(histogramQuantile(high, samples).value);
        },
      ),
    );
  });

  it("lies within the bucket it reports, and that bucket holds the rank", () => {
    fc.assert(
      fc.property(perBucketCounts, fc.double({ min: 0, max: 1, noNaN: true }), (counts, q) => {
        fc.pre(counts.some((count) => count > 0));
        const result = histogramQuantile(q, samplesOf(counts));
        expect(result.bucket).toBeDefined();
        if (result.bucket === undefined) return;
        // The one NaN Prometheus gives with observations: q=0 on an empty lowest bucket (0/0).
        if (Number.isNaN(result.value)) {
          expect(q).toBe(0);
          return;
        }
        expect(result.value).toBeGreaterThanOrEqual(result.bucket.lower);
        expect(result.value).toBeLessThanOrEqual(result.bucket.upper);
        const bounds = [0, ...ISTIO_DEFAULT_BUCKETS_MS, inf];
        const lowerIndex = bounds.indexOf(result.bucket.lower);
        expect(bounds[lowerIndex + 1]).toBe(result.bucket.upper);
      }),
    );
  });
});
