/**
 * Skipped blocks of motion-compensated P-frames (layout 4). A skipped 16×16 block (the motion block,
 * motion.ts) is its prediction, unchanged: no residual is coded for it. Its latent positions (the
 * 2×2 positions of stride 8 under it) code no y symbols: the decoder takes v = 0 there (ŷ = μ) when it
 * synthesises the residual of the other blocks, then copies the prediction over the skipped block's
 * pixels. A frame whose visible blocks are all skipped codes no residual at all (empty z and y
 * streams): x̂ is the prediction. The flags travel at the end of the motion stream (motion.ts).
 *
 * Where a residual is noise the prediction cannot follow (film grain, sensor noise on a still
 * background), the image model still spends bits on it; a block codec skips such blocks. The encoder
 * skips block b when coding it gains less than it costs:
 *
 *   λ·255²·(SSE_pred(b) − SSE_coded(b)) / 3 < bits(b)
 *
 * SSE over the block's RGB samples of the frame, bits(b) the ideal code length of its y symbols with
 * their tables (the frame-level J of index.ts, λ·255²·MSE + bits per pixel, split by block; λ twice
 * the frame's, index.ts SKIP_LAMBDA_SCALE), then keeps the frame with skips only if its whole J is
 * lower (index.ts, `chooseResidual`).
 *
 * Validation clips at 176×144 (32 frames, GOP 32, BD-rate PSNR-YUV against x264 medium low delay),
 * with the residual encoder re-v5, against the same encoder without skips: mdn-friday +576.9 → +410.6 %,
 * milk +180.4 → +30.8 %, opencv-box +214.6 → +25.6 %; decoding gets faster where frames skip every
 * block (no g_s).
 */
import type { CdfTableSet } from '../../src/entropy/index.js';
import { BLOCK, type SkipMask } from './motion.js';

/** Latent positions per block side (BLOCK / the latent's stride 8). */
export const POSITIONS_PER_BLOCK = 2;


export function allSkipped(mask: SkipMask): boolean {
  return mask.skip.every((s) => s === 1);
}

export function noneSkipped(mask: SkipMask): boolean {
  return mask.skip.every((s) => s === 0);
}

/**
 * Whether latent position (i, j) of a `channels × height × width` latent lies under a skipped block:
 * a mask of the latent's positions (1 = not coded), or undefined when nothing is skipped.
 */
export function skippedPositions(mask: SkipMask, height: number, width: number): Uint8Array | undefined {
  if (noneSkipped(mask)) return undefined;
  const out = new Uint8Array(height * width);
  for (let i = 0; i < height; i++) {
    const r = Math.floor(i / POSITIONS_PER_BLOCK);
    if (r >= mask.rows) continue;
    for (let j = 0; j < width; j++) {
      const c = Math.floor(j / POSITIONS_PER_BLOCK);
      if (c < mask.cols && mask.skip[r * mask.cols + c]) out[i * width + j] = 1;
    }
  }
  return out;
}

/** The values of a planar latent (`channels × positions.length`) at the positions not skipped, in its order. */
function kept(values: Int32Array, positions: Uint8Array): Int32Array {
  const plane = positions.length;
  let count = 0;
  for (let p = 0; p < plane; p++) count += positions[p] ? 0 : 1;
  const out = new Int32Array(count * (values.length / plane));
  let k = 0;
  for (let i = 0; i < values.length; i++) if (!positions[i % plane]) out[k++] = values[i]!;
  return out;
}

/** The symbols (and their table indexes) of the positions not skipped, in the latent's order. */
export function codedSymbols(v: Int32Array, index: Int32Array, positions: Uint8Array): { v: Int32Array; index: Int32Array } {
  return { v: kept(v, positions), index: kept(index, positions) };
}

/** Indexes of the positions not skipped (what the decoder asks the y stream for), in the latent's order. */
export function codedIndexes(index: Int32Array, positions: Uint8Array): Int32Array {
  return kept(index, positions);
}

/** The latent's symbols from the coded ones: 0 at skipped positions. */
export function scatterSymbols(coded: Int32Array, positions: Uint8Array, length: number): Int32Array {
  const plane = positions.length;
  const v = new Int32Array(length);
  let k = 0;
  for (let c = 0; c < length / plane; c++) {
    for (let p = 0; p < plane; p++) if (!positions[p]) v[c * plane + p] = coded[k++]!;
  }
  return v;
}

