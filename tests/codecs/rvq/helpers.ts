import path from 'node:path';
import { openRvq, type RvqCodec } from '../../../codecs/rvq/index.js';
import type { OpenOptions } from '../../../src/api/types.js';
import { root } from '../audio-fixtures.js';

export { audio, audioDir, isFinite32, raw, root, synthetic } from '../audio-fixtures.js';

/** The tiny test model made by scripts/make-fixtures-rvq.sh (not the shipped model). */
export const TINY_MODEL = path.join(root, 'fixtures/models/rvq/tiny-test');

/** The tiny test model; one intra-op thread so encodes are reproducible. */
export function openTiny(options: OpenOptions = {}): Promise<RvqCodec> {
  return openRvq({ model: TINY_MODEL, threads: 1, ...options });
}
