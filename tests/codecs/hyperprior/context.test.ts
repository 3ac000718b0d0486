/**
 * The checkerboard context of the shipped hyperprior model (codecs/hyperprior/checkerboard.ts): the
 * anchor split, the integer network against the manifest's parity sample (computed by the Python
 * reference, models/train/hyperprior/context.py), a round trip through the two-pass y coding, and
 * damaged context weights or a missing non-anchor stream.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { anchorPlane, CheckerboardContext, gather, scatter } from '../../../codecs/hyperprior/checkerboard.js';
import { openHyperprior, parseManifest } from '../../../codecs/hyperprior/index.js';
import { readContainer, writeContainer } from '../../../src/container/format.js';
import { CodecError } from '../../../src/errors.js';
import { colourPsnr, image, loadImage, root } from './helpers.js';

const MODEL = path.join(root, 'models/hyperprior/msh-wf-cpu');
const manifest = parseManifest(JSON.parse(readFileSync(path.join(MODEL, 'manifest.json'), 'utf8')));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ncodec-context-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('checkerboard split', () => {
  it('marks (row + column) even as anchors and gathers/scatters channel by channel', () => {
    expect([...anchorPlane(2, 3)]).toEqual([1, 0, 1, 0, 1, 0]);
    const values = Int32Array.from({ length: 12 }, (_, i) => i); // 2 channels × 2×3
    const plane = anchorPlane(2, 3);
    expect([...gather(values, plane, 1)]).toEqual([0, 2, 4, 6, 8, 10]);
    expect([...gather(values, plane, 0)]).toEqual([1, 3, 5, 7, 9, 11]);
    const back = new Int32Array(12);
    scatter(back, plane, 1, gather(values, plane, 1));
    scatter(back, plane, 0, gather(values, plane, 0));
    expect([...back]).toEqual([...values]);
  });
});

describe('hyperprior checkerboard context (msh-wf-cpu)', () => {
  it('is part of the shipped model', () => {
    expect(manifest.context).toBeDefined();
  });

  it('reproduces the parity sample of the Python reference bit for bit', () => {
    const spec = manifest.context!;
    const { height, width, v, mu16, index, delta16, indexOut } = spec.parity;
    const context = new CheckerboardContext(spec, MODEL);
    const out = context.refine(v, Float32Array.from(mu16, (m) => m / 16), index, height, width);
    expect([...out.delta16]).toEqual([...delta16]);
    expect([...out.index]).toEqual([...indexOut]);
    expect(out.index.every((k) => k >= 0 && k < spec.tableSize)).toBe(true);
  });

  it('codes y as anchors and non-anchors (three sections per tile) and decodes them back', async () => {
    await using codec = await openHyperprior({ threads: 1 });
    const bytes = await codec.encode(image('scene-128x96.png'), { quality: 4 });
    const { sections } = readContainer(bytes);
    expect(sections.length).toBe(3);
    expect(sections.every((s) => s.length > 0)).toBe(true);
    const back = await codec.decode(bytes);
    expect(back).toMatchObject({ kind: 'image', width: 128, height: 96, channels: 3 });
    expect(colourPsnr(await loadImage(image('scene-128x96.png')), back)).toBeGreaterThan(27);
    expect(codec.lastTimings.context).toBeGreaterThan(0);
  });

  it('refuses a file whose tile lacks the non-anchor stream', async () => {
    await using codec = await openHyperprior({ threads: 1 });
    const bytes = await codec.encode(image('scene-128x96.png'), { quality: 2 });
    const { header, sections } = readContainer(bytes);
    const cut = writeContainer(header, sections.slice(0, 2));
    await expect(codec.decode(cut)).rejects.toSatisfy((e: unknown) => e instanceof CodecError && /ERR_BITSTREAM/.test(e.code));
  });

  const raw = JSON.parse(readFileSync(path.join(MODEL, 'manifest.json'), 'utf8')) as Record<string, any>;
  const cases: [string, (c: Record<string, any>) => void, string][] = [
    ['kind', (c) => { c.kind = 'autoregressive'; }, "expected 'checkerboard-int' for 'context.kind'"],
    ['layer shape', (c) => { c.layers[0].inChannels = 48; }, "'context.layers[0].inChannels'"],
    ['multiplier count', (c) => { c.layers[2].mult.pop(); }, "'context.layers[2].mult'"],
    ['parity length', (c) => { c.parity.v.pop(); }, "'context.parity.v'"],
    ['weight file', (c) => { c.file = '../g_s.onnx'; }, "'context.file'"],
  ];
  for (const [what, edit, message] of cases) {
    it(`names a bad context ${what} in the manifest`, () => {
      const m = structuredClone(raw);
      edit(m.context);
      expect(() => parseManifest(m)).toThrow(expect.objectContaining({ code: 'ERR_MODEL_INVALID', message: expect.stringContaining(message) }));
    });
  }

  it('refuses damaged context weights with ERR_MODEL_INVALID', async () => {
    const dir = path.join(tmp, 'damaged', 'msh-wf-cpu');
    cpSync(MODEL, dir, { recursive: true });
    const file = path.join(dir, manifest.context!.file);
    const weights = readFileSync(file);
    weights[0] = 0x80; // −128 is outside the int8 range the exporter writes
    writeFileSync(file, weights);
    await expect(openHyperprior({ model: dir, threads: 1 })).rejects.toMatchObject({ code: 'ERR_MODEL_INVALID' });
    writeFileSync(file, weights.subarray(0, 100));
    await expect(openHyperprior({ model: dir, threads: 1 })).rejects.toMatchObject({ code: 'ERR_MODEL_INVALID' });
  });
});
