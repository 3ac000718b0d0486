/**
 * The built-in codec families: the only place in src/ that imports from codecs/.
 *
 * Each entry names its family (id, media, description) and imports the family's module only when a
 * codec is opened, so that listing codecs, `ncodec info` or decoding one family's file does not load
 * every family (and its dependencies) first. tests/api/registry.test.ts checks that each entry
 * matches the factory its module exports.
 */
import type { CodecFactory, MediaKind, OpenOptions } from './types.js';

/** A registry entry whose family module is imported on first `open`. */
function lazyFactory(
  id: string, media: readonly MediaKind[], description: string, load: () => Promise<CodecFactory>,
): CodecFactory & { load(): Promise<CodecFactory> } {
  return { id, media, description, load, open: async (options: OpenOptions) => (await load()).open(options) };
}

export const builtinCodecs = [
  lazyFactory('hyperprior', ['image'], 'Learned lossy images: mean-scale hyperprior with gain-unit rate levels (ONNX) + rANS',
    async () => (await import('../../codecs/hyperprior/index.js')).hyperprior),
  lazyFactory('inr', ['image', 'audio'],
    'Implicit neural representations: per-block SIREN networks fitted at encode time (ONNX), quantized weights + adaptive range coding',
    async () => (await import('../../codecs/inr/index.js')).inr),
  lazyFactory('lossless', ['image'], 'Lossless images: a learned causal model (integer, bit-exact everywhere), or MED + adaptive range coding (--model med)',
    async () => (await import('../../codecs/lossless/index.js')).lossless),
  lazyFactory('opuspf', ['audio'],
    'Opus core (libopus 1.5.2 fixed point, SILK at low rates) + a learned decoder-side STFT post-filter (ONNX), 6-12 kbps per channel',
    async () => (await import('../../codecs/opuspf/index.js')).opuspf),
  lazyFactory('rvq', ['audio'],
    'Neural audio: SEANet autoencoder + residual vector quantizer (ONNX), 1.5-12 kbps per channel, adaptive range coding',
    async () => (await import('../../codecs/rvq/index.js')).rvq),
  lazyFactory('video', ['video'],
    'Learned low-delay video: hyperprior I-frames; P-frames by overlapped block motion compensation and the residual through the image model with a learned residual hyperprior (or, --inter learned, the latent coded conditionally on the two previous latents by an integer CNN) + rANS',
    async () => (await import('../../codecs/video/index.js')).video),
  lazyFactory('wavelet', ['image', 'audio'],
    'Learned images and audio: WaLLoC-style wavelet-packet autoencoder (linear encoder, ONNX) + rANS',
    async () => (await import('../../codecs/wavelet/index.js')).wavelet),
] as const;
