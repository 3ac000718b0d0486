/**
 * The `inr` codec's image model: Cool-chic (coolchic-model.ts). Encoding fits latents and networks to
 * the image (coolchic-fit.ts), rounds the latents, quantizes the networks with the step exponents that
 * minimise D + λR (coolchic-weights.ts), and writes
 *
 *   header params  version 1, medium 3 (Cool-chic image), step exponents e (u8) of the upsampling, ARM
 *                  and synthesis, flags (u8; bit 0: the network integers are differences from the
 *                  model's initial network), then max |q| (u16) of each of the 22 network tensors
 *   section 0      the latents, coarsest grid first, coded by the native integer ARM (src/entropy/arm.ts)
 *   section 1      the network integers (weights.ts)
 *
 * Decoding rebuilds the ARM from its integers, decodes the latents in the native coder (the same
 * tables on every machine: integer arithmetic) and runs the upsampling and synthesis graph on a
 * deterministic CPU session. Gray images are fitted as RGB with equal channels and decode as the
 * channels' mean.
 */
import path from 'node:path';
import type * as ort from 'onnxruntime-node';
import type { Progress } from '../../src/api/types.js';
import { ARM_MAX_WEIGHT, armBits, armDecode, armEncode, armGridSizes, type ArmGrid } from '../../src/entropy/arm.js';
import { CodecError } from '../../src/errors.js';
import type { LoadedImage } from '../../src/media/image.js';
import { toPlanarRgb } from '../../src/media/image.js';
import type { Prng } from '../../src/prng.js';
import type { Runtime } from '../../src/runtime/index.js';
import { fitCoolChic, roundLatent, type CoolChicStepper } from './coolchic-fit.js';
import { GraphCoolChicStepper, NativeCoolChicStepper, type CoolChicStart } from './coolchic-steppers.js';
import { LEVELS, NETWORK, NETWORK_SHAPES, SYNTHESIS, UPSAMPLING, initialNetwork, levelSizes, macsPerPixel, sizeOf } from './coolchic-model.js';
import {
  EXPONENT_CANDIDATES, GROUPS, MAX_EXPONENT, armWeightsQ8, dequantizeNetwork, groupOf, quantizeNetwork, type NetworkGroup, type StepExponents,
} from './coolchic-weights.js';
import type { CoolChicLevel, CoolChicSpec } from './manifest.js';
import { PARAMS_VERSION } from './params.js';
import { MAX_ABS } from './quantize.js';
import { decodeWeights, encodeWeights, maxAbsOf } from './weights.js';

export const COOLCHIC_MEDIUM = 3;
const FIXED = 6;
/** Flag bit: the network integers are differences from the model's initial network. */
const FLAG_RELATIVE = 1;

export interface CoolChicParams {
  exponents: StepExponents;
  /** Whether the network integers are differences from the model's initial network (`coolchic.init`). */
  relative: boolean;
  maxAbs: Int32Array;
}

export function encodeCoolChicParams(p: CoolChicParams): Uint8Array {
  const out = new Uint8Array(FIXED + 2 * NETWORK.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, PARAMS_VERSION);
  v.setUint8(1, COOLCHIC_MEDIUM);
  GROUPS.forEach((g, i) => v.setUint8(2 + i, p.exponents[g]));
  v.setUint8(5, p.relative ? FLAG_RELATIVE : 0);
  p.maxAbs.forEach((m, t) => v.setUint16(FIXED + 2 * t, m, true));
  return out;
}

function corrupt(message: string, cause?: unknown): CodecError {
  return new CodecError('ERR_BITSTREAM_CORRUPT', message, cause === undefined ? undefined : { cause });
}

