import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BucketCounts,
  BucketLayoutError,
  bucketIndexOf,
  countOf,
  emptyBucketCounts,
  histogramDelta,
  ISTIO_DEFAULT_BUCKETS_MS,
  mergeAll,
  mergeHistograms,
  observe,
  toBucketCounts,
  toCumulative,
} from "./histogram";

describe("histogram forms", () => {
  it("places observations with inclusive upper bounds (le)", () => {
    expect(bucketIndexOf(ISTIO_DEFAULT_BUCKETS_MS, 0)).toBe(0);
    expect(bucketIndexOf(ISTIO_DEFAULT_BUCKETS_MS, 0.5)).toBe(0);
    expect(bucketIndexOf(ISTIO_DEFAULT_BUCKETS_MS, 0.51)).toBe(1);
    expect(bucketIndexOf(ISTIO_DEFAULT_BUCKETS_MS, 3600000)).toBe(18);
    expect(bucketIndexOf(ISTIO_DEFAULT_BUCKETS_MS, 3600001)).toBe(19);
  });

  it("converts between per-bucket and cumulative counts", () => {
    let h = emptyBucketCounts([1, 10]);
    h = observe(h, 0.5, 2);
    h = observe(h, 7);
    h = observe(h, 100, 3);
    const cumulative = toCumulative(h);
    expect(cumulative.cumulative).toEqual([2, 3, 6]);
    expect(cumulative.sum).toBe(308);
    expect(countOf(cumulative)).toBe(6);
    expect(toBucketCounts(cumulative).counts).toEqual([2, 1, 3]);
  });

  it("refuses to merge different layouts", () => {
    expect(() => mergeHistograms(emptyBucketCounts([1, 2]), emptyBucketCounts([1, 3]))).toThrow(
      BucketLayoutError,
    );
    expect(() => emptyBucketCounts([2, 1])).toThrow(BucketLayoutError);
  });

  it("deltas between cumulative snapshots handle a reset per series", () => {
    const at = (cumulative: number[], sum: number) => ({
      form: "cumulative" as const,
      bounds: [1, 10],
      cumulative,
      sum,
    });
    const first = at([1, 2, 3], 40);
    const second = at([2, 4, 7], 100);
    expect(histogramDelta(first, second)).toMatchObject({ cumulative: [1, 2, 4], sum: 60 });
    // A restart: everything dropped, so the new snapshot counts from 0.
    expect(histogramDelta(second, at([1, 1, 1], 0.2))).toMatchObject({ cumulative: [1, 1, 1], sum: 0.2 });
  });
});

const bucketCounts = fc
  .array(fc.nat({ max: 10_000 }), {
    minLength: ISTIO_DEFAULT_BUCKETS_MS.length + 1,
    maxLength: ISTIO_DEFAULT_BUCKETS_MS.length + 1,
  })
  .map(
    (counts): BucketCounts => ({ ...emptyBucketCounts(), counts, sum: counts.reduce((a, b) => a + b, 0) }),
  );

describe("merge properties", () => {
  it("is commutative and associative in both forms", () => {
    fc.assert(
      fc.property(bucketCounts, bucketCounts, bucketCounts, (a, b, c) => {
        expect(mergeHistograms(a, b)).toEqual(mergeHistograms(b, a));
        expect(mergeHistograms(mergeHistograms(a, b), c)).toEqual(mergeHistograms(a, mergeHistograms(b, c)));
        const [ca, cb, cc] = [toCumulative(a), toCumulative(b), toCumulative(c)];
        expect(mergeHistograms(ca, cb)).toEqual(mergeHistograms(cb, ca));
        expect(mergeHistograms(mergeHistograms(ca, cb), cc)).toEqual(
          mergeHistograms(ca, mergeHistograms(cb, cc)),
        );
      }),
    );
  });

  it("commutes with the form conversion, and the empty histogram is neutral", () => {
    fc.assert(
      fc.property(bucketCounts, bucketCounts, (a, b) => {
        expect(toCumulative(mergeHistograms(a, b))).toEqual(
          mergeHistograms(toCumulative(a), toCumulative(b)),
        );
        expect(mergeAll([a, emptyBucketCounts()])).toEqual(a);
        expect(toBucketCounts(toCumulative(a))).toEqual(a);
      }),
    );
  });

  it("delta of a grown snapshot is the growth", () => {
    fc.assert(
      fc.property(bucketCounts, bucketCounts, (base, growth) => {
        const before = toCumulative(base);
        const after = toCumulative(mergeHistograms(base, growth));
        expect(histogramDelta(before, after)).toEqual(toCumulative(growth));
      }),
    );
  });
});
