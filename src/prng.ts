/**
 * A seeded pseudo-random generator (mulberry32). The inr codec's network initialisation and minibatch sampling draw
 * from it, so encoding the same input with the same step budget gives the same file.
 */

/** Uniform floats in [0, 1). */
export type Prng = () => number;

export function mulberry32(seed: number): Prng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
