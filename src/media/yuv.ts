/**
 * 8-bit Y'CbCr 4:2:0 frames ({@link YuvFrame}) and their conversion to and from planar RGB floats, the
 * layout the networks take. Pure TypeScript over typed arrays, one pass per plane.
 *
 * Colour (ITU-R BT.601 / BT.709, ITU-T H.273): with luma weights Kr, Kb (Kg = 1 − Kr − Kb) and R, G, B
 * in [0, 1],
 *   Y' = Kr·R + Kg·G + Kb·B,  Pb = (B − Y') / (2(1 − Kb)),  Pr = (R − Y') / (2(1 − Kr)),
 * stored as Y = 16 + 219·Y', Cb/Cr = 128 + 224·P (limited, "TV" range) or Y = 255·Y', Cb/Cr = 128 + 255·P
 * (full range). BT.601: Kr = 0.299, Kb = 0.114; BT.709: Kr = 0.2126, Kb = 0.0722.
 *
 * Chroma siting is taken as centred (MPEG-1/JPEG, y4m `C420jpeg`): RGB → YUV averages each 2×2 block,
 * YUV → RGB upsamples bilinearly (weights 3/4, 1/4 per axis, edges replicated). Sources with MPEG-2
 * (left) siting are read the same way; the half-sample shift that makes is below what the codecs code.
 */
import { invalidRange } from '../validate.js';
import type { VideoColour, YuvFrame } from './types.js';

/** Luma weights [Kr, Kb] of each matrix. */
const LUMA_WEIGHTS = { bt601: [0.299, 0.114], bt709: [0.2126, 0.0722] } as const;

/** The sample coding of one colour: Y = yOffset + yScale·Y', C = 128 + cScale·P, with their clamps. */
interface Coding {
  kr: number; kb: number; kg: number;
  yOffset: number; yScale: number; cScale: number;
  yMin: number; yMax: number; cMin: number; cMax: number;
}

function codingOf(colour: VideoColour): Coding {
  const weights = LUMA_WEIGHTS[colour.matrix];
  if (!weights) throw invalidRange("'bt601' or 'bt709'", 'colour.matrix', colour.matrix);
  const [kr, kb] = weights;
  if (colour.range === 'limited') {
    return { kr, kb, kg: 1 - kr - kb, yOffset: 16, yScale: 219, cScale: 224, yMin: 16, yMax: 235, cMin: 16, cMax: 240 };
  }
  if (colour.range === 'full') {
    return { kr, kb, kg: 1 - kr - kb, yOffset: 0, yScale: 255, cScale: 255, yMin: 0, yMax: 255, cMin: 0, cMax: 255 };
  }
  throw invalidRange("'limited' or 'full'", 'colour.range', colour.range);
}

/**
 * The colour assumed when a file does not say: BT.601 for standard definition (fewer than 720 rows),
 * BT.709 from 720 rows up, limited range either way (what encoders and players assume).
 */
export function defaultColour(height: number): VideoColour {
  return { matrix: height < 720 ? 'bt601' : 'bt709', range: 'limited' };
}

/** Size of the chroma planes of a 4:2:0 frame: ceil(width/2) × ceil(height/2). */
export function chromaSize(width: number, height: number): { width: number; height: number } {
  return { width: (width + 1) >> 1, height: (height + 1) >> 1 };
}

/** Bytes of one 8-bit 4:2:0 frame: the luma plane plus two chroma planes. */
export function frameByteLength(width: number, height: number): number {
  const c = chromaSize(width, height);
  return width * height + 2 * c.width * c.height;
}

/** A frame whose planes are views of `bytes` (Y, then U, then V, as in a y4m or raw .yuv file). */
export function frameFromBytes(bytes: Uint8Array, width: number, height: number): YuvFrame {
  const luma = width * height;
  const c = chromaSize(width, height);
  const chroma = c.width * c.height;
  return {
    width, height,
    y: bytes.subarray(0, luma),
    u: bytes.subarray(luma, luma + chroma),
    v: bytes.subarray(luma + chroma, luma + 2 * chroma),
  };
}

