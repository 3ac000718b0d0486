/**
 * Round trips with the tiny test model (fixtures/models/rvq/tiny-test: the rvq recipe at encoder
 * width 4 after 150 steps — untrained, its output is barely better than silence on speech). What it
 * does reliably is asserted: exact length, rate and channel count, finite samples, rate ordering, the
 * per-channel and prefix-decoding identities, and mel distances below what it measured plus a margin.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RvqCodec } from '../../../codecs/rvq/index.js';
import { decode, listCodecs, openCodec } from '../../../src/api/registry.js';
import { readContainer } from '../../../src/container/index.js';
import { encodeWav } from '../../../src/media/wav.js';
import { loadAudio } from '../../../src/media/audio.js';
import { melDistance } from '../../../src/metrics/index.js';
import { audio, isFinite32, openTiny, raw, root, synthetic, TINY_MODEL } from './helpers.js';

/**
 * Mel distance ceilings (DAC mel distance, per channel): what the tiny model measured at quality 1–4
 * (the worst level), plus about 20 %. For scale, silence scores 11.5 on speech-24k, 6.8 on the tones.
 */
const MEL_CEILING: Record<string, number> = {
  'speech-24k-s16.wav': 7.5, // measured 6.15–6.24
  'speech-16k-s16.wav': 6.5, // 5.37–5.38
  'speech-8k-u8.wav': 6.5, // 5.24–5.37
  'tones-48k-s24-stereo.wav': 9.5, // 7.11–7.84 (right channel worst)
  'chirp-44k-f32.wav': 9.8, // 7.98–8.15
  'noise-22k-s16.wav': 6.0, // 4.45–4.90
  'speech-16k.mp3': 6.5, // 5.30–5.32
  'tone-in-video.mp4': 12.8, // 10.37–10.73
};

let codec: RvqCodec;
beforeAll(async () => { codec = await openTiny(); });
afterAll(async () => { await codec?.dispose(); });

