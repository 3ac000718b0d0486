import path from 'node:path';
import { openOpusPf, type OpusPfCodec } from '../../../codecs/opuspf/index.js';
import type { OpenOptions } from '../../../src/api/types.js';
import { root } from '../audio-fixtures.js';

export { audio, audioDir, isFinite32, raw, root, synthetic } from '../audio-fixtures.js';

/** The untrained test post-filter (8 channels), made by models/train/postfilter/export.py --random. */
export const TINY_MODEL = path.join(root, 'fixtures/models/opuspf/tiny-test');

/** The tiny test model; one intra-op thread so decodes are reproducible. */
export function openTiny(options: OpenOptions = {}): Promise<OpusPfCodec> {
  return openOpusPf({ model: TINY_MODEL, threads: 1, ...options });
}
