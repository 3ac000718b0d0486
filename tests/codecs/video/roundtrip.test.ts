/**
 * Round trip of the tiny fixture (33×17: odd, padded to the image model's factor and cropped back)
 * through `openCodec('video')` at GOP 1, 2 and the model's default: frame count, size, format, PSNR-Y,
 * deterministic bytes, `decode` = `decodeFrames`, and `--gop 1` coding each frame exactly as the
 * I-frames of a longer GOP are coded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoCodec } from '../../../codecs/video/index.js';
import { decode as decodeAny, openCodec } from '../../../src/api/registry.js';
import type { YuvFrame } from '../../../src/api/types.js';
import { parseSection } from '../../../codecs/video/bitstream.js';
import { readContainer } from '../../../src/container/index.js';
import { TINY, collect, openShipped, psnrY, readAll, sameFrame } from './helpers.js';

let codec: VideoCodec;
let source: YuvFrame[];
const coded = new Map<string, Uint8Array>();

beforeAll(async () => {
  codec = await openCodec('video', { threads: 1 }) as VideoCodec;
  source = await readAll(TINY);
  for (const gop of [1, 2, undefined]) coded.set(String(gop), await codec.encode(TINY, gop === undefined ? {} : { gop }));
});
afterAll(async () => { await codec?.dispose(); });

describe('video round trip', () => {
  it('opens through the registry with the shipped model', () => {
    expect(codec.info).toMatchObject({ id: 'video', media: ['video'], modelId: 'cond-msh-wf' });
    expect(codec.info.qualities).toContain(codec.info.defaultQuality);
  });

  for (const gop of ['1', '2', 'undefined']) {
    it(`decodes 5 frames of 33×17 at GOP ${gop} with PSNR-Y above 20 dB`, async () => {
      const bytes = coded.get(gop)!;
      const back = await codec.decode(bytes);
      expect(back.kind).toBe('video');
      expect(back.format).toEqual({ width: 33, height: 17, fps: { num: 25, den: 1 }, colour: { matrix: 'bt601', range: 'limited' }, frameCount: 5 });
      expect(back.audio).toBeUndefined();
      expect(back.frames).toHaveLength(5);
      for (const [i, f] of back.frames.entries()) {
        expect([f.width, f.height, f.y.length, f.u.length, f.v.length]).toEqual([33, 17, 33 * 17, 17 * 9, 17 * 9]);
        // Measured with cond-msh-wf at its default quality (4): 24.5–24.8 dB on this busy 33×17 pattern (about 22 at
        // quality 1); a wrong crop, padding or colour conversion gives far less.
        expect(psnrY(source[i]!, f), `frame ${i}`).toBeGreaterThan(20);
      }
    });
  }

  it('writes the sections the layout promises: I every GOP frames, P between, the index last', () => {
    const kinds = (gop: string) => readContainer(coded.get(gop)!).sections.map((s) => s[0]);
    expect(kinds('1')).toEqual([1, 1, 1, 1, 1, 5]);
    expect(kinds('2')).toEqual([1, 6, 1, 6, 1, 5]); // P-frames: motion-compensated (the default inter mode)
    expect(kinds('undefined')).toEqual([1, 6, 6, 6, 6, 5]); // the default GOP (32) holds the whole clip
    const { header } = readContainer(coded.get('2')!);
    expect(header).toMatchObject({
      codecId: 'video', modelId: 'cond-msh-wf', rate: { kind: 'quality', value: codec.info.defaultQuality },
      media: { kind: 'video', width: 33, height: 17, fpsNum: 25, fpsDen: 1, frames: 5, matrix: 'bt601', range: 'limited' },
    });
    expect(header.modelHash).toHaveLength(32);
  });

  it('gives the same bytes on a second encode and from a second codec', async () => {
    expect(Buffer.from(await codec.encode(TINY, { gop: 2 })).equals(Buffer.from(coded.get('2')!))).toBe(true);
    await using other = await openShipped();
    expect(Buffer.from(await other.encode(TINY, { gop: 2 })).equals(Buffer.from(coded.get('2')!))).toBe(true);
  });

  it('decode() equals decodeFrames() and the top-level decode()', async () => {
    const bytes = coded.get('2')!;
    const whole = await codec.decode(bytes);
    const { frames, error } = await collect(codec.decodeFrames(bytes));
    expect(error).toBeUndefined();
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
    frames.forEach((f, i) => expect(sameFrame(f.frame, whole.frames[i]!), `frame ${i}`).toBe(true));
    const top = await decodeAny(bytes, { threads: 1 });
    expect(top.kind).toBe('video');
    if (top.kind === 'video') top.frames.forEach((f, i) => expect(sameFrame(f, whole.frames[i]!), `frame ${i}`).toBe(true));
  });

  it('codes every frame of --gop 1 exactly as the I-frames of a longer GOP (same intra model and settings)', async () => {
    const intra = readContainer(coded.get('1')!).sections;
    const gop2 = readContainer(coded.get('2')!).sections;
    const long = readContainer(coded.get('undefined')!).sections;
    for (const i of [0, 2, 4]) expect(Buffer.from(gop2[i]!).equals(Buffer.from(intra[i]!)), `frame ${i}`).toBe(true);
    expect(Buffer.from(long[0]!).equals(Buffer.from(intra[0]!))).toBe(true);
    const [a, b] = await Promise.all([codec.decode(coded.get('1')!), codec.decode(coded.get('2')!)]);
    for (const i of [0, 2, 4]) expect(sameFrame(a.frames[i]!, b.frames[i]!), `frame ${i}`).toBe(true);
  });

  it('codes P-frames in fewer bytes than the I-frames they follow', () => {
    const s = readContainer(coded.get('undefined')!).sections;
    for (const p of [1, 2, 3, 4]) expect(s[p]!.length).toBeLessThan(s[0]!.length);
  });

  it('stops after options.frames and honours the quality option', async () => {
    const three = await codec.encode(TINY, { gop: 2, frames: 3 });
    expect(readContainer(three).header.media).toMatchObject({ frames: 3 });
    expect((await codec.decode(three)).frames).toHaveLength(3);
    const low = await codec.encode(TINY, { gop: 2, frames: 3, quality: codec.info.qualities[0]! });
    expect(readContainer(low).header.rate).toEqual({ kind: 'quality', value: codec.info.qualities[0] });
    expect(low.length).toBeLessThan(three.length);
    await expect(codec.encode(TINY, { quality: 99 })).rejects.toThrow(RangeError);
    await expect(codec.encode(TINY, { gop: 0 })).rejects.toThrow(RangeError);
  });

  it('codes P-frames with the static-table baseline (inter: delta) and decodes them', async () => {
    const delta = await codec.encode(TINY, { gop: 5, inter: 'delta' });
    expect(readContainer(delta).header.params[5]).toBe(2);
    const back = await codec.decode(delta);
    back.frames.forEach((f, i) => expect(psnrY(source[i]!, f)).toBeGreaterThan(20));
    await expect(codec.encode(TINY, { inter: 'bogus' as never })).rejects.toThrow(TypeError);
  });

  it('codes P-frames with the learned latent inter model (inter: learned) and decodes them', async () => {
    const learned = await codec.encode(TINY, { gop: 5, inter: 'learned' });
    const { header, sections } = readContainer(learned);
    expect(header.params[5]).toBe(1);
    expect(sections.map((s) => s[0])).toEqual([1, 2, 2, 2, 2, 5]);
    const back = await codec.decode(learned);
    back.frames.forEach((f, i) => expect(psnrY(source[i]!, f)).toBeGreaterThan(20));
  });

  it('codes motion-compensated P-frames (the default) as motion, masked z and y streams, decoded onto the prediction', async () => {
    const motion = await codec.encode(TINY, { gop: 5, inter: 'motion' });
    const { header, sections } = readContainer(motion);
    readContainer(coded.get('undefined')!).sections.forEach((s, i) => expect(Buffer.from(s).equals(Buffer.from(sections[i]!)), `section ${i}`).toBe(true));
    expect(header.params[5]).toBe(3);
    const p = parseSection(sections[1]!, 'section 1');
    expect(p).toMatchObject({ kind: 'M', frame: 1 });
    // the mask of the residual prior's 48 z channels comes first, unless every block is skipped (no residual)
    if (p.kind === 'M') expect(p.z.length === 0 || p.z.length >= 6, `z of ${p.z.length} bytes`).toBe(true);
    // residual levels [1, 3, 3, 3] below the I-frame's in turn (7, 5, 5, 5 at the top quality), or one
    // level either side where that codes the frame at a lower λ-weighted cost
    const qualities = codec.info.qualities;
    const top = qualities[qualities.length - 1]!;
    const best = readContainer(await codec.encode(TINY, { gop: 5, quality: top })).sections.slice(1, 5).map((s, i) => parseSection(s, `section ${i + 1}`));
    expect(best.some((m) => m.kind === 'M' && m.z.length >= 6 && m.y.length > 0)).toBe(true);
    const levels = best.map((m) => (m.kind === 'M' ? m.quality : -1));
    const pattern = [1, 3, 3, 3].map((o) => qualities[qualities.length - 1 - o]!);
    levels.forEach((q, i) => expect(Math.abs(q - pattern[i]!), `P-frame ${i + 1} at quality ${q}`).toBeLessThanOrEqual(1));
    // the P-frames are better than the I-frame of their GOP would be alone: PSNR stays near the I-frame's
    const back = await codec.decode(motion);
    const first = psnrY(source[0]!, back.frames[0]!);
    back.frames.forEach((f, i) => expect(psnrY(source[i]!, f), `frame ${i}`).toBeGreaterThan(first - 3));
  });
});
