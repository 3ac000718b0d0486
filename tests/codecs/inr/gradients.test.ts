/**
 * The exported `fitStep` graph (models/inr/siren-v1) against central finite differences of its own
 * loss: its hand-written backward pass must be the gradient of the MSE it reports. Gradients are read
 * from the first Adam moment after one step from m = 0 (m = (1 − β₁) g); the loss at perturbed
 * parameters from the `mse` output of a step with learning rate 0. A tiny network in float32.
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest, type InrManifest } from '../../../codecs/inr/manifest.js';
import { sirenInit, tensorShapes, type Architecture } from '../../../codecs/inr/network.js';
import { mulberry32 } from '../../../src/prng.js';
import { resolveModel } from '../../../src/model/store.js';

const model = resolveModel('inr', 'siren-v1', 'siren-v1');
let manifest: InrManifest;
let session: ort.InferenceSession;
const depth = 2;
const arch: Architecture = { features: 3, width: 5, depth, channels: 2 };
const B = 2, N = 8;
const omega = Float32Array.of(3, 4);
const BETA1 = 0.9;

beforeAll(async () => {
  manifest = parseManifest(model.manifest);
  session = await ort.InferenceSession.create(path.join(model.dir, manifest.graphs.get(depth)!.fitStep.file), {
    executionProviders: ['cpu'], intraOpNumThreads: 1,
  });
});
afterAll(async () => { await session?.release(); });

const prng = mulberry32(42);
const shapes = tensorShapes(arch);
const params = sirenInit(arch, B, omega[1]!, prng);
const x = Float32Array.from({ length: B * N * arch.features }, () => prng() * 2 - 1);
const y = Float32Array.from({ length: B * N * arch.channels }, () => prng() * 2 - 1);

/** One fitStep from m = v = 0; returns the graph outputs by name. */
async function step(ps: readonly Float32Array[], lr: number): Promise<ort.InferenceSession.OnnxValueMapType> {
  const { inputs } = manifest.graphs.get(depth)!.fitStep;
  const k = ps.length;
  const feeds: Record<string, ort.Tensor> = {};
  ps.forEach((p, t) => {
    const dims = [B, ...shapes[t]!];
    feeds[inputs[t]!] = new ort.Tensor('float32', p, dims);
    feeds[inputs[k + t]!] = new ort.Tensor('float32', new Float32Array(p.length), dims);
    feeds[inputs[2 * k + t]!] = new ort.Tensor('float32', new Float32Array(p.length), dims);
  });
  feeds[inputs[3 * k]!] = new ort.Tensor('float32', x, [B, N, arch.features]);
  feeds[inputs[3 * k + 1]!] = new ort.Tensor('float32', y, [B, N, arch.channels]);
  feeds[inputs[3 * k + 2]!] = new ort.Tensor('float32', Float32Array.of(lr), []);
  feeds[inputs[3 * k + 3]!] = new ort.Tensor('float32', Float32Array.of(1), []);
  feeds[inputs[3 * k + 4]!] = new ort.Tensor('float32', omega, [2]);
  return session.run(feeds);
}

async function loss(ps: readonly Float32Array[]): Promise<number> {
  const out = await step(ps, 0);
  const mse = out[manifest.graphs.get(depth)!.fitStep.outputs.at(-1)!]!.data as Float32Array;
  return mse.reduce((a, b) => a + b, 0);
}

describe('inr fitStep graph', () => {
  it('computes the gradient of its loss (central finite differences, every parameter)', async () => {
    const { outputs } = manifest.graphs.get(depth)!.fitStep;
    const k = params.length;
    const out = await step(params, 1e-3);
    const eps = 1e-2;
    let errSq = 0, normSq = 0;
    for (let t = 0; t < k; t++) {
      const g = out[outputs[k + t]!]!.data as Float32Array;
      for (let i = 0; i < params[t]!.length; i++) {
        const plus = params.map((p) => p.slice()), minus = params.map((p) => p.slice());
        plus[t]![i]! += eps;
        minus[t]![i]! -= eps;
        const fd = ((await loss(plus)) - (await loss(minus))) / (2 * eps);
        const analytic = g[i]! / (1 - BETA1);
        errSq += (fd - analytic) ** 2;
        normSq += analytic ** 2;
      }
    }
    expect(Math.sqrt(errSq / normSq)).toBeLessThan(2e-3);
  });

  it('takes an Adam step: at t = 1 every weight moves by about lr against its gradient', async () => {
    const { outputs } = manifest.graphs.get(depth)!.fitStep;
    const lr = 1e-3;
    const out = await step(params, lr);
    const k = params.length;
    for (let t = 0; t < k; t++) {
      const next = out[outputs[t]!]!.data as Float32Array, g = out[outputs[k + t]!]!.data as Float32Array;
      for (let i = 0; i < next.length; i++) {
        if (Math.abs(g[i]!) < 1e-6) continue;
        expect((params[t]![i]! - next[i]!) * Math.sign(g[i]!)).toBeCloseTo(lr, 5);
      }
    }
  });
});
