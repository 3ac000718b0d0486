/**
 * One mono chunk at the model rate ↔ one section payload — the latent codec of rvq:
 *
 *   encode: zero-pad to a multiple of hop → encoder → latents [D, F] → RVQ codes [nq, F]
 *           → one entropy-coded stream per codebook → chunk section
 *   decode: chunk section → the first m ≤ nq streams → codes [m, F] → ẑ = Σ_k v_k → decoder
 *           → F · hop samples (the caller cuts the padding)
 *
 * Model (networks.ts), quantizer (quantizer.ts), entropy coding (codes.ts) and bitstream
 * (sections.ts) are separate modules; this one only strings them together and times the stages.
 * {@link rvqChunkCoder} hands it, bound to one file's parameters, to the shared streaming sessions
 * (src/api/audio-sessions.ts), which do the resampling, chunking, channels and length.
 */
import type { AudioChunkCoder } from '../../src/api/audio-sessions.js';
import { CodecError } from '../../src/errors.js';
import { decodeCodeStream, encodeCodeStream, type CodeAlphabet } from './codes.js';
import type { RvqManifest } from './manifest.js';
import type { RvqNetworks } from './networks.js';
import type { RvqParams } from './params.js';
import type { ResidualVectorQuantizer } from './quantizer.js';
import { encodeChunkSection, encodeEndSection, parseSection, type RvqSection } from './sections.js';

/** A parsed chunk section of an rvq file. */
export type RvqChunkSection = Extract<RvqSection, { kind: 'chunk' }>;

export class RvqLatentCodec {
  constructor(
    private readonly manifest: RvqManifest,
    private readonly networks: RvqNetworks,
    private readonly quantizer: ResidualVectorQuantizer,
  ) {}

  /** The section payload of one chunk (1 … chunk-length samples) coded with `nq` codebooks. */
  async encode(samples: Float32Array, nq: number, alphabet: CodeAlphabet): Promise<Uint8Array> {
    const { hop } = this.manifest;
    const frames = Math.max(1, Math.ceil(samples.length / hop));
    const padded = new Float32Array(frames * hop);
    padded.set(samples);
    const latents = await this.networks.encode(padded);
    const { clock } = this.networks;
    const codes = clock.time('quantizer', () => this.quantizer.encode(latents, frames, nq));
    return clock.time('entropy', () => {
      const streams = Array.from({ length: nq }, (_, k) => encodeCodeStream(codes.subarray(k * frames, (k + 1) * frames), alphabet));
      return encodeChunkSection(frames, streams);
    });
  }

  /**
   * The audio (F · hop samples) of a parsed chunk section from its first `m` codebooks. Throws
   * ERR_BITSTREAM_CORRUPT / ERR_BITSTREAM_TRUNCATED when a stream does not hold F codes.
   */
  async decode(section: RvqChunkSection, m: number, alphabet: CodeAlphabet): Promise<Float32Array> {
    const { frames, streams } = section;
    const { clock } = this.networks;
    const codes = new Int32Array(m * frames);
    clock.time('entropy', () => {
      for (let k = 0; k < m; k++) {
        const decoded = decodeCodeStream(streams[k]!, frames, alphabet, codes.subarray(k * frames, (k + 1) * frames));
        if (!decoded) throw new CodecError('ERR_BITSTREAM_CORRUPT', `Codebook stream ${k} of an rvq chunk does not hold ${frames} codes: the file is corrupt.`);
      }
    });
    const zq = clock.time('quantizer', () => this.quantizer.decode(codes, frames, m));
    return this.networks.decode(zq, frames);
  }
}

/**
 * The chunk coder of one rvq file for the shared sessions: units are latent frames (hop samples),
 * chunks are coded with the file's `nq` codebooks and decoded from the first `codebooks` of them.
 */
export function rvqChunkCoder(codec: RvqLatentCodec, params: RvqParams, alphabet: CodeAlphabet, codebooks = params.nq): AudioChunkCoder<RvqChunkSection> {
  const { hop, nq } = params;
  return {
    codecId: 'rvq',
    plan: {
      codedRate: params.codedRate, unit: hop, layout: { chunkLength: params.chunkFrames * hop, overlap: params.overlapFrames * hop },
      fadeLength: params.fadeFrames * hop, fadeShape: params.fadeShape, streamed: params.streamed,
    },
    encodeChunk: (samples) => codec.encode(samples, nq, alphabet),
    encodeEnd: encodeEndSection,
    parseSection(payload) {
      const section = parseSection(payload, nq);
      return section.kind === 'end' ? section : { kind: 'chunk', units: section.frames, chunk: section };
    },
    decodeChunk: (chunk) => codec.decode(chunk, codebooks, alphabet),
  };
}
