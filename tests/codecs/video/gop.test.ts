/**
 * The GOP index (the last section of a video stream) and seeking with `decodeFrames({ start })`:
 * decoding starts at the I-frame of the GOP holding `start`, and the frames it delivers are those of a
 * decode from the beginning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSection } from '../../../codecs/video/bitstream.js';
import type { VideoCodec } from '../../../codecs/video/index.js';
import type { YuvFrame } from '../../../src/api/types.js';
import { readContainer, writeContainer } from '../../../src/container/index.js';
import { TINY, collect, openShipped, sameFrame } from './helpers.js';

let codec: VideoCodec;
let bytes: Uint8Array;
let full: YuvFrame[];

beforeAll(async () => {
  codec = await openShipped();
  bytes = await codec.encode(TINY, { gop: 2 });
  full = (await codec.decode(bytes)).frames;
});
afterAll(async () => { await codec?.dispose(); });

describe('GOP index and seeking', () => {
  it('ends the stream with an index of the GOPs at frames 0, 2 and 4 and their sections', () => {
    const { sections } = readContainer(bytes);
    expect(sections).toHaveLength(6);
    expect(parseSection(sections.at(-1)!, 'index')).toEqual({
      kind: 'index', frames: 5, gops: [{ firstFrame: 0, section: 0 }, { firstFrame: 2, section: 2 }, { firstFrame: 4, section: 4 }],
    });
    for (const section of [0, 2, 4]) expect(parseSection(sections[section]!, `section ${section}`).kind).toBe('I');
  });

  it('indexes one GOP per frame at --gop 1 and one for the whole clip at the default GOP', async () => {
    const index = async (gop?: number) => parseSection(readContainer(await codec.encode(TINY, gop ? { gop, frames: 3 } : { frames: 3 })).sections.at(-1)!, 'index');
    expect(await index(1)).toMatchObject({ frames: 3, gops: [0, 1, 2].map((f) => ({ firstFrame: f, section: f })) });
    expect(await index()).toMatchObject({ frames: 3, gops: [{ firstFrame: 0, section: 0 }] });
  });

  for (const start of [1, 2, 3, 4]) {
    it(`starts at frame ${start}: the frames from there on equal those of a full decode`, async () => {
      const { frames, error } = await collect(codec.decodeFrames(bytes, { start }));
      expect(error).toBeUndefined();
      expect(frames.map((f) => f.index)).toEqual([0, 1, 2, 3, 4].slice(start));
      for (const f of frames) expect(sameFrame(f.frame, full[f.index]!), `frame ${f.index}`).toBe(true);
    });
  }

  it('decodes only the GOP holding the start (a broken earlier GOP does not matter)', async () => {
    const { header, sections } = readContainer(bytes);
    const broken = sections.map((s, i) => (i === 0 || i === 1 ? s.subarray(0, 1) : s));
    const forged = writeContainer(header, broken);
    const { frames, error } = await collect(codec.decodeFrames(forged, { start: 3 }));
    expect(error).toBeUndefined();
    expect(frames.map((f) => f.index)).toEqual([3, 4]);
    for (const f of frames) expect(sameFrame(f.frame, full[f.index]!)).toBe(true);
    expect((await collect(codec.decodeFrames(forged))).error?.code).toBe('ERR_BITSTREAM_TRUNCATED');
  });

  it('stops after maxFrames', async () => {
    const { frames } = await collect(codec.decodeFrames(bytes, { start: 1, maxFrames: 2 }));
    expect(frames.map((f) => f.index)).toEqual([1, 2]);
    expect(sameFrame(frames[1]!.frame, full[2]!)).toBe(true);
  });

  it('refuses a start beyond the last frame, or not a frame number, with a RangeError', async () => {
    await expect(collect(codec.decodeFrames(bytes, { start: 5 }))).rejects.toThrow(RangeError);
    await expect(collect(codec.decodeFrames(bytes, { start: 5 }))).rejects.toThrow(/options\.start/);
    await expect(collect(codec.decodeFrames(bytes, { start: -1 }))).rejects.toThrow(RangeError);
    await expect(collect(codec.decodeFrames(bytes, { start: 1.5 }))).rejects.toThrow(/options\.start/);
    await expect(collect(codec.decodeFrames(bytes, { maxFrames: 0 }))).rejects.toThrow(/options\.maxFrames/);
  });

  it('cannot seek without the index, and names an index that points nowhere', async () => {
    const { header, sections } = readContainer(bytes);
    const noIndex = writeContainer(header, sections.slice(0, -1));
    const { error: err } = await collect(codec.decodeFrames(noIndex, { start: 3 }));
    expect(err).toMatchObject({ code: 'ERR_BITSTREAM_CORRUPT', message: expect.stringContaining('GOP index') });
    // Pointing the GOP of frame 2 at a P-frame section.
    const index = new Uint8Array(sections.at(-1)!); // a copy (Buffer.slice would be a view)
    new DataView(index.buffer).setUint32(1 + 4 + 4 + 8 + 4, 3, true);
    const { frames, error: bad } = await collect(codec.decodeFrames(writeContainer(header, [...sections.slice(0, -1), index]), { start: 3 }));
    expect(frames).toEqual([]);
    expect(bad).toMatchObject({ code: 'ERR_BITSTREAM_CORRUPT', message: expect.stringMatching(/frame 3 \(section 3\).*P-frame without a preceding I-frame/) });
  });
});
