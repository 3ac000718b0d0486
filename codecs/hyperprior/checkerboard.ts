/**
 * The checkerboard context of a hyperprior model (He et al., *Checkerboard Context Model for Efficient
 * Learned Image Compression*, CVPR 2021), in integer arithmetic so that every machine picks the same
 * means and tables (models/train/hyperprior/context.py is the reference and trains it).
 *
 * The latent's positions split into anchors ((row + column) even) and non-anchors. Anchors are coded
 * first with the hyperprior's mean μ and table index k. Non-anchors are coded second, from means and
 * tables that the network refines with the decoded anchors:
 *
 *   x  = [16·v + round(16·μ) at anchors, round(16·μ) elsewhere (M channels) ; k (M channels)]
 *   a1 = ReLU(conv3×3(x)),  a2 = ReLU(conv3×3(a1)),  o = conv3×3(a2)        (src/entropy/int-conv.ts)
 *   non-anchor:  μ' = float32(μ + o[c] / 16),  k' = clamp(k + ((o[M + c] + 8) >> 4), 0, tableSize − 1)
 *
 * v = round(y − μ) are the anchors' coded symbols, so the decoder has x exactly once it has decoded them.
 */
import path from 'node:path';
import { intConv3x3, type IntConvLayer } from '../../src/entropy/index.js';
import { readIntLayerWeights } from '../../src/model/int-layers.js';
import { roundHalfEven } from '../../src/tensor.js';
import type { ContextSpec } from './manifest.js';

/** The non-anchors' refined parameters: o[0..M) (the means' shift in 1/16) and the table indexes. */
export interface ContextRefinement {
  delta16: Int32Array;
  index: Int32Array;
}

/** True at anchor positions of a `height`×`width` plane, in raster order. */
export function anchorPlane(height: number, width: number): Uint8Array {
  const plane = new Uint8Array(height * width);
  for (let r = 0; r < height; r++) for (let c = (r & 1); c < width; c += 2) plane[r * width + c] = 1;
  return plane;
}

/** The entries of `values` (channels × plane) whose position in `plane` equals `want`, channel by channel. */
export function gather(values: Int32Array, plane: Uint8Array, want: 0 | 1): Int32Array {
  const size = plane.length;
  const count = plane.reduce((n, a) => n + (a === want ? 1 : 0), 0);
  const channels = values.length / size;
  const out = new Int32Array(count * channels);
  let j = 0;
  for (let c = 0; c < channels; c++) {
    const base = c * size;
    for (let i = 0; i < size; i++) if (plane[i] === want) out[j++] = values[base + i]!;
  }
  return out;
}

/** Writes `part` back into `values` at the positions {@link gather} took it from. */
export function scatter(values: Int32Array, plane: Uint8Array, want: 0 | 1, part: Int32Array): void {
  const size = plane.length;
  const channels = values.length / size;
  let j = 0;
  for (let c = 0; c < channels; c++) {
    const base = c * size;
    for (let i = 0; i < size; i++) if (plane[i] === want) values[base + i] = part[j++]!;
  }
}

export class CheckerboardContext {
  private readonly layers: IntConvLayer[];

  /** `threads`: worker threads of the integer convolutions (the same result for any count). */
  constructor(private readonly spec: ContextSpec, dir: string, private readonly threads = 1) {
    const weights = readIntLayerWeights(path.join(dir, spec.file), spec.layers, 'hyperprior checkerboard context');
    this.layers = spec.layers.map((l, i) => ({
      inChannels: l.inChannels, outChannels: l.outChannels, weight: weights[i]!, mult: l.mult, bias: l.bias!,
      shift: l.shift ?? spec.shift, lo: i < 2 ? 0 : -spec.outputMax, hi: i < 2 ? spec.activationMax : spec.outputMax,
    }));
  }

  /**
   * The network on one latent (channels × height × width): `v` holds the anchors' symbols (other entries
   * are ignored), `means` the hyperprior's means (float32), `index` its table indexes. Returns o's two
   * halves, meaningful at the non-anchors.
   */
  refine(v: Int32Array, means: Float32Array, index: Int32Array, height: number, width: number): ContextRefinement {
    const { channels, activationMax, tableSize } = this.spec;
    const size = height * width;
    const n = channels * size;
    const plane = anchorPlane(height, width);
    const x = new Int32Array(2 * n);
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < size; i++) {
        const j = c * size + i;
        const mu16 = roundHalfEven(16 * means[j]!);
        x[j] = clamp(plane[i] ? 16 * v[j]! + mu16 : mu16, -activationMax, activationMax);
        x[n + j] = clamp(index[j]!, -activationMax, activationMax);
      }
    }
    const [l1, l2, l3] = this.layers as [IntConvLayer, IntConvLayer, IntConvLayer];
    const conv = (layer: IntConvLayer, input: Int32Array): Int32Array => intConv3x3(layer, input, height, width, this.threads);
    const o = conv(l3, conv(l2, conv(l1, x)));
    const delta16 = o.slice(0, n);
    const refined = new Int32Array(n);
    for (let j = 0; j < n; j++) refined[j] = clamp(index[j]! + ((o[n + j]! + 8) >> 4), 0, tableSize - 1);
    return { delta16, index: refined };
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
