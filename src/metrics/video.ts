/**
 * Video quality on 8-bit 4:2:0 frames ({@link YuvFrame}), as learned-video papers report it
 * (DCVC, CompressAI's video bench, JVET CTC):
 *
 * - PSNR per plane (Y, U, V), peak 255, over the plane's samples; `yuv` = (6·PSNR_Y + PSNR_U + PSNR_V) / 8,
 *   the weighted PSNR of the JVET common test conditions.
 * - PSNR-RGB: both frames converted to 8-bit RGB with the stream's matrix and range (BT.601 or BT.709,
 *   limited or full), chroma upsampled by sample repetition (each chroma sample covers its 2×2 luma
 *   block), then one MSE over every R, G and B sample.
 * - A sequence's figure is the mean of its per-frame PSNRs ({@link meanPsnr}), as those papers do;
 *   {@link msePsnr} gives the other convention, the PSNR of the sequence's mean MSE per plane.
 *
 * Identical planes have MSE 0 and an infinite PSNR; every PSNR here is capped at {@link PSNR_CAP_DB}
 * (100 dB, an MSE of 6.5e-6) so that lossless frames still average to a finite number.
 */
import type { VideoColour, YuvFrame } from '../media/types.js';
import { invalidRange } from '../validate.js';

/** The largest PSNR reported, in dB: what identical planes (MSE 0) get. */
export const PSNR_CAP_DB = 100;

/** PSNR (dB) of each plane and their 6:1:1 weighted mean. */
export interface YuvPsnr {
  y: number;
  u: number;
  v: number;
  /** (6·y + u + v) / 8. */
  yuv: number;
}

/** Mean squared error of each plane (8-bit sample units). */
export interface YuvMse {
  y: number;
  u: number;
  v: number;
}

/** PSNR in dB of an MSE at peak 255, capped at {@link PSNR_CAP_DB}. */
export function psnrOfMse(mse: number, peak = 255): number {
  return mse === 0 ? PSNR_CAP_DB : Math.min(PSNR_CAP_DB, 10 * Math.log10((peak * peak) / mse));
}

function weighted(y: number, u: number, v: number): YuvPsnr {
  return { y, u, v, yuv: (6 * y + u + v) / 8 };
}

/** Samples of each chroma plane of a 4:2:0 frame: ceil(w/2) × ceil(h/2). */
export function chromaSize(width: number, height: number): { width: number; height: number } {
  return { width: (width + 1) >> 1, height: (height + 1) >> 1 };
}

/** Throws a RangeError unless `frame` is a well-formed 4:2:0 frame of `ref`'s size. */
export function checkSameFrame(ref: YuvFrame, frame: YuvFrame, name = 'decoded'): void {
  if (ref.width !== frame.width || ref.height !== frame.height) {
    throw invalidRange(`a frame of ${ref.width}×${ref.height} (as the reference)`, name, `${frame.width}×${frame.height}`);
  }
  const c = chromaSize(ref.width, ref.height);
  for (const [f, label] of [[ref, 'reference'], [frame, name]] as const) {
    if (f.y.length !== f.width * f.height) throw invalidRange(`${f.width * f.height} luma samples`, `${label}.y.length`, f.y.length);
    for (const plane of ['u', 'v'] as const) {
      if (f[plane].length !== c.width * c.height) throw invalidRange(`${c.width * c.height} chroma samples`, `${label}.${plane}.length`, f[plane].length);
    }
  }
}

function planeMse(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return sum / a.length;
}

/** MSE of each plane between a reference and a decoded frame of the same size. */
export function mseYuv420(ref: YuvFrame, dec: YuvFrame): YuvMse {
  checkSameFrame(ref, dec);
  return { y: planeMse(ref.y, dec.y), u: planeMse(ref.u, dec.u), v: planeMse(ref.v, dec.v) };
}

/** PSNR of each plane of one frame and PSNR-YUV = (6Y + U + V) / 8; each plane capped at 100 dB. */
export function psnrYuv420(ref: YuvFrame, dec: YuvFrame): YuvPsnr {
  const e = mseYuv420(ref, dec);
  return weighted(psnrOfMse(e.y), psnrOfMse(e.u), psnrOfMse(e.v));
}

