/**
 * One mono chunk at 48 kHz ↔ one section payload — the chunk codec of opuspf:
 *
 *   encode: zero-pad to U whole Opus frames (U = ⌈n / 2880⌉ ≥ 1) → libopus within the level's core
 *           budget (core.ts `encodeWithin`: VBR, re-encoded at a lower target when above it; U + 1
 *           packets, the last carrying the encoder's lookahead) → chunk section
 *   decode: chunk section → libopus → U · 2880 samples aligned with the input → the post-filter
 *           (postfilter.ts), unless the caller asks for the core alone
 *
 * Every chunk is coded by a fresh encoder and decoded by a fresh decoder, so a chunk decodes on its
 * own; the sessions cross-fade the overlaps, which hides the cold start of both at chunk edges. The
 * post-filter's noise is seeded from the chunk's packets (FNV-1a), so a chunk decodes to the same
 * samples however the file is read (whole, or as a stream), and channels with different content get
 * different noise. {@link opusPfChunkCoder} hands this codec, bound to one file's parameters, to the
 * shared streaming sessions (src/api/audio-sessions.ts), which do the resampling, chunking, channels
 * and length.
 */
import type { AudioChunkCoder } from '../../src/api/audio-sessions.js';
import type { StageClock } from '../../src/runtime/stage-clock.js';
import { FRAME_SAMPLES, type OpusCore } from './core.js';
import type { OpusPfParams } from './params.js';
import type { PostFilter, PostFilterStage } from './postfilter.js';
import { encodeChunkSection, encodeEndSection, parseSection, type OpusPfSection } from './sections.js';

/** A parsed chunk section of an opuspf file. */
export type OpusPfChunk = Extract<OpusPfSection, { kind: 'chunk' }>;

/** Stages of opuspf's `lastTimings`: libopus, the STFT side of the post-filter, its graph. */
export type OpusPfStage = 'core' | PostFilterStage;

/** FNV-1a (32 bits) over every byte of `packets`: the seed of a chunk's post-filter noise. */
export function noiseSeed(packets: readonly Uint8Array[]): number {
  let h = 0x811c9dc5;
  for (const p of packets) {
    for (let i = 0; i < p.length; i++) h = Math.imul(h ^ p[i]!, 0x01000193);
  }
  return h >>> 0;
}

export class OpusPfChunkCodec {
  constructor(
    private readonly core: OpusCore,
    private readonly filter: PostFilter,
    private readonly clock: StageClock<OpusPfStage>,
  ) {}

  /** The section payload of one chunk (1 … chunk-length samples at 48 kHz), coded within `coreKbps` (core.ts, rate control) at libopus `complexity`. */
  encode(samples: Float32Array, coreKbps: number, complexity?: number): Uint8Array {
    const frames = Math.max(1, Math.ceil(samples.length / FRAME_SAMPLES));
    const padded = new Float32Array(frames * FRAME_SAMPLES);
    padded.set(samples);
    const packets = this.clock.time('core', () => this.core.encodeWithin(padded, coreKbps, complexity).packets);
    return encodeChunkSection(frames, packets);
  }

  /** The U · 2880 samples of a parsed chunk: the core's output, post-filtered when `postfilter`. */
  async decode(chunk: OpusPfChunk, postfilter: boolean): Promise<Float32Array> {
    const core = this.clock.time('core', () => this.core.decode(chunk.packets, chunk.frames * FRAME_SAMPLES));
    return postfilter ? this.filter.apply(core, { seed: noiseSeed(chunk.packets) }) : core;
  }
}

/**
 * The resampler to and from the core's 48 kHz: 16 zero crossings instead of the default 24 (0.6× the
 * time, the largest cost after libopus at 6 kbps). Its stop band still lies below the core's coding
 * noise by far: at 6 kbps the eval set's mel distance and STOI are unchanged to the third decimal.
 */
const RESAMPLER = { zeroCrossings: 16 } as const;

/**
 * The chunk coder of one opuspf file for the shared sessions: units are Opus frames (2880 samples),
 * chunks are coded at `coreKbps` and libopus `complexity` (the level's; encoding only) and decoded with
 * or without the post-filter.
 */
export function opusPfChunkCoder(codec: OpusPfChunkCodec, params: OpusPfParams, postfilter = true, complexity?: number): AudioChunkCoder<OpusPfChunk> {
  const { unit } = params;
  const coreKbps = params.coreBitrate / 1000;
  return {
    codecId: 'opuspf',
    plan: {
      codedRate: params.codedRate, unit, layout: { chunkLength: params.chunkFrames * unit, overlap: params.overlapFrames * unit },
      fadeLength: params.fadeFrames * unit, fadeShape: params.fadeShape, streamed: params.streamed,
      resampler: RESAMPLER,
    },
    encodeChunk: async (samples) => codec.encode(samples, coreKbps, complexity),
    encodeEnd: encodeEndSection,
    parseSection(payload) {
      const section = parseSection(payload, params.chunkFrames);
      return section.kind === 'end' ? section : { kind: 'chunk', units: section.frames, chunk: section };
    },
    decodeChunk: (chunk) => codec.decode(chunk, postfilter),
  };
}
