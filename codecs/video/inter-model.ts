/**
 * The inter model: from the previous frame's decoded latent ŷ_{t−1} (as integers ctx16 = 16·ŷ) — and for a
 * two-frame network (`inter.frames` 2) the one before it, ctx16b (ŷ_{t−1} again for a GOP's first P-frame) —
 * to the means μ (as mu16 = 16·μ) and scale-table indices of frame t's latent, computed by the integer
 * network of the manifest (three 3×3 layers in src/entropy/int-conv.ts), so encoder and decoder agree
 * bit for bit on every machine:
 *
 *   x = clamp(ctx16, ±activationMax)             (two frames: layer 1 reads [x ; clamp(ctx16b, ±activationMax)])
 *   a1 = ReLU-clamp(conv(x) + levelBias[q]),  a2 = ReLU-clamp(conv(a1)),  o = clamp(conv(a2), ±outputMax)
 *   mu16 = clamp(x + o[0..M), ±outputMax),  index = clamp((o[M..2M) + 8) >> 4, 0, tableSize − 1)
 *
 * `delta` mode is the non-learned baseline: μ = ŷ_{t−1} and one static table per channel and level.
 */
import path from 'node:path';
import { readIntLayerWeights } from '../../src/model/int-layers.js';
import { intConv3x3, type IntConvLayer } from '../../src/entropy/index.js';
import type { InterLayerSpec, VideoManifest } from './manifest.js';

/** How P-frames are predicted: the learned network, or the static-table baseline. */
export type InterMode = 'learned' | 'delta';

export interface InterPrediction {
  mu16: Int32Array;
  index: Int32Array;
}

export class InterModel {
  private readonly layers: Array<{ spec: InterLayerSpec; weight: Int32Array }>;

  /** `threads`: worker threads of the integer convolutions (the same result for any count). */
  constructor(private readonly manifest: VideoManifest, dir: string, private readonly threads = 1) {
    const { layers } = manifest.inter;
    const weights = readIntLayerWeights(path.join(dir, manifest.inter.file), layers, "video model's inter network");
    this.layers = layers.map((spec, i) => ({ spec, weight: weights[i]! }));
  }

  /**
   * Predicts frame t's means and table indices from `ctx16` (channels × height × width) — and `ctx16b`,
   * the frame before it, for a two-frame network (`ctx16` stands in when absent) — at rate level `level`
   * (0-based).
   */
  predict(ctx16: Int32Array, height: number, width: number, level: number, mode: InterMode, ctx16b?: Int32Array): InterPrediction {
    const { channels, activationMax, outputMax, tableSize, shift, frames } = this.manifest.inter;
    const plane = height * width;
    const x = new Int32Array(ctx16.length);
    for (let i = 0; i < x.length; i++) x[i] = clamp(ctx16[i]!, -activationMax, activationMax);
    if (mode === 'delta') {
      const index = new Int32Array(ctx16.length);
      const tables = this.manifest.staticTables[level]!;
      for (let c = 0; c < channels; c++) index.fill(tables[c]!, c * plane, (c + 1) * plane);
      return { mu16: x, index };
    }
    const [l1, l2, l3] = this.layers as [typeof this.layers[0], typeof this.layers[0], typeof this.layers[0]];
    const layer = (l: typeof l1, bias: Float64Array, lo: number, hi: number): IntConvLayer => ({
      inChannels: l.spec.inChannels, outChannels: l.spec.outChannels, weight: l.weight, mult: l.spec.mult, bias, shift: l.spec.shift ?? shift, lo, hi,
    });
    let input = x;
    if (frames === 2) {
      const older = ctx16b ?? ctx16;
      input = new Int32Array(2 * x.length);
      input.set(x);
      for (let i = 0; i < x.length; i++) input[x.length + i] = clamp(older[i]!, -activationMax, activationMax);
    }
    const a1 = intConv3x3(layer(l1, l1.spec.levelBias![level]!, 0, activationMax), input, height, width, this.threads);
    const a2 = intConv3x3(layer(l2, l2.spec.bias!, 0, activationMax), a1, height, width, this.threads);
    const o = intConv3x3(layer(l3, l3.spec.bias!, -outputMax, outputMax), a2, height, width, this.threads);
    const mu16 = new Int32Array(ctx16.length);
    const index = new Int32Array(ctx16.length);
    const n = channels * plane;
    for (let i = 0; i < n; i++) {
      mu16[i] = clamp(x[i]! + o[i]!, -outputMax, outputMax);
      index[i] = clamp((o[n + i]! + 8) >> 4, 0, tableSize - 1);
    }
    return { mu16, index };
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
