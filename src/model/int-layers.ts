/**
 * The stored form of integer 3×3 networks (src/entropy/int-conv.ts), shared by the families whose
 * table-selecting networks compute in integers (the video inter model, the hyperprior's checkerboard
 * context): each layer's spec in the manifest, its int8 weights at `weightOffset` of one weight file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CodecError } from '../errors.js';
import type { ManifestFields } from './manifest.js';

/** One integer 3×3 layer as stored: int8 weights at `weightOffset` in the weight file. */
export interface IntLayerSpec {
  inChannels: number;
  outChannels: number;
  weightOffset: number;
  mult: Int32Array;
  /** Per output channel. */
  bias?: Float64Array;
  /** Per rate level, per output channel (a first layer conditioned on the rate). */
  levelBias?: Float64Array[];
  /**
   * The layer's own rescaling shift (1–40). Layers quantized before 2026-12-07 store none and use their
   * network's single `shift`; since then each layer keeps 23-bit multipliers.
   */
  shift?: number;
}

/** A JSON array of integers below `bound` in magnitude (2^31, or 2^52 for biases), of `length` entries when given. */
export function exactInts(f: ManifestFields, value: unknown, key: string, length?: number, bound = 2 ** 31): number[] {
  if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v) && Math.abs(v as number) < bound)) {
    throw f.invalid(key, `an array of integers below ${bound === 2 ** 31 ? '2^31' : '2^52'} in magnitude`);
  }
  if (length !== undefined && value.length !== length) throw f.invalid(key, `${length} entries`);
  return value as number[];
}

/** The layer at `key`: exactly `inChannels` → `outChannels`, with `bias` or (given `levels`) `levelBias`. */
export function intLayerAt(f: ManifestFields, value: unknown, key: string, inChannels: number, outChannels: number, levels = 0): IntLayerSpec {
  const l = f.objectAt(value, key);
  const spec: IntLayerSpec = {
    inChannels: f.intAt(l.inChannels, `${key}.inChannels`, inChannels, inChannels),
    outChannels: f.intAt(l.outChannels, `${key}.outChannels`, outChannels, outChannels),
    weightOffset: f.intAt(l.weightOffset, `${key}.weightOffset`, 0, 2 ** 30),
    mult: Int32Array.from(exactInts(f, l.mult, `${key}.mult`, outChannels)),
  };
  if (l.shift !== undefined) spec.shift = f.intAt(l.shift, `${key}.shift`, 1, 40);
  if (l.levelBias !== undefined) {
    if (!Array.isArray(l.levelBias) || l.levelBias.length !== levels) throw f.invalid(`${key}.levelBias`, `${levels} rows`);
    spec.levelBias = l.levelBias.map((row, i) => Float64Array.from(exactInts(f, row, `${key}.levelBias[${i}]`, outChannels, 2 ** 52)));
  } else {
    spec.bias = Float64Array.from(exactInts(f, l.bias, `${key}.bias`, outChannels, 2 ** 52));
  }
  return spec;
}

/** Reads the int8 weights of `layers` from `file` (checked against the specs) as Int32Arrays. */
export function readIntLayerWeights(file: string, layers: readonly IntLayerSpec[], what: string): Int32Array[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new CodecError('ERR_MODEL_NOT_FOUND', `The ${what} weight file ${file} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  const int8 = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return layers.map((spec, i) => {
    const count = spec.outChannels * spec.inChannels * 9;
    if (spec.weightOffset + count > int8.length) {
      throw new CodecError('ERR_MODEL_INVALID', `${path.basename(file)} holds ${int8.length} weights; layer ${i + 1} of the ${what} needs ${count} from offset ${spec.weightOffset}. Re-export the model.`);
    }
    const weight = Int32Array.from(int8.subarray(spec.weightOffset, spec.weightOffset + count));
    if (weight.includes(-128)) throw new CodecError('ERR_MODEL_INVALID', `${file}: layer ${i + 1} of the ${what} holds the weight −128, outside ±127; the file is damaged. Reinstall or re-export the model.`);
    return weight;
  });
}
