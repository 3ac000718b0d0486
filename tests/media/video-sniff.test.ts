/**
 * src/media/sniff.ts and tracks.ts with video: containers with a picture track are video, audio-only
 * files of the same containers stay audio, and audio codecs still take a video's soundtrack.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runFfmpeg } from '../../src/media/ffmpeg.js';
import { checkMediaKind, mediaKindOf } from '../../src/media/sniff.js';

const fx = (name: string) => path.join(__dirname, '../../fixtures', name);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ncodec-video-sniff-'));
const MP4 = fx('audio/tone-in-video.mp4');
const at = (name: string) => path.join(tmp, name);

beforeAll(async () => {
  // Containers cut from the mp4 fixture by stream copy (and one Opus encode): no new fixtures to ship.
  await Promise.all([
    runFfmpeg(['-i', MP4, '-vn', '-c:a', 'copy', '-y', at('sound.m4a')]),
    runFfmpeg(['-i', MP4, '-vn', '-c:a', 'copy', '-y', at('sound-only.mp4')]),
    runFfmpeg(['-i', MP4, '-an', '-c:v', 'copy', '-movflags', '+faststart', '-y', at('silent.mp4')]),
    runFfmpeg(['-i', MP4, '-c', 'copy', '-y', at('film.mkv')]),
    runFfmpeg(['-i', MP4, '-vn', '-c:a', 'flac', '-y', at('sound.mka')]),
    runFfmpeg(['-i', MP4, '-vn', '-c:a', 'libopus', '-y', at('sound.webm')]),
    runFfmpeg(['-i', MP4, '-c:v', 'copy', '-c:a', 'mp3', '-y', at('film.avi')]),
  ]);
  writeFileSync(at('raw.yuv'), new Uint8Array(867));
  writeFileSync(at('mislabelled.mp4'), 'not a container at all');
});

describe('media kind of video inputs', () => {
  it('finds video by content (y4m, mp4 either way round, mkv, avi) and raw .yuv by extension', async () => {
    for (const file of [fx('video/tiny_33x17_5f.y4m'), MP4, at('silent.mp4'), at('film.mkv'), at('film.avi'), at('raw.yuv'), at('mislabelled.mp4')]) {
      expect(await mediaKindOf(file), file).toBe('video');
    }
    expect(await mediaKindOf(readFileSync(MP4))).toBe('video');
  });

  it('keeps audio-only files of video containers audio', async () => {
    for (const file of [at('sound.m4a'), at('sound-only.mp4'), at('sound.mka'), at('sound.webm'), fx('audio/speech-16k.mp3'), fx('audio/speech-16k-s16.wav')]) {
      expect(await mediaKindOf(file), file).toBe('audio');
    }
    expect(await mediaKindOf(readFileSync(at('sound.m4a')))).toBe('audio');
  });

  it("lets audio codecs code a video's soundtrack and refuses videos elsewhere, saying which codec fits", async () => {
    expect(await checkMediaKind(MP4, 'rvq', ['audio'])).toBe('audio');
    expect(await checkMediaKind(MP4, 'video', ['video'])).toBe('video');
    await expect(checkMediaKind(at('silent.mp4'), 'rvq', ['audio'])).rejects.toMatchObject({
      code: 'ERR_UNSUPPORTED_MEDIA', message: 'The rvq codec codes audio only but was given a video file (MP4) without a soundtrack; use a video codec (ncodec models lists them).',
    });
    await expect(checkMediaKind(at('film.mkv'), 'hyperprior', ['image'])).rejects.toMatchObject({
      message: 'The hyperprior codec codes images only but was given a video file (Matroska); use a video codec (ncodec models lists them).',
    });
    await expect(checkMediaKind(fx('images/scene-64x48.png'), 'video', ['video'])).rejects.toThrow(/codes video only but was given a PNG image; use an image codec/);
  });
});
