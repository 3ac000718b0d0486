/**
 * The video model (models/video/cond-msh-wf): its integer inter network reproduces the manifest's
 * parity vector on this machine, a changed parity vector or weight is noticed, and the model refuses
 * an image model other than the one it was trained on.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openVideo, parseManifest } from '../../../codecs/video/index.js';
import { InterModel } from '../../../codecs/video/inter-model.js';
import { ResidualPrior } from '../../../codecs/video/residual-prior.js';
import { parseManifest as parseIntraManifest } from '../../../codecs/hyperprior/manifest.js';
import { buildScaleIndexes } from '../../../src/entropy/index.js';
import { Runtime } from '../../../src/runtime/index.js';
import { TINY, root } from './helpers.js';

const MODEL = path.join(root, 'models/video/cond-msh-wf');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ncodec-video-model-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the model in a temp folder (named `cond-msh-wf`), its manifest edited by `edit`. */
function copyModel(name: string, edit: (m: Record<string, any>) => void, weights?: (b: Buffer) => void): string {
  const dir = path.join(tmp, name, 'cond-msh-wf');
  cpSync(MODEL, dir, { recursive: true });
  const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  edit(m);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
  if (weights) {
    const b = readFileSync(path.join(dir, 'inter.bin'));
    weights(b);
    writeFileSync(path.join(dir, 'inter.bin'), b);
  }
  return dir;
}

/**
 * A residual graph of the video model's own (`g_a` or `g_s`, named in the manifest's residual.graphs):
 * the image model's same graph in its place codes the same frames as no such graph, and a broken file
 * lets the I-frame code but fails the first P-frame with ERR_MODEL_NOT_FOUND naming it.
 */
async function expectOwnResidualGraph(name: 'g_a' | 'g_s', spec: { file: string; inputs: string[]; outputs: string[] }): Promise<void> {
  const image = path.join(root, 'models/hyperprior', parseManifest(JSON.parse(readFileSync(path.join(MODEL, 'manifest.json'), 'utf8'))).intra.id, `${name}.onnx`);
  const withGraph = (dir: string) => copyModel(dir, (m) => {
    const { [name]: _, ...rest } = m.residual.graphs;
    m.residual.graphs = { ...rest, [name]: spec };
  });
  const same = withGraph(`residual-${name}-same`);
  cpSync(image, path.join(same, spec.file));
  await using copy = await openVideo({ model: same, threads: 1 });
  const frames = await copy.decode(await copy.encode(TINY, { gop: 3, frames: 3 }));
  const without = copyModel(`residual-${name}-none`, (m) => {
    const { [name]: _, ...rest } = m.residual.graphs;
    m.residual.graphs = rest;
  });
  await using plain = await openVideo({ model: without, threads: 1 });
  expect(frames).toEqual(await plain.decode(await plain.encode(TINY, { gop: 3, frames: 3 })));
  const broken = withGraph(`residual-${name}-broken`);
  writeFileSync(path.join(broken, spec.file), 'not a graph');
  await using codec = await openVideo({ model: broken, threads: 1 });
  await expect(codec.encode(TINY, { gop: 2, frames: 2 })).rejects.toMatchObject({ code: 'ERR_MODEL_NOT_FOUND', message: expect.stringContaining(spec.file) });
}

