/**
 * Choosing one of a model's rate levels (the audio families rvq and opuspf): callers ask by
 *   - `bitrateKbps`: the highest level whose kbps does not exceed it;
 *   - `quality`: level 1 … n, the levels from low to high;
 *   - nothing: the family's default level.
 * TypeError / RangeError in the shared message shape list the valid values.
 */
import { invalidRange, invalidType } from '../validate.js';

/** A rate level: its quality number (from 1, low to high) and nominal kbps. */
export interface RateLevel {
  quality: number;
  kbps: number;
}

/** The level for `{ quality, bitrateKbps }` (at most one of them); `fallback` when neither is given. */
export function chooseLevel<L extends RateLevel>(levels: readonly L[], options: { quality?: unknown; bitrateKbps?: unknown }, fallback: L): L {
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
  return fallback;
}
