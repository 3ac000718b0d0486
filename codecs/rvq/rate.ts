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
  const { quality, bitrateKbps } = options;
  if (quality !== undefined && bitrateKbps !== undefined) {
    throw invalidRange('only one of quality and bitrateKbps', 'options', `quality ${String(quality)} and bitrateKbps ${String(bitrateKbps)}`);
  }
  const listed = levels.map((l) => l.kbps).join(', ');
  if (bitrateKbps !== undefined) {
    if (typeof bitrateKbps !== 'number' || Number.isNaN(bitrateKbps)) throw invalidType('a bitrate in kbps', 'options.bitrateKbps', bitrateKbps);
    const fit = levels.filter((l) => l.kbps <= bitrateKbps + 1e-9).pop();
    if (!fit) throw invalidRange(`a bitrate of at least ${levels[0]!.kbps} kbps (the model codes at ${listed} kbps)`, 'options.bitrateKbps', bitrateKbps);
    return fit;
  }
  if (quality !== undefined) {
    if (typeof quality !== 'number') throw invalidType('an integer quality level', 'options.quality', quality);
    const level = levels.find((l) => l.quality === quality);
    if (!level) throw invalidRange(`one of the quality levels ${levels.map((l) => l.quality).join(', ')} (${listed} kbps)`, 'options.quality', quality);
    return level;
  }
  return levels.find((l) => l.nq === manifest.defaultNq)!;
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
