/**
 * `lossless`: a model-free lossless image codec, the reference point of the rate axis and the codec
 * that exercises container, registry and adaptive range coder without any network.
 *
 * Per colour channel, MED prediction (LOCO-I) gives residuals mod 2^bits; the colour residuals are
 * decorrelated as G, R − G, B − G (on residuals, mod 2^bits); each plane is coded with its own adaptive
 * model of the folded residual (8-bit: one 256-symbol model per plane; 16-bit: a high-byte and a
 * low-byte model per plane). Alpha, when present, is one more plane, so nothing is dropped.
 *
 * Sections: one, the adaptive range-coded symbols of every plane in order.
 * Parameters: one byte, the parameter layout version (1).
 */
import { writeContainer, readContainer } from '../../src/container/format.js';
import type { Codec, CodecFactory, CodecInfo, DecodedImage, EncodeOptions, MediaInput, RawAudio } from '../../src/api/types.js';
import { adaptiveDecode, adaptiveEncode } from '../../src/entropy/index.js';
import { CodecError } from '../../src/errors.js';
import { loadImage, type LoadedImage } from '../../src/media/image.js';
import { checkMediaKind } from '../../src/media/sniff.js';
import { fold, reconstruct, residuals, unfold } from '../../src/entropy/med.js';

const ID = 'lossless';
const PARAMS_VERSION = 1;

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

function plane(image: LoadedImage, channel: number): Int32Array {
  const n = image.width * image.height;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = image.data[i * image.channels + channel]!;
  return out;
}

/** Symbols and contexts of every plane: 8-bit → one symbol per sample, 16-bit → high byte then low byte. */
function toSymbols(planes: Int32Array[], bits: number): { symbols: Int32Array; contexts: Int32Array; alphabetSizes: Int32Array } {
  const perSample = bits === 16 ? 2 : 1;
  const n = planes[0]!.length;
  const symbols = new Int32Array(planes.length * n * perSample);
  const contexts = new Int32Array(symbols.length);
  let at = 0;
  planes.forEach((p, k) => {
    for (let i = 0; i < n; i++) {
      const z = fold(p[i]!, bits);
      if (perSample === 1) { symbols[at] = z; contexts[at++] = k; continue; }
      symbols[at] = z >> 8; contexts[at++] = 2 * k;
      symbols[at] = z & 255; contexts[at++] = 2 * k + 1;
    }
  });
  return { symbols, contexts, alphabetSizes: new Int32Array(planes.length * perSample).fill(256) };
}

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

function encodeImage(image: LoadedImage): Uint8Array {
  const bits = image.bitDepth;
  const mask = (1 << bits) - 1;
  const { width: w, height: h } = image;
  const layout = layoutOf(image.channels);
  const res = layout.channels.map((c) => residuals(plane(image, c), w, h, bits));
  const green = res[0]!;
  const coded = res.map((r, k) => (layout.minusGreen[k] ? r.map((v, i) => (v - green[i]!) & mask) : r));
  const { symbols, contexts, alphabetSizes } = toSymbols(coded, bits);
  const stream = adaptiveEncode(symbols, contexts, alphabetSizes);
  return writeContainer({
    codecId: ID, modelId: '', modelHash: null, rate: { kind: 'none' }, params: Uint8Array.of(PARAMS_VERSION),
    media: { kind: 'image', width: w, height: h, channels: image.channels, bitDepth: bits },
  }, [stream]);
}

function decodeImage(bytes: Uint8Array): DecodedImage {
  const { header, sections } = readContainer(bytes);
  const { media } = header;
  if (header.codecId !== ID || media.kind !== 'image') {
    throw new CodecError('ERR_UNKNOWN_CODEC', `This is a '${header.codecId}' ${media.kind} stream, not a lossless image.`);
  }
  if (header.params.length !== 1 || header.params[0] !== PARAMS_VERSION || sections.length !== 1) {
    throw new CodecError('ERR_BITSTREAM_CORRUPT', 'Unexpected lossless parameters or section count: the file is corrupt or from a newer version.');
  }
  const { width: w, height: h, bitDepth: bits, channels } = media;
  const n = w * h;
  if (n > 1 << 28) throw new CodecError('ERR_BITSTREAM_CORRUPT', `A ${w}×${h} lossless image is beyond the supported size: the header is corrupt.`);
  const layout = layoutOf(channels);
  const { contexts, alphabetSizes } = contextsFor(layout.channels.length, n, bits);
  const symbols = adaptiveDecode(sections[0]!, contexts, alphabetSizes);
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
  return { kind: 'image', width: w, height: h, channels: channels as DecodedImage['channels'], data };
}

class LosslessCodec implements Codec {
  readonly id = ID;
  readonly info: CodecInfo = {
    id: ID, description: lossless.description, media: ['image'], modelId: null, qualities: [0], defaultQuality: 0,
  };

  async encode(input: MediaInput, _options: EncodeOptions = {}): Promise<Uint8Array> {
    await checkMediaKind(input, ID, ['image']);
    return encodeImage(await loadImage(input as Exclude<MediaInput, RawAudio>));
  }

  async decode(bytes: Uint8Array): Promise<DecodedImage> {
    return decodeImage(bytes);
  }

  async dispose(): Promise<void> {}

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

export const lossless: CodecFactory = {
  id: ID,
  description: 'Lossless images: MED prediction + adaptive range coding (no model)',
  media: ['image'],
  open: async () => new LosslessCodec(),
};
