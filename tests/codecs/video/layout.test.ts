/**
 * Video parameter layouts 2, 3 and 4 (codecs/video/bitstream.ts). Layout 3 synthesises motion
 * residuals from the latent positions that cover the frame (frame-coder.ts, `synthesise`); layout 4
 * adds skipped blocks (codecs/video/skip.ts: flags at the end of the motion stream, no y symbols under
 * a skipped block, the prediction copied over it; no residual at all when every block is skipped). A
 * layout-2 file (written by the encoder of 2026-12-07, commit 4d378d7) keeps decoding to what that
 * version decoded; new files are layout 4.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeParams, encodeFrame, parseSection } from '../../../codecs/video/bitstream.js';
import type { VideoCodec } from '../../../codecs/video/index.js';
import type { VideoFormat, YuvFrame } from '../../../src/api/types.js';
import { readContainer, writeContainer } from '../../../src/container/index.js';
import { TINY, openShipped, psnrY, readAll, root } from './helpers.js';

const LAYOUT2 = path.join(root, 'fixtures/video/tiny_33x17_5f.layout2.ncd');
/** What the layout-2 decoder of commit 4d378d7 made of LAYOUT2. */
const LAYOUT2_DECODED = path.join(root, 'fixtures/video/tiny_33x17_5f.layout2.decoded.y4m');

const FORMAT: VideoFormat = { width: 33, height: 17, fps: { num: 25, den: 1 }, colour: { matrix: 'bt601', range: 'limited' } };

let codec: VideoCodec;
beforeAll(async () => {
  codec = await openShipped();
});
afterAll(async () => {
  await codec.dispose();
});

/** Largest absolute difference of two frames' samples. */
function maxDifference(a: YuvFrame, b: YuvFrame): number {
  let max = 0;
  for (const plane of ['y', 'u', 'v'] as const) {
    for (let i = 0; i < a[plane].length; i++) max = Math.max(max, Math.abs(a[plane][i]! - b[plane][i]!));
  }
  return max;
}

describe('video parameter layouts', () => {
  it('decodes a layout-2 file to what its own version decoded', async () => {
    const bytes = new Uint8Array(readFileSync(LAYOUT2));
    expect(readContainer(bytes).header.params[0]).toBe(2);
    const decoded = (await codec.decode(bytes)).frames;
    const expected = await readAll(LAYOUT2_DECODED);
    expect(decoded).toHaveLength(5);
    // float kernels may differ by a rounding between CPU families, never by more
    decoded.forEach((frame, i) => expect(maxDifference(frame, expected[i]!)).toBeLessThanOrEqual(1));
  });

  it('writes layout 4', async () => {
    const source = await readAll(TINY);
    const bytes = await codec.encode(TINY, { quality: 3, gop: 4 });
    expect(readContainer(bytes).header.params[0]).toBe(4);
    const frames = (await codec.decode(bytes)).frames;
    frames.forEach((frame, i) => expect(psnrY(frame, source[i]!)).toBeGreaterThan(22));
  });

  it('keeps a monochrome video colourless: constant chroma planes travel in the parameters, not the frames', async () => {
    const source = await readAll(TINY);
    const grey = source.slice(0, 3).map((f) => ({ ...f, u: new Uint8Array(f.u.length).fill(128), v: new Uint8Array(f.v.length).fill(131) }));
    const bytes = await codec.encode({ format: FORMAT, frames: grey }, { gop: 3 });
    expect(decodeParams(readContainer(bytes).header.params).constantChroma).toEqual({ u: 128, v: 131 });
    const frames = (await codec.decode(bytes)).frames;
    frames.forEach((f, i) => {
      expect([f.u.every((s) => s === 128), f.v.every((s) => s === 131)]).toEqual([true, true]);
      expect(psnrY(f, grey[i]!)).toBeGreaterThan(22);
    });
    // one frame with colour (or other constants) and the colour is coded
    const mixed = await codec.encode({ format: FORMAT, frames: [grey[0]!, source[1]!] }, { gop: 2 });
    expect(decodeParams(readContainer(mixed).header.params).constantChroma).toBeNull();
    const shifted = { ...grey[1]!, u: new Uint8Array(grey[1]!.u.length).fill(127) };
    expect(decodeParams(readContainer(await codec.encode({ format: FORMAT, frames: [grey[0]!, shifted] }, { gop: 2 })).header.params).constantChroma).toBeNull();
    // the flag is 0 or 1, and 1 brings both values
    const params = readContainer(bytes).header.params;
    expect(() => decodeParams(Uint8Array.of(...params.subarray(0, 8), 2, 128, 131))).toThrow(/chroma flag is 2/);
    expect(() => decodeParams(params.subarray(0, 10))).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_BITSTREAM_/) }));
  });

  it('skips every block of a frame that repeats its reference: no residual, the prediction alone', async () => {
    const [first] = await readAll(TINY);
    const still = { format: FORMAT, frames: [first!, first!, first!, first!] };
    const bytes = await codec.encode(still, { quality: 5, gop: 4 });
    const { header, sections } = readContainer(bytes);
    const parsed = sections.map((p, i) => parseSection(p, `section ${i}`));
    expect(parsed.map((s) => s.kind)).toEqual(['I', 'M', 'M', 'M', 'index']);
    for (const s of parsed.slice(1, 4)) {
      if (s.kind !== 'M') throw new Error('a motion P-frame was expected');
      expect([s.z.length, s.y.length]).toEqual([0, 0]); // the flags alone, in the motion stream
      expect(s.motion.length).toBeLessThan(8);
    }
    // each is its motion-compensated prediction from the frame before (sub-pixel vectors may filter it)
    const frames = (await codec.decode(bytes)).frames;
    frames.slice(1).forEach((frame) => expect(psnrY(frame, frames[0]!)).toBeGreaterThan(30));
    // a frame that skips every block yet carries a residual is corrupt, and says so
    const m = parsed[1]!;
    if (m.kind !== 'M') throw new Error('a motion P-frame was expected');
    const forged = encodeFrame({ ...m, z: Uint8Array.of(1, 2, 3), y: Uint8Array.of(4) });
    await expect(codec.decode(writeContainer(header, [sections[0]!, forged, ...sections.slice(2)]))).rejects.toMatchObject({
      code: 'ERR_BITSTREAM_CORRUPT', message: expect.stringMatching(/frame 1 .*every block is skipped, yet the frame carries a residual/),
    });
  });
});
