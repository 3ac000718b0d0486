/**
 * Multi-scale structural similarity (MS-SSIM; Wang, Simoncelli & Bovik, "Multiscale structural
 * similarity for image quality assessment", Asilomar 2003), computed exactly as pytorch-msssim's
 * `ms_ssim` does, which is what CompressAI reports as "ms-ssim-rgb":
 *
 * - each channel on its own, then the per-channel MS-SSIM values averaged;
 * - an 11-tap Gaussian window (σ = 1.5, normalised to sum 1) applied separably as a *valid*
 *   convolution (no padding: each scale's maps are 10 samples smaller in each direction);
 * - per scale, the mean of the contrast-structure map cs = (2σxy + C2) / (σx² + σy² + C2) and, at the
 *   last scale, of the SSIM map l·cs with l = (2μxμy + C1) / (μx² + μy² + C1); C1 = (0.01·L)²,
 *   C2 = (0.03·L)², L = the peak value;
 * - between scales a 2×2 average pool, with one sample of zero padding on both sides of an odd
 *   dimension that counts in the average (PyTorch's `avg_pool2d(kernel 2, padding = size % 2)`);
 * - negative cs / SSIM clamped to 0 (ReLU), then ∏ cs_j^w_j · ssim_5^w_5 with weights
 *   [0.0448, 0.2856, 0.3001, 0.2363, 0.1333].
 *
 * The shorter side must exceed 160 samples ((11 − 1)·2^4), as pytorch-msssim asserts.
 */
import type { RawImage } from '../media/types.js';
import { invalidRange } from '../validate.js';
import { checkSameShape, peakOf } from './psnr.js';

/** The standard MS-SSIM scale weights (Wang et al. 2003). */
export const MS_SSIM_WEIGHTS: readonly number[] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];
const WINDOW_SIZE = 11;
const WINDOW_SIGMA = 1.5;
const K1 = 0.01;
const K2 = 0.03;

/** Smallest side (exclusive) MS-SSIM accepts: (window − 1) · 2^(scales − 1) = 160. */
export const MS_SSIM_MIN_SIDE = (WINDOW_SIZE - 1) * 2 ** (MS_SSIM_WEIGHTS.length - 1);

const WINDOW = gaussianWindow(WINDOW_SIZE, WINDOW_SIGMA);

function gaussianWindow(size: number, sigma: number): Float64Array {
  const w = new Float64Array(size);
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const x = i - Math.floor(size / 2);
    w[i] = Math.exp(-(x * x) / (2 * sigma * sigma));
    sum += w[i]!;
  }
  for (let i = 0; i < size; i++) w[i]! /= sum;
  return w;
}

/** One channel at one scale. */
interface Plane {
  data: Float64Array;
  width: number;
  height: number;
}

/** Valid separable Gaussian filtering: (w − 10) × (h − 10) output. `tmp` holds (w − 10) × h. */
function blurValid(src: Float64Array, width: number, height: number, tmp: Float64Array, out: Float64Array): void {
  const k = WINDOW_SIZE;
  const ow = width - k + 1, oh = height - k + 1;
  const w = WINDOW;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const orow = y * ow;
    for (let x = 0; x < ow; x++) {
      let s = 0;
      const at = row + x;
      for (let i = 0; i < k; i++) s += w[i]! * src[at + i]!;
      tmp[orow + x] = s;
    }
  }
  for (let y = 0; y < oh; y++) {
    const orow = y * ow;
    for (let x = 0; x < ow; x++) out[orow + x] = 0;
    for (let i = 0; i < k; i++) {
      const wi = w[i]!;
      const trow = (y + i) * ow;
      for (let x = 0; x < ow; x++) out[orow + x]! += wi * tmp[trow + x]!;
    }
  }
}

function product(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! * b[i]!;
  return out;
}

