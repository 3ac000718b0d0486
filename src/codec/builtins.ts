/**
 * The built-in codec families: the only place in src/ that imports from codecs/.
 */
import type { CodecFactory } from './types.js';
import { hyperprior } from '../../codecs/hyperprior/index.js';
import { lossless } from '../../codecs/lossless/index.js';

export const builtinCodecs: readonly CodecFactory[] = [hyperprior, lossless];
