/**
 * The z stream of motion-compensated P-frames. A residual is a low-energy image: most of its z
 * channels are at their median everywhere (on the validation clips 84 of msh-wf-cpu's 96), and the
 * image model's factorized tables, fitted to natural images' z, still spend ≈ 0.3 bit on each such
 * symbol. So the stream starts with one bit per channel ("live": some symbol differs from the median),
 * and only the live channels are coded, with their tables:
 *
 *   mask: ⌈C/8⌉ bytes, bit c of byte ⌊c/8⌋ (LSB first) · rANS of the live channels' symbols (channel order)
 *
 * ẑ = symbol + median, as the image codec's z (src/entropy/latent-codecs.ts FactorizedLatentCodec).
 */
import { RansCoder, dequantize, quantize, type CdfTableSet } from '../../src/entropy/index.js';
import { CodecError } from '../../src/errors.js';
import type { Latent } from '../../src/tensor.js';

export class MaskedZCodec implements Disposable {
  private readonly coder: RansCoder;

  constructor(tables: CdfTableSet, private readonly medians: Float32Array) {
    this.coder = new RansCoder(tables);
  }

  encode(z: Latent): { bytes: Uint8Array; zHat: Latent } {
    const plane = z.height * z.width;
    const symbols = quantize(z.data, this.medians, plane);
    const zHat = { channels: z.channels, height: z.height, width: z.width, data: dequantize(symbols, this.medians, plane) };
    const mask = new Uint8Array(Math.ceil(z.channels / 8));
    const live: number[] = [];
    for (let c = 0; c < z.channels; c++) {
      if (symbols.subarray(c * plane, (c + 1) * plane).some((s) => s !== 0)) {
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

function indexesOf(channels: readonly number[], plane: number): Int32Array {
  const out = new Int32Array(channels.length * plane);
  channels.forEach((c, k) => out.fill(c, k * plane, (k + 1) * plane));
  return out;
}