/** 2×2 average pooling with PyTorch's zero padding of odd dimensions (padding counted). */
function avgPool(plane: Plane): Plane {
  const { data, width, height } = plane;
  const px = width % 2, py = height % 2;
  const ow = Math.floor((width + 2 * px - 2) / 2) + 1;
  const oh = Math.floor((height + 2 * py - 2) / 2) + 1;
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    const y0 = 2 * y - py;
    for (let x = 0; x < ow; x++) {
      const x0 = 2 * x - px;
      let s = 0;
      for (let dy = 0; dy < 2; dy++) {
        const yy = y0 + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = 0; dx < 2; dx++) {
          const xx = x0 + dx;
          if (xx < 0 || xx >= width) continue;
          s += data[yy * width + xx]!;
        }
      }
      out[y * ow + x] = s / 4;
    }
  }
  return { data: out, width: ow, height: oh };
}

/** The reference side's filtered statistics at one scale (reused for every distorted version). */
interface ScaleStats {
  plane: Plane;
  mu: Float64Array;
  sq: Float64Array; // blur(x²)
}

function channelPlane(image: RawImage, c: number): Plane {
  const { width, height, channels, data } = image;
  const n = width * height;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = data[i * channels + c]!;
  return { data: out, width, height };
}

function referenceScales(plane: Plane): ScaleStats[] {
  const scales: ScaleStats[] = [];
  let p = plane;
  for (let s = 0; s < MS_SSIM_WEIGHTS.length; s++) {
    const ow = p.width - WINDOW_SIZE + 1, oh = p.height - WINDOW_SIZE + 1;
    const tmp = new Float64Array(ow * p.height);
    const mu = new Float64Array(ow * oh);
    const sq = new Float64Array(ow * oh);
    blurValid(p.data, p.width, p.height, tmp, mu);
    blurValid(product(p.data, p.data), p.width, p.height, tmp, sq);
    scales.push({ plane: p, mu, sq });
    if (s < MS_SSIM_WEIGHTS.length - 1) p = avgPool(p);
  }
  return scales;
}

/** Scratch buffers for one scale, reused across comparisons with the same reference. */
interface Scratch {
  dd: Float64Array; // y²
  rd: Float64Array; // x·y
  h: Float64Array; // horizontal sums of y, y², x·y: three planes of (w − 10) × h
  v: Float64Array; // one output row of vertical sums of y, y², x·y
}

function scratchFor(width: number, height: number): Scratch {
  const ow = width - WINDOW_SIZE + 1;
  return { dd: new Float64Array(width * height), rd: new Float64Array(width * height), h: new Float64Array(3 * ow * height), v: new Float64Array(3 * ow) };
}

/**
 * Mean cs and mean SSIM at one scale. The three Gaussian filterings of the distorted side (y, y²,
 * x·y) run fused: one horizontal pass producing all three, then row by row a vertical pass whose
 * sums are turned into cs and SSIM at once, so no full-size filtered maps are stored.
 */