/** A sequence's PSNR as the mean of its per-frame PSNRs, plane by plane (yuv: mean of per-frame yuv). */
export function meanPsnr(frames: readonly YuvPsnr[]): YuvPsnr {
  if (frames.length === 0) throw invalidRange('at least one frame', 'frames', frames);
  const m = (key: keyof YuvPsnr): number => frames.reduce((s, f) => s + f[key], 0) / frames.length;
  return { y: m('y'), u: m('u'), v: m('v'), yuv: m('yuv') };
}

/** A sequence's PSNR from its mean MSE per plane (all frames pooled), then weighted 6:1:1. */
export function msePsnr(frames: readonly YuvMse[]): YuvPsnr {
  if (frames.length === 0) throw invalidRange('at least one frame', 'frames', frames);
  const m = (key: keyof YuvMse): number => frames.reduce((s, f) => s + f[key], 0) / frames.length;
  return weighted(psnrOfMse(m('y')), psnrOfMse(m('u')), psnrOfMse(m('v')));
}

/** Kr and Kb of the matrix coefficients (ITU-R BT.601 and BT.709). */
const COEFFICIENTS: Record<VideoColour['matrix'], { kr: number; kb: number }> = {
  bt601: { kr: 0.299, kb: 0.114 },
  bt709: { kr: 0.2126, kb: 0.0722 },
};

interface RgbTables {
  /** Y sample → normalised luma (0..1 over the range's nominal span). */
  luma: Float64Array;
  /** Chroma sample → normalised chroma (−0.5..0.5). */
  chroma: Float64Array;
  kr: number;
  kb: number;
}

const tableCache = new Map<string, RgbTables>();

function tables(colour: VideoColour): RgbTables {
  const key = `${colour.matrix}/${colour.range}`;
  let t = tableCache.get(key);
  if (!t) {
    const limited = colour.range === 'limited';
    const luma = new Float64Array(256), chroma = new Float64Array(256);
    for (let i = 0; i < 256; i++) {
      luma[i] = limited ? (i - 16) / 219 : i / 255;
      chroma[i] = limited ? (i - 128) / 224 : (i - 128) / 255;
    }
    t = { luma, chroma, ...COEFFICIENTS[colour.matrix] };
    tableCache.set(key, t);
  }
  return t;
}

function to8(x: number): number {
  return x <= 0 ? 0 : x >= 1 ? 255 : Math.round(x * 255);
}

/**
 * A 4:2:0 frame as 8-bit interleaved RGB (R, G, B per pixel), with the matrix and range of `colour`:
 * R = Y + 2(1−Kr)·Cr, B = Y + 2(1−Kb)·Cb, G = (Y − Kr·R − Kb·B) / Kg on normalised samples, clamped
 * to [0, 1] and rounded to 8 bits. Chroma is upsampled by repetition.
 */
export function yuv420ToRgb8(frame: YuvFrame, colour: VideoColour): Uint8Array {
  const { width, height } = frame;
  const cw = (width + 1) >> 1;
  const { luma, chroma, kr, kb } = tables(colour);
  const kg = 1 - kr - kb;
  const crToR = 2 * (1 - kr), cbToB = 2 * (1 - kb);
  const cbToG = (2 * kb * (1 - kb)) / kg, crToG = (2 * kr * (1 - kr)) / kg;
  const out = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++) {
    const crow = (row >> 1) * cw;
    for (let col = 0; col < width; col++) {
      const i = row * width + col;
      const c = crow + (col >> 1);
      const yy = luma[frame.y[i]!]!, cb = chroma[frame.u[c]!]!, cr = chroma[frame.v[c]!]!;
      out[3 * i] = to8(yy + crToR * cr);
      out[3 * i + 1] = to8(yy - cbToG * cb - crToG * cr);
      out[3 * i + 2] = to8(yy + cbToB * cb);
    }
  }
  return out;
}

/** MSE over every R, G and B sample of both frames converted with {@link yuv420ToRgb8}. */
export function mseRgb(ref: YuvFrame, dec: YuvFrame, colour: VideoColour): number {
  checkSameFrame(ref, dec);
  return planeMse(yuv420ToRgb8(ref, colour), yuv420ToRgb8(dec, colour));
}

/** PSNR-RGB (dB, peak 255, capped at 100) of one frame: both converted to 8-bit RGB with `colour`. */
export function psnrRgb(ref: YuvFrame, dec: YuvFrame, colour: VideoColour): number {
  return psnrOfMse(mseRgb(ref, dec, colour));
}
