/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"):
 * each delay is uniform in [0, min(cap, base·2^attempt)]. Full jitter spreads the reconnects of
 * many agents after an API restart instead of having them arrive in waves.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Injectable for tests; defaults to Math.random. */
  random?: () => number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

export class Backoff {
  private attempt = 0;

  constructor(private readonly options: BackoffOptions = defaultBackoff) {}

  /** The ceiling of the next delay, before jitter. */
  ceiling(): number {
    // 2^attempt overflows to Infinity long after the cap applies; min() keeps it finite.
    return Math.min(this.options.maxMs, this.options.initialMs * 2 ** this.attempt);
  }

  /** The next delay in ms; each call moves one step up. */
  next(): number {
    const ceiling = this.ceiling();
    this.attempt = Math.min(this.attempt + 1, 64);
    return Math.floor((this.options.random ?? Math.random)() * ceiling);
  }

  get attempts(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** Waits `ms`, or less when the signal aborts (it resolves then; callers check the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