function scaleMeans(ref: ScaleStats, p: Plane, scratch: Scratch, c1: number, c2: number): [number, number] {
  const { width, height, data } = p;
  const k = WINDOW_SIZE, w = WINDOW;
  const ow = width - k + 1, oh = height - k + 1;
  const x = ref.plane.data;
  const { dd, rd, h, v } = scratch;
  for (let i = 0; i < width * height; i++) {
    const d = data[i]!;
    dd[i] = d * d;
    rd[i] = x[i]! * d;
  }
  const plane = ow * height;
  for (let y = 0; y < height; y++) {
    const row = y * width, orow = y * ow;
    for (let xo = 0; xo < ow; xo++) {
      let s0 = 0, s1 = 0, s2 = 0;
      const at = row + xo;
      for (let i = 0; i < k; i++) {
        const wi = w[i]!;
        s0 += wi * data[at + i]!;
        s1 += wi * dd[at + i]!;
        s2 += wi * rd[at + i]!;
      }
      h[orow + xo] = s0;
      h[plane + orow + xo] = s1;
      h[2 * plane + orow + xo] = s2;
    }
  }
  let csSum = 0, ssimSum = 0;
  const { mu: mu1, sq: sq1 } = ref;
  for (let y = 0; y < oh; y++) {
    v.fill(0);
    for (let i = 0; i < k; i++) {
      const wi = w[i]!;
      const trow = (y + i) * ow;
      for (let xo = 0; xo < ow; xo++) {
        v[xo]! += wi * h[trow + xo]!;
        v[ow + xo]! += wi * h[plane + trow + xo]!;
        v[2 * ow + xo]! += wi * h[2 * plane + trow + xo]!;
      }
    }
    const orow = y * ow;
    for (let xo = 0; xo < ow; xo++) {
      const m1 = mu1[orow + xo]!, m2 = v[xo]!;
      const m11 = m1 * m1, m22 = m2 * m2, m12 = m1 * m2;
      const cs = (2 * (v[2 * ow + xo]! - m12) + c2) / (sq1[orow + xo]! - m11 + (v[ow + xo]! - m22) + c2);
      csSum += cs;
      ssimSum += ((2 * m12 + c1) / (m11 + m22 + c1)) * cs;
    }
  }
  const n = ow * oh;
  return [csSum / n, ssimSum / n];
}

/** MS-SSIM of one channel against its precomputed reference statistics. */
function channelMsSsim(ref: ScaleStats[], scratch: Scratch[], distorted: Plane, peak: number): number {
  const c1 = (K1 * peak) ** 2, c2 = (K2 * peak) ** 2;
  let p = distorted;
  let result = 1;
  for (let s = 0; s < ref.length; s++) {
    const [cs, ssim] = scaleMeans(ref[s]!, p, scratch[s]!, c1, c2);
    const last = s === ref.length - 1;
    result *= Math.max(0, last ? ssim : cs) ** MS_SSIM_WEIGHTS[s]!;
    if (!last) p = avgPool(p);
  }
  return result;
}

function checkSize(image: RawImage, name: string): void {
  if (Math.min(image.width, image.height) <= MS_SSIM_MIN_SIDE) {
    throw invalidRange(`an image whose shorter side exceeds ${MS_SSIM_MIN_SIDE} pixels`, name, `${image.width}×${image.height}`);
  }
}

/** A reference image prepared once, to be compared with many distorted versions of it. */
export interface MsSsimReference {
  /** MS-SSIM of `distorted` (same shape as the reference) against the reference, in [0, 1]. */
  compare(distorted: RawImage): number;
}

/**
 * Precomputes the reference's per-scale means and second moments (40 % of the work of one
 * comparison), for benchmarks that compare one reference with many decoded versions.
 */
export function prepareMsSsim(reference: RawImage, peak = peakOf(reference)): MsSsimReference {
  checkSize(reference, 'reference');
  const scales = Array.from({ length: reference.channels }, (_, c) => referenceScales(channelPlane(reference, c)));
  const scratch = scales[0]!.map((s) => scratchFor(s.plane.width, s.plane.height));
  return {
    compare(distorted: RawImage): number {
      checkSameShape(reference, distorted);
      let sum = 0;
      for (let c = 0; c < reference.channels; c++) sum += channelMsSsim(scales[c]!, scratch, channelPlane(distorted, c), peak);
      return sum / reference.channels;
    },
  };
}

/** MS-SSIM between two images of the same shape (per channel, averaged); see the module comment. */
export function msSsim(reference: RawImage, distorted: RawImage, peak = peakOf(reference)): number {
  checkSameShape(reference, distorted);
  return prepareMsSsim(reference, peak).compare(distorted);
}

/** MS-SSIM on the decibel scale used for RD plots: −10·log10(1 − msssim). */
export function msSsimDb(value: number): number {
  return -10 * Math.log10(1 - value);
}
