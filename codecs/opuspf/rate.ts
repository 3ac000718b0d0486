/**
 * Rate choice: one of the model's levels (e.g. 6 and 12 kbps), each with the budget of the libopus
 * core's packets (`coreKbps`, core.ts `encodeWithin`) the post-filter was trained at. Callers ask by
 *   - `bitrateKbps`: the highest level whose kbps does not exceed it;
 *   - `quality`: level 1 … n, the levels from low to high;
 *   - nothing: the manifest's `defaultKbps`.
 * The level's kbps is what the container records; the core's rate control keeps the coded size
 * within it (the budget leaves room for the container, the chunk overlaps and the lookahead packet).
 */
import { chooseLevel } from '../../src/api/rate-levels.js';
import type { OpusPfManifest } from './manifest.js';

/** A rate the codec offers: its quality level, nominal kbps, core budget and the core's libopus complexity. */
export interface OpusPfRate {
  quality: number;
  kbps: number;
  coreKbps: number;
  coreComplexity: number;
}

/** The model's rates, low to high; quality levels count from 1. */
export function rateLevels(manifest: OpusPfManifest): OpusPfRate[] {
  return manifest.levels.map((l, i) => ({ quality: i + 1, kbps: l.kbps, coreKbps: l.coreKbps, coreComplexity: l.coreComplexity }));
}

/** The rate for `{ quality, bitrateKbps }` (at most one of them). TypeError / RangeError list the valid values. */
export function chooseRate(manifest: OpusPfManifest, options: { quality?: unknown; bitrateKbps?: unknown }): OpusPfRate {
  const levels = rateLevels(manifest);
  return chooseLevel(levels, options, levels.find((l) => l.kbps === manifest.defaultKbps)!);
}
