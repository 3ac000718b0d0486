/**
 * src/media/video-writer.ts: y4m, raw, lossless mp4 (odd sizes through 4:4:4) and mkv that read back
 * identical, soundtracks muxed (encoded or copied), PNG frame patterns, and the errors.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadImage } from '../../src/media/image.js';
import { CodecError } from '../../src/errors.js';
import type { VideoFormat, YuvFrame } from '../../src/media/types.js';
import { copyAudioStream, probeVideo, readVideoFrames } from '../../src/media/video.js';
import { openVideoWriter } from '../../src/media/video-writer.js';
import { encodeWav } from '../../src/media/wav.js';
import { runFfmpeg } from '../../src/media/ffmpeg.js';
import { formatY4mHeader } from '../../src/media/y4m.js';
import { allocFrame, yuvToRgbPlanar } from '../../src/media/yuv.js';

const fx = (name: string) => path.join(__dirname, '../../fixtures', name);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ncodec-video-writer-'));
const TINY = fx('video/tiny_33x17_5f.y4m');
const MP4 = fx('audio/tone-in-video.mp4');

async function frames(file: string): Promise<YuvFrame[]> {
  const out: YuvFrame[] = [];
  for await (const frame of readVideoFrames(file)) out.push(frame);
  return out;
}

async function writeAll(file: string, format: VideoFormat, source: YuvFrame[], options = {}): Promise<void> {
  const writer = openVideoWriter(file, format, options);
  for (const frame of source) await writer.write(frame);
  await writer.close();
  expect(writer.framesWritten).toBe(source.length);
}

const plain = (list: YuvFrame[]) => list.map((f) => [f.width, f.height, Buffer.from(f.y), Buffer.from(f.u), Buffer.from(f.v)]);

const tinyFormat: VideoFormat = { width: 33, height: 17, fps: { num: 25, den: 1 }, colour: { matrix: 'bt709', range: 'full' } };

describe('video writer', () => {
  it('writes y4m and raw .yuv that read back identical, with the colour tagged', async () => {
    const source = await frames(TINY);
    const y4m = path.join(tmp, 'out.y4m');
    await writeAll(y4m, tinyFormat, source);
    expect(readFileSync(y4m, 'latin1').split('\n')[0]).toBe('YUV4MPEG2 W33 H17 F25:1 C420jpeg XCOLORRANGE=FULL XCOLORMATRIX=BT709');
    expect(await probeVideo(y4m)).toEqual({ ...tinyFormat, frameCount: 5 });
    expect(plain(await frames(y4m))).toEqual(plain(source));
    await runFfmpeg(['-i', y4m, '-f', 'null', '-']); // ffmpeg reads it too
    const longest = formatY4mHeader({ width: 7680, height: 4320, fps: { num: 120000, den: 1001 }, colour: { matrix: 'bt601', range: 'full' } });
    expect(longest.length).toBeLessThanOrEqual(80); // 8K, every tag: ffmpeg < 5 refuses longer header lines
    const yuv = path.join(tmp, 'out.yuv');
    await writeAll(yuv, tinyFormat, source);
    expect(readFileSync(yuv).length).toBe(5 * 867);
  });

  it('writes lossless mp4 and mkv that read back identical, odd size included, tagged with the colour', async () => {
    const odd = await frames(TINY);
    for (const file of ['odd.mp4', 'odd.mkv']) {
      const out = path.join(tmp, file);
      await writeAll(out, tinyFormat, odd);
      expect(await probeVideo(out), file).toEqual({ ...tinyFormat, frameCount: 5 });
      expect(plain(await frames(out)), file).toEqual(plain(odd));
    }
    const even = (await frames(MP4)).slice(0, 4);
    const format: VideoFormat = { width: 64, height: 48, fps: { num: 30000, den: 1001 }, colour: { matrix: 'bt601', range: 'limited' } };
    const out = path.join(tmp, 'even.mp4');
    await writeAll(out, format, even);
    expect(await probeVideo(out)).toEqual({ ...format, frameCount: 4 });
    expect(plain(await frames(out))).toEqual(plain(even));
  });

  it('waits for full pipes and files: frames larger than their buffers arrive whole', async () => {
    const format: VideoFormat = { width: 160, height: 120, fps: { num: 25, den: 1 }, colour: { matrix: 'bt601', range: 'limited' } };
    const source = Array.from({ length: 3 }, (_, k) => {
      const frame = allocFrame(160, 120); // 28.8 kB: over the 16 kB a stream buffers before write() says wait
      for (const plane of [frame.y, frame.u, frame.v]) plane.forEach((_, i) => { plane[i] = (i * (k + 3) + (i >> 7)) & 255; });
      return frame;
    });
    for (const file of ['big.mkv', 'big.y4m']) {
      await writeAll(path.join(tmp, file), format, source);
      expect(plain(await frames(path.join(tmp, file))), file).toEqual(plain(source));
    }
  });

  it('muxes a soundtrack: WAV encoded to AAC (mp4) or FLAC (mkv), or a copied stream', async () => {
    const source = await frames(TINY);
    const wav = path.join(tmp, 'tone.wav');
    writeFileSync(wav, encodeWav({ sampleRate: 8000, channels: [Float32Array.from({ length: 1600 }, (_, i) => 0.3 * Math.sin(i / 3))] }, 's16'));
    const mp4 = path.join(tmp, 'sound.mp4');
    await writeAll(mp4, tinyFormat, source, { audio: { wavPath: wav } });
    expect((await probeVideo(mp4)).audio).toEqual({ sampleRate: 8000, channels: 1, codec: 'aac' });
    const mkv = path.join(tmp, 'sound.mkv');
    await writeAll(mkv, tinyFormat, source, { audio: { wavPath: wav } });
    expect((await probeVideo(mkv)).audio).toEqual({ sampleRate: 8000, channels: 1, codec: 'flac' });
    const copied = await copyAudioStream(MP4);
    const track = path.join(tmp, 'track.bin');
    writeFileSync(track, copied.bytes);
    const again = path.join(tmp, 'copied.mkv');
    await writeAll(again, tinyFormat, source, { audio: { copyFile: track, format: copied.format } });
    expect((await probeVideo(again)).audio).toEqual({ sampleRate: 16000, channels: 1, codec: 'aac' });
    expect(Buffer.from((await copyAudioStream(again)).bytes)).toEqual(Buffer.from(copied.bytes));
  });

  it('writes a PNG per frame for a %d pattern, numbered from 1', async () => {
    const source = (await frames(TINY)).slice(0, 2);
    await writeAll(path.join(tmp, 'frame_%03d.png'), tinyFormat, source);
    expect(existsSync(path.join(tmp, 'frame_003.png'))).toBe(false);
    const png = await loadImage(path.join(tmp, 'frame_002.png'));
    expect([png.width, png.height, png.channels]).toEqual([33, 17, 3]);
    const rgb = yuvToRgbPlanar(source[1]!, tinyFormat.colour, 33, 17);
    const n = 33 * 17;
    for (const i of [0, 100, 560]) expect([...png.data.subarray(3 * i, 3 * i + 3)]).toEqual([0, 1, 2].map((c) => Math.round(rgb[c * n + i]! * 255)));
  });

  it('says what is wrong: extension, soundtrack where none fits, frame size, closed writer, ffmpeg failures', async () => {
    expect(() => openVideoWriter(path.join(tmp, 'x.gif'), tinyFormat)).toThrow(expect.objectContaining({
      code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(/'\.gif' is not one of \.y4m, \.yuv, \.mp4, \.mkv, or a PNG frame pattern/),
    }));
    expect(() => openVideoWriter(path.join(tmp, 'f_%d.jpg'), tinyFormat)).toThrow(/must end \.png/);
    expect(() => openVideoWriter(path.join(tmp, 'a.y4m'), tinyFormat, { audio: { wavPath: MP4 } })).toThrow(/cannot hold a soundtrack/);
    expect(() => openVideoWriter(path.join(tmp, 'a.mp4'), tinyFormat, { audio: { wavPath: path.join(tmp, 'none.wav') } })).toThrow(
      expect.objectContaining({ code: 'ERR_MEDIA_READ' }));
    const writer = openVideoWriter(path.join(tmp, 'a.y4m'), tinyFormat);
    const [frame] = await frames(MP4);
    await expect(writer.write(frame!)).rejects.toThrow("Expected a 33x17 frame for frame but received '64x48'");
    await writer.close();
    await writer.close();
    await expect(writer.write(frame!)).rejects.toMatchObject({ code: 'ERR_DISPOSED' });
    const broken = openVideoWriter(path.join(tmp, 'no-such-dir', 'a.mkv'), tinyFormat);
    const error = await broken.write((await frames(TINY))[0]!).then(() => broken.close()).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CodecError);
    expect(error).toMatchObject({ code: 'ERR_MEDIA_WRITE', message: expect.stringMatching(/ffmpeg failed writing .*a\.mkv \(exit \d+\): .*No such file or directory/) });
    const nowhere = openVideoWriter(path.join(tmp, 'no-such-dir', 'a.y4m'), tinyFormat);
    await expect(nowhere.write((await frames(TINY))[0]!).then(() => nowhere.close())).rejects.toMatchObject({ code: 'ERR_MEDIA_WRITE', message: expect.stringMatching(/ENOENT/) });
  });
});
