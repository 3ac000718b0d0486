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
import { encodeFrame, parseSection } from '../../../codecs/video/bitstream.js';
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
