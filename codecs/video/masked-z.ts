/**
 * The z stream of motion-compensated P-frames. A residual is a low-energy image: most of its z
 * channels sit at one value everywhere (on the validation clips 84 of msh-wf-cpu's 96 with the image
 * model's tables), which factorized tables still charge ≈ 0.3 bit per symbol. So the stream starts
 * with one bit per channel ("live": some symbol differs from the channel's dead value, the most
 * probable symbol of its table), and only the live channels are coded, with their tables:
 *
 *   mask: ⌈C/8⌉ bytes, bit c of byte ⌊c/8⌋ (LSB first) · rANS of the live channels' symbols (channel order)
 *
 * ẑ = symbol + median, as the image codec's z (src/entropy/latent-codecs.ts FactorizedLatentCodec).
 * The tables and medians are the residual prior's (residual-prior.ts) when the video model has one,
 * else the image model's.
 */
import { RansCoder, dequantize, quantize, type CdfTableSet } from '../../src/entropy/index.js';
import { CodecError } from '../../src/errors.js';
import type { Latent } from '../../src/tensor.js';

export class MaskedZCodec implements Disposable {
  private readonly coder: RansCoder;
  /** The symbol of each channel's dead positions: its table's most probable symbol. */
  private readonly dead: Int32Array;

  constructor(tables: CdfTableSet, private readonly medians: Float32Array) {
    if (tables.cdfLengths.length !== medians.length) throw new RangeError(`${medians.length} z channels need as many tables, not ${tables.cdfLengths.length}`);
    this.dead = modes(tables);
    this.coder = new RansCoder(tables);
  }

  encode(z: Latent): { bytes: Uint8Array; zHat: Latent } {
    const plane = z.height * z.width;
    const symbols = quantize(z.data, this.medians, plane);
    const zHat = { channels: z.channels, height: z.height, width: z.width, data: dequantize(symbols, this.medians, plane) };
    const mask = new Uint8Array(Math.ceil(z.channels / 8));
    const live: number[] = [];
    for (let c = 0; c < z.channels; c++) {
      const dead = this.dead[c]!;
      if (symbols.subarray(c * plane, (c + 1) * plane).some((s) => s !== dead)) {
        mask[c >> 3]! |= 1 << (c & 7);
        live.push(c);
      }
    }
    const coded = new Int32Array(live.length * plane);
    live.forEach((c, k) => coded.set(symbols.subarray(c * plane, (c + 1) * plane), k * plane));
    const rans = this.coder.encode(coded, indexesOf(live, plane));
    const bytes = new Uint8Array(mask.length + rans.length);
    bytes.set(mask);
    bytes.set(rans, mask.length);
    return { bytes, zHat };
  }

  decode(bytes: Uint8Array, shape: Omit<Latent, 'data'>, where: string): Latent {
    const plane = shape.height * shape.width;
    const maskLength = Math.ceil(shape.channels / 8);
    if (bytes.length < maskLength) throw new CodecError('ERR_BITSTREAM_TRUNCATED', `${where}: the z stream ends inside its channel mask; the file is truncated.`);
    const live: number[] = [];
    for (let c = 0; c < maskLength * 8; c++) {
      const on = (bytes[c >> 3]! >> (c & 7)) & 1;
      if (on && c >= shape.channels) throw new CodecError('ERR_BITSTREAM_CORRUPT', `${where}: the z channel mask names channel ${c} of ${shape.channels}; the file is corrupt.`);
      if (on) live.push(c);
    }
    const coded = this.coder.decode(bytes.subarray(maskLength), indexesOf(live, plane));
    const symbols = new Int32Array(shape.channels * plane);
    for (let c = 0; c < shape.channels; c++) symbols.fill(this.dead[c]!, c * plane, (c + 1) * plane);
    live.forEach((c, k) => symbols.set(coded.subarray(k * plane, (k + 1) * plane), c * plane));
    return { ...shape, data: dequantize(symbols, this.medians, plane) };
  }

  dispose(): void {
    this.coder.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * The most probable symbol of each table (the first on ties), its escape symbol (the last) left out:
 * offset + argmax of the CDF's steps.
 */
export function modes(tables: CdfTableSet): Int32Array {
  const out = new Int32Array(tables.cdfLengths.length);
  let start = 0;
  tables.cdfLengths.forEach((length, k) => {
    let best = 0;
    let bestFreq = -1;
    for (let s = 0; s + 2 < length; s++) {
      const freq = tables.cdfs[start + s + 1]! - tables.cdfs[start + s]!;
      if (freq > bestFreq) [best, bestFreq] = [s, freq];
    }
    out[k] = best + tables.offsets[k]!;
    start += length;
  });
  return out;
}

function indexesOf(channels: readonly number[], plane: number): Int32Array {
  const out = new Int32Array(channels.length * plane);
  channels.forEach((c, k) => out.fill(c, k * plane, (k + 1) * plane));
  return out;
}
