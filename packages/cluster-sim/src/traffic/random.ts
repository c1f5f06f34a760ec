/** A small seeded PRNG (mulberry32): the traffic must be the same on every run for a given seed. */
export class Random {
  private state: number;

  constructor(seed: string) {
    // FNV-1a over the seed string, so readable seeds ("east") give unrelated streams.
    let hash = 0x811c9dc5;
    for (let index = 0; index < seed.length; index++) {
      hash ^= seed.charCodeAt(index);
      hash = Math.imul(hash, 0x01000193);
    }
    this.state = hash >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /**
   * A log-normal latency with the given median, whose p99 is `spread` times the median: service
   * latencies are skewed to the right, and this shape puts them in several Istio buckets.
   */
  latency(medianMs: number, spread = 3): number {
    const u1 = Math.max(this.next(), Number.EPSILON);
    const u2 = this.next();
    const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    const sigma = Math.log(spread) / 2.326;
    return medianMs * Math.exp(sigma * normal);
  }

  /** Picks an item by weight; undefined when nothing has weight. */
  weighted<T>(items: readonly T[], weightOf: (item: T) => number): T | undefined {
    const total = items.reduce((sum, item) => sum + Math.max(0, weightOf(item)), 0);
    if (total <= 0) return undefined;
    let point = this.next() * total;
    for (const item of items) {
      point -= Math.max(0, weightOf(item));
      if (point < 0) return item;
    }
    return items[items.length - 1];
  }
}