/** Copies `pred` over the pixels of the skipped blocks of a planar `channels × height × width` frame. */
export function copySkipped(xHat: Float32Array, pred: Float32Array, channels: number, height: number, width: number, mask: SkipMask): void {
  for (let r = 0; r < mask.rows; r++) {
    for (let c = 0; c < mask.cols; c++) {
      if (!mask.skip[r * mask.cols + c]) continue;
      const y1 = Math.min(height, (r + 1) * BLOCK);
      const x0 = c * BLOCK;
      const x1 = Math.min(width, x0 + BLOCK);
      for (let ch = 0; ch < channels; ch++) {
        for (let y = r * BLOCK; y < y1; y++) {
          const o = (ch * height + y) * width;
          xHat.set(pred.subarray(o + x0, o + x1), o + x0);
        }
      }
    }
  }
}

/**
 * Ideal code lengths in bits of every symbol of every table (`bits[start[t] + s − offset[t]]`, the
 * escape symbol's own cost for values beyond the table, plus a rough escape code length), for the
 * encoder's per-block rates.
 */
export class SymbolCosts {
  private readonly bits: Float64Array;
  private readonly start: Int32Array;

  constructor(private readonly tables: CdfTableSet) {
    this.bits = new Float64Array(tables.cdfs.length);
    this.start = new Int32Array(tables.cdfLengths.length);
    const scale = 2 ** tables.precision;
    let start = 0;
    tables.cdfLengths.forEach((length, t) => {
      this.start[t] = start;
      for (let s = 0; s + 1 < length; s++) {
        const freq = tables.cdfs[start + s + 1]! - tables.cdfs[start + s]!;
        this.bits[start + s] = freq > 0 ? -Math.log2(freq / scale) : 32;
      }
      start += length;
    });
  }

  /** Bits of symbol `v` with table `t`. */
  cost(v: number, t: number): number {
    const length = this.tables.cdfLengths[t]!;
    const s = v - this.tables.offsets[t]!;
    const escape = length - 2;
    if (s >= 0 && s < escape) return this.bits[this.start[t]! + s]!;
    const raw = s < 0 ? -2 * s - 1 : 2 * (s - escape);
    return this.bits[this.start[t]! + escape]! + 2 * Math.floor(Math.log2(raw + 1)) + 1;
  }
}

/**
 * Bits of each visible block's y symbols (`v` and table `index` of a `channels × height × width`
 * latent), the blocks of `grid` (rows × cols) in raster order.
 */
export function blockBits(costs: SymbolCosts, v: Int32Array, index: Int32Array, height: number, width: number, grid: { rows: number; cols: number }): Float64Array {
  const out = new Float64Array(grid.rows * grid.cols);
  const plane = height * width;
  for (let k = 0; k < v.length; k++) {
    const p = k % plane;
    const r = Math.floor(Math.floor(p / width) / POSITIONS_PER_BLOCK);
    const c = Math.floor((p % width) / POSITIONS_PER_BLOCK);
    if (r < grid.rows && c < grid.cols) out[r * grid.cols + c]! += costs.cost(v[k]!, index[k]!);
  }
  return out;
}

/** Sum of squared differences of `a` and `b` (planar, `channels × height × width`) over each block of `grid`, within `visible`. */
export function blockSse(
  a: Float32Array, b: Float32Array, channels: number, height: number, width: number, grid: { rows: number; cols: number }, visible: { height: number; width: number },
): Float64Array {
  const out = new Float64Array(grid.rows * grid.cols);
  for (let ch = 0; ch < channels; ch++) {
    for (let y = 0; y < visible.height; y++) {
      const o = (ch * height + y) * width;
      const row = Math.floor(y / BLOCK) * grid.cols;
      for (let x = 0; x < visible.width; x++) {
        const d = a[o + x]! - b[o + x]!;
        out[row + Math.floor(x / BLOCK)]! += d * d;
      }
    }
  }
  return out;
}

/**
 * The encoder's skips: block b is skipped when λ·255²·(SSE_pred − SSE_coded)/3 < bits(b) (λ of the
 * frame's J; SSE in [0, 1] units).
 */
export function chooseSkips(ssePred: Float64Array, sseCoded: Float64Array, bits: Float64Array, lambda: number, grid: { rows: number; cols: number }): SkipMask {
  const skip = new Uint8Array(grid.rows * grid.cols);
  const scale = (lambda * 255 * 255) / 3;
  for (let b = 0; b < skip.length; b++) skip[b] = scale * (ssePred[b]! - sseCoded[b]!) < bits[b]! ? 1 : 0;
  return { ...grid, skip };
}
