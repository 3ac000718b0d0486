/**
 * The exported Cool-chic `fitStep` graph (models/inr/coolchic-v1, models/train/inr/coolchic.py) against
 * central finite differences of its own loss, mse + λ·bits/(H·W): its hand-written backward pass must be
 * the gradient of the rate and distortion it reports. As for SIREN (gradients.test.ts), gradients are
 * read from the first Adam moment after one step from m = 0 (m = (1 − β₁) g) and the loss at perturbed
 * parameters from the `mse` and `bits` outputs of a step with t = 1 and learning rates 0, with fixed
 * noise. An 11×9 image in float32.
 *
 * The point is chosen so that the loss is smooth where it is probed: latents and networks moved off
 * their initial values (every ReLU and branch is used), the ARM's log-scale bias at 1 with a small
 * output layer, so every Laplace scale b = exp(s) stays near e (s in about [0.4, 1.7], far inside the
 * clamp [−4, 3.5]; the rate's curvature at |q − μ| = 0.5 is then mild). What cannot be avoided are the
 * ReLU kinks that a perturbation of a tensor used at every pixel (the finest upsampling kernels, the
 * 1×1 latents of the coarsest levels, the ARM's first layer) crosses; those tensors are checked with a
 * looser bound, the others tightly.
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATENTS, LEVELS, NETWORK, NETWORK_SHAPES, PARAMS, initialNetwork, levelSizes } from '../../../codecs/inr/coolchic-model.js';
import { parseManifest, type CoolChicSpec } from '../../../codecs/inr/manifest.js';
import { resolveModel } from '../../../src/model/store.js';
import { mulberry32 } from '../../../src/prng.js';

const model = resolveModel('inr', 'coolchic-v1', 'coolchic-v1');
let spec: CoolChicSpec;
let beta1: number;
let adamEps: number;
let session: ort.InferenceSession;

beforeAll(async () => {
  spec = parseManifest(model.manifest).coolchic!;
  const adam = (model.manifest as { adam?: { beta1?: number; eps?: number } }).adam;
  beta1 = adam?.beta1 ?? 0.9;
  adamEps = adam?.eps ?? 1e-8;
  session = await ort.InferenceSession.create(path.join(model.dir, spec.fitStep.file), { executionProviders: ['cpu'], intraOpNumThreads: 1 });
});
afterAll(async () => { await session?.release(); });

const H = 9, W = 11, LAMBDA = 0.02, EPS = 1e-3;
const sizes = levelSizes(H, W);
const prng = mulberry32(7);
const symmetric = (span: number) => (prng() * 2 - 1) * span;
const initial = initialNetwork(prng);
const params = new Map<string, Float32Array>();
LATENTS.forEach((name, l) => params.set(name, Float32Array.from({ length: sizes[l]![0] * sizes[l]![1] }, () => symmetric(2))));
for (const name of NETWORK) params.set(name, Float32Array.from(initial.get(name)!, (v) => v + symmetric(name === 'aw2' ? 0.1 : 0.3)));
params.get('ab2')![1] = 1;
const noise = sizes.map(([h, w]) => Float32Array.from({ length: h * w }, () => prng() - 0.5));
const target = Float32Array.from({ length: 3 * H * W }, () => prng());

function dims(name: string): number[] {
  const l = LATENTS.indexOf(name);
  return l >= 0 ? [1, 1, ...sizes[l]!] : [...NETWORK_SHAPES.get(name)!];
}

/** One fitStep from m = v = 0 at t = 1; returns the graph's outputs by name. */
async function step(ps: ReadonlyMap<string, Float32Array>, lr = 0, lrNetwork = 0): Promise<ort.InferenceSession.OnnxValueMapType> {
  const { inputs } = spec.fitStep;
  const n = PARAMS.length;
  const feeds: Record<string, ort.Tensor> = {};
  PARAMS.forEach((name, i) => {
    const p = ps.get(name)!;
    feeds[inputs[i]!] = new ort.Tensor('float32', p, dims(name));
    feeds[inputs[n + i]!] = new ort.Tensor('float32', new Float32Array(p.length), dims(name));
    feeds[inputs[2 * n + i]!] = new ort.Tensor('float32', new Float32Array(p.length), dims(name));
  });
  noise.forEach((u, l) => { feeds[inputs[3 * n + l]!] = new ort.Tensor('float32', u, [1, 1, ...sizes[l]!]); });
  const scalar = (v: number) => new ort.Tensor('float32', Float32Array.of(v), []);
  feeds[inputs[3 * n + LEVELS]!] = new ort.Tensor('float32', target, [1, 3, H, W]);
  feeds[inputs[3 * n + LEVELS + 1]!] = scalar(LAMBDA);
  feeds[inputs[3 * n + LEVELS + 2]!] = scalar(lr);
  feeds[inputs[3 * n + LEVELS + 3]!] = scalar(lrNetwork);
  feeds[inputs[3 * n + LEVELS + 4]!] = scalar(1);
  return session.run(feeds);
}

