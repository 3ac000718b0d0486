/**
 * The model-free lossless mode (`--model med`): per colour channel, MED prediction (LOCO-I) gives
 * residuals mod 2^bits; the colour residuals are decorrelated as G, R − G, B − G (on residuals, mod
 * 2^bits); each plane is coded with its own adaptive model of the folded residual (8-bit: one 256-symbol
 * model per plane; 16-bit: a high-byte and a low-byte model per plane). Alpha, when present, is one more
 * plane. One adaptive range-coded stream holds every plane in order.
 */
import { adaptiveDecode, adaptiveEncode } from '../../src/entropy/index.js';
import { fold, reconstruct, residuals, unfold } from '../../src/entropy/med.js';

/** Interleaved samples: what the MED coder reads and writes. */
export interface SampleImage {
  width: number;
  height: number;
  channels: number;
  bitDepth: 8 | 16;
  data: Uint8Array | Uint16Array;
}

interface PlaneLayout {
  /** Channel index in the interleaved image of each coded plane; colour planes first (G, R, B). */
  channels: number[];
  /** Which planes are coded as a difference to the G residual. */
  minusGreen: boolean[];
}

function layoutOf(channels: number): PlaneLayout {
  const colour = channels >= 3;
  const order = colour ? [1, 0, 2] : [0];
  if (channels === 2 || channels === 4) order.push(channels - 1);
  return { channels: order, minusGreen: order.map((_, k) => colour && (k === 1 || k === 2)) };
}

function plane(image: SampleImage, channel: number): Int32Array {
  const n = image.width * image.height;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = image.data[i * image.channels + channel]!;
  return out;
}

/** Contexts of every plane's symbols: 8-bit → one symbol per sample, 16-bit → high byte then low byte. */
function contextsFor(planeCount: number, n: number, bits: number): { contexts: Int32Array; alphabetSizes: Int32Array } {
  const perSample = bits === 16 ? 2 : 1;
  const contexts = new Int32Array(planeCount * n * perSample);
  let at = 0;
  for (let k = 0; k < planeCount; k++) {
    for (let i = 0; i < n; i++) {
      if (perSample === 1) contexts[at++] = k;
      else { contexts[at++] = 2 * k; contexts[at++] = 2 * k + 1; }
    }
  }
  return { contexts, alphabetSizes: new Int32Array(planeCount * perSample).fill(256) };
}

/** The adaptive stream of every plane of `image`. */
export function medEncode(image: SampleImage): Uint8Array {
  const { width: w, height: h, bitDepth: bits } = image;
  const mask = (1 << bits) - 1;
  const layout = layoutOf(image.channels);
  const res = layout.channels.map((c) => residuals(plane(image, c), w, h, bits));
  const green = res[0]!;
  const coded = res.map((r, k) => (layout.minusGreen[k] ? r.map((v, i) => (v - green[i]!) & mask) : r));
  const perSample = bits === 16 ? 2 : 1;
  const n = w * h;
  const symbols = new Int32Array(coded.length * n * perSample);
  let at = 0;
  for (const p of coded) {
    for (let i = 0; i < n; i++) {
      const z = fold(p[i]!, bits);
      if (perSample === 1) symbols[at++] = z;
      else { symbols[at++] = z >> 8; symbols[at++] = z & 255; }
    }
  }
  const { contexts, alphabetSizes } = contextsFor(coded.length, n, bits);
  return adaptiveEncode(symbols, contexts, alphabetSizes);
}

/** Inverse of {@link medEncode}: interleaved samples of a width × height image. */
export function medDecode(stream: Uint8Array, w: number, h: number, channels: number, bits: 8 | 16): Uint8Array | Uint16Array {
  const n = w * h;
  const layout = layoutOf(channels);
  const { contexts, alphabetSizes } = contextsFor(layout.channels.length, n, bits);
  const symbols = adaptiveDecode(stream, contexts, alphabetSizes);
  const mask = (1 << bits) - 1;
  const perSample = bits === 16 ? 2 : 1;
  const data = bits === 16 ? new Uint16Array(n * channels) : new Uint8Array(n * channels);
  const planeOut = new Int32Array(n);
  let green: Int32Array | undefined;
  layout.channels.forEach((c, k) => {
    const res = new Int32Array(n);
    const base = k * n * perSample;
    for (let i = 0; i < n; i++) {
      const z = perSample === 1 ? symbols[base + i]! : (symbols[base + 2 * i]! << 8) | symbols[base + 2 * i + 1]!;
      res[i] = unfold(z, bits);
    }
    if (layout.minusGreen[k]) for (let i = 0; i < n; i++) res[i] = (res[i]! + green![i]!) & mask;
    if (k === 0) green = res;
    reconstruct(res, w, h, bits, planeOut);
    for (let i = 0; i < n; i++) data[i * channels + c] = planeOut[i]!;
  });
  return data;
}
