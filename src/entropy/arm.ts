/**
 * The autoregressive model (ARM) latent coder of Cool-chic-style overfitted image codecs (Ladune et al.,
 * "COOL-CHIC", ICCV 2023; Kim et al., "C3", CVPR 2024), in the native addon (native/src/coolchic_arm.h is
 * the format spec). Per image, latent grids of integers (grid l of size ⌈H/2^l⌉ × ⌈W/2^l⌉) are coded
 * coarsest first, each in raster order; a 16 → 16 → 16 → 2 MLP reads 16 causal neighbours of a latent
 * in the same grid ({@link ARM_CONTEXT_OFFSETS}) and predicts a Laplace mean and log-scale, which pick one
 * of 1936 rANS tables. The MLP runs in integer arithmetic (Q8 weights) and the tables are built with a
 * deterministic exp, so every machine decodes the same latents. models/train/inr/arm_int.py is the
 * NumPy reference of the MLP and the table index.
 */
import { CodecError } from '../errors.js';
import { callNative, loadNative } from '../native.js';
import { checkInt32Array, checkInteger, checkUint8Array, invalidRange, invalidType } from '../validate.js';

/** The causal neighbours (dy, dx) of a latent, in the ARM's input order; outside the grid they are 0. */
export const ARM_CONTEXT_OFFSETS: readonly (readonly [dy: number, dx: number])[] = [
  [-1, 0], [0, -1], [-1, -1], [-1, 1], [-2, 0], [0, -2], [-2, -1], [-2, 1],
  [-1, -2], [-1, 2], [-2, -2], [-2, 2], [-3, 0], [0, -3], [-1, -3], [-1, 3],
];
/** Context size and hidden width of the ARM. */
export const ARM_CONTEXT = 16;
export const ARM_HIDDEN = 16;
/** W0[16][16], b0[16], W1[16][16], b1[16], W2[16][2], b2[2] (W[i][j]: input i → output j), Q8 integers. */
export const ARM_WEIGHT_COUNT = 578;
/** Largest |weight| (Q8, so ±128.0). */
export const ARM_MAX_WEIGHT = 2 ** 15;
/** Largest |latent| the coder accepts and decodes. */
export const ARM_MAX_LATENT = 2 ** 20;
/** The number of latent grids of a Cool-chic image (levels 0..6). */
export const ARM_DEFAULT_LEVELS = 7;
const MAX_GRIDS = 64;
const MAX_SIDE = 65536;
/** Largest number of latents in one stream (all grids together). */
export const ARM_MAX_LATENTS = 2 ** 28;

/** One latent grid, raster order. */
export interface ArmGrid {
  readonly height: number;
  readonly width: number;
  readonly values: Int32Array;
}

/** A grid's [height, width]. */
export type ArmGridSize = readonly [height: number, width: number];

/**
 * The sizes of an image's latent grids in coding order, coarsest first: [⌈H/2^l⌉, ⌈W/2^l⌉] for
 * l = levels − 1 .. 0.
 */
export function armGridSizes(height: number, width: number, levels = ARM_DEFAULT_LEVELS): ArmGridSize[] {
  checkInteger(height, 'height', 1, MAX_SIDE);
  checkInteger(width, 'width', 1, MAX_SIDE);
  checkInteger(levels, 'levels', 1, 17);
  const sizes: ArmGridSize[] = [];
  for (let l = levels - 1; l >= 0; l--) sizes.push([Math.ceil(height / 2 ** l), Math.ceil(width / 2 ** l)]);
  return sizes;
}

/** Checks the weights' kind and count (TypeError / RangeError) and bound (`ERR_MODEL_INVALID`). */
function checkWeights(weights: unknown): Int32Array {
  const w = checkInt32Array(weights, 'weights');
  if (w.length !== ARM_WEIGHT_COUNT) throw invalidRange(`${ARM_WEIGHT_COUNT} ARM weights`, 'weights.length', w.length);
  for (let i = 0; i < w.length; i++) {
    const v = w[i]!;
    if (v < -ARM_MAX_WEIGHT || v > ARM_MAX_WEIGHT) {
      throw new CodecError(
        'ERR_MODEL_INVALID',
        `The ARM is not usable: expected an integer between ${-ARM_MAX_WEIGHT} and ${ARM_MAX_WEIGHT} for weights[${i}] ` +
          `but received number ${v}. Refit the ARM or quantize its weights to Q8 within ±128.`,
      );
    }
  }
  return w;
}

function checkGridCount(count: number, name: string): void {
  if (count < 1 || count > MAX_GRIDS) throw invalidRange(`between 1 and ${MAX_GRIDS} grids`, `${name}.length`, count);
}

function checkTotal(total: number, name: string): void {
  if (total > ARM_MAX_LATENTS) throw invalidRange(`at most ${ARM_MAX_LATENTS} latents in all`, name, total);
}

