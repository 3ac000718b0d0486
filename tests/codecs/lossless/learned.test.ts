import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode, openCodec } from '../../../src/api/registry.js';
import { readContainer, writeContainer } from '../../../src/container/index.js';
import { losslessMlpBits, losslessMlpDecode, losslessMlpEncode } from '../../../src/entropy/index.js';
import { CodecError } from '../../../src/errors.js';
import { loadImage } from '../../../src/media/image.js';
import { TILE } from '../../../codecs/lossless/tiles.js';

const root = path.join(__dirname, '../../..');
const images = path.join(root, 'fixtures/images');
const tinyDir = path.join(root, 'fixtures/models/lossless/tiny-test');
const tiny = new Uint8Array(readFileSync(path.join(tinyDir, 'model.bin')));
const golden = (name: string) => new Uint8Array(readFileSync(path.join(root, 'fixtures/lossless', name)));

/** A photo-like synthetic RGB image: smooth gradients, an edge and mild noise (deterministic). */
function synthetic(width: number, height: number, channels = 3): Uint8Array {
  const data = new Uint8Array(width * height * channels);
  let seed = 12345;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const noise = (seed >>> 28) - 8;
      for (let c = 0; c < channels; c++) {
        const base = x > width / 2 ? 60 + y / 3 : 150 + (x + c * 20) / 4;
        data[(y * width + x) * channels + c] = Math.max(0, Math.min(255, Math.round(base + noise)));
      }
    }
  }
  return data;
}

describe('learned lossless coder (native, integer arithmetic)', () => {
  it('reproduces the golden RGB and gray sections bit for bit and decodes them exactly', async () => {
    const rgb = await loadImage(path.join(images, 'scene-64x48.png'));
    const gray = await loadImage(path.join(images, 'gray-48x32.png'));
    expect(Buffer.from(losslessMlpEncode(tiny, rgb.data as Uint8Array, 64, 48, 3, 1)).equals(golden('scene-64x48.tiny-test.mlp'))).toBe(true);
    expect(Buffer.from(losslessMlpEncode(tiny, gray.data as Uint8Array, 48, 32, 1, 1)).equals(golden('gray-48x32.tiny-test.mlp'))).toBe(true);
    expect(Buffer.from(losslessMlpDecode(tiny, golden('scene-64x48.tiny-test.mlp'), 64, 48, 3)).equals(rgb.data as Uint8Array)).toBe(true);
    expect(Buffer.from(losslessMlpDecode(tiny, golden('gray-48x32.tiny-test.mlp'), 48, 32, 1)).equals(gray.data as Uint8Array)).toBe(true);
  });

  it('gives the same bytes for every thread count, within 0.5 % of its ideal code length', () => {
    const px = synthetic(97, 61);
    const one = losslessMlpEncode(tiny, px, 97, 61, 3, 1);
    for (const threads of [2, 3, 8]) expect(Buffer.from(losslessMlpEncode(tiny, px, 97, 61, 3, threads)).equals(one)).toBe(true);
    const ideal = losslessMlpBits(tiny, px, 97, 61, 3, 2);
    expect(one.length * 8).toBeGreaterThanOrEqual(ideal);
    expect(one.length * 8).toBeLessThan(ideal * 1.005 + 64);
  });

  it('round-trips 1×1, one row, one column and extreme values', () => {
    for (const [w, h] of [[1, 1], [17, 1], [1, 9], [5, 4]] as const) {
      for (const fill of [0, 255, -1]) {
        const px = fill < 0 ? synthetic(w, h) : new Uint8Array(w * h * 3).fill(fill);
        expect([...losslessMlpDecode(tiny, losslessMlpEncode(tiny, px, w, h, 3), w, h, 3)]).toEqual([...px]);
      }
    }
  });

  it('fails with a typed error on truncated or corrupt sections and on a damaged model, never crashes', () => {
    const px = synthetic(40, 30);
    const bytes = losslessMlpEncode(tiny, px, 40, 30, 3);
    for (const cut of [0, 1, 5, bytes.length >> 1, bytes.length - 1]) {
      expect(() => losslessMlpDecode(tiny, bytes.subarray(0, cut), 40, 30, 3)).toThrow(CodecError);
    }
    for (const at of [1, 9, bytes.length >> 1, bytes.length - 3]) {
      const bad = bytes.slice();
      bad[at] = bad[at]! ^ 0x5a;
      let out: Uint8Array | undefined;
      try { out = losslessMlpDecode(tiny, bad, 40, 30, 3); } catch (err) { expect(err).toBeInstanceOf(CodecError); }
      if (out) expect(Buffer.from(out).equals(px)).toBe(false); // a flip the rANS checks missed still decodes to other pixels
    }
    const badModel = tiny.slice(0, tiny.length - 7);
    expect(() => losslessMlpEncode(badModel, px, 40, 30, 3)).toThrow(/lossless model file is malformed/);
    const flipped = tiny.slice();
    flipped[0] = 0;
    expect(() => losslessMlpDecode(flipped, bytes, 40, 30, 3)).toThrow(CodecError);
  });
});

