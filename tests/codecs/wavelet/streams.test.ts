/**
 * Wavelet audio as a streaming codec (the shared sessions of src/api/audio-sessions.ts) with the
 * tiny audio model: the Node streams write encode()'s sections plus an end section and decode to what
 * decode() gives; streamed files decode everywhere (codec, top-level decode(), decode stream); the
 * parameter layouts 1 (encode()) and 2 (streamed) both read; truncated and forged files fail typed.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, pieces } from '../../api/stream-helpers.js';
import { encodeAudioEndSection, parseAudioSection } from '../../../codecs/wavelet/audio.js';
import { openWavelet, type WaveletCodec, type WaveletEncodeOptions } from '../../../codecs/wavelet/index.js';
import { decodeAudioParams, encodeAudioParams } from '../../../codecs/wavelet/params.js';
import { decode } from '../../../src/api/registry.js';
import { createDecodeStream, createEncodeStream } from '../../../src/api/streams.js';
import type { DecodedAudio } from '../../../src/api/types.js';
import { readContainer, writeContainer } from '../../../src/container/index.js';
import { CodecError } from '../../../src/errors.js';
import { PcmDeinterleaver, interleavePcm } from '../../../src/media/pcm.js';
import { raw, root, synthetic } from '../rvq/helpers.js';

const MODELS = path.join(root, 'fixtures/models');
const AUDIO_MODEL = path.join(MODELS, 'wavelet/tiny-audio');

let codec: WaveletCodec;
beforeAll(async () => { codec = await openWavelet({ audioModel: AUDIO_MODEL, model: AUDIO_MODEL, threads: 1 }); });
afterAll(async () => { await codec?.dispose(); });

async function decodeStreamed(bytes: Uint8Array, options: Parameters<typeof createDecodeStream>[0] = { codec }): Promise<Float32Array[]> {
  const stream = createDecodeStream({ sampleFormat: 'f32le', ...options });
  const pcm = await collect(pieces(bytes, 3000), stream);
  return new PcmDeinterleaver('f32le', stream.format!.channels).push(pcm);
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  expect(a.map((c) => c.length)).toEqual(b.map((c) => c.length));
  return Math.max(0, ...a.map((c, i) => c.reduce((m, v, j) => Math.max(m, Math.abs(v - b[i]![j]!)), 0)));
}

/** 2.3 s of 16 kHz stereo in 0.5 s chunks at 24 kHz: 5 chunks × 2 channels. */
const clip = raw([synthetic(2.3, 16000), synthetic(2.3, 16000, 31)], 16000);
const options: WaveletEncodeOptions = { quality: 3, chunkSeconds: 0.5 };
const encodeStream = (extra: object = { codec }) =>
  createEncodeStream<WaveletEncodeOptions>({ sampleRate: 16000, channels: 2, sampleFormat: 'f32le', ...options, ...extra });

describe('wavelet audio streams', () => {
  it("writes encode()'s sections, then an end section, and decodes to what decode() gives", async () => {
    const streamed = await collect(pieces(interleavePcm(clip.channels, 'f32le'), 9000), encodeStream());
    const whole = await codec.encode(clip, options);
    const s = readContainer(streamed), w = readContainer(whole);
    expect(s.header.media).toEqual({ kind: 'audio', sampleRate: 16000, channels: 2, frames: 0 });
    expect(s.header.params[0]).toBe(2);
    expect(decodeAudioParams(s.header.params, 32, 24000)).toEqual({ ...decodeAudioParams(w.header.params, 32, 24000), streamed: true });
    expect(w.sections).toHaveLength(10);
    expect(s.sections.slice(0, -1)).toEqual(w.sections);
    expect(parseAudioSection(s.sections[10]!)).toEqual({ kind: 'end', frames: clip.channels[0]!.length });
    const reference = ((await codec.decode(whole)) as DecodedAudio).channels;
    expect(maxDiff(await decodeStreamed(streamed), reference)).toBeLessThan(1e-6);
    expect(maxDiff(await decodeStreamed(whole), reference)).toBeLessThan(1e-6);
    expect(maxDiff(((await codec.decode(streamed)) as DecodedAudio).channels, reference)).toBeLessThan(1e-6);
  });

  it('opens wavelet by id for the encode stream; top-level decode() and the decode stream open the header\'s model', async () => {
    const file = await collect(pieces(interleavePcm(clip.channels, 'f32le'), 5000), encodeStream({ codec: 'wavelet', model: AUDIO_MODEL, threads: 1 }));
    expect(readContainer(file).header).toMatchObject({ codecId: 'wavelet', modelId: 'tiny-audio', rate: { kind: 'quality', value: 3 } });
    const reference = ((await codec.decode(file)) as DecodedAudio).channels;
    const saved = process.env.NCODEC_MODELS;
    process.env.NCODEC_MODELS = MODELS;
    try {
      const back = await decode(file, { threads: 1 });
      expect(back).toMatchObject({ kind: 'audio', sampleRate: 16000 });
      expect(maxDiff((back as DecodedAudio).channels, reference)).toBe(0);
      expect(maxDiff(await decodeStreamed(file, { threads: 1 }), reference)).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.NCODEC_MODELS;
      else process.env.NCODEC_MODELS = saved;
    }
  });

  it('codes empty and one-frame streams', async () => {
    for (const frames of [0, 1]) {
      const pcm = interleavePcm([new Float32Array(frames).fill(0.5)], 'f32le');
      const file = await collect(pieces(pcm, 10), createEncodeStream({ codec, sampleRate: 44100, channels: 1, sampleFormat: 'f32le' }));
      expect(readContainer(file).sections).toHaveLength(frames + 1);
      expect(((await codec.decode(file)) as DecodedAudio).channels[0]).toHaveLength(frames);
      expect((await decodeStreamed(file))[0]).toHaveLength(frames);
    }
  });

  it('rejects a truncated streamed file as ERR_BITSTREAM_TRUNCATED', async () => {
    const streamed = await collect(pieces(interleavePcm(clip.channels, 'f32le'), 9000), encodeStream());
    const { header, sections } = readContainer(streamed);
    for (const kept of [sections.slice(0, -1), sections.slice(0, 5), []]) {
      const cut = writeContainer(header, kept); // valid CRCs: only the end section (and chunks) are missing
      await expect(codec.decode(cut)).rejects.toMatchObject({ code: 'ERR_BITSTREAM_TRUNCATED' });
      await expect(decodeStreamed(cut)).rejects.toMatchObject({ code: 'ERR_BITSTREAM_TRUNCATED' });
    }
    await expect(codec.decode(streamed.subarray(0, streamed.length - 40))).rejects.toMatchObject({ code: 'ERR_BITSTREAM_TRUNCATED' });
    await expect(decodeStreamed(streamed.subarray(0, streamed.length - 40))).rejects.toMatchObject({ code: 'ERR_BITSTREAM_TRUNCATED' });
  });
});

