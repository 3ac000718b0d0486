/**
 * src/media/video.ts: probing and streaming frames from y4m (parsed here), raw .yuv and ffmpeg inputs,
 * with the errors of bad input; src/media/ffmpeg-info.ts on stderr of ffmpeg 4 and 5.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../src/errors.js';
import { channelsOfLayout, parseFfmpegInfo, rationalFps } from '../../src/media/ffmpeg-info.js';
import type { YuvFrame } from '../../src/media/types.js';
import { copyAudioStream, probeVideo, readVideoFrames, type ReadVideoOptions } from '../../src/media/video.js';

const fx = (name: string) => path.join(__dirname, '../../fixtures', name);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ncodec-video-'));
const TINY = fx('video/tiny_33x17_5f.y4m');
const MP4 = fx('audio/tone-in-video.mp4'); // 64x48, 10 fps, 10 frames, AAC mono 16 kHz

async function frames(file: string, options: ReadVideoOptions = {}): Promise<YuvFrame[]> {
  const out: YuvFrame[] = [];
  for await (const frame of readVideoFrames(file, options)) out.push(frame);
  return out;
}

async function failure(p: Promise<unknown>): Promise<CodecError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    return err as CodecError;
  }
  throw new Error('expected a CodecError');
}

/** The fixture's frames as raw .yuv bytes. */
function tinyAsRaw(): Buffer {
  const bytes = readFileSync(TINY);
  const header = bytes.indexOf(0x0a) + 1;
  const frameBytes = 33 * 17 + 2 * 17 * 9;
  return Buffer.concat(Array.from({ length: 5 }, (_, i) => bytes.subarray(header + i * (6 + frameBytes) + 6, header + (i + 1) * (6 + frameBytes))));
}

describe('y4m', () => {
  it('probes size, rate, colour and frame count from the header', async () => {
    expect(await probeVideo(TINY)).toEqual({ width: 33, height: 17, fps: { num: 25, den: 1 }, colour: { matrix: 'bt601', range: 'limited' }, frameCount: 5 });
  });

  it('streams odd-sized frames (chroma ceil(w/2)×ceil(h/2)), stops at maxFrames and starts at start', async () => {
    const all = await frames(TINY);
    expect(all).toHaveLength(5);
    for (const f of all) expect([f.width, f.height, f.y.length, f.u.length, f.v.length]).toEqual([33, 17, 561, 153, 153]);
    const raw = tinyAsRaw();
    expect(Buffer.concat(all.flatMap((f) => [f.y, f.u, f.v]))).toEqual(raw);
    expect(await frames(TINY, { maxFrames: 2 })).toEqual(all.slice(0, 2));
    expect(await frames(TINY, { start: 3 })).toEqual(all.slice(3));
    expect(await frames(TINY, { start: 1, maxFrames: 1 })).toEqual(all.slice(1, 2));
  });

  it('fails on a truncated file naming the frame, and on a header without frames', async () => {
    const bytes = readFileSync(TINY);
    const cut = path.join(tmp, 'cut.y4m');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    const error = await failure(frames(cut));
    expect(error).toMatchObject({ code: 'ERR_MEDIA_READ', message: expect.stringMatching(/is truncated: frame 4 has 767 of its 867 bytes/) });
    expect((await failure(probeVideo(cut))).message).toMatch(/frame 4 has 767 of its 867 bytes/);
    const empty = path.join(tmp, 'header-only.y4m');
    writeFileSync(empty, bytes.subarray(0, bytes.indexOf(0x0a) + 1));
    expect(await failure(probeVideo(empty))).toMatchObject({ code: 'ERR_MEDIA_READ', message: expect.stringMatching(/holds no video frames/) });
    expect((await failure(frames(empty))).message).toMatch(/holds no video frames/);
  });
});

describe('raw .yuv', () => {
  const raw = path.join(tmp, 'tiny.yuv');
  writeFileSync(raw, tinyAsRaw());

  it('probes and streams with --size and --fps', async () => {
    const probe = await probeVideo(raw, { size: { width: 33, height: 17 }, fps: 29.97 });
    expect(probe).toEqual({ width: 33, height: 17, fps: { num: 30000, den: 1001 }, colour: { matrix: 'bt601', range: 'limited' }, frameCount: 5 });
    const got = await frames(raw, { size: { width: 33, height: 17 }, start: 2, maxFrames: 2 });
    expect(got).toEqual((await frames(TINY)).slice(2, 4));
  });

  it('refuses a missing size or rate, and a size that does not divide the file', async () => {
    expect(await failure(probeVideo(raw))).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(/--size WxH --fps F/) });
    expect(await failure(frames(raw))).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(await failure(probeVideo(raw, { size: { width: 33, height: 17 } }))).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(/--fps/) });
    const wrong = await failure(probeVideo(raw, { size: { width: 32, height: 16 }, fps: 25 }));
    expect(wrong).toMatchObject({ code: 'ERR_MEDIA_READ', message: expect.stringMatching(/holds 4335 bytes, not a whole number of 32x16 4:2:0 frames of 768 bytes/) });
    await expect(probeVideo(raw, { size: { width: 0, height: 16 }, fps: 25 })).rejects.toThrow(RangeError);
  });
});

