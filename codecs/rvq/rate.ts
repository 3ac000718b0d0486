/**
 * Rate choice: the number of codebooks nq. One model serves every bitrate it was trained for
 * (quantizer dropout), listed in its manifest (e.g. 1.5, 3, 6, 12 kbps = 2, 4, 8, 16 codebooks of
 * 10-bit codes at 75 frames/s). Callers ask by
 *   - `bitrateKbps`: the highest listed bitrate that does not exceed it;
 *   - `quality`: level 1 … n, the listed bitrates from low to high;
 *   - nothing: the manifest's `defaultNq`.
 * The nominal bitrate is what the container records; the coded size is usually lower (codes.ts).
 * Decoding may read fewer codebooks than a file holds (`maxCodebooks`, {@link codebooksToDecode}).
 */
import { chooseLevel } from '../../src/api/rate-levels.js';
import { invalidRange, invalidType } from '../../src/validate.js';
import type { RvqManifest } from './manifest.js';

/** A rate the codec offers: its quality level, codebooks and nominal kbps. */
export interface RvqRate {
  quality: number;
  nq: number;
  kbps: number;
}

/** The model's rates, low to high; quality levels count from 1. */
export function rateLevels(manifest: RvqManifest): RvqRate[] {
  return manifest.bitrates.map((b, i) => ({ quality: i + 1, nq: b.nq, kbps: b.kbps }));
}

/** The rate for `{ quality, bitrateKbps }` (at most one of them). TypeError / RangeError list the valid values. */
export function chooseRate(manifest: RvqManifest, options: { quality?: unknown; bitrateKbps?: unknown }): RvqRate {
  const levels = rateLevels(manifest);
  return chooseLevel(levels, options, levels.find((l) => l.nq === manifest.defaultNq)!);
}

/** The nominal bitrate of nq codebooks: nq · bitsPerCode · frame rate, in kbps. */
export function nominalKbps(manifest: RvqManifest, nq: number): number {
  return (nq * manifest.bitsPerCode * manifest.sampleRate) / manifest.hop / 1000;
}

/** Codebooks to decode of a file with `nq`: all, or at most `maxCodebooks` (TypeError / RangeError when invalid). */
export function codebooksToDecode(nq: number, options: { maxCodebooks?: unknown }): number {
  const max = options.maxCodebooks;
  if (max === undefined) return nq;
  if (typeof max !== 'number' || Number.isNaN(max)) throw invalidType('a number of codebooks', 'options.maxCodebooks', max);
  if (!Number.isInteger(max) || max < 1) throw invalidRange('a positive integer', 'options.maxCodebooks', max);
  return Math.min(max, nq);
}
