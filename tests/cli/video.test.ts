/**
 * `ncodec` with video: encode (y4m, raw .yuv, an mp4 with a soundtrack) with the video flags, info,
 * decode to y4m, PNG frames and mp4 (with the soundtrack muxed), the usage errors of the video flags,
 * and a truncated file: non-zero exit, the frames before the damage written, the frame named.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openVideo, type VideoCodec } from '../../codecs/video/index.js';
import type { YuvFrame } from '../../src/api/types.js';
import { readContainer, readHeader } from '../../src/container/index.js';
import { loadImage } from '../../src/media/image.js';
import { probeVideo, readVideoFrames } from '../../src/media/video.js';
import { frameToBytes } from '../../src/media/yuv.js';
import { cli } from './helpers.js';

const root = path.join(__dirname, '../..');
const TINY = path.join(root, 'fixtures/video/tiny_33x17_5f.y4m');
const TONE_MP4 = path.join(root, 'fixtures/audio/tone-in-video.mp4');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ncodec-cli-video-'));
const out = (name: string) => path.join(tmp, name);
let codec: VideoCodec;

async function frames(file: string): Promise<YuvFrame[]> {
  const all: YuvFrame[] = [];
  for await (const f of readVideoFrames(file)) all.push(f);
  return all;
}

function same(a: YuvFrame, b: YuvFrame): boolean {
  return Buffer.from(frameToBytes(a)).equals(Buffer.from(frameToBytes(b)));
}

beforeAll(async () => {
  codec = await openVideo({ threads: 1 });
  const enc = await cli('encode', TINY, '-o', out('tiny.ncd'), '--codec', 'video', '--gop', '2', '--frames', '3');
  expect(enc.code, enc.stderr).toBe(0);
});
afterAll(async () => {
  await codec?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

describe('ncodec with video', () => {
  it('encodes 3 frames at GOP 2 and reports the rate', async () => {
    const bytes = readFileSync(out('tiny.ncd'));
    const { header, sections } = readContainer(bytes);
    expect(header).toMatchObject({ codecId: 'video', media: { kind: 'video', width: 33, height: 17, frames: 3 } });
    expect(sections.map((s) => s[0])).toEqual([1, 6, 1, 5]); // a motion-compensated P-frame (the default)
    const learned = await cli('encode', TINY, '-o', out('learned.ncd'), '--codec', 'video', '--gop', '2', '--frames', '3', '--inter', 'learned');
    expect(learned.code, learned.stderr).toBe(0);
    expect(readContainer(readFileSync(out('learned.ncd'))).sections.map((s) => s[0])).toEqual([1, 2, 1, 5]);
    const again = await cli('encode', TINY, '-o', out('tiny2.ncd'), '--codec', 'video', '--gop', '2', '--frames', '3');
    expect(again.stderr).toMatch(/tiny_33x17_5f\.y4m → .*tiny2\.ncd: \d+ bytes \([\d.]+ bpp, [\d.]+ kbps\) in [\d.]+ s\n$/);
    expect(readFileSync(out('tiny2.ncd')).equals(bytes)).toBe(true);
  });

  it('takes a video file for video without --codec', async () => {
    const r = await cli('encode', TINY, '-o', out('default.ncd'), '--frames', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(readHeader(readFileSync(out('default.ncd'))).header).toMatchObject({ codecId: 'video', modelId: 'cond-msh-wf' });
  });

  it('shows the video in info', async () => {
    const text = await cli('info', out('tiny.ncd'));
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('codec:    video');
    expect(text.stdout).toContain('media:    video 33×17, 3 frames at 25/1 fps, bt601 limited range');
    expect(text.stdout).toMatch(/sections: 4 \(/);
    const json = JSON.parse((await cli('info', out('tiny.ncd'), '--json')).stdout);
    expect(json.media).toEqual({ kind: 'video', width: 33, height: 17, fpsNum: 25, fpsDen: 1, frames: 3, matrix: 'bt601', range: 'limited' });
    expect(json.rateMeasured).toMatch(/bpp/);
  });

  it('decodes to y4m: the frames of the API decode', async () => {
    const r = await cli('decode', out('tiny.ncd'), '-o', out('tiny.y4m'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/tiny\.ncd → .*tiny\.y4m: 33×17 video, 3 frames in/);
    const expected = (await codec.decode(readFileSync(out('tiny.ncd')))).frames;
    const got = await frames(out('tiny.y4m'));
    expect(got).toHaveLength(3);
    got.forEach((f, i) => expect(same(f, expected[i]!), `frame ${i}`).toBe(true));
    expect(await probeVideo(out('tiny.y4m'))).toMatchObject({ width: 33, height: 17, fps: { num: 25, den: 1 }, frameCount: 3 });
  });

  it('decodes to numbered PNG frames', async () => {
    const r = await cli('decode', out('tiny.ncd'), '-o', out('frame_%02d.png'));
    expect(r.code, r.stderr).toBe(0);
    for (const n of ['01', '02', '03']) {
      const image = await loadImage(out(`frame_${n}.png`));
      expect([image.width, image.height, image.channels]).toEqual([33, 17, 3]);
    }
    expect(existsSync(out('frame_04.png'))).toBe(false);
  });

  it('encodes raw .yuv with --size and --fps, and asks for them', async () => {
    const raw = out('tiny.yuv');
    writeFileSync(raw, Buffer.concat((await frames(TINY)).map((f) => frameToBytes(f))));
    const r = await cli('encode', raw, '-o', out('raw.ncd'), '--codec', 'video', '--size', '33x17', '--fps', '25', '--gop', '2', '--frames', '3');
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out('raw.ncd')).equals(readFileSync(out('tiny.ncd')))).toBe(true);
    const missing = await cli('encode', raw, '-o', out('raw2.ncd'), '--codec', 'video');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^ncodec: .*--size WxH --fps F.*\[ERR_INVALID_ARGUMENT\]\n$/);
    const ntsc = await cli('encode', raw, '-o', out('raw3.ncd'), '--codec', 'video', '--size', '33x17', '--fps', '30000/1001', '--frames', '1');
    expect(ntsc.code, ntsc.stderr).toBe(0);
    expect(readHeader(readFileSync(out('raw3.ncd'))).header.media).toMatchObject({ fpsNum: 30000, fpsDen: 1001 });
  });

  it('refuses video flags with an image codec, and malformed video flags, with exit 2', async () => {
    const image = path.join(root, 'fixtures/images/scene-64x48.png');
    const gop = await cli('encode', image, '-o', out('x.ncd'), '--codec', 'lossless', '--gop', '2');
    expect(gop.code).toBe(2);
    expect(gop.stderr.split('\n')[0]).toBe("ncodec: --gop is a video option, and 'lossless' does not code video (use --codec video)");
    expect(existsSync(out('x.ncd'))).toBe(false);
    for (const [flag, value, message] of [
      ['--gop', '0', "--gop expects an integer ≥ 1, got '0'"], ['--frames', 'many', "--frames expects an integer ≥ 1, got 'many'"],
      ['--size', '33by17', "--size expects WIDTHxHEIGHT (e.g. 176x144), got '33by17'"], ['--fps', '0/1', "--fps expects a positive rate (25, 29.97 or 30000/1001), got '0/1'"],
      ['--inter', 'flow', "--inter expects motion, learned or delta, got 'flow'"],
    ]) {
      const r = await cli('encode', TINY, '-o', out('x.ncd'), '--codec', 'video', flag!, value!);
      expect(r.code, flag).toBe(2);
      expect(r.stderr.split('\n')[0], flag).toContain(message);
    }
  });

  it('exits 1 on a truncated file, having written the frames before the damage and naming the frame', async () => {
    const bytes = readFileSync(out('tiny.ncd'));
    const { end } = readHeader(bytes);
    const sections = readContainer(bytes).sections;
    const frame2 = end + 8 + sections[0]!.length + 8 + sections[1]!.length; // start of section 2 (frame 2)
    writeFileSync(out('cut.ncd'), bytes.subarray(0, frame2 + 30));
    const r = await cli('decode', out('cut.ncd'), '-o', out('cut.y4m'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`note: 2 frame(s) before the damage were written to ${out('cut.y4m')}`);
    expect(r.stderr).toMatch(/ncodec: Decoding stopped at frame 2 \(section 2\), after frame 1: .*\[ERR_BITSTREAM_TRUNCATED\]\n$/);
    const expected = (await codec.decode(bytes)).frames;
    const got = await frames(out('cut.y4m'));
    expect(got).toHaveLength(2);
    got.forEach((f, i) => expect(same(f, expected[i]!), `frame ${i}`).toBe(true));
  });

  it('muxes a coded or copied soundtrack into mp4, and notes that y4m cannot hold it', async () => {
    for (const audio of ['wavelet', 'copy']) {
      const ncd = out(`tone-${audio}.ncd`);
      const enc = await cli('encode', TONE_MP4, '-o', ncd, '--codec', 'video', '--frames', '3', '--audio', audio);
      expect(enc.code, enc.stderr).toBe(0);
      const mp4 = out(`tone-${audio}.mp4`);
      const dec = await cli('decode', ncd, '-o', mp4);
      expect(dec.code, dec.stderr).toBe(0);
      const probe = await probeVideo(mp4);
      expect(probe).toMatchObject({ width: 64, height: 48, fps: { num: 10, den: 1 }, frameCount: 3 });
      expect(probe.audio, audio).toMatchObject({ codec: 'aac', sampleRate: 16000, channels: 1 });
    }
    const y4m = await cli('decode', out('tone-wavelet.ncd'), '-o', out('tone.y4m'));
    expect(y4m.code).toBe(0);
    expect(y4m.stderr).toContain('note: the soundtrack is not written: .y4m cannot hold audio (decode to .mp4 or .mkv to keep it)');
    expect(await frames(out('tone.y4m'))).toHaveLength(3);
    const none = await cli('encode', TINY, '-o', out('none.ncd'), '--codec', 'video', '--frames', '1', '--audio', 'rvq');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('has no soundtrack');
  });
});
