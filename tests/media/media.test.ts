import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../src/errors.js';
import { encodeWav, loadAudio, loadImage, saveAudio, saveImage, toPlanarRgb } from '../../src/media/index.js';
import { alphaOf, fromPlanarRgb } from './helpers.js';

const fx = (name: string) => path.join(__dirname, '../../fixtures', name);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ncodec-media-'));

async function errorCode(p: Promise<unknown>): Promise<string | undefined> {
  try { await p; } catch (err) { expect(err).toBeInstanceOf(CodecError); return (err as CodecError).code; }
  return undefined;
}

describe('images', () => {
  it('reads an RGB PNG and converts to planar float and back losslessly', async () => {
    const img = await loadImage(fx('images/scene-64x48.png'));
    expect([img.width, img.height, img.channels, img.bitDepth, img.hasAlpha]).toEqual([64, 48, 3, 8, false]);
    const planar = toPlanarRgb(img);
    expect(planar.data.length).toBe(3 * 64 * 48);
    expect(planar.data[64 * 48]).toBeCloseTo(img.data[1]! / 255, 6);
    expect([...fromPlanarRgb(planar)]).toEqual([...img.data]);
  });

  it('keeps 16-bit input 16-bit', async () => {
    const img = await loadImage(fx('images/rgb16-48x32.png'));
    expect(img.bitDepth).toBe(16);
    expect(img.data).toBeInstanceOf(Uint16Array);
    expect(Math.max(...img.data)).toBeGreaterThan(255);
  });

  it('keeps alpha as a channel and exposes it', async () => {
    const img = await loadImage(fx('images/rgba-48x32.png'));
    expect(img.hasAlpha).toBe(true);
    expect(img.channels).toBe(4);
    const alpha = alphaOf(img)!;
    expect(alpha.length).toBe(48 * 32);
    expect(alpha[0]).toBe(0);
    expect(alpha[47]).toBe(255);
  });

  it('replicates gray to three planes', async () => {
    const img = await loadImage(fx('images/gray-48x32.png'));
    expect(img.channels).toBe(1);
    const planar = toPlanarRgb(img);
    expect(planar.data[5]).toBe(planar.data[48 * 32 + 5]);
  });

  it('reads the 1×1 image and the bytes of a file', async () => {
    const img = await loadImage(await readFile(fx('images/tiny-1x1.png')));
    expect([img.width, img.height]).toEqual([1, 1]);
  });

  it('accepts raw input and validates it', async () => {
    const img = await loadImage({ data: new Uint8Array(12), width: 2, height: 2, channels: 3 });
    expect(img.bitDepth).toBe(8);
    await expect(loadImage({ data: new Uint8Array(11), width: 2, height: 2, channels: 3 })).rejects.toThrow(
      'Expected 12 samples (width × height × channels) for image.data.length but received number 11',
    );
  });

  it('reports unreadable files with ERR_MEDIA_READ', async () => {
    const junk = path.join(tmp, 'junk.png');
    writeFileSync(junk, 'not an image');
    expect(await errorCode(loadImage(junk))).toBe('ERR_MEDIA_READ');
    expect(await errorCode(loadImage(path.join(tmp, 'missing.png')))).toBe('ERR_MEDIA_READ');
  });

  it('writes PNG that reads back identically', async () => {
    const img = await loadImage(fx('images/odd-33x17.png'));
    const out = path.join(tmp, 'odd.png');
    await saveImage(img, out);
    expect([...(await loadImage(out)).data]).toEqual([...img.data]);
  });

  it('writes gray, RGB and RGBA PNG of 8 or 16 bits (without sharp) that sharp reads back identically', async () => {
    for (const img of [await loadImage(fx('images/gray-48x32.png')), await loadImage(fx('images/rgba-48x32.png')),
      await loadImage(fx('images/rgb16-48x32.png'))]) {
      const out = path.join(tmp, `c${img.channels}-${img.bitDepth}.png`);
      await saveImage(img, out);
      const back = await loadImage(out);
      expect([back.channels, back.bitDepth, back.width, back.height]).toEqual([img.channels, img.bitDepth, img.width, img.height]);
      expect(Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength))).toBe(true);
    }
  });

});

