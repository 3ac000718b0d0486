/**
 * Decoding an INR is evaluating it: the `evaluate` graph maps the positional features of every
 * block position through each block's network. Blocks are run in groups (at most 2¹⁸ coordinates
 * per call, bounding memory) on the deterministic CPU session, so every decoder reproduces the same
 * floats from the same integers.
 */
import * as ort from 'onnxruntime-node';
import type { DepthGraphs } from './manifest.js';

/** Coordinates per evaluate call. */
const MAX_COORDS = 1 << 18;

/**
 * Outputs [B, area, C] of B networks (tensor-major `params` with `shapes`) at the `area` positions
 * whose features (`f` per row) are `features`.
 */
export async function evaluateBlocks(
  session: ort.InferenceSession, graphs: DepthGraphs, params: readonly Float32Array[], shapes: readonly [number, number][],
  blocks: number, features: Float32Array, area: number, f: number, channels: number, omega: readonly [number, number],
): Promise<Float32Array> {
  const out = new Float32Array(blocks * area * channels);
  const group = Math.max(1, Math.min(blocks, Math.floor(MAX_COORDS / area)));
  const tiled = new Float32Array(group * area * f);
  for (let g = 0; g < group; g++) tiled.set(features.subarray(0, area * f), g * area * f);
  const omegaTensor = new ort.Tensor('float32', Float32Array.from(omega), [2]);
  const { inputs, outputs } = graphs.evaluate;
  for (let b0 = 0; b0 < blocks; b0 += group) {
    const n = Math.min(group, blocks - b0);
    const feeds: Record<string, ort.Tensor> = {};
    params.forEach((p, t) => {
      const [r, c] = shapes[t]!;
      feeds[inputs[t]!] = new ort.Tensor('float32', p.subarray(b0 * r * c, (b0 + n) * r * c), [n, r, c]);
    });
    feeds[inputs[params.length]!] = new ort.Tensor('float32', tiled.subarray(0, n * area * f), [n, area, f]);
    feeds[inputs[params.length + 1]!] = omegaTensor;
    const result = await session.run(feeds);
    out.set(result[outputs[0]!]!.data as Float32Array, b0 * area * channels);
  }
  return out;
}
