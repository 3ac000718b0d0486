/**
 * Encoding an INR is fitting it (COIN, Dupont et al. 2021): Adam on the mean squared error between
 * the networks' outputs and the signal, one minibatch of coordinates per step. onnxruntime has no
 * training API, so each step is one run of the exported `fitStep` graph (forward pass, hand-written
 * backward pass and Adam update; models/train/inr/siren.py); this loop only samples minibatches,
 * schedules the learning rate and feeds each step's outputs (parameters, Adam moments) back in as
 * the next step's inputs, without copying them.
 *
 * Budget: at most `maxSteps` steps and, when given, `maxSeconds` of wall time; progress is the larger
 * of the two fractions used. The learning rate follows a cosine from `lr` down to 5 % of it over the
 * budget. The last `refineFraction` of the budget is quantization-aware refinement (Strümpler et al.
 * 2022, §3.3): the graph is fed the quantized weights, and its update is applied to float "shadow"
 * weights (the straight-through estimator), so the network learns to work with rounded weights.
 */
import * as ort from 'onnxruntime-node';
import type { Progress } from '../../src/api/types.js';
import { blockArea, type BlockSet } from './blocks.js';
import type { DepthGraphs } from './manifest.js';
import type { Prng } from '../../src/prng.js';

export interface FitOptions {
  lr: number;
  /** Coordinates per block per step. */
  batch: number;
  maxSteps: number;
  /** Wall-time budget; `Infinity` for none. */
  maxSeconds: number;
  /** Fraction of the budget spent on quantization-aware refinement (0 = none). */
  refineFraction: number;
  /** Per-tensor quantization steps of the current weights, computed once when refinement starts. */
  stepSizes: (params: readonly Float32Array[]) => Float32Array;
  omega: readonly [number, number];
  prng: Prng;
  onProgress?: (progress: Progress) => void;
}

export interface FitResult {
  /** Final float weights (tensor-major, as the graphs take them). */
  params: Float32Array[];
  /** Quantization steps fixed at the start of refinement (computed from the final weights if none ran). */
  stepSizes: Float32Array;
  steps: number;
  seconds: number;
  /** Minibatch MSE per block (network units) of the last step. */
  mse: Float32Array;
}

/** Fills one minibatch: `batch` coordinates per block (all of them, cyclically, when the block has fewer). */
function sampleBatch(set: BlockSet, features: Float32Array, f: number, batch: number, prng: Prng, x: Float32Array, y: Float32Array): void {
  const { size, channels: c } = set;
  const area = blockArea(set);
  for (let b = 0; b < set.blocks; b++) {
    const ex = set.extentX[b]!, ey = set.extentY[b]!;
    const count = ex * ey;
    for (let n = 0; n < batch; n++) {
      const i = count <= batch ? n % count : Math.floor(prng() * count);
      const pos = Math.floor(i / ex) * size + (i % ex);
      const row = b * batch + n;
      x.set(features.subarray(pos * f, pos * f + f), row * f);
      const at = (b * area + pos) * c;
      for (let k = 0; k < c; k++) y[row * c + k] = set.targets[at + k]!;
    }
  }
}

function quantizeInto(params: readonly Float32Array[], steps: Float32Array, out: Float32Array[]): void {
  params.forEach((p, t) => {
    const s = steps[t]!;
    const o = out[t]!;
    for (let i = 0; i < p.length; i++) o[i] = roundHalfEvenDiv(p[i]!, s) * s;
  });
}

/** round_half_even(v / step): the quantizer of the bitstream (quantize.ts uses the same). */
export function roundHalfEvenDiv(v: number, step: number): number {
  const x = v / step;
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Fits `init` (B networks, tensor-major) to `set` with the `fitStep` graph of `session`.
 * `features` holds the positional features of every block position (blockFeatures), `f` per row.
 */
export async function fitBlocks(
  session: ort.InferenceSession, graphs: DepthGraphs, init: Float32Array[], shapes: readonly [number, number][],
  set: BlockSet, features: Float32Array, f: number, options: FitOptions,
): Promise<FitResult> {
  const { inputs, outputs } = graphs.fitStep;
  const k = init.length;
  const B = set.blocks, N = options.batch, C = set.channels;
  const dims = shapes.map(([r, c]) => [B, r, c]);
  const state: ort.Tensor[] = [
    ...init.map((p, t) => new ort.Tensor('float32', p, dims[t]!)),
    ...init.map((p, t) => new ort.Tensor('float32', new Float32Array(p.length), dims[t]!)),
    ...init.map((p, t) => new ort.Tensor('float32', new Float32Array(p.length), dims[t]!)),
  ];
  const xData = new Float32Array(B * N * f), yData = new Float32Array(B * N * C);
  const x = new ort.Tensor('float32', xData, [B, N, f]);
  const y = new ort.Tensor('float32', yData, [B, N, C]);
  const omega = new ort.Tensor('float32', Float32Array.from(options.omega), [2]);
  const started = performance.now();
  let shadow: Float32Array[] | null = null;
  let stepSizes: Float32Array | null = null;
  let mse: Float32Array = new Float32Array(B);
  let step = 0, lastPercent = -1;
  for (;;) {
    const seconds = (performance.now() - started) / 1000;
    const progress = Math.max(step / options.maxSteps, seconds / options.maxSeconds);
    const percent = Math.min(100, Math.floor(progress * 100));
    if (percent !== lastPercent) {
      lastPercent = percent;
      options.onProgress?.({ phase: shadow ? 'refine' : 'fit', done: percent, total: 100 });
    }
    if (progress >= 1) break;
    if (!shadow && options.refineFraction > 0 && progress >= 1 - options.refineFraction) {
      shadow = state.slice(0, k).map((t) => Float32Array.from(t.data as Float32Array));
      stepSizes = options.stepSizes(shadow);
    }
    const fed = shadow ? shadow.map((p) => new Float32Array(p.length)) : null;
    if (shadow && fed && stepSizes) {
      quantizeInto(shadow, stepSizes, fed);
      fed.forEach((q, t) => { state[t] = new ort.Tensor('float32', q, dims[t]!); });
    }
    sampleBatch(set, features, f, N, options.prng, xData, yData);
    step++;
    const lr = options.lr * (0.05 + 0.475 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
    const feeds: Record<string, ort.Tensor> = {};
    state.forEach((t, i) => { feeds[inputs[i]!] = t; });
    feeds[inputs[3 * k]!] = x;
    feeds[inputs[3 * k + 1]!] = y;
    feeds[inputs[3 * k + 2]!] = new ort.Tensor('float32', new Float32Array([lr]), []);
    feeds[inputs[3 * k + 3]!] = new ort.Tensor('float32', new Float32Array([step]), []);
    feeds[inputs[3 * k + 4]!] = omega;
    const out = await session.run(feeds);
    for (let i = 0; i < 3 * k; i++) state[i] = out[outputs[i]!]!;
    mse = out[outputs[3 * k]!]!.data as Float32Array;
    if (shadow && fed) {
      // Straight-through: apply the update computed at the quantized weights to the float weights.
      for (let t = 0; t < k; t++) {
        const next = state[t]!.data as Float32Array, q = fed[t]!, s = shadow[t]!;
        for (let i = 0; i < s.length; i++) s[i] = s[i]! + next[i]! - q[i]!;
      }
    }
  }
  const params = shadow ?? state.slice(0, k).map((t) => t.data as Float32Array);
  return {
    params, stepSizes: stepSizes ?? options.stepSizes(params), steps: step,
    seconds: (performance.now() - started) / 1000, mse,
  };
}