describe('audio', () => {
  it('reads 16-bit, 24-bit stereo, unsigned 8-bit and float WAV', async () => {
    const s16 = await loadAudio(fx('audio/speech-16k-s16.wav'));
    expect(s16.sampleRate).toBe(16000);
    expect(s16.channels.length).toBe(1);
    expect(s16.channels[0]!.length).toBe(32000);
    const s24 = await loadAudio(fx('audio/tones-48k-s24-stereo.wav'));
    expect([s24.sampleRate, s24.channels.length, s24.channels[0]!.length]).toEqual([48000, 2, 72000]);
    const u8 = await loadAudio(fx('audio/speech-8k-u8.wav'));
    expect(u8.sampleRate).toBe(8000);
    const f32 = await loadAudio(fx('audio/chirp-44k-f32.wav'));
    expect(f32.sampleRate).toBe(44100);
    expect(Math.max(...f32.channels[0]!)).toBeGreaterThan(0.5);
  });

  it('reads MP3 through ffmpeg, resampling and downmixing on request', async () => {
    const mp3 = await loadAudio(fx('audio/speech-16k.mp3'), { sampleRate: 24000 });
    expect(mp3.sampleRate).toBe(24000);
    expect(mp3.channels[0]!.length).toBeGreaterThan(40000);
    const mono = await loadAudio(fx('audio/tones-48k-s24-stereo.wav'), { mono: true, sampleRate: 24000 });
    expect(mono.channels.length).toBe(1);
    expect(mono.channels[0]!.length).toBe(36000);
  });

  it("reads a video's soundtrack", async () => {
    const audio = await loadAudio(fx('audio/tone-in-video.mp4'));
    expect(audio.sampleRate).toBe(16000);
    expect(audio.channels[0]!.length).toBeGreaterThan(14000);
    expect(Math.max(...audio.channels[0]!.subarray(2000, 4000))).toBeGreaterThan(0.1);
  });

  it('writes WAV that reads back within 16-bit precision', async () => {
    const audio = { sampleRate: 8000, channels: [Float32Array.from({ length: 800 }, (_, i) => Math.sin(i / 5) * 0.5)] };
    const out = path.join(tmp, 'sine.wav');
    await saveAudio(audio, out);
    const back = await loadAudio(out);
    expect(back.channels[0]!.length).toBe(800);
    for (let i = 0; i < 800; i++) expect(Math.abs(back.channels[0]![i]! - audio.channels[0]![i]!)).toBeLessThan(1 / 32767);
  });

  it('handles empty WAV', async () => {
    const empty = encodeWav({ sampleRate: 16000, channels: [new Float32Array(0)] });
    const back = await loadAudio(empty);
    expect(back.channels[0]!.length).toBe(0);
  });

  it('reports unreadable audio with ERR_MEDIA_READ', async () => {
    const junk = path.join(tmp, 'junk.mp3');
    writeFileSync(junk, 'definitely not audio');
    expect(await errorCode(loadAudio(junk))).toBe('ERR_MEDIA_READ');
    expect(await errorCode(loadAudio(new Uint8Array(0)))).toBe('ERR_MEDIA_READ');
  });
});

describe('ffmpeg discovery', () => {
  it('falls back to the binary of the npm package when none is on the PATH', async () => {
    const { execFileSync } = await import('node:child_process');
    const module = path.join(__dirname, '../../dist/src/media/ffmpeg.js');
    const found = execFileSync(process.execPath, ['--input-type=module', '-e', `import { ffmpegPath } from ${JSON.stringify(module)}; console.log(ffmpegPath());`], {
      env: { PATH: '/nonexistent' }, encoding: 'utf8',
    });
    expect(found.trim()).toMatch(/@ffmpeg-installer\/.*ffmpeg$/);
  });
});