describe('through ffmpeg', () => {
  it('probes an mp4: size, rate, frame count, colour (default when untagged) and soundtrack', async () => {
    expect(await probeVideo(MP4)).toEqual({
      width: 64, height: 48, fps: { num: 10, den: 1 }, colour: { matrix: 'bt601', range: 'limited' }, frameCount: 10,
      audio: { sampleRate: 16000, channels: 1, codec: 'aac' },
    });
  });

  it('streams every frame once, and stops ffmpeg when the reader stops early', async () => {
    const all = await frames(MP4);
    expect(all).toHaveLength(10);
    expect(all[0]!.u.length).toBe(32 * 24);
    expect(await frames(MP4, { maxFrames: 3 })).toEqual(all.slice(0, 3));
    expect(await frames(MP4, { start: 7 })).toEqual(all.slice(7));
    for await (const frame of readVideoFrames(MP4)) {
      expect(frame.width).toBe(64);
      break; // the generator's finally kills ffmpeg; the test would hang on a leaked pipe otherwise
    }
  });

  it('copies the soundtrack unchanged', async () => {
    const { bytes, format, codec } = await copyAudioStream(MP4);
    expect([format, codec]).toEqual(['adts', 'aac']);
    expect([bytes[0], bytes[1]! & 0xf0]).toEqual([0xff, 0xf0]); // ADTS sync word
    expect((await failure(copyAudioStream(TINY))).code).toBe('ERR_UNSUPPORTED_MEDIA');
  });
});

describe('bad input', () => {
  it('says what is wrong with a missing, empty, non-video or audio-only file', async () => {
    expect(await failure(probeVideo(path.join(tmp, 'missing.mp4')))).toMatchObject({ code: 'ERR_MEDIA_READ', message: expect.stringMatching(/Could not read .*missing\.mp4: ENOENT/) });
    const empty = path.join(tmp, 'empty.mp4');
    writeFileSync(empty, '');
    expect((await failure(probeVideo(empty))).message).toMatch(/is empty/);
    const text = path.join(tmp, 'notes.mp4');
    writeFileSync(text, 'not a video at all\n'.repeat(20));
    expect(await failure(probeVideo(text))).toMatchObject({ code: 'ERR_MEDIA_READ', message: expect.stringMatching(/Could not read .*notes\.mp4 as a video: ffmpeg says/) });
    expect(await failure(frames(text))).toMatchObject({ code: 'ERR_MEDIA_READ' });
    expect(await failure(probeVideo(fx('audio/speech-16k.mp3')))).toMatchObject({ code: 'ERR_UNSUPPORTED_MEDIA', message: expect.stringMatching(/holds only audio/) });
    expect(await failure(probeVideo(tmp))).toMatchObject({ code: 'ERR_MEDIA_READ', message: expect.stringMatching(/not a file/) });
  });
});

describe("ffmpeg's stream lines", () => {
  it('parses ffmpeg 5 and ffmpeg 4 output alike', () => {
    const v5 = [
      "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'a.mp4':",
      '  Duration: 00:00:01.00, start: 0.000000, bitrate: 65 kb/s',
      '  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709, progressive), 48x32 [SAR 1:1 DAR 3:2], 14 kb/s, 29.97 fps, 29.97 tbr, 10240 tbn (default)',
      '  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, 5.1(side), fltp, 25 kb/s (default)',
      'frame=    1 fps=0.0 q=-1.0 size=N/A\rframe=  300 fps=0.0 q=-1.0 Lsize=N/A',
    ].join('\n');
    expect(parseFfmpegInfo(v5)).toEqual({
      container: 'mov,mp4,m4a,3gp,3g2,mj2', frames: 300,
      video: { codec: 'h264', pixFmt: 'yuv420p', width: 48, height: 32, fps: { num: 30000, den: 1001 }, range: 'limited', matrix: 'bt709' },
      audio: { codec: 'aac', sampleRate: 48000, channels: 6 },
    });
    const v4 = [
      "Input #0, mp3, from 'cover.mp3':",
      '    Stream #0:0: Audio: mp3, 44100 Hz, stereo, fltp, 128 kb/s',
      '    Stream #0:1: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 300x300, 90k tbr, 90k tbn, 90k tbc (attached pic)',
      "Input #0, matroska,webm, from 'b.mkv':",
    ].join('\n');
    expect(parseFfmpegInfo(v4)).toEqual({ container: 'mp3', audio: { codec: 'mp3', sampleRate: 44100, channels: 2 } });
    const mkv = "Input #0, matroska,webm, from 'b.mkv':\n    Stream #0:0: Video: ffv1 (FFV1 / 0x31564646), yuvj420p(pc, smpte170m/unknown/unknown), 33x17, SAR 1:1 DAR 33:17, 23.98 fps, 23.98 tbr, 1k tbn, 1k tbc (default)";
    expect(parseFfmpegInfo(mkv)!.video).toEqual({ codec: 'ffv1', pixFmt: 'yuvj420p', width: 33, height: 17, fps: { num: 24000, den: 1001 }, range: 'full', matrix: 'bt601' });
    expect(parseFfmpegInfo('pipe:0: Invalid data found when processing input')).toBeNull();
  });

  it('turns printed rates into fractions and layouts into channel counts', () => {
    expect([25, 29.97, 59.94, 12.5, 1000].map(rationalFps)).toEqual([
      { num: 25, den: 1 }, { num: 30000, den: 1001 }, { num: 60000, den: 1001 }, { num: 25, den: 2 }, { num: 1000, den: 1 },
    ]);
    expect(['mono', 'stereo', '5.1(side)', '7.1', 'quad', '3 channels', 'bogus'].map(channelsOfLayout)).toEqual([1, 2, 6, 8, 4, 3, undefined]);
  });
});
