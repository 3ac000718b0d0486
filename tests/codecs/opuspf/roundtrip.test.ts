/**
 * Round trips with the untrained tiny-test post-filter (fixtures/models/opuspf/tiny-test, 8 channels):
 * exact length, rate and channel count (mono and stereo, 16, 44.1 and 48 kHz), rates and the measured
 * bitrate, determinism, the core alone (`postfilter: false`) against libopus itself, and bad options.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAME_SAMPLES, OpusCore } from '../../../codecs/opuspf/core.js';
import type { OpusPfCodec } from '../../../codecs/opuspf/index.js';
import { decodeParams } from '../../../codecs/opuspf/params.js';
import { decode, listCodecs } from '../../../src/api/registry.js';
import { readContainer } from '../../../src/container/index.js';
import { loadAudio } from '../../../src/media/audio.js';
import { audio, openTiny, raw, synthetic } from './helpers.js';

let codec: OpusPfCodec;
beforeAll(async () => { codec = await openTiny(); });
afterAll(async () => { await codec?.dispose(); });

function isFinite32(samples: Float32Array): boolean {
  return samples.every((v) => Number.isFinite(v));
}

describe('opuspf codec', () => {
  it('is registered and describes its rates', () => {
    expect(listCodecs().find((c) => c.id === 'opuspf')).toMatchObject({ media: ['audio'] });
    expect(codec.info).toMatchObject({ id: 'opuspf', modelId: 'tiny-test', media: ['audio'], qualities: [1, 2], defaultQuality: 1, bitratesKbps: [6, 12], postfilter: true });
    expect(codec.rates).toEqual([{ quality: 1, kbps: 6, coreKbps: 5.8, coreComplexity: 6 }, { quality: 2, kbps: 12, coreKbps: 11.7, coreComplexity: 8 }]);
  });

  it('round-trips mono and stereo fixtures at 16, 44.1 and 48 kHz to their rate, channels and exact length', async () => {
    for (const name of ['speech-16k-s16.wav', 'chirp-44k-f32.wav', 'tones-48k-s24-stereo.wav']) {
      const source = await loadAudio(audio(name));
      const bytes = await codec.encode(audio(name));
      const { header, sections } = readContainer(bytes);
      expect(header).toMatchObject({ codecId: 'opuspf', modelId: 'tiny-test', rate: { kind: 'bitrate', kbps: 6 } });
      expect(header.media).toEqual({ kind: 'audio', sampleRate: source.sampleRate, channels: source.channels.length, frames: source.channels[0]!.length });
      expect(sections).toHaveLength(source.channels.length); // one chunk per channel
      const back = await codec.decode(bytes);
      expect(back.sampleRate).toBe(source.sampleRate);
      expect(back.channels).toHaveLength(source.channels.length);
      back.channels.forEach((c, i) => {
        expect(c, `${name} channel ${i}`).toHaveLength(source.channels[i]!.length);
        expect(isFinite32(c)).toBe(true);
      });
    }
  });

  it('codes near the bitrate of each level and records the level', async () => {
    const source = await loadAudio(audio('speech-24k-s16.wav'));
    const seconds = source.channels[0]!.length / source.sampleRate;
    for (const [asked, level, kbps, coreKbps] of [[6, 1, 6, 5.8], [7.5, 1, 6, 5.8], [12, 2, 12, 11.7], [100, 2, 12, 11.7]] as const) {
      const bytes = await codec.encode(source, { bitrateKbps: asked });
      const { header } = readContainer(bytes);
      expect(header.rate).toEqual({ kind: 'bitrate', kbps });
      expect(decodeParams(header.params)).toMatchObject({ level, coreBitrate: coreKbps * 1000, streamed: false, unit: FRAME_SAMPLES, codedRate: 48000 });
      const measured = (bytes.length * 8) / seconds / 1000;
      expect(measured, `${asked} kbps`).toBeGreaterThan(0.6 * kbps);
      expect(measured, `${asked} kbps`).toBeLessThanOrEqual(kbps);
    }
    expect(readContainer(await codec.encode(source, { quality: 2 })).header.rate).toEqual({ kind: 'bitrate', kbps: 12 });
  });

  it('decodes the same samples every time, with this codec, a new one, and the top-level decode', async () => {
    const clip = raw([synthetic(1.3, 16000)], 16000);
    const bytes = await codec.encode(clip);
    const first = await codec.decode(bytes);
    expect((await codec.decode(bytes)).channels).toEqual(first.channels);
    const other = await openTiny();
    try {
      expect((await other.decode(bytes)).channels).toEqual(first.channels);
    } finally {
      await other.dispose();
    }
    const saved = process.env.NCODEC_MODELS;
    process.env.NCODEC_MODELS = audio('../models');
    try {
      expect(await decode(bytes, { threads: 1 })).toEqual(first);
    } finally {
      if (saved === undefined) delete process.env.NCODEC_MODELS;
      else process.env.NCODEC_MODELS = saved;
    }
  });

  it('gives the libopus core alone with { postfilter: false }', async () => {
    const x = synthetic(0.5, 48000);
    const bytes = await codec.encode(raw([x], 48000));
    const core = (await codec.decode(bytes, { postfilter: false })).channels[0]!;
    const opus = new OpusCore();
    try {
      const frames = Math.ceil(x.length / FRAME_SAMPLES);
      const padded = new Float32Array(frames * FRAME_SAMPLES);
      padded.set(x);
      const expected = opus.decode(opus.encodeWithin(padded, 5.8, 6).packets, padded.length).subarray(0, x.length);
      expect(core).toEqual(expected);
    } finally {
      opus.dispose();
    }
    const filtered = (await codec.decode(bytes)).channels[0]!;
    expect(filtered).toHaveLength(x.length);
    expect(filtered).not.toEqual(core);
    await expect(codec.decode(bytes, { postfilter: 'no' as unknown as boolean })).rejects.toThrow(new TypeError("Expected a boolean for options.postfilter but received 'no'"));
  });

  it('cross-fades several chunks into the exact length', async () => {
    const clip = raw([synthetic(2.2, 44100), synthetic(2.2, 44100, 77)], 44100);
    const bytes = await codec.encode(clip, { chunkFrames: 12, overlapFrames: 2, fadeFrames: 1 });
    const { sections, header } = readContainer(bytes);
    expect(decodeParams(header.params)).toMatchObject({ chunkFrames: 12, overlapFrames: 2, fadeFrames: 1, fadeShape: 'hann' });
    expect(sections).toHaveLength(4 * 2); // 2.2 s = 35.3 frames at 48 kHz: chunks of 12 with stride 10
    const back = await codec.decode(bytes);
    expect(back.channels.map((c) => c.length)).toEqual([97020, 97020]);
    expect(back.channels.every(isFinite32)).toBe(true);
  });

  it('codes empty and one-frame clips', async () => {
    for (const frames of [0, 1]) {
      const bytes = await codec.encode(raw([new Float32Array(frames).fill(0.25)], 8000));
      const back = await codec.decode(bytes);
      expect(back.channels.map((c) => c.length)).toEqual([frames]);
    }
  });

  it('rejects bad options with TypeError / RangeError naming the valid values', async () => {
    const clip = raw([synthetic(0.1, 16000)], 16000);
    await expect(codec.encode(clip, { bitrateKbps: 5 })).rejects.toThrow(new RangeError('Expected a bitrate of at least 6 kbps (the model codes at 6, 12 kbps) for options.bitrateKbps but received number 5'));
    await expect(codec.encode(clip, { quality: 3 })).rejects.toThrow(new RangeError('Expected one of the quality levels 1, 2 (6, 12 kbps) for options.quality but received number 3'));
    await expect(codec.encode(clip, { quality: 1, bitrateKbps: 6 })).rejects.toThrow(RangeError);
    await expect(codec.encode(clip, { overlapFrames: 1 })).rejects.toThrow(new RangeError('Expected an integer between 2 and 84 for options.overlapFrames but received number 1'));
    await expect(codec.encode(clip, { chunkFrames: 2 })).rejects.toThrow(new RangeError('Expected an integer between 4 and 1000 for options.chunkFrames but received number 2'));
    await expect(codec.encode(clip, { fadeShape: 'cubic' as 'hann' })).rejects.toThrow(RangeError);
    await expect(codec.encode({ data: new Uint8Array(12), width: 2, height: 2, channels: 3 })).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_MEDIA' });
  });

  it('frees libopus and the ONNX sessions on dispose, once, and refuses work afterwards', async () => {
    const other = await openTiny();
    const bytes = await other.encode(raw([synthetic(0.2, 16000)], 16000));
    await other.dispose();
    await other.dispose();
    await expect(other.encode(raw([synthetic(0.2, 16000)], 16000))).rejects.toMatchObject({ code: 'ERR_DISPOSED' });
    await expect(other.decode(bytes)).rejects.toMatchObject({ code: 'ERR_DISPOSED' });
  });
});