const scalarOut = (out: ort.InferenceSession.OnnxValueMapType, k: number) => (out[spec.fitStep.outputs[k]!]!.data as Float32Array)[0]!;

/** mse + λ·bits/(H·W) from the graph's outputs (float64 from there). */
async function loss(ps: ReadonlyMap<string, Float32Array>): Promise<number> {
  const out = await step(ps);
  const n = PARAMS.length;
  return scalarOut(out, 3 * n) + (LAMBDA * scalarOut(out, 3 * n + 1)) / (H * W);
}

/** The graph's gradient of `name` (from the first moment). */
function gradientOf(out: ort.InferenceSession.OnnxValueMapType, name: string): number[] {
  const m = out[spec.fitStep.outputs[PARAMS.length + PARAMS.indexOf(name)]!]!.data as Float32Array;
  return Array.from(m, (v) => v / (1 - beta1));
}

/** Central difference of the loss in coordinate `i` of `name`. */
async function centralDifference(name: string, i: number): Promise<number> {
  const at = (delta: number) => {
    const moved = new Map(params);
    const p = params.get(name)!.slice();
    p[i]! += delta;
    moved.set(name, p);
    return moved;
  };
  return ((await loss(at(EPS))) - (await loss(at(-EPS)))) / (2 * EPS);
}

/** For each tensor: its largest-gradient coordinate (least disturbed by float32 noise), the graph's gradient and the central difference. */
async function compare(names: readonly string[]): Promise<{ name: string; i: number; analytic: number; fd: number }[]> {
  const out = await step(params);
  const rows = [];
  for (const name of names) {
    const g = gradientOf(out, name);
    const i = g.reduce((best, v, j) => (Math.abs(v) > Math.abs(g[best]!) ? j : best), 0);
    rows.push({ name, i, analytic: g[i]!, fd: await centralDifference(name, i) });
  }
  return rows;
}

describe('inr Cool-chic fitStep graph', () => {
  it('reports a finite distortion and a positive rate', async () => {
    const out = await step(params);
    const n = PARAMS.length;
    expect(scalarOut(out, 3 * n)).toBeGreaterThan(0);
    expect(scalarOut(out, 3 * n + 1)).toBeGreaterThan(0);
    expect(Number.isFinite(await loss(params))).toBe(true);
  });

  it('computes the gradient of mse + λ·bits/(H·W) (central differences, local coordinates)', async () => {
    // a level-0, a level-2 and a level-3 latent; a coarse upsampling kernel; ARM hidden and output
    // layers; the synthesis' 1×1 layers and both 3×3 convolutions
    const rows = await compare(['y0', 'y2', 'y3', 'k3', 'k5', 'aw1', 'ab1', 'aw2', 'ab2', 'sw0', 'sw1', 'sw2', 'sb2', 'cw0', 'cb0', 'cw1', 'cb1']);
    for (const { name, i, analytic, fd } of rows) {
      expect(Math.abs(analytic), `${name}[${i}]`).toBeGreaterThan(1e-4);
      expect(Math.abs(fd - analytic), `${name}[${i}]: graph ${analytic}, central difference ${fd}`).toBeLessThanOrEqual(1e-2 * Math.abs(analytic) + 3e-5);
    }
  });

  it('computes the gradient of every parameter tensor (looser where ReLU kinks are crossed)', async () => {
    const rows = await compare(PARAMS);
    for (const { name, i, analytic, fd } of rows) {
      expect(Math.abs(fd - analytic), `${name}[${i}]: graph ${analytic}, central difference ${fd}`).toBeLessThanOrEqual(0.1 * Math.abs(analytic) + 5e-5);
    }
    const err = Math.hypot(...rows.map((r) => r.fd - r.analytic)), norm = Math.hypot(...rows.map((r) => r.analytic));
    expect(err / norm).toBeLessThan(2e-2);
  });

  it('takes an Adam step: at t = 1 latents move by lr and networks by lrNetwork against their gradients', async () => {
    // m̂ / (√v̂ + ε) = g / (|g| + ε) at t = 1
    const lr = 1e-2, lrNetwork = 1e-3;
    const out = await step(params, lr, lrNetwork);
    PARAMS.forEach((name, t) => {
      const next = out[spec.fitStep.outputs[t]!]!.data as Float32Array, g = gradientOf(out, name), p = params.get(name)!;
      const rate = LATENTS.includes(name) ? lr : lrNetwork;
      for (let i = 0; i < next.length; i++) {
        const size = Math.abs(g[i]!);
        if (size < 1e-6) continue;
        expect((p[i]! - next[i]!) * Math.sign(g[i]!), `${name}[${i}]`).toBeCloseTo((rate * size) / (size + adamEps), 5);
      }
    });
  });
});
