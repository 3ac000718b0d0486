/**
 * The shared chunked-audio sessions (src/api/audio-sessions.ts) with a lossless stand-in coder (a
 * chunk's payload is its unit count and its zero-padded samples), so that the sessions' own work —
 * resampling, chunking, padding, cross-fading, the length — is checked without a model.
 */
import { describe, expect, it } from 'vitest';
import {
  ChunkedAudioDecoder, ChunkedAudioEncoder, chunkedSectionCount, decodeAudioClip, encodeAudioClip,
  type AudioChunkCoder, type ChunkedAudioPlan,
} from '../../src/api/audio-sessions.js';
import type { AudioDescription } from '../../src/container/header.js';

const UNIT = 4;

/** Samples as they are: u32 units (0 = end section, then f64 frames), then units · UNIT float32 samples. */
function identityCoder(plan: Partial<ChunkedAudioPlan> = {}): AudioChunkCoder<Float32Array> {
  return {
    codecId: 'test',
    plan: { codedRate: 8000, unit: UNIT, layout: { chunkLength: 40, overlap: 8 }, fadeLength: 4, fadeShape: 'hann', streamed: false, ...plan },
    async encodeChunk(samples) {
      const units = Math.max(1, Math.ceil(samples.length / UNIT));
      const out = new Uint8Array(4 + 4 * units * UNIT);
      new DataView(out.buffer).setUint32(0, units, true);
      new Float32Array(out.buffer, 4).set(samples);
      return out;
    },
    encodeEnd(frames) {
      const out = new Uint8Array(12);
      new DataView(out.buffer).setFloat64(4, frames, true);
      return out;
    },
    parseSection(payload) {
      const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
      const units = view.getUint32(0, true);
      if (units === 0) return { kind: 'end', frames: view.getFloat64(4, true) };
      return { kind: 'chunk', units, chunk: new Float32Array(payload.slice(4).buffer) };
    },
    async decodeChunk(samples, units) {
      expect(samples).toHaveLength(units * UNIT);
      return samples;
    },
  };
}

function ramp(n: number, offset = 0): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin((i + offset) * 0.05) * 0.5);
}

async function encodeInPieces(session: ChunkedAudioEncoder, channels: Float32Array[], sizes: number[]): Promise<Uint8Array[]> {
  const sections: Uint8Array[] = [];
  for (let at = 0, k = 0; at < channels[0]!.length; k++) {
    const n = sizes[k % sizes.length]!;
    sections.push(...await session.push(channels.map((c) => c.subarray(at, at + n))));
    at += n;
  }
  return [...sections, ...await session.end()];
}

async function decodeInSessions(coder: AudioChunkCoder<Float32Array>, media: AudioDescription, sections: Uint8Array[]): Promise<Float32Array[]> {
  const session = new ChunkedAudioDecoder(coder, media);
  const parts: Float32Array[][] = [];
  for (const s of sections) parts.push(await session.push(s));
  parts.push(await session.end());
  return Array.from({ length: media.channels }, (_, c) => {
    const out = new Float32Array(parts.reduce((n, p) => n + p[c]!.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p[c]!, at); at += p[c]!.length; }
    return out;
  });
}

const header = { codecId: 'test', modelId: 'none', modelHash: null, rate: { kind: 'none' as const }, params: new Uint8Array(0) };

describe('chunked audio sessions', () => {
  it('give back the signal through a lossless coder: whole clips, any length, padding cut', async () => {
    for (const frames of [0, 1, 3, 40, 41, 71, 72, 73, 137]) {
      const channels = [ramp(frames), ramp(frames, 9)];
      const media: AudioDescription = { kind: 'audio', sampleRate: 8000, channels: 2, frames };
      const coder = identityCoder();
      const sections = await encodeAudioClip(new ChunkedAudioEncoder(coder, { sampleRate: 8000, channels: 2, frames }, header), channels);
      expect(sections).toHaveLength(chunkedSectionCount(frames, media, coder.plan));
      const back = await decodeAudioClip(coder, media, sections);
      back.forEach((c, i) => c.forEach((v, j) => expect(v).toBeCloseTo(channels[i]![j]!, 6)));
    }
  });

  it('write the same chunk sections in pieces and streamed, and decode streamed files to the same samples', async () => {
    const frames = 137;
    const channels = [ramp(frames, 3)];
    const format = { sampleRate: 11025, channels: 1 };
    const known = await encodeAudioClip(new ChunkedAudioEncoder(identityCoder(), { ...format, frames }, header), channels);
    const streamedCoder = identityCoder({ streamed: true });
    const streamed = await encodeInPieces(new ChunkedAudioEncoder(streamedCoder, format, header), channels, [1, 17, 5, 60]);
    expect(streamed.slice(0, -1)).toEqual(known);
    expect(streamedCoder.parseSection(streamed[streamed.length - 1]!)).toEqual({ kind: 'end', frames });
    const reference = await decodeAudioClip(identityCoder(), { kind: 'audio', ...format, frames }, known);
    const media: AudioDescription = { kind: 'audio', ...format, frames: 0 };
    expect(await decodeAudioClip(streamedCoder, media, streamed)).toEqual(reference);
    expect(await decodeInSessions(streamedCoder, media, streamed)).toEqual(reference);
  });

  it('fail typed on missing, extra and misplaced sections and on undecodable plans', async () => {
    const frames = 100;
    const coder = identityCoder({ streamed: true });
    const sections = await encodeInPieces(new ChunkedAudioEncoder(coder, { sampleRate: 8000, channels: 1 }, header), [ramp(frames)], [33]);
    const media: AudioDescription = { kind: 'audio', sampleRate: 8000, channels: 1, frames: 0 };
    const code = (forged: Uint8Array[]) => decodeInSessions(coder, media, forged).then(() => 'ok', (err: { code?: string }) => err.code);
    expect(await code(sections)).toBe('ok');
    expect(await code(sections.slice(0, -1))).toBe('ERR_BITSTREAM_TRUNCATED');
    expect(await code([...sections.slice(0, 2), sections[sections.length - 1]!])).toBe('ERR_BITSTREAM_TRUNCATED');
    expect(await code([...sections, sections[0]!])).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await code([sections[2]!, sections[0]!, ...sections.slice(1)])).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await code([...sections.slice(0, -1), coder.encodeEnd(frames + 50)])).toBe('ERR_BITSTREAM_CORRUPT');
    expect(() => new ChunkedAudioDecoder(coder, { ...media, frames: 5 })).toThrow(expect.objectContaining({ code: 'ERR_BITSTREAM_CORRUPT' }));
    expect(() => new ChunkedAudioDecoder(identityCoder({ streamed: true, layout: { chunkLength: 40, overlap: 2 }, fadeLength: 2 }), media)).toThrow(/overlap of at least 4 samples/);
    expect(() => new ChunkedAudioEncoder(coder, { sampleRate: 8000, channels: 1, frames }, header)).toThrow(RangeError);
  });
});