/** Parses and range-checks the Cool-chic header parameters (version already checked by the caller). */
export function decodeCoolChicParams(bytes: Uint8Array): CoolChicParams {
  if (bytes.length !== FIXED + 2 * NETWORK.length || bytes[1] !== COOLCHIC_MEDIUM) {
    throw corrupt(`The Cool-chic parameters are invalid (${bytes.length} bytes): the header is corrupt.`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const exponents = {} as StepExponents;
  GROUPS.forEach((g, i) => {
    const e = v.getUint8(2 + i);
    if (e > MAX_EXPONENT || (g === 'arm' && e > 8)) throw corrupt(`The Cool-chic ${g} step exponent ${e} is out of range: the header is corrupt.`);
    exponents[g] = e;
  });
  const flags = v.getUint8(5);
  if ((flags & ~FLAG_RELATIVE) !== 0) throw corrupt(`The Cool-chic parameter flags ${flags} are unknown: the header is corrupt.`);
  const maxAbs = Int32Array.from(NETWORK, (_, t) => v.getUint16(FIXED + 2 * t, true));
  if (maxAbs.some((m) => m > MAX_ABS)) throw corrupt('A Cool-chic weight range is out of bounds: the header is corrupt.');
  const armScale = 2 ** (8 - exponents.arm);
  NETWORK.forEach((name, t) => {
    if (groupOf(name) === 'arm' && (flags & FLAG_RELATIVE) === 0 && maxAbs[t]! * armScale > ARM_MAX_WEIGHT) {
      throw corrupt(`The Cool-chic ARM weight range (${name}: ±${maxAbs[t]} at step 2^-${exponents.arm}) exceeds the integer ARM's ±${ARM_MAX_WEIGHT}: the header is corrupt.`);
    }
  });
  return { exponents, relative: (flags & FLAG_RELATIVE) !== 0, maxAbs };
}

/** What the last Cool-chic encode did. */
export interface CoolChicReport {
  steps: number;
  seconds: number;
  /** Rate the fitting graph gave for the last step's rounded latents (bits, latents only). */
  fittedLatentBits: number;
  /** Bits of the coded latents and networks (sections 0 and 1, without header and container). */
  codedLatentBits: number;
  codedNetworkBits: number;
  /** PSNR (dB, RGB) of the decoded image as the decoder will produce it (before 8-bit rounding). */
  psnr: number;
  exponents: StepExponents;
  macsPerPixel: number;
}

/** Budget of one fit. */
export interface FitBudget {
  maxSteps: number;
  maxSeconds: number;
}

/** Latent grids in the native coder's order (coarsest first). */
function armGrids(latents: readonly Int32Array[], height: number, width: number): ArmGrid[] {
  const sizes = levelSizes(height, width);
  return latents.map((values, l) => ({ height: sizes[l]![0], width: sizes[l]![1], values })).reverse();
}

function mseOf(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.min(1, Math.max(0, a[i]!)) - b[i]!;
    s += d * d;
  }
  return s / a.length;
}

/** Fits, quantizes and decodes Cool-chic models with one runtime and one model folder. */
export class CoolChicImageCoder {
  constructor(private readonly runtime: Runtime, private readonly dir: string, private readonly spec: CoolChicSpec) {}

  /** Runs the upsampling and synthesis: planar RGB [3, H, W] (float, unclamped). */
  async synthesize(latents: readonly Int32Array[], network: ReadonlyMap<string, Float32Array>, height: number, width: number): Promise<Float32Array> {
    const { Tensor } = await import('onnxruntime-node');
    const session: ort.InferenceSession = await this.runtime.session(path.join(this.dir, this.spec.decode.file), { deterministic: true });
    const sizes = levelSizes(height, width);
    const feeds: Record<string, ort.Tensor> = {};
    const names = this.spec.decode.inputs;
    for (let l = 0; l < LEVELS; l++) feeds[names[l]!] = new Tensor('float32', Float32Array.from(latents[l]!), [1, 1, sizes[l]![0], sizes[l]![1]]);
    [...UPSAMPLING, ...SYNTHESIS].forEach((name, i) => {
      feeds[names[LEVELS + i]!] = new Tensor('float32', network.get(name)!, [...NETWORK_SHAPES.get(name)!]);
    });
    const out = await session.run(feeds);
    return out[this.spec.decode.outputs[0]!]!.data as Float32Array;
  }

  /** The fitting engine: native code on the CPU, the exported `fitStep` graph on CUDA (coolchic-steppers.ts). */
  private async stepper(start: CoolChicStart): Promise<CoolChicStepper> {
    if (this.runtime.device === 'cpu') return new NativeCoolChicStepper(start, this.runtime.threads);
    const ort = await import('onnxruntime-node');
    const session = await this.runtime.session(path.join(this.dir, this.spec.fitStep.file));
    return new GraphCoolChicStepper(session, this.spec.fitStep, ort.Tensor, start);
  }

  /** Fits the image and codes it: header parameters, the latent and network sections, and a report. */
  async encode(image: LoadedImage, level: CoolChicLevel, budget: FitBudget, prng: Prng,
    onProgress?: (p: Progress) => void): Promise<{ params: Uint8Array; sections: Uint8Array[]; report: CoolChicReport }> {
    const { width, height } = image;
    const target = toPlanarRgb(image).data;
    const init = this.spec.init ? new Map([...this.spec.init].map(([k, v]) => [k, Float32Array.from(v)])) : initialNetwork(prng);
    using stepper = await this.stepper({ target, height, width, network: init, lambda: level.lambda });
    const fitted = await fitCoolChic(stepper, height, width, {
      lr: level.lr, lrNetwork: level.lrNetwork, hardFraction: level.hardFraction, hardLrScale: level.hardLrScale, prng, onProgress, ...budget,
    });
    const latents = fitted.latents.map((y) => Int32Array.from(y, roundLatent));
    const base = this.spec.init;
    const grids = armGrids(latents, height, width);
    const pixels = width * height;
    // Step exponents by rate–distortion, one group at a time from the finest steps.
    const exponents: StepExponents = { upsampling: 10, arm: 8, synthesis: 10 };
    const groupBits = (ints: Int32Array[], g: NetworkGroup): number => {
      const idx = NETWORK.map((n, t) => (groupOf(n) === g ? t : -1)).filter((t) => t >= 0);
      const part = idx.map((t) => ints[t]!);
      return 8 * encodeWeights(part, maxAbsOf(part)).length;
    };
    // The image depends on the upsampling and synthesis only, and synthesis is searched last: its best
    // candidate's MSE is the decoded image's.
    let mse = NaN;
    for (const g of ['upsampling', 'synthesis', 'arm'] as const) {
      let bestCost = Infinity, bestE = exponents[g];
      for (const e of EXPONENT_CANDIDATES[g]) {
        const trial = { ...exponents, [g]: e };
        const ints = quantizeNetwork(fitted.network, trial, base);
        let cost: number;
        if (g === 'arm') {
          cost = level.lambda * (armBits(armWeightsQ8(ints, e, base), grids) + groupBits(ints, g)) / pixels;
        } else {
          const img = await this.synthesize(latents, dequantizeNetwork(ints, trial, base), height, width);
          const trialMse = mseOf(img, target);
          cost = trialMse + level.lambda * groupBits(ints, g) / pixels;
          if (cost < bestCost) mse = trialMse;
        }
        if (cost < bestCost) { bestCost = cost; bestE = e; }
      }
      exponents[g] = bestE;
    }
    const ints = quantizeNetwork(fitted.network, exponents, base);
    const maxAbs = maxAbsOf(ints);
    const armQ8 = armWeightsQ8(ints, exponents.arm, base);
    const latentSection = armEncode(armQ8, grids);
    const networkSection = encodeWeights(ints, maxAbs);
    return {
      params: encodeCoolChicParams({ exponents, relative: base !== null, maxAbs }),
      sections: [latentSection, networkSection],
      report: {
        steps: fitted.steps, seconds: fitted.seconds, fittedLatentBits: fitted.bits, codedLatentBits: 8 * latentSection.length,
        codedNetworkBits: 8 * networkSection.length, psnr: 10 * Math.log10(1 / mse), exponents: { ...exponents },
        macsPerPixel: macsPerPixel(height, width),
      },
    };
  }

  /** Decodes sections 0 and 1 into planar RGB [3, H, W] in [0, 1] (unclamped floats). */
  async decode(paramsBytes: Uint8Array, latentSection: Uint8Array, networkSection: Uint8Array, height: number, width: number): Promise<Float32Array> {
    const params = decodeCoolChicParams(paramsBytes);
    const lengths = NETWORK.map((n) => sizeOf(NETWORK_SHAPES.get(n)!));
    const ints = decodeWeights(networkSection, lengths, params.maxAbs);
    if (params.relative && !this.spec.init) {
      throw new CodecError('ERR_MODEL_MISMATCH', 'This Cool-chic file codes its networks relative to an initial network that this model does not have: decode it with the model it was coded with.');
    }
    const base = params.relative ? this.spec.init : null;
    const armQ8 = armWeightsQ8(ints, params.exponents.arm, base);
    if (armQ8.some((w) => Math.abs(w) > ARM_MAX_WEIGHT)) throw corrupt(`A Cool-chic ARM weight exceeds the integer ARM's ±${ARM_MAX_WEIGHT}: the file is corrupt.`);
    const coarseFirst = armDecode(armQ8, latentSection, armGridSizes(height, width, LEVELS));
    return this.synthesize(coarseFirst.slice().reverse(), dequantizeNetwork(ints, params.exponents, base), height, width);
  }
}

/** 8-bit interleaved pixels (1–4 channels; alpha left 0) from planar RGB in [0, 1]; gray takes the channels' mean. */
export function planarToPixels(planar: Float32Array, width: number, height: number, channels: number, out: Uint8Array): void {
  const n = width * height;
  const to8 = (v: number): number => Math.min(255, Math.max(0, Math.round(v * 255)));
  for (let i = 0; i < n; i++) {
    if (channels <= 2) {
      out[i * channels] = to8((planar[i]! + planar[n + i]! + planar[2 * n + i]!) / 3);
    } else {
      for (let c = 0; c < 3; c++) out[i * channels + c] = to8(planar[c * n + i]!);
    }
  }
}