describe('rvq codec', () => {
  it('is registered and describes its rates', () => {
    expect(listCodecs().find((c) => c.id === 'rvq')).toMatchObject({ media: ['audio'] });
    expect(codec.info).toMatchObject({ id: 'rvq', modelId: 'tiny-test', media: ['audio'], qualities: [1, 2, 3, 4], defaultQuality: 3, bitratesKbps: [1.5, 3, 6, 12] });
    expect(codec.rates.map((r) => r.nq)).toEqual([2, 4, 8, 16]);
  });

  it('round-trips every fixture (8–48 kHz; u8, s16, s24, f32 WAV; MP3; a video soundtrack) at its rate, channels and exact length', async () => {
    for (const [name, ceiling] of Object.entries(MEL_CEILING)) {
      const source = await loadAudio(audio(name));
      const bytes = await codec.encode(audio(name));
      const { header } = readContainer(bytes);
      expect(header).toMatchObject({ codecId: 'rvq', modelId: 'tiny-test', rate: { kind: 'bitrate', kbps: 6 } });
      expect(header.media).toEqual({ kind: 'audio', sampleRate: source.sampleRate, channels: source.channels.length, frames: source.channels[0]!.length });
      const back = await codec.decode(bytes);
      expect(back.sampleRate).toBe(source.sampleRate);
      expect(back.channels).toHaveLength(source.channels.length);
      back.channels.forEach((c, i) => {
        expect(c).toHaveLength(source.channels[i]!.length);
        expect(isFinite32(c)).toBe(true);
        expect(melDistance(source.channels[i]!, c, source.sampleRate), `${name} channel ${i}`).toBeLessThan(ceiling);
      });
    }
  });

  it('spends more bytes for every higher rate, never more than the nominal bitrate', async () => {
    const source = await loadAudio(audio('speech-24k-s16.wav'));
    const seconds = source.channels[0]!.length / source.sampleRate;
    const sizes: number[] = [];
    for (const rate of codec.rates) {
      const bytes = await codec.encode(source, { quality: rate.quality });
      expect(readContainer(bytes).header.rate).toEqual({ kind: 'bitrate', kbps: rate.kbps });
      expect((bytes.length * 8) / seconds / 1000).toBeLessThan(rate.kbps + 0.2); // + header and framing
      sizes.push(bytes.length);
    }
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeGreaterThan(sizes[i - 1]!);
  });

  it('chooses the highest listed bitrate at or below bitrateKbps, and says which exist otherwise', async () => {
    const clip = raw([synthetic(0.5, 16000)], 16000);
    const kbps = async (options: object) => readContainer(await codec.encode(clip, options)).header.rate;
    expect(await kbps({ bitrateKbps: 7 })).toEqual({ kind: 'bitrate', kbps: 6 });
    expect(await kbps({ bitrateKbps: 1.5 })).toEqual({ kind: 'bitrate', kbps: 1.5 });
    expect(await kbps({ bitrateKbps: 500 })).toEqual({ kind: 'bitrate', kbps: 12 });
    expect(await kbps({ quality: 2 })).toEqual({ kind: 'bitrate', kbps: 3 });
    await expect(codec.encode(clip, { bitrateKbps: 1 })).rejects.toThrow(
      new RangeError('Expected a bitrate of at least 1.5 kbps (the model codes at 1.5, 3, 6, 12 kbps) for options.bitrateKbps but received number 1'));
    await expect(codec.encode(clip, { quality: 5 })).rejects.toThrow(
      new RangeError('Expected one of the quality levels 1, 2, 3, 4 (1.5, 3, 6, 12 kbps) for options.quality but received number 5'));
    await expect(codec.encode(clip, { quality: 1, bitrateKbps: 6 })).rejects.toThrow(RangeError);
    await expect(codec.encode(clip, { bitrateKbps: '6' as unknown as number })).rejects.toThrow(TypeError);
    await expect(codec.encode(clip, { chunkFrames: 10, overlapFrames: 6 })).rejects.toThrow(
      new RangeError('Expected an integer between 1 and 5 for options.overlapFrames but received number 6'));
  });

  it('codes stereo as two independent mono channels', async () => {
    const left = synthetic(1.2, 24000), right = synthetic(1.2, 24000, 999).map((v) => -0.5 * v);
    const stereo = await codec.decode(await codec.encode(raw([left, right], 24000), { quality: 2 }));
    const mono = await codec.decode(await codec.encode(raw([left], 24000), { quality: 2 }));
    const rightOnly = await codec.decode(await codec.encode(raw([right], 24000), { quality: 2 }));
    expect(stereo.channels[0]).toEqual(mono.channels[0]);
    expect(stereo.channels[1]).toEqual(rightOnly.channels[0]);
  });

  it('decodes a prefix of the codebooks: the first m of 16 give the m-codebook encoding', async () => {
    const clip = raw([synthetic(2, 22050)], 22050);
    const full = await codec.encode(clip, { quality: 4 });
    const low = await codec.decode(await codec.encode(clip, { quality: 1 }));
    const prefix = await codec.decode(full, { maxCodebooks: 2 });
    expect(prefix.channels[0]).toEqual(low.channels[0]);
    expect((await codec.decode(full, { maxCodebooks: 99 })).channels[0]).toEqual((await codec.decode(full)).channels[0]);
    await expect(codec.decode(full, { maxCodebooks: 0 })).rejects.toThrow(new RangeError('Expected a positive integer for options.maxCodebooks but received number 0'));
  });

  it('codes empty input as a valid file of no frames, and a single sample', async () => {
    for (const [frames, rate, channels] of [[0, 44100, 2], [1, 8000, 1], [1, 48000, 2], [0, 24000, 1]] as const) {
      const clip = raw(Array.from({ length: channels }, () => new Float32Array(frames).fill(0.25)), rate);
      const bytes = await codec.encode(clip);
      expect(readContainer(bytes).sections).toHaveLength(frames === 0 ? 0 : channels);
      const back = await codec.decode(bytes);
      expect(back).toMatchObject({ kind: 'audio', sampleRate: rate });
      expect(back.channels).toHaveLength(channels);
      back.channels.forEach((c) => { expect(c).toHaveLength(frames); expect(isFinite32(c)).toBe(true); });
    }
    const emptyWav = encodeWav(raw([new Float32Array(0)], 16000));
    expect((await codec.decode(await codec.encode(emptyWav))).channels[0]).toHaveLength(0);
  });

  it('cuts long input into overlapping chunks, one section per chunk and channel, without changing the length', async () => {
    const clip = raw([synthetic(3.1, 16000), synthetic(3.1, 16000, 77)], 16000);
    const whole = await codec.decode(await codec.encode(clip, { quality: 2 }));
    const bytes = await codec.encode(clip, { quality: 2, chunkFrames: 40, overlapFrames: 8, fadeFrames: 4 });
    // 3.1 s at 24 kHz = 74400 samples in chunks of 12800 with stride 10240: 1 + ⌈61600 / 10240⌉ = 8
    // chunks × 2 channels.
    expect(readContainer(bytes).sections).toHaveLength(16);
    const chunked = await codec.decode(bytes);
    for (let c = 0; c < 2; c++) {
      expect(chunked.channels[c]).toHaveLength(clip.channels[c]!.length);
      expect(isFinite32(chunked.channels[c]!)).toBe(true);
      const melWhole = melDistance(clip.channels[c]!, whole.channels[c]!, 16000);
      expect(melDistance(clip.channels[c]!, chunked.channels[c]!, 16000)).toBeLessThan(melWhole + 0.5);
    }
  });

  it('refuses images with ERR_UNSUPPORTED_MEDIA', async () => {
    const png = path.join(root, 'fixtures/images/scene-64x48.png');
    for (const input of [png, new Uint8Array(await readFile(png)), { data: new Uint8Array(12), width: 2, height: 2, channels: 3 as const }]) {
      await expect(codec.encode(input)).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_MEDIA', message: expect.stringContaining('codes audio only') });
    }
  });

  it('decodes through the top-level decode when the model is installed (NCODEC_MODELS)', async () => {
    const bytes = await codec.encode(audio('speech-8k-u8.wav'), { bitrateKbps: 3 });
    const saved = process.env.NCODEC_MODELS;
    process.env.NCODEC_MODELS = TINY_MODEL.replace(/[\\/]rvq[\\/]tiny-test$/, '');
    try {
      const back = await decode(bytes);
      expect(back).toMatchObject({ kind: 'audio', sampleRate: 8000 });
      expect(back.kind === 'audio' && back.channels[0]).toHaveLength(12000);
      await using opened = await openCodec('rvq', { model: 'tiny-test', threads: 1 });
      expect(opened.info.modelId).toBe('tiny-test');
    } finally {
      if (saved === undefined) delete process.env.NCODEC_MODELS;
      else process.env.NCODEC_MODELS = saved;
    }
  });
});
