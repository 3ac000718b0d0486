/**
 * The SIREN network every block gets (Sitzmann et al., "Implicit Neural Representations with
 * Periodic Activation Functions", NeurIPS 2020): `depth` sine layers of `width` units and a linear
 * output layer,
 *
 *   h₀ = γ(coordinate),  hᵢ₊₁ = sin(ωᵢ · (hᵢ Wᵢ + bᵢ)),  output = h_L W_L + b_L,
 *
 * with ω₀ on the first layer and ω_h on the others. B networks of one architecture are stored
 * "tensor-major" as the graphs take them: tensor t (w0, b0, w1, b1, …) is one Float32Array of
 * B × in × out values (block-major inside). The same layout is what the bitstream quantizes.
 */
import type { Prng } from '../../src/prng.js';

/** Architecture of one block network. */
export interface Architecture {
  /** Input features per coordinate (positional encoding size). */
  features: number;
  width: number;
  depth: number;
  /** Output channels (3 for RGB, 1 for gray or audio). */
  channels: number;
}

/** Shape [in, out] of each tensor in graph order: w0 [F, W], b0 [1, W], …, w_L [W, C], b_L [1, C]. */
export function tensorShapes(arch: Architecture): [number, number][] {
  const dims = [arch.features, ...Array<number>(arch.depth).fill(arch.width), arch.channels];
  const shapes: [number, number][] = [];
  for (let i = 0; i <= arch.depth; i++) shapes.push([dims[i]!, dims[i + 1]!], [1, dims[i + 1]!]);
  return shapes;
}

/**
 * SIREN initialisation of `blocks` networks: first layer U(−1/F, 1/F), later layers
 * U(−√(6/n)/ω_h, √(6/n)/ω_h) so that pre-activations stay unit-scale through the sines; biases
 * U(−1/√n, 1/√n). Drawn from `prng`, so an encoder run is reproducible.
 */
export function sirenInit(arch: Architecture, blocks: number, omegaHidden: number, prng: Prng): Float32Array[] {
  return tensorShapes(arch).map(([rows, cols], t) => {
    const layer = t >> 1;
    const fanIn = t % 2 === 0 ? rows : tensorShapes(arch)[t - 1]![0];
    const bound = t % 2 === 1 ? 1 / Math.sqrt(fanIn) : layer === 0 ? 1 / fanIn : Math.sqrt(6 / fanIn) / omegaHidden;
    const out = new Float32Array(blocks * rows * cols);
    for (let i = 0; i < out.length; i++) out[i] = (prng() * 2 - 1) * bound;
    return out;
  });
}