describe('lossless codec, learned mode', () => {
  it('uses the learned model by default and keeps the MED mode behind --model med', async () => {
    await using learned = await openCodec('lossless');
    await using med = await openCodec('lossless', { model: 'med' });
    expect(learned.info.modelId).toBe('mlp-v1');
    expect(med.info.modelId).toBe('med');
    const file = path.join(images, 'scene-256x192.png');
    const a = await learned.encode(file);
    const b = await med.encode(file);
    expect(readContainer(a).header.params[0]).toBe(2);
    expect(readContainer(a).sections[0]![0]).toBe(1); // the tile is coded by the model
    expect(readContainer(b).header.params[0]).toBe(1);
    expect(a.length).toBeLessThan(b.length);
    const source = await loadImage(file);
    const back = await decode(a);
    expect(back.kind === 'image' && Buffer.from(back.data as Uint8Array).equals(source.data as Uint8Array)).toBe(true);
  });

  it('decodes files written by the MED coder before the learned mode existed (golden)', async () => {
    const back = await decode(golden('scene-64x48.med-v1.ncd'));
    const source = await loadImage(path.join(images, 'scene-64x48.png'));
    expect(back.kind === 'image' && Buffer.from(back.data as Uint8Array).equals(source.data as Uint8Array)).toBe(true);
  });

  it('codes tiles, gray + alpha and RGBA bit-exactly, and the same bytes with 1 or 2 threads', async () => {
    await using one = await openCodec('lossless', { model: tinyDir, threads: 1 });
    await using two = await openCodec('lossless', { model: tinyDir, threads: 2 });
    for (const channels of [2, 3, 4] as const) {
      const width = TILE + 9, height = 7;
      const data = synthetic(width, height, channels);
      const bytes = await one.encode({ data, width, height, channels });
      expect(Buffer.from(await two.encode({ data, width, height, channels })).equals(bytes)).toBe(true);
      const { header, sections } = readContainer(bytes);
      if (header.params[0] === 2) expect(sections.length).toBe(2 + (channels === 3 ? 0 : 1));
      const back = await one.decode(bytes);
      expect(back.kind === 'image' && Buffer.from(back.data as Uint8Array).equals(data)).toBe(true);
    }
  });

  it('keeps the smaller of the learned and MED streams per tile', async () => {
    await using codec = await openCodec('lossless', { model: tinyDir, threads: 1 });
    await using med = await openCodec('lossless', { model: 'med' });
    // Flat content: the MED coder's adaptive model wins; the file falls back to the MED layout.
    const flat = { data: new Uint8Array(64 * 64 * 3).fill(200), width: 64, height: 64, channels: 3 as const };
    const a = await codec.encode(flat);
    expect(readContainer(a).header.params[0]).toBe(1);
    expect(a.length).toBe((await med.encode(flat)).length);
  });

  it('names the model a file needs and refuses other weights', async () => {
    await using codec = await openCodec('lossless');
    const bytes = await codec.encode(path.join(images, 'scene-256x192.png'));
    const { header, sections } = readContainer(bytes);
    const forged = writeContainer({ ...header, modelHash: new Uint8Array(32).fill(7) }, sections);
    await expect(codec.decode(forged)).rejects.toMatchObject({ code: 'ERR_MODEL_MISMATCH' });
    const truncated = writeContainer(header, [sections[0]!.subarray(0, sections[0]!.length >> 1)]);
    await expect(codec.decode(truncated)).rejects.toThrow(/tile 1 of 1/);
  });
});
