/**
 * Wall time per stage of a codec call (its graphs, quantizer, entropy coding, ...): every family's
 * `lastTimings` is a {@link StageTimes} snapshot of one {@link StageClock}.
 */

/** Milliseconds per stage. */
export type StageTimes<K extends string> = Record<K, number>;

/** Adds the wall time of each piece of work to its stage; `reset()` before a call, `snapshot()` after. */
export class StageClock<K extends string> {
  private readonly times: StageTimes<K>;

  constructor(private readonly stages: readonly K[]) {
    this.times = Object.fromEntries(stages.map((k) => [k, 0])) as StageTimes<K>;
  }

  reset(): void {
    for (const k of this.stages) this.times[k] = 0;
  }

  snapshot(): StageTimes<K> {
    return { ...this.times };
  }

  /** Runs `work`, adding its wall time to `stage`. */
  time<T>(stage: K, work: () => T): T {
    const start = performance.now();
    try {
      return work();
    } finally {
      this.times[stage] += performance.now() - start;
    }
  }

  /** {@link time} for asynchronous work (a graph run). */
  async timeAsync<T>(stage: K, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.times[stage] += performance.now() - start;
    }
  }
}
