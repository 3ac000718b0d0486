/**
 * The built-in codec families: the only place in src/ that imports from codecs/.
 */
import type { CodecFactory } from './types.js';
import { lossless } from '../../codecs/lossless/index.js';

export const builtinCodecs: readonly CodecFactory[] = [lossless];
