/**
 * What the video codec reads: raw .yuv with size and rate (the same stream as the y4m it came from),
 * frames given directly ({ format, frames }), and the errors of input without size, without frames,
 * unreadable or of the wrong shape.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoCodec } from '../../../codecs/video/index.js';
import type { VideoFormat, YuvFrame } from '../../../src/api/types.js';
import { readContainer } from '../../../src/container/index.js';
import { frameToBytes } from '../../../src/media/yuv.js';
import { TINY, failure, openShipped, readAll, sameFrame } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ncodec-video-input-'));
const RAW = path.join(tmp, 'tiny_33x17.yuv');
const FORMAT: VideoFormat = { width: 33, height: 17, fps: { num: 25, den: 1 }, colour: { matrix: 'bt601', range: 'limited' } };
let codec: VideoCodec;
let source: YuvFrame[];
let reference: Uint8Array;

beforeAll(async () => {
  codec = await openShipped();
  source = await readAll(TINY);
  writeFileSync(RAW, Buffer.concat(source.map((f) => frameToBytes(f))));
  reference = await codec.encode(TINY, { gop: 2 });
});
afterAll(async () => {
  await codec?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

describe('video input', () => {
  it('codes raw .yuv with size and fps exactly as the y4m it was cut from', async () => {
    expect(readFileSync(RAW).length).toBe(5 * (33 * 17 + 2 * 17 * 9));
    const raw = await codec.encode(RAW, { gop: 2, size: { width: 33, height: 17 }, fps: 25 });
    expect(Buffer.from(raw).equals(Buffer.from(reference))).toBe(true);
    const ntsc = await codec.encode(RAW, { gop: 2, size: { width: 33, height: 17 }, fps: { num: 30000, den: 1001 }, frames: 2 });
    expect(readContainer(ntsc).header.media).toMatchObject({ fpsNum: 30000, fpsDen: 1001, frames: 2 });
  });

  it('codes frames given as { format, frames } (sync or async) exactly as the file', async () => {
    const sync = await codec.encode({ format: FORMAT, frames: source }, { gop: 2 });
    expect(Buffer.from(sync).equals(Buffer.from(reference))).toBe(true);
    async function* stream() { for (const f of source) yield f; }
    const streamed = await codec.encode({ format: FORMAT, frames: stream() }, { gop: 2 });
    expect(Buffer.from(streamed).equals(Buffer.from(reference))).toBe(true);
  });

  it('codes with the encoder session frame by frame, and decodes with the decoder session', async () => {
    const enc = codec.createVideoEncoder(FORMAT, { gop: 2 });
    const payloads: Uint8Array[] = [];
    for (const f of source.slice(0, 3)) payloads.push(await enc.push(f));
    expect(enc.frames).toBe(3);
    const { header, index } = enc.end();
    expect(header.media).toMatchObject({ kind: 'video', frames: 3 });
    expect(index[0]).toBe(5);
    const dec = codec.createVideoDecoder({ version: 1, ...header });
    expect(dec.format).toMatchObject({ width: 33, height: 17, frameCount: 3 });
    const whole = (await codec.decode(reference)).frames;
    for (const [i, p] of payloads.entries()) {
      const { index: n, frame } = await dec.push(p, `section ${i}`);
      expect(n).toBe(i);
      expect(sameFrame(frame, whole[i]!)).toBe(true);
    }
  });

  it('refuses raw .yuv without --size or --fps, and of a length that is not whole frames', async () => {
    expect(await failure(codec.encode(RAW, { gop: 2 }))).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('--size WxH') });
    expect(await failure(codec.encode(RAW, { size: { width: 33, height: 17 } }))).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('--fps') });
    expect(await failure(codec.encode(RAW, { size: { width: 32, height: 17 }, fps: 25 }))).toMatchObject({ code: 'ERR_MEDIA_READ', message: expect.stringContaining('not a whole number') });
  });

  it('refuses a video without frames: an empty .yuv, a y4m header alone, no frames given', async () => {
    const empty = path.join(tmp, 'empty.yuv');
    writeFileSync(empty, new Uint8Array(0));
    expect(await failure(codec.encode(empty, { size: { width: 33, height: 17 }, fps: 25 }))).toMatchObject({ code: 'ERR_MEDIA_READ', message: expect.stringContaining('empty') });
    const headerOnly = path.join(tmp, 'header.y4m');
    const y4m = readFileSync(TINY);
    writeFileSync(headerOnly, y4m.subarray(0, y4m.indexOf(0x0a) + 1));
    expect(await failure(codec.encode(headerOnly))).toMatchObject({ code: 'ERR_MEDIA_READ', message: expect.stringContaining('no video frames') });
    expect(await failure(codec.encode({ format: FORMAT, frames: [] }))).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('no frames') });
  });

  it('refuses a missing file, frames of another size, a bad format and other inputs', async () => {
    expect(await failure(codec.encode(path.join(tmp, 'nope.y4m')))).toMatchObject({ code: 'ERR_MEDIA_READ' });
    await expect(codec.encode({ format: { ...FORMAT, width: 34 }, frames: source })).rejects.toThrow(/frame 0/);
    await expect(codec.encode({ format: { ...FORMAT, colour: { matrix: 'bt2020', range: 'limited' } } as never, frames: source })).rejects.toThrow(TypeError);
    await expect(codec.encode({ format: { ...FORMAT, fps: { num: 0, den: 1 } }, frames: source })).rejects.toThrow(RangeError);
    expect(await failure(codec.encode(new Uint8Array(10) as never))).toMatchObject({ code: 'ERR_UNSUPPORTED_MEDIA' });
    await expect(codec.encode(TINY, null as never)).rejects.toThrow(TypeError);
    await expect(codec.encode(TINY, { frames: 0 })).rejects.toThrow(RangeError);
  });
});
