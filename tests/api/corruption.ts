/**
 * Corruption harness of the codec tests: every section of a file cut short, and payload bytes
 * flipped at random. `outcome` decodes a forged file and says 'ok' (a well-formed result) or the
 * CodecError code it threw.
 */
import { expect } from 'vitest';
import { readContainer, writeContainer } from '../../src/container/index.js';

export type Outcome = (forged: Uint8Array) => Promise<string>;

/** A small linear congruential generator, uniform in [0, 1). */
export function lcg(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
}

/** Cuts each section of `bytes` at 0, 1, 2, half and all but one byte: each must be truncated or corrupt. */
export async function expectTruncationsRejected(bytes: Uint8Array, outcome: Outcome): Promise<void> {
  const { header, sections } = readContainer(bytes);
  for (let s = 0; s < sections.length; s++) {
    const payload = sections[s]!;
    for (const cut of new Set([0, 1, 2, Math.floor(payload.length / 2), payload.length - 1])) {
      const forged = sections.map((p, i) => (i === s ? p.subarray(0, cut) : p));
      expect(await outcome(writeContainer(header, forged))).toMatch(/^ERR_BITSTREAM_(TRUNCATED|CORRUPT)$/);
    }
  }
}

/** Flips 1–3 random bits in one section per trial (sections in turn); each outcome must be 'ok' or a bitstream error. */
export async function expectBitFlipsHandled(bytes: Uint8Array, outcome: Outcome, seed: number, trials: number): Promise<void> {
  const { header, sections } = readContainer(bytes);
  const next = lcg(seed);
  const seen = new Set<string>();
  for (let trial = 0; trial < trials; trial++) {
    const s = trial % sections.length;
    const copy = sections[s]!.slice();
    for (let k = 0; k < 1 + (trial % 3); k++) copy[Math.floor(next() * copy.length)]! ^= 1 << Math.floor(next() * 8);
    seen.add(await outcome(writeContainer(header, sections.map((p, i) => (i === s ? copy : p)))));
  }
  expect([...seen].every((o) => ['ok', 'ERR_BITSTREAM_CORRUPT', 'ERR_BITSTREAM_TRUNCATED'].includes(o))).toBe(true);
}