/** A mid-grey frame (Y = U = V = 128), its planes views of one buffer. */
export function allocFrame(width: number, height: number): YuvFrame {
  return frameFromBytes(new Uint8Array(frameByteLength(width, height)).fill(128), width, height);
}

/**
 * Checks a frame's planes against `width`×`height` (and against each other): a RangeError names what
 * differs. `name` is how the message calls the frame.
 */
export function checkFrame(frame: YuvFrame, width: number, height: number, name = 'frame'): YuvFrame {
  if (frame.width !== width || frame.height !== height) {
    throw invalidRange(`a ${width}x${height} frame`, name, `${frame.width}x${frame.height}`);
  }
  const c = chromaSize(width, height);
  const planes = [['y', width * height], ['u', c.width * c.height], ['v', c.width * c.height]] as const;
  for (const [plane, length] of planes) {
    if (!(frame[plane] instanceof Uint8Array) || frame[plane].length !== length) {
      throw invalidRange(`a Uint8Array of ${length} samples`, `${name}.${plane}`, frame[plane]);
    }
  }
  return frame;
}

/**
 * Bilinear, centre-sited upsampling of one chroma row pair into `out` (`width` luma columns): `row0`
 * with weight 3/4 and `row1` with 1/4, then 3/4, 1/4 across columns; values are P = (C − 128)/cScale.
 */
function upsampleRow(
  plane: Uint8Array, cw: number, row0: number, row1: number, width: number, cScale: number, vertical: Float32Array, out: Float32Array,
): void {
  const a = row0 * cw;
  const b = row1 * cw;
  for (let x = 0; x < cw; x++) vertical[x] = (0.75 * plane[a + x]! + 0.25 * plane[b + x]! - 128) / cScale;
  const last = cw - 1;
  for (let x = 0; x < width; x++) {
    const j = x >> 1;
    const near = vertical[j]!;
    const far = vertical[x & 1 ? (j < last ? j + 1 : last) : (j > 0 ? j - 1 : 0)]!;
    out[x] = 0.75 * near + 0.25 * far;
  }
}

/** Copies column `width − 1` rightwards and row `height − 1` downwards in each of the 3 planes. */
function replicateEdges(rgb: Float32Array, width: number, height: number, paddedWidth: number, paddedHeight: number): void {
  const planeSize = paddedWidth * paddedHeight;
  for (let c = 0; c < 3; c++) {
    const base = c * planeSize;
    if (paddedWidth > width) {
      for (let y = 0; y < height; y++) {
        const row = base + y * paddedWidth;
        rgb.fill(rgb[row + width - 1]!, row + width, row + paddedWidth);
      }
    }
    const lastRow = base + (height - 1) * paddedWidth;
    for (let y = height; y < paddedHeight; y++) rgb.copyWithin(base + y * paddedWidth, lastRow, lastRow + paddedWidth);
  }
}

