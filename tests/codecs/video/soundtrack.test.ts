/**
 * Soundtracks (fixtures/audio/tone-in-video.mp4: 64×48 at 10 fps with an AAC tone, 16 kHz mono):
 * copied unchanged, coded by an audio codec (opuspf, the default; rvq; wavelet) into the first section,
 * or left out; `decode` returns a coded soundtrack as audio and `soundtrack()` says which it is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSection } from '../../../codecs/video/bitstream.js';
import type { VideoCodec } from '../../../codecs/video/index.js';
import { decode as decodeAny } from '../../../src/api/registry.js';
import { readContainer, readHeader, writeContainer } from '../../../src/container/index.js';
import { copyAudioStream } from '../../../src/media/video.js';
import { TINY, TONE_MP4, collect, failure, openShipped, readAll, sameFrame } from './helpers.js';

let codec: VideoCodec;
const coded: Record<string, Uint8Array> = {};

beforeAll(async () => {
  codec = await openShipped();
  for (const audio of ['copy', 'rvq', 'wavelet', 'none']) coded[audio] = await codec.encode(TONE_MP4, { audio, frames: 4, gop: 2 });
}, 60_000);
afterAll(async () => { await codec?.dispose(); });

function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length);
}

describe('video soundtracks', () => {
  it('copies the AAC stream unchanged into section 0 (audio: copy), cut to the coded frames', async () => {
    const { header, sections } = readContainer(coded.copy!);
    expect(header.params[6]).toBe(2);
    expect(sections.map((s) => s[0])).toEqual([4, 1, 6, 1, 6, 5]);
    const track = codec.soundtrack(coded.copy!);
    expect(track).toMatchObject({ kind: 'copied', format: 'adts' });
    const whole = await copyAudioStream(TONE_MP4);
    const cut = await copyAudioStream(TONE_MP4, 4 / 10); // 4 frames at 10 fps
    expect(cut.bytes.length).toBeLessThan(whole.bytes.length);
    expect(track?.kind === 'copied' && Buffer.from(track.bytes).equals(Buffer.from(cut.bytes))).toBe(true);
    const back = await codec.decode(coded.copy!);
    expect(back.audio).toBeUndefined();
    expect(back.frames).toHaveLength(4);
  });

  it('codes the soundtrack with rvq and returns it as audio, cut to the coded frames', async () => {
    const { header, sections } = readContainer(coded.rvq!);
    expect(header.params[6]).toBe(1);
    expect(sections.map((s) => s[0])).toEqual([3, 1, 6, 1, 6, 5]);
    const track = codec.soundtrack(coded.rvq!);
    expect(track?.kind).toBe('coded');
    if (track?.kind !== 'coded') return;
    expect(readHeader(track.container).header).toMatchObject({ codecId: 'rvq', media: { kind: 'audio', sampleRate: 16000, channels: 1 } });
    const back = await codec.decode(coded.rvq!);
    expect(back.audio).toMatchObject({ kind: 'audio', sampleRate: 16000 });
    expect(back.audio!.channels).toHaveLength(1);
    // 4 frames at 10 fps: 0.4 s of the 1 s soundtrack.
    expect(back.audio!.channels[0]!.length).toBeGreaterThanOrEqual(6400);
    expect(back.audio!.channels[0]!.length).toBeLessThan(16000);
    expect(rms(back.audio!.channels[0]!)).toBeGreaterThan(0.01);
    const alone = await decodeAny(track.container);
    expect(alone.kind === 'audio' && alone.channels[0]!.length).toBe(back.audio!.channels[0]!.length);
    expect(Buffer.from(await codec.encode(TONE_MP4, { audio: 'rvq', frames: 4, gop: 2 })).equals(Buffer.from(coded.rvq!))).toBe(true);
  });

  it('codes the soundtrack with the default audio codec (opuspf) when none is named', async () => {
    const bytes = await codec.encode(TONE_MP4, { frames: 4, gop: 2 });
    const track = codec.soundtrack(bytes);
    expect(track?.kind === 'coded' && readHeader(track.container).header).toMatchObject({ codecId: 'opuspf', modelId: 'opuspf-v1' });
    const back = await codec.decode(bytes);
    expect(back.audio).toMatchObject({ kind: 'audio', sampleRate: 16000 });
    expect(rms(back.audio!.channels[0]!)).toBeGreaterThan(0.01);
  });

  it('codes the soundtrack with wavelet', async () => {
    const track = codec.soundtrack(coded.wavelet!);
    expect(track?.kind === 'coded' && readHeader(track.container).header.codecId).toBe('wavelet');
    const back = await codec.decode(coded.wavelet!);
    expect(back.audio).toMatchObject({ kind: 'audio', sampleRate: 16000 });
    expect(rms(back.audio!.channels[0]!)).toBeGreaterThan(0.01);
  });

  it('leaves the soundtrack out (audio: none), with the same frames as the other files', async () => {
    expect(codec.soundtrack(coded.none!)).toBeNull();
    expect(readContainer(coded.none!).sections.map((s) => s[0])).toEqual([1, 6, 1, 6, 5]);
    const frames = (await codec.decode(coded.none!)).frames;
    expect(frames).toHaveLength(4);
    expect(frames.every((f) => f.width === 64 && f.height === 48)).toBe(true);
    for (const kind of ['copy', 'rvq']) {
      const other = (await codec.decode(coded[kind]!)).frames;
      other.forEach((f, i) => expect(sameFrame(f, frames[i]!), `${kind} frame ${i}`).toBe(true));
      expect(parseSection(readContainer(coded[kind]!).sections.at(-1)!, 'index')).toMatchObject({ gops: [{ firstFrame: 0, section: 1 }, { firstFrame: 2, section: 3 }] });
    }
  });

  it('seeks past the soundtrack section', async () => {
    const full = (await codec.decode(coded.rvq!)).frames;
    const { frames, error } = await collect(codec.decodeFrames(coded.rvq!, { start: 3 }));
    expect(error).toBeUndefined();
    expect(frames.map((f) => f.index)).toEqual([3]);
    expect(sameFrame(frames[0]!.frame, full[3]!)).toBe(true);
  });

  it('names the soundtrack when its section is damaged', async () => {
    const forged = coded.rvq!.slice();
    forged[readHeader(forged).end + 20]! ^= 4;
    const { frames, error } = await collect(codec.decodeFrames(forged));
    expect(frames).toEqual([]);
    expect(error).toMatchObject({ code: 'ERR_CRC_MISMATCH', message: expect.stringContaining('soundtrack (section 0)') });
    const { header, sections } = readContainer(coded.none!);
    const misplaced = await collect(codec.decodeFrames(writeContainer(header, [...sections.slice(0, 2), readContainer(coded.rvq!).sections[0]!, ...sections.slice(2)])));
    expect(misplaced.error).toMatchObject({ code: 'ERR_BITSTREAM_CORRUPT', message: expect.stringContaining('section 2') });
  });

  it('codes raw audio given with raw frames, and refuses what cannot be a soundtrack', async () => {
    const frames = await readAll(TINY, { maxFrames: 2 });
    const format = { width: 33, height: 17, fps: { num: 25, den: 1 }, colour: { matrix: 'bt601' as const, range: 'limited' as const } };
    const tone = Float32Array.from({ length: 8000 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000));
    const withAudio = await codec.encode({ format, frames, audio: { channels: [tone], sampleRate: 16000 } }, { audio: 'wavelet' });
    const back = await codec.decode(withAudio);
    expect(back.frames).toHaveLength(2);
    expect(back.audio).toMatchObject({ sampleRate: 16000 });
    expect(back.audio!.channels[0]!.length).toBeGreaterThanOrEqual(8000);
    expect(await failure(codec.encode({ format, frames, audio: { channels: [tone], sampleRate: 16000 } }, { audio: 'copy' }))).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(await failure(codec.encode(TINY, { audio: 'rvq' }))).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('has no soundtrack') });
    expect(await failure(codec.encode(TONE_MP4, { audio: 'hyperprior', frames: 1 }))).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('not an audio codec') });
    expect(await failure(codec.encode(TONE_MP4, { audio: 'nonesuch', frames: 1 }))).toMatchObject({ code: 'ERR_UNKNOWN_CODEC' });
    await expect(codec.encode(TONE_MP4, { audio: 3 as never })).rejects.toThrow(TypeError);
    expect(codec.soundtrack(await codec.encode(TINY, { frames: 1 }))).toBeNull();
  });
});