/** The grid sizes as the addon takes them, (height, width) pairs, and the total latent count. */
function flatSizes(sizes: readonly ArmGridSize[]): { flat: Int32Array; total: number } {
  if (!Array.isArray(sizes)) throw invalidType('an array of [height, width] pairs', 'sizes', sizes);
  checkGridCount(sizes.length, 'sizes');
  const flat = new Int32Array(2 * sizes.length);
  let total = 0;
  sizes.forEach((size: unknown, g) => {
    if (!Array.isArray(size) || size.length !== 2) throw invalidType('a [height, width] pair', `sizes[${g}]`, size);
    flat[2 * g] = checkInteger(size[0], `sizes[${g}][0]`, 1, MAX_SIDE);
    flat[2 * g + 1] = checkInteger(size[1], `sizes[${g}][1]`, 1, MAX_SIDE);
    total += flat[2 * g]! * flat[2 * g + 1]!;
  });
  checkTotal(total, 'the grid sizes (height × width summed)');
  return { flat, total };
}

/** The grids' sizes and values concatenated in coding order (no copy for a single grid). */
function flatLevels(levels: readonly ArmGrid[]): { values: Int32Array; sizes: Int32Array } {
  if (!Array.isArray(levels)) throw invalidType('an array of latent grids', 'levels', levels);
  checkGridCount(levels.length, 'levels');
  const sizes = new Int32Array(2 * levels.length);
  let total = 0;
  levels.forEach((level: ArmGrid | undefined, g) => {
    if (level === null || typeof level !== 'object') throw invalidType('a latent grid { height, width, values }', `levels[${g}]`, level);
    const h = checkInteger(level.height, `levels[${g}].height`, 1, MAX_SIDE);
    const w = checkInteger(level.width, `levels[${g}].width`, 1, MAX_SIDE);
    const values = checkInt32Array(level.values, `levels[${g}].values`);
    if (values.length !== h * w) throw invalidRange(`${h * w} latents (height × width)`, `levels[${g}].values.length`, values.length);
    sizes[2 * g] = h;
    sizes[2 * g + 1] = w;
    total += h * w;
  });
  checkTotal(total, 'the grid sizes (height × width summed)');
  if (levels.length === 1) return { values: levels[0]!.values, sizes };
  const values = new Int32Array(total);
  let at = 0;
  for (const level of levels) {
    values.set(level.values, at);
    at += level.values.length;
  }
  return { values, sizes };
}

/**
 * Codes latent grids (in the order given: coarsest first for a Cool-chic image) with the ARM `weights`.
 * Latents beyond ±{@link ARM_MAX_LATENT} are refused (RangeError naming the grid and index).
 */
export function armEncode(weights: Int32Array, levels: readonly ArmGrid[]): Uint8Array {
  const w = checkWeights(weights);
  const { values, sizes } = flatLevels(levels);
  return callNative(() => loadNative().armEncode(w, values, sizes));
}

/**
 * Decodes a whole stream made by {@link armEncode} for grids of `sizes` (the same order). Returns one
 * Int32Array per grid, views of one buffer that holds all latents in coding order. Truncated or corrupt
 * streams throw CodecError (`ERR_BITSTREAM_TRUNCATED` / `ERR_BITSTREAM_CORRUPT`).
 */
export function armDecode(weights: Int32Array, bytes: Uint8Array, sizes: readonly ArmGridSize[]): Int32Array[] {
  const w = checkWeights(weights);
  checkUint8Array(bytes, 'bytes');
  const { flat, total } = flatSizes(sizes);
  const values = new Int32Array(total);
  callNative(() => loadNative().armDecode(w, bytes, flat, values));
  const grids: Int32Array[] = [];
  let at = 0;
  for (const [h, wd] of sizes) {
    grids.push(values.subarray(at, at + h * wd));
    at += h * wd;
  }
  return grids;
}

/**
 * The ideal code length of the grids in bits: the sum of −log2(freq / 2^16) over the latents plus the
 * escape code bits; {@link armEncode}'s output is larger only by the rANS overhead (a few bytes).
 */
export function armBits(weights: Int32Array, levels: readonly ArmGrid[]): number {
  const w = checkWeights(weights);
  const { values, sizes } = flatLevels(levels);
  return callNative(() => loadNative().armBits(w, values, sizes));
}

/**
 * The integer MLP's output for one context of 16 latents (in {@link ARM_CONTEXT_OFFSETS} order):
 * `[muFix, sFix]`, Q8 mean and log-scale before the table choice (for parity checks of the training side).
 */
export function armPredict(weights: Int32Array, context: ArrayLike<number>): [muFix: number, sFix: number] {
  const w = checkWeights(weights);
  if (context === null || typeof context !== 'object' || typeof context.length !== 'number') {
    throw invalidType('an array of 16 integers', 'context', context);
  }
  if (context.length !== ARM_CONTEXT) throw invalidRange(`${ARM_CONTEXT} latents`, 'context.length', context.length);
  const ctx = new Int32Array(ARM_CONTEXT);
  for (let i = 0; i < ARM_CONTEXT; i++) ctx[i] = checkInteger(context[i], `context[${i}]`, -ARM_MAX_LATENT, ARM_MAX_LATENT);
  const [mu, s] = callNative(() => loadNative().armPredict(w, ctx));
  return [mu, s];
}