function checkPadded(width: number, height: number, paddedWidth: number, paddedHeight: number): void {
  if (!Number.isInteger(paddedWidth) || paddedWidth < width) throw invalidRange(`an integer ≥ the width ${width}`, 'paddedWidth', paddedWidth);
  if (!Number.isInteger(paddedHeight) || paddedHeight < height) throw invalidRange(`an integer ≥ the height ${height}`, 'paddedHeight', paddedHeight);
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * A frame as planar RGB floats in [0, 1] (the R plane, then G, then B) of `paddedWidth`×`paddedHeight`:
 * the picture at the top left, its last column and row replicated into the padding. Chroma is
 * upsampled bilinearly (centre siting).
 */
export function yuvToRgbPlanar(frame: YuvFrame, colour: VideoColour, paddedWidth: number, paddedHeight: number): Float32Array {
  const { width, height } = frame;
  checkFrame(frame, width, height);
  checkPadded(width, height, paddedWidth, paddedHeight);
  const { kr, kb, kg, yOffset, yScale, cScale } = codingOf(colour);
  const rCr = 2 * (1 - kr);
  const bCb = 2 * (1 - kb);
  const gCr = (2 * kr * (1 - kr)) / kg;
  const gCb = (2 * kb * (1 - kb)) / kg;
  const c = chromaSize(width, height);
  const planeSize = paddedWidth * paddedHeight;
  const rgb = new Float32Array(3 * planeSize);
  const vertical = new Float32Array(c.width);
  const pb = new Float32Array(width);
  const pr = new Float32Array(width);
  const lastChromaRow = c.height - 1;
  for (let y = 0; y < height; y++) {
    const j = y >> 1;
    const other = y & 1 ? (j < lastChromaRow ? j + 1 : lastChromaRow) : (j > 0 ? j - 1 : 0);
    upsampleRow(frame.u, c.width, j, other, width, cScale, vertical, pb);
    upsampleRow(frame.v, c.width, j, other, width, cScale, vertical, pr);
    const src = y * width;
    const dst = y * paddedWidth;
    for (let x = 0; x < width; x++) {
      const luma = (frame.y[src + x]! - yOffset) / yScale;
      const u = pb[x]!;
      const v = pr[x]!;
      rgb[dst + x] = clamp01(luma + rCr * v);
      rgb[planeSize + dst + x] = clamp01(luma - gCr * v - gCb * u);
      rgb[2 * planeSize + dst + x] = clamp01(luma + bCb * u);
    }
  }
  replicateEdges(rgb, width, height, paddedWidth, paddedHeight);
  return rgb;
}

/** Rounds to the nearest integer and clamps to [lo, hi]. */
const toSample = (v: number, lo: number, hi: number): number => {
  const r = Math.round(v);
  return r < lo ? lo : r > hi ? hi : r;
};

/**
 * Planar RGB floats of `paddedWidth`×`paddedHeight` (values outside [0, 1] are clipped) to a 4:2:0 frame
 * of the top-left `width`×`height`: luma per pixel, chroma from the mean RGB of each 2×2 block (of its
 * pixels inside the picture at odd edges), rounded to nearest and clamped to the colour's range.
 */
export function rgbPlanarToYuv(
  rgb: Float32Array, paddedWidth: number, paddedHeight: number, width: number, height: number, colour: VideoColour,
): YuvFrame {
  if (!Number.isInteger(width) || width < 1) throw invalidRange('a positive integer', 'width', width);
  if (!Number.isInteger(height) || height < 1) throw invalidRange('a positive integer', 'height', height);
  checkPadded(width, height, paddedWidth, paddedHeight);
  const planeSize = paddedWidth * paddedHeight;
  if (rgb.length !== 3 * planeSize) throw invalidRange(`${3 * planeSize} samples (3×${paddedWidth}×${paddedHeight})`, 'rgb.length', rgb.length);
  const { kr, kb, kg, yOffset, yScale, cScale, yMin, yMax, cMin, cMax } = codingOf(colour);
  const frame = allocFrame(width, height);
  const Y = frame.y, U = frame.u, V = frame.v;
  const G = planeSize, B = 2 * planeSize;
  for (let y = 0; y < height; y++) {
    const src = y * paddedWidth;
    const dst = y * width;
    for (let x = 0; x < width; x++) {
      const i = src + x;
      const luma = kr * clamp01(rgb[i]!) + kg * clamp01(rgb[G + i]!) + kb * clamp01(rgb[B + i]!);
      Y[dst + x] = toSample(yOffset + yScale * luma, yMin, yMax);
    }
  }
  const c = chromaSize(width, height);
  const cbScale = cScale / (2 * (1 - kb));
  const crScale = cScale / (2 * (1 - kr));
  for (let cy = 0; cy < c.height; cy++) {
    const y0 = 2 * cy;
    const rows = y0 + 1 < height ? 2 : 1;
    for (let cx = 0; cx < c.width; cx++) {
      const x0 = 2 * cx;
      const cols = x0 + 1 < width ? 2 : 1;
      let r = 0, g = 0, b = 0;
      if (rows === 2 && cols === 2) {
        // the general loop's sums, in its order
        const a = y0 * paddedWidth + x0, d = a + paddedWidth;
        r = clamp01(rgb[a]!) + clamp01(rgb[a + 1]!) + clamp01(rgb[d]!) + clamp01(rgb[d + 1]!);
        g = clamp01(rgb[G + a]!) + clamp01(rgb[G + a + 1]!) + clamp01(rgb[G + d]!) + clamp01(rgb[G + d + 1]!);
        b = clamp01(rgb[B + a]!) + clamp01(rgb[B + a + 1]!) + clamp01(rgb[B + d]!) + clamp01(rgb[B + d + 1]!);
      } else {
        for (let dy = 0; dy < rows; dy++) {
          const at = (y0 + dy) * paddedWidth + x0;
          for (let dx = 0; dx < cols; dx++) {
            r += clamp01(rgb[at + dx]!);
            g += clamp01(rgb[G + at + dx]!);
            b += clamp01(rgb[B + at + dx]!);
          }
        }
      }
      const n = rows * cols;
      r /= n; g /= n; b /= n;
      const luma = kr * r + kg * g + kb * b;
      U[cy * c.width + cx] = toSample(128 + cbScale * (b - luma), cMin, cMax);
      V[cy * c.width + cx] = toSample(128 + crScale * (r - luma), cMin, cMax);
    }
  }
  return frame;
}

/**
 * 4:4:4 planes (three `width`×`height` planes, as ffmpeg writes `yuv444p`) to a 4:2:0 frame by 2×2
 * averaging, rounded to nearest: the exact inverse of {@link chromaTo444}.
 */
export function frameFrom444(bytes: Uint8Array, width: number, height: number): YuvFrame {
  const luma = width * height;
  const frame = allocFrame(width, height);
  frame.y.set(bytes.subarray(0, luma));
  const c = chromaSize(width, height);
  for (const [plane, offset] of [[frame.u, luma], [frame.v, 2 * luma]] as const) {
    for (let cy = 0; cy < c.height; cy++) {
      const y0 = 2 * cy;
      const rows = y0 + 1 < height ? 2 : 1;
      for (let cx = 0; cx < c.width; cx++) {
        const x0 = 2 * cx;
        const cols = x0 + 1 < width ? 2 : 1;
        let sum = 0;
        for (let dy = 0; dy < rows; dy++) for (let dx = 0; dx < cols; dx++) sum += bytes[offset + (y0 + dy) * width + x0 + dx]!;
        plane[cy * c.width + cx] = Math.round(sum / (rows * cols));
      }
    }
  }
  return frame;
}

/** A frame's planes at 4:4:4 (each chroma sample copied to its 2×2 block): Y, U, V planes of width×height. */
export function chromaTo444(frame: YuvFrame): Uint8Array {
  const { width, height } = frame;
  const luma = width * height;
  const out = new Uint8Array(3 * luma);
  out.set(frame.y);
  const cw = chromaSize(width, height).width;
  for (const [plane, offset] of [[frame.u, luma], [frame.v, 2 * luma]] as const) {
    for (let y = 0; y < height; y++) {
      const src = (y >> 1) * cw;
      const dst = offset + y * width;
      for (let x = 0; x < width; x++) out[dst + x] = plane[src + (x >> 1)]!;
    }
  }
  return out;
}

/** A frame's planes as one buffer (Y, U, V), without copying when they already are consecutive views of one. */
export function frameToBytes(frame: YuvFrame): Uint8Array {
  const { y, u, v } = frame;
  if (y.buffer === u.buffer && u.buffer === v.buffer && u.byteOffset === y.byteOffset + y.length && v.byteOffset === u.byteOffset + u.length) {
    return new Uint8Array(y.buffer, y.byteOffset, y.length + u.length + v.length);
  }
  const out = new Uint8Array(y.length + u.length + v.length);
  out.set(y);
  out.set(u, y.length);
  out.set(v, y.length + u.length);
  return out;
}