describe('video model', () => {
  it('computes the parity vector bit for bit (checkParity)', async () => {
    await using codec = await openVideo({ threads: 1 });
    expect(codec.checkParity()).toBe(true);
  });

  it('predicts the manifest parity through the integer network, and the delta baseline copies the context', () => {
    const manifest = parseManifest(JSON.parse(readFileSync(path.join(MODEL, 'manifest.json'), 'utf8')));
    const p = manifest.parity;
    const inter = new InterModel(manifest, MODEL);
    const learned = inter.predict(p.ctx16, p.height, p.width, p.level - 1, 'learned', p.ctx16b);
    expect([...learned.mu16]).toEqual([...p.mu16]);
    expect([...learned.index]).toEqual([...p.index]);
    expect(learned.index.every((i) => i >= 0 && i < manifest.inter.tableSize)).toBe(true);
    const delta = inter.predict(p.ctx16, p.height, p.width, p.level - 1, 'delta');
    const max = manifest.inter.activationMax;
    expect([...delta.mu16]).toEqual([...p.ctx16].map((v) => Math.max(-max, Math.min(max, v))));
    const plane = p.height * p.width;
    const tables = manifest.staticTables[p.level - 1]!;
    expect([...delta.index]).toEqual([...p.ctx16].map((_, i) => tables[Math.floor(i / plane)]));
  });

  it('is a two-frame model: the latent before the previous one changes the prediction', () => {
    const manifest = parseManifest(JSON.parse(readFileSync(path.join(MODEL, 'manifest.json'), 'utf8')));
    expect(manifest.inter.frames).toBe(2);
    const p = manifest.parity;
    const inter = new InterModel(manifest, MODEL);
    const one = inter.predict(p.ctx16, p.height, p.width, p.level - 1, 'learned');
    const same = inter.predict(p.ctx16, p.height, p.width, p.level - 1, 'learned', p.ctx16);
    expect([...one.mu16]).toEqual([...same.mu16]); // a GOP's first P-frame: ŷ_{t−1} stands in for ŷ_{t−2}
    const two = inter.predict(p.ctx16, p.height, p.width, p.level - 1, 'learned', p.ctx16b);
    expect([...two.mu16]).not.toEqual([...one.mu16]);
  });

  it('rescales each layer with its own shift, and refuses a shift outside 1..40', () => {
    const raw = JSON.parse(readFileSync(path.join(MODEL, 'manifest.json'), 'utf8'));
    const manifest = parseManifest(raw);
    expect(manifest.inter.layers.map((l) => l.shift)).toEqual(raw.inter.layers.map((l: { shift: number }) => l.shift));
    expect(manifest.inter.layers.every((l) => l.shift! > raw.inter.shift)).toBe(true); // 23-bit multipliers need more than 16
    const p = manifest.parity;
    // without their own shifts the layers would fall back to the network's single one and compute something else
    const fallback = parseManifest({ ...raw, inter: { ...raw.inter, layers: raw.inter.layers.map(({ shift: _s, ...l }: Record<string, unknown>) => l) } });
    const other = new InterModel(fallback, MODEL).predict(p.ctx16, p.height, p.width, p.level - 1, 'learned', p.ctx16b);
    expect([...other.mu16]).not.toEqual([...p.mu16]);
    for (const bad of [0, 41, 2.5]) {
      const layers = raw.inter.layers.map((l: object, i: number) => (i === 2 ? { ...l, shift: bad } : l));
      expect(() => parseManifest({ ...raw, inter: { ...raw.inter, layers } })).toThrow(expect.objectContaining({
        code: 'ERR_MODEL_INVALID', message: expect.stringContaining('inter.layers[2].shift'),
      }));
    }
  });

  it('notices a parity vector or a weight that does not match', async () => {
    {
      await using codec = await openVideo({ model: copyModel('parity', (m) => { m.parity.mu16[0] += 1; }), threads: 1 });
      expect(codec.checkParity()).toBe(false);
    }
    {
      await using codec = await openVideo({ model: copyModel('weights', () => {}, (b) => { for (let i = 0; i < b.length; i += 97) b[i] = b[i] === 1 ? 2 : 1; }), threads: 1 });
      expect(codec.checkParity()).toBe(false);
    }
  });

  it('refuses to open over an image model with other weights than it was trained on', async () => {
    const dir = copyModel('intra', (m) => { m.intra.hash = '0'.repeat(64); });
    await expect(openVideo({ model: dir })).rejects.toMatchObject({
      code: 'ERR_MODEL_INVALID', message: expect.stringMatching(/hyperprior\/msh-wf-cpu.*retrain the inter model/),
    });
  });

  it('rejects a manifest with a bad field, naming it', () => {
    const raw = JSON.parse(readFileSync(path.join(MODEL, 'manifest.json'), 'utf8'));
    expect(() => parseManifest({ ...raw, family: 'image' })).toThrow(expect.objectContaining({ code: 'ERR_MODEL_INVALID', message: expect.stringContaining('family') }));
    expect(() => parseManifest({ ...raw, intra: { ...raw.intra, hash: 'abc' } })).toThrow(/intra\.hash/);
    expect(() => parseManifest({ ...raw, inter: { ...raw.inter, layers: raw.inter.layers.slice(0, 2) } })).toThrow(/inter\.layers/);
    expect(() => parseManifest({ ...raw, parity: { ...raw.parity, mu16: raw.parity.mu16.slice(1) } })).toThrow(/parity\.mu16/);
    expect(raw.residual).toBeDefined();
    const residual = raw.residual;
    expect(parseManifest(raw).residual?.levels).toHaveLength(raw.inter.levels);
    expect(() => parseManifest({ ...raw, residual: { ...residual, kind: 'flow' } })).toThrow(/residual\.kind/);
    expect(() => parseManifest({ ...raw, residual: { ...residual, levels: residual.levels.slice(1) } })).toThrow(/residual\.levels/);
    expect(() => parseManifest({ ...raw, residual: { ...residual, zMedians: residual.zMedians.slice(1) } })).toThrow(/residual\.zMedians/);
    expect(() => parseManifest({ ...raw, residual: { ...residual, graphs: { h_a: residual.graphs.h_a } } })).toThrow(/residual\.graphs\.h_s/);
    const badGain = residual.levels.map((l: Record<string, number[]>, i: number) => (i === 2 ? { ...l, hyperGain: l.hyperGain!.slice(1) } : l));
    expect(() => parseManifest({ ...raw, residual: { ...residual, levels: badGain } })).toThrow(/residual\.levels\[2\]/);
    // the encoder's own residual g_a is optional; when present it has the image g_a's interface
    const gA = { file: 'residual_g_a.onnx', inputs: ['x', 'gain'], outputs: ['y'] };
    const { g_a: _, ...priorOnly } = residual.graphs;
    expect(parseManifest({ ...raw, residual: { ...residual, graphs: priorOnly } }).residual?.graphs.gA).toBeUndefined();
    expect(parseManifest({ ...raw, residual: { ...residual, graphs: { ...priorOnly, g_a: gA } } }).residual?.graphs.gA).toEqual(gA);
    expect(() => parseManifest({ ...raw, residual: { ...residual, graphs: { ...priorOnly, g_a: { ...gA, inputs: ['x'] } } } })).toThrow(/residual\.graphs\.g_a\.inputs/);
  });

  it("runs the residual prior's h_s as the export computed it (manifest parity: table indices and means)", async () => {
    const raw = JSON.parse(readFileSync(path.join(MODEL, 'manifest.json'), 'utf8'));
    const manifest = parseManifest(raw);
    const intra = parseIntraManifest(JSON.parse(readFileSync(path.join(root, 'models/hyperprior', manifest.intra.id, 'manifest.json'), 'utf8')));
    const p = raw.residual.parity as { level: number; height: number; width: number; zHat: number[]; scaleIndex: number[]; means: number[] };
    await using runtime = await Runtime.create({ threads: 1 });
    const prior = new ResidualPrior(runtime, manifest.residual!, MODEL, intra.yChannels);
    const zHat = { channels: manifest.residual!.zChannels, height: p.height, width: p.width, data: Float32Array.from(p.zHat) };
    const { scales, means } = await prior.hS(zHat, p.level - 1);
    const index = buildScaleIndexes(scales.data, intra.scaleTable);
    let same = 0;
    for (let i = 0; i < index.length; i++) {
      if (index[i] === p.scaleIndex[i]) same++;
      expect(Math.abs(index[i]! - p.scaleIndex[i]!)).toBeLessThanOrEqual(1); // a float boundary at most
      expect(Math.abs(means.data[i]! - p.means[i]!)).toBeLessThan(2e-3);
    }
    expect(same / index.length).toBeGreaterThan(0.99);
  });

  it('refuses a residual prior whose graph file is missing or not a graph, naming it', async () => {
    const missing = copyModel('residual-missing', () => {});
    rmSync(path.join(missing, 'residual_h_a.onnx'));
    await expect(openVideo({ model: missing })).rejects.toMatchObject({ code: 'ERR_MODEL_NOT_FOUND', message: expect.stringContaining('residual_h_a.onnx') });
    const broken = copyModel('residual-broken', () => {});
    writeFileSync(path.join(broken, 'residual_h_s.onnx'), 'not a graph');
    await using codec = await openVideo({ model: broken, threads: 1 });
    // the I-frame codes without the residual prior; the first P-frame needs it
    await expect(codec.encode(TINY, { gop: 2, frames: 2 })).rejects.toMatchObject({ code: 'ERR_MODEL_NOT_FOUND', message: expect.stringContaining('residual_h_s.onnx') });
  });

  it("encodes residuals with the video model's own g_a when its manifest names one", async () => {
    // the image model's own g_a as the residual g_a: the same latents, so the same frames; a broken one:
    // the I-frame codes without it, the first P-frame names it
    await expectOwnResidualGraph('g_a', { file: 'residual_g_a.onnx', inputs: ['x', 'gain'], outputs: ['y'] });
  });

  it("synthesises residuals with the video model's own g_s when its manifest names one", async () => {
    const gS = { file: 'residual_g_s.onnx', inputs: ['y_hat', 'inv_gain'], outputs: ['x_hat'] };
    // the manifest field: optional, with the image g_s's interface
    const raw = JSON.parse(readFileSync(path.join(MODEL, 'manifest.json'), 'utf8'));
    const { g_s: _, ...noGs } = raw.residual.graphs;
    expect(parseManifest({ ...raw, residual: { ...raw.residual, graphs: noGs } }).residual?.graphs.gS).toBeUndefined();
    expect(parseManifest({ ...raw, residual: { ...raw.residual, graphs: { ...noGs, g_s: gS } } }).residual?.graphs.gS).toEqual(gS);
    expect(() => parseManifest({ ...raw, residual: { ...raw.residual, graphs: { ...noGs, g_s: { ...gS, outputs: [] } } } })).toThrow(/residual\.graphs\.g_s\.outputs/);
    // the image model's own g_s as the residual g_s: the same frames as without one; a broken one: the
    // I-frame codes without it, the first P-frame (its reconstruction) names it
    await expectOwnResidualGraph('g_s', gS);
  });
});