describe('wavelet audio parameters and sections', () => {
  it('still decodes parameter layout 1 (what encode() writes), and layout 2 without the streamed flag', async () => {
    const whole = await codec.encode(clip, options);
    const { header, sections } = readContainer(whole);
    const v1 = new Uint8Array(17);
    const view = new DataView(v1.buffer);
    v1[0] = 1;
    [24000, 12000, 1024, 768].forEach((v, i) => view.setUint32(1 + 4 * i, v, true));
    expect(header.params).toEqual(v1);
    const reference = ((await codec.decode(whole)) as DecodedAudio).channels;
    expect(reference[0]).toHaveLength(clip.channels[0]!.length);
    const v2 = encodeAudioParams({ streamed: true, codedRate: 24000, chunkLength: 12000, overlap: 1024, fadeLength: 768 });
    expect([...v2.subarray(0, 2)]).toEqual([2, 1]);
    expect(v2.subarray(2)).toEqual(v1.subarray(1));
    v2[1] = 0; // layout 2, flags 0: a file whose header gives the length
    const asV2 = ((await codec.decode(writeContainer({ ...header, params: v2 }, sections))) as DecodedAudio).channels;
    expect(asV2).toEqual(reference);
  });

  it('rejects bad layouts, flags, end sections and streamed headers with typed errors', async () => {
    const whole = await codec.encode(clip, options);
    const { header, sections } = readContainer(whole);
    const streamedParams = encodeAudioParams({ streamed: true, codedRate: 24000, chunkLength: 12000, overlap: 1024, fadeLength: 768 });
    const bad = (at: number, value: number, from = streamedParams) => { const b = from.slice(); b[at] = value; return b; };
    expect(() => decodeAudioParams(bad(0, 3), 32, 24000)).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED_VERSION' }));
    expect(() => decodeAudioParams(bad(1, 3), 32, 24000)).toThrow(/unknown flags 3/);
    expect(() => decodeAudioParams(bad(11, 0x20), 32, 24000)).toThrow(/overlap 8192/); // overlap 1024 → 8192 > L / 2
    expect(() => decodeAudioParams(streamedParams.subarray(0, 17), 32, 24000)).toThrow(expect.objectContaining({ code: 'ERR_BITSTREAM_CORRUPT' }));
    const code = async (bytes: Uint8Array) => codec.decode(bytes).then(() => 'ok', (err: unknown) => (err instanceof CodecError ? err.code : String(err)));
    const end = encodeAudioEndSection(clip.channels[0]!.length);
    expect(await code(writeContainer({ ...header, params: streamedParams, media: { ...header.media, frames: 0 } as typeof header.media }, [...sections, end]))).toBe('ok');
    expect(await code(writeContainer(header, [...sections, end]))).toBe('ERR_BITSTREAM_CORRUPT'); // an end section in a file of known length
    expect(await code(writeContainer({ ...header, params: streamedParams }, [...sections, end]))).toBe('ERR_BITSTREAM_CORRUPT'); // streamed, header frames ≠ 0
    const streamedHeader = { ...header, params: streamedParams, media: { ...header.media, frames: 0 } as typeof header.media };
    expect(await code(writeContainer(streamedHeader, [...sections, encodeAudioEndSection(clip.channels[0]!.length + 16000)]))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await code(writeContainer(streamedHeader, [...sections, end.subarray(0, 8)]))).toBe('ERR_BITSTREAM_TRUNCATED');
    expect(await code(writeContainer(streamedHeader, [...sections, Uint8Array.of(...end, 0)]))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await code(writeContainer(streamedHeader, [sections[8]!, ...sections.slice(2, 8), sections[0]!, sections[1]!, sections[9]!, end]))).toBe('ERR_BITSTREAM_CORRUPT'); // the short last chunk first
  });

  it('refuses image headers in an audio decoder session', async () => {
    await using images = await openWavelet({ imageModel: path.join(MODELS, 'wavelet/tiny-image'), threads: 1 });
    const png = await images.encode(path.join(root, 'fixtures/images/scene-64x48.png'));
    expect(() => images.createAudioDecoder(readContainer(png).header)).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED_MEDIA' }));
  });
});
