/**
 * Video parameter layouts 2 and 3 (codecs/video/bitstream.ts): the same bytes, but layout 3
 * synthesises motion residuals from the latent positions that cover the frame (frame-coder.ts,
 * `synthesise`). A layout-2 file (written by the encoder of 2026-12-07, commit 4d378d7) keeps decoding
 * to what that version decoded; new files are layout 3 and their header decides the synthesis.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoCodec } from '../../../codecs/video/index.js';
import type { YuvFrame } from '../../../src/api/types.js';
import { readContainer, writeContainer } from '../../../src/container/index.js';
import { TINY, openShipped, psnrY, readAll, root } from './helpers.js';

const LAYOUT2 = path.join(root, 'fixtures/video/tiny_33x17_5f.layout2.ncd');
/** What the layout-2 decoder of commit 4d378d7 made of LAYOUT2. */
const LAYOUT2_DECODED = path.join(root, 'fixtures/video/tiny_33x17_5f.layout2.decoded.y4m');

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

  it('writes layout 3, whose header selects the cropped synthesis of residuals', async () => {
    const source = await readAll(TINY);
    const bytes = await codec.encode(TINY, { quality: 3, gop: 4 });
    const { header, sections } = readContainer(bytes);
    expect(header.params[0]).toBe(3);
    const frames = (await codec.decode(bytes)).frames;
    frames.forEach((frame, i) => expect(psnrY(frame, source[i]!)).toBeGreaterThan(22));
    // the same sections under a layout-2 header decode, to other residual frames (the I-frames agree)
    const asLayout2 = (await codec.decode(writeContainer({ ...header, params: Uint8Array.of(2, ...header.params.subarray(1)) }, sections))).frames;
    expect(maxDifference(asLayout2[0]!, frames[0]!)).toBe(0);
    expect(maxDifference(asLayout2[4]!, frames[4]!)).toBe(0);
    expect(asLayout2.slice(1, 4).some((frame, i) => maxDifference(frame, frames[i + 1]!) > 0)).toBe(true);
  });
});
