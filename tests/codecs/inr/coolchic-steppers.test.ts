/**
 * The two Cool-chic fitting engines (codecs/inr/coolchic-steppers.ts) compute the same step: the
 * native fitter (native/src/coolchic_fit.h, the CPU default) against the exported `fitStep` graph,
 * whose gradients coolchic-gradients.test.ts checks against finite differences. Random parameters
 * (every ReLU, Laplace branch and residual in use), odd sizes (the upsampling crops), three steps
 * with fresh noise, then one with hard rounding. Also: the native fitter's argument checks.
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEVELS, NETWORK, NETWORK_SHAPES, levelSizes, sizeOf } from '../../../codecs/inr/coolchic-model.js';
import { roundLatent } from '../../../codecs/inr/coolchic-fit.js';
import { GraphCoolChicStepper, NativeCoolChicStepper, type CoolChicStart } from '../../../codecs/inr/coolchic-steppers.js';
import { parseManifest, type CoolChicSpec } from '../../../codecs/inr/manifest.js';
import { resolveModel } from '../../../src/model/store.js';
import { loadNative } from '../../../src/native.js';
import { mulberry32 } from '../../../src/prng.js';

const model = resolveModel('inr', 'coolchic-v1', 'coolchic-v1');
let spec: CoolChicSpec;
let session: ort.InferenceSession;

beforeAll(async () => {
  spec = parseManifest(model.manifest).coolchic!;
  session = await ort.InferenceSession.create(path.join(model.dir, spec.fitStep.file), { executionProviders: ['cpu'], intraOpNumThreads: 1 });
});
afterAll(async () => { await session?.release(); });

const H = 37, W = 53;

function start(seed: number): CoolChicStart {
  const rnd = mulberry32(seed);
  const network = new Map(NETWORK.map((name) => [name, Float32Array.from({ length: sizeOf(NETWORK_SHAPES.get(name)!) }, () => (rnd() * 2 - 1) * 0.3)]));
  return { target: Float32Array.from({ length: 3 * H * W }, () => rnd()), height: H, width: W, network, lambda: 0.01 };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('Cool-chic fitting steps', () => {
  it('native and graph steps give the same losses and parameters', async () => {
    const s = start(3);
    using native = new NativeCoolChicStepper(s, 2);
    using graph = new GraphCoolChicStepper(session, spec.fitStep, ort.Tensor, s);
    const rnd = mulberry32(11);
    for (let t = 1; t <= 4; t++) {
      const proxy = { seed: Math.floor(rnd() * 2 ** 32), hard: t === 4 };
      const a = await native.step(proxy, 0.01, 0.001, t);
      const b = await graph.step(proxy, 0.01, 0.001, t);
      expect(a.mse).toBeCloseTo(b.mse, 6);
      expect(Math.abs(a.bits - b.bits)).toBeLessThan(1e-5 * b.bits);
      const [la, lb] = [native.latents(), graph.latents()];
      for (let l = 0; l < LEVELS; l++) expect(maxDiff(la[l]!, lb[l]!), `y${l} after step ${t}`).toBeLessThan(2e-5);
      const [na, nb] = [native.network(), graph.network()];
      for (const name of NETWORK) expect(maxDiff(na.get(name)!, nb.get(name)!), `${name} after step ${t}`).toBeLessThan(2e-6);
    }
  });

  it('draws the quantization proxy as src/prng.ts does, and rounds ties to even', () => {
    const { CoolChicFitter } = loadNative();
    const count = levelSizes(H, W).reduce((n, [h, w]) => n + h * w, 0) + NETWORK.reduce((n, k) => n + sizeOf(NETWORK_SHAPES.get(k)!), 0);
    const latents = count - NETWORK.reduce((n, k) => n + sizeOf(NETWORK_SHAPES.get(k)!), 0);
    const params = new Float32Array(count);
    const values = [0.5, 1.5, -0.5, -2.5, 0.49, 2.51, -1.2];
    values.forEach((v, i) => { params[i] = v; });
    const fitter = new CoolChicFitter(H, W, params, new Float32Array(3 * H * W), 1);
    const out = new Float32Array(latents);
    fitter.proxy(123456789, false, out);
    const draw = mulberry32(123456789);
    expect(Array.from(out.subarray(0, 1000))).toEqual(Array.from(Float32Array.from({ length: 1000 }, () => draw() - 0.5)));
    fitter.proxy(0, true, out);
    expect(Array.from(out.subarray(0, values.length))).toEqual(values.map((v) => Math.fround(roundLatent(Math.fround(v)) - Math.fround(v))));
    fitter.dispose();
  });

  it('refuses bad sizes, parameters and step arguments, runs one step at a time, and disposes after a running step', async () => {
    const { CoolChicFitter } = loadNative();
    const count = levelSizes(H, W).reduce((n, [h, w]) => n + h * w, 0) + NETWORK.reduce((n, k) => n + sizeOf(NETWORK_SHAPES.get(k)!), 0);
    const target = new Float32Array(3 * H * W);
    expect(() => new CoolChicFitter(0, W, new Float32Array(count), target, 1)).toThrow(RangeError);
    expect(() => new CoolChicFitter(H, W, new Float32Array(count - 1), target, 1)).toThrow(/parameters for params/);
    expect(() => new CoolChicFitter(H, W, new Float32Array(count), new Float32Array(H * W), 1)).toThrow(/target/);
    const bad = new Float32Array(count);
    bad[5] = NaN;
    expect(() => new CoolChicFitter(H, W, bad, target, 1)).toThrow(/finite number for params\[5\]/);
    const fitter = new CoolChicFitter(H, W, new Float32Array(count), target, 2);
    const latents = count - NETWORK.reduce((n, k) => n + sizeOf(NETWORK_SHAPES.get(k)!), 0);
    expect(() => fitter.step(1, false, 0.01, 0.01, 0.001, 0)).toThrow(RangeError);
    await expect(fitter.step(1, false, -1, 0.01, 0.001, 1)).rejects.toThrow(/lambda/);
    const running = fitter.step(1, false, 0.01, 0.01, 0.001, 1);
    expect(() => fitter.step(2, false, 0.01, 0.01, 0.001, 2)).toThrow(/running a step/);
    expect(() => fitter.params(new Float32Array(count))).toThrow(/running a step/);
    const [mse, bits] = await running;
    expect(mse).toBeCloseTo(0.25, 6); // zero network: the image is 0.5 everywhere against a black target
    expect(bits).toBeGreaterThan(0);
    expect(() => fitter.proxy(1, false, new Float32Array(latents - 1))).toThrow(/out/);
    const last = fitter.step(3, true, 0.01, 0.01, 0.001, 2);
    fitter.dispose();
    expect((await last).every(Number.isFinite)).toBe(true);
    expect(() => fitter.params(new Float32Array(count))).toThrow(/disposed/);
    expect(() => fitter.step(4, false, 0.01, 0.01, 0.001, 3)).toThrow(/disposed/);
  });
});
