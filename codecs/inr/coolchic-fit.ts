/**
 * Fitting a Cool-chic model to one image: Adam on D + λR (models/train/inr/coolchic.py: forward,
 * hand-written backward, Adam), one whole-image step per call of a {@link CoolChicStepper}
 * (coolchic-steppers.ts: the native fitter on the CPU, the exported `fitStep` graph on CUDA). This
 * loop chooses each step's quantization proxy of the latents (its seed, or rounding):
 *
 * - while `progress < 1 − hardFraction`: additive uniform noise u ~ U[−0.5, 0.5) (Ballé et al. 2017),
 * - then hard rounding with the straight-through estimator: u = round(y) − y, so the step sees the
 *   integers the bitstream will hold and the rate it reports is the rate of those integers; at a
 *   learning rate scaled by `hardLrScale` (at the full rate the latents jump between integers and
 *   both rate and distortion get worse: 1.08 bpp / 25.78 dB against 0.92 bpp / 25.94 dB at ×0.1 on a
 *   training image, 600 steps).
 *
 * Budget: at most `maxSteps` steps and `maxSeconds` of wall time; progress is the larger of the two
 * fractions used. The learning rate follows a cosine from its peak to 1 % of it over the budget.
 */
import type { Progress } from '../../src/api/types.js';
import type { Prng } from '../../src/prng.js';
import { roundHalfEvenDiv } from './fit.js';

/**
 * A step's quantization proxy u of the latents: `hard` false, uniform noise u = draw − 1/2 from
 * mulberry32(seed) (src/prng.ts), latent after latent, finest level first; `hard` true, u = round(y) − y
 * with ties to even ({@link roundLatent}).
 */
export interface QuantizationProxy {
  seed: number;
  hard: boolean;
}

/** One fitting step's engine: it holds the parameters and Adam's moments between steps. */
export interface CoolChicStepper extends Disposable {
  /** One Adam step `t` (1, 2, …) with the latents' quantization proxy. */
  step(proxy: QuantizationProxy, lr: number, lrNetwork: number, t: number): Promise<{ mse: number; bits: number }>;
  /** The latent grids now (float, before rounding), finest first. */
  latents(): Float32Array[];
  /** The network tensors now, by name. */
  network(): Map<string, Float32Array>;
}

export interface CoolChicFitOptions {
  /** Peak learning rate of the latents and of the networks. */
  lr: number;
  lrNetwork: number;
  maxSteps: number;
  maxSeconds: number;
  /** Fraction of the budget fitted with hard rounding (straight-through). */
  hardFraction: number;
  /** Learning-rate factor of that phase: small, so latents settle instead of jumping between integers. */
  hardLrScale: number;
  prng: Prng;
  onProgress?: (progress: Progress) => void;
}

export interface CoolChicFit {
  /** Latent grids (float, before rounding), finest first. */
  latents: Float32Array[];
  network: Map<string, Float32Array>;
  steps: number;
  seconds: number;
  /** MSE (image in [0, 1]) and rate in bits of the last step. */
  mse: number;
  bits: number;
}

/** The integer the bitstream stores for a latent, rounded half to even (the straight-through proxy uses the same). */
export function roundLatent(v: number): number {
  return roundHalfEvenDiv(v, 1);
}

/** Fits the model held by `stepper` (its initial latents and network) to the image it was made for. */
export async function fitCoolChic(stepper: CoolChicStepper, height: number, width: number, options: CoolChicFitOptions): Promise<CoolChicFit> {
  const pixels = height * width;
  const started = performance.now();
  let step = 0, lastPercent = -1, mse = NaN, bits = NaN;
  const { prng } = options;
  for (;;) {
    const seconds = (performance.now() - started) / 1000;
    const progress = Math.min(1, Math.max(step / options.maxSteps, seconds / options.maxSeconds));
    const percent = Math.floor(progress * 100);
    const hard = progress >= 1 - options.hardFraction;
    if (percent !== lastPercent && options.onProgress) {
      lastPercent = percent;
      const detail = step === 0 ? 'step 0' : `step ${step}, ${(bits / pixels).toFixed(4)} bpp, ${(10 * Math.log10(1 / mse)).toFixed(2)} dB`;
      options.onProgress({ phase: hard ? 'fit (rounded)' : 'fit', done: percent, total: 100, detail });
    }
    if (progress >= 1) break;
    const seed = Math.floor(prng() * 4294967296) >>> 0;
    step++;
    const decay = (0.01 + 0.495 * (1 + Math.cos(Math.PI * progress))) * (hard ? options.hardLrScale : 1);
    ({ mse, bits } = await stepper.step({ seed, hard }, options.lr * decay, options.lrNetwork * decay, step));
    if (!Number.isFinite(mse) || !Number.isFinite(bits)) {
      throw new Error(`Cool-chic fitting diverged at step ${step} (mse ${mse}, bits ${bits})`);
    }
  }
  return {
    latents: stepper.latents(), network: stepper.network(), steps: step,
    seconds: (performance.now() - started) / 1000, mse, bits,
  };
}
