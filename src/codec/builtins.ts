/**
 * The built-in codec families: the only place in src/ that imports from codecs/.
 */
import type { CodecFactory } from './types.js';
import { hyperprior } from '../../codecs/hyperprior/index.js';
import { inr } from '../../codecs/inr/index.js';
import { lossless } from '../../codecs/lossless/index.js';
import { rvq } from '../../codecs/rvq/index.js';
import { wavelet } from '../../codecs/wavelet/index.js';

export const builtinCodecs: readonly CodecFactory[] = [hyperprior, inr, lossless, rvq, wavelet];
