/**
 * The Node streams (src/api/streams.ts) with opuspf: PCM → container and back in pieces, the same
 * sections as encode(), the same samples as decode() (with and without the post-filter), files of
 * either kind read by both decoders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, pieces } from '../../api/stream-helpers.js';
import type { OpusPfCodec, OpusPfEncodeOptions } from '../../../codecs/opuspf/index.js';
import { decodeParams } from '../../../codecs/opuspf/params.js';
import { createDecodeStream, createEncodeStream, type PcmFormat } from '../../../src/api/streams.js';
import { readContainer } from '../../../src/container/index.js';
import { PcmDeinterleaver, interleavePcm } from '../../../src/media/pcm.js';
import { openTiny, raw, synthetic } from './helpers.js';

let codec: OpusPfCodec;
beforeAll(async () => { codec = await openTiny(); });
afterAll(async () => { await codec?.dispose(); });

async function decodeStreamed(bytes: Uint8Array, options: Parameters<typeof createDecodeStream>[0] = {}): Promise<{ format: PcmFormat | null; channels: Float32Array[] }> {
  const stream = createDecodeStream({ codec, sampleFormat: 'f32le', ...options });
  const pcm = await collect(pieces(bytes, 5000), stream);
  const channels = stream.format ? new PcmDeinterleaver('f32le', stream.format.channels).push(pcm) : [];
  return { format: stream.format, channels };
}

describe('opuspf encode and decode streams', () => {
  const clip = raw([synthetic(1.9, 16000), synthetic(1.9, 16000, 31)], 16000);
  const options: OpusPfEncodeOptions = { quality: 2, chunkFrames: 12, overlapFrames: 3, fadeFrames: 2 };

  it('writes the sections encode() writes, then an end section with the length', async () => {
    const pcm = interleavePcm(clip.channels, 'f32le');
    const streamed = await collect(pieces(pcm, 9000), createEncodeStream<OpusPfEncodeOptions>({ codec, sampleRate: 16000, channels: 2, sampleFormat: 'f32le', ...options }));
    const whole = await codec.encode(clip, options);
    const s = readContainer(streamed), w = readContainer(whole);
    expect(s.header.media).toEqual({ kind: 'audio', sampleRate: 16000, channels: 2, frames: 0 });
    expect(decodeParams(s.header.params).streamed).toBe(true);
    expect(w.sections).toHaveLength(4 * 2); // 1.9 s = 31.7 frames at 48 kHz: chunks of 12 with stride 9
    expect(s.sections.slice(0, -1)).toEqual(w.sections);
    expect(s.sections.length).toBe(w.sections.length + 1);
    expect((await codec.decode(streamed)).channels).toEqual((await codec.decode(whole)).channels);
  });

  it('decodes files from encode() and from the stream as decode() does, with and without the post-filter', async () => {
    const whole = await codec.encode(clip, options);
    const reference = (await codec.decode(whole)).channels;
    const core = (await codec.decode(whole, { postfilter: false })).channels;
    const streamedFile = await collect(pieces(interleavePcm(clip.channels, 'f32le'), 4000), createEncodeStream<OpusPfEncodeOptions>({ codec, sampleRate: 16000, channels: 2, sampleFormat: 'f32le', ...options }));
    for (const file of [whole, streamedFile]) {
      const { format, channels } = await decodeStreamed(file);
      expect(format).toEqual({ sampleRate: 16000, channels: 2, sampleFormat: 'f32le' });
      expect(channels).toEqual(reference);
      expect((await decodeStreamed(file, { postfilter: false })).channels).toEqual(core);
    }
  });

  it('codes empty and one-frame streams', async () => {
    for (const frames of [0, 1]) {
      const file = await collect(pieces(interleavePcm([new Float32Array(frames).fill(0.5)], 'f32le'), 10), createEncodeStream({ codec, sampleRate: 44100, channels: 1, sampleFormat: 'f32le' }));
      expect((await codec.decode(file)).channels[0]).toHaveLength(frames);
      expect((await decodeStreamed(file)).channels[0]).toHaveLength(frames);
    }
  });

  it('reports a truncated stream', async () => {
    const file = await codec.encode(clip, options);
    await expect(decodeStreamed(file.subarray(0, file.length - 30))).rejects.toMatchObject({ code: 'ERR_BITSTREAM_TRUNCATED' });
  });
});
