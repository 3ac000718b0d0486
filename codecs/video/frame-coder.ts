/**
 * One frame through the latent pipeline, as intra (I) or inter (P) frame.
 *
 *   I:  y = g_a(x) → z = h_a(y) → ẑ ──(z stream)   (σ, μ) = h_s(ẑ) → v = round(y − μ), table(σ) ──(y stream)
 *       ŷ = v + μ (float32, exactly the hyperprior image codec's frame), x̂ = g_s(ŷ)
 *   P:  (μ, table) = inter(ŷ_{t−1}) in integers → v = round(y − μ) ──(y stream),  ŷ = v + μ, x̂ = g_s(ŷ)
 *   P (motion mode): pred = compensate(x̂_{t−1}, motion) (motion.ts), r = clamp(x − pred + ½, 0, 1) coded as an
 *       I-frame codes x (the image model's networks and tables; z with a mask of its live channels,
 *       masked-z.ts), x̂ = clamp(pred + g_s(ŷ_r) − ½, 0, 1)
 *
 * I-frames code y in one stream with h_s's tables even when the image model has a checkerboard context
 * (codecs/hyperprior/checkerboard.ts), so they decode without it.
 *
 * Both return the frame's context for the next P-frame, ctx16 = 16·ŷ as integers: exact for P-frames
 * (μ is a multiple of 1/16), 16·v + round(16·μ) for I-frames.
 */
import { FactorizedLatentCodec, RansCoder, buildScaleIndexes, dequantize, quantize } from '../../src/entropy/index.js';
import { CodecError } from '../../src/errors.js';
import { roundHalfEven, type Latent } from '../../src/tensor.js';
import type { HyperpriorManifest, RateLevel } from '../hyperprior/manifest.js';
import type { HyperpriorNetworks } from '../hyperprior/networks.js';
import type { InterMode, InterModel } from './inter-model.js';
import { MaskedZCodec } from './masked-z.js';

/** A coded frame's streams and its context for the next frame. */
export interface CodedFrame {
  /** The z stream (I-frames only). */
  z?: Uint8Array;
  y: Uint8Array;
  ctx16: Int32Array;
}

export interface DecodedFrame {
  /** Planar RGB in [0, 1] of the padded size. */
  xHat: Latent;
  ctx16: Int32Array;
}

const CTX_LIMIT = 1 << 30;

/** What codes z: the image model's factorized codec (I-frames) or the masked one (residuals). */
type ZCodec = Pick<MaskedZCodec, 'encode'>;

export class FrameCoder implements Disposable {
  private readonly zCodec: FactorizedLatentCodec;
  private readonly yCoder: RansCoder;
  private readonly residualZ: MaskedZCodec;

  constructor(
    private readonly networks: HyperpriorNetworks,
    private readonly intra: HyperpriorManifest,
    private readonly inter: InterModel,
  ) {
    this.zCodec = new FactorizedLatentCodec(intra.zTables, intra.zMedians);
    let yCoder: RansCoder | undefined;
    try {
      yCoder = new RansCoder(intra.yTables);
      this.residualZ = new MaskedZCodec(intra.zTables, intra.zMedians);
    } catch (err) {
      this.zCodec.dispose();
      yCoder?.dispose();
      throw err;
    }
    this.yCoder = yCoder;
  }

  get clock(): HyperpriorNetworks['clock'] {
    return this.networks.clock;
  }

  /** y = g_a(x) of a padded frame. */
  analyse(x: Latent, level: RateLevel): Promise<Latent> {
    return this.networks.gA(x, level);
  }

  /** `reconstruct`: also x̂ = g_s(ŷ), the reference of a following motion-compensated P-frame. */
  async encodeIntra(y: Latent, level: RateLevel, reconstruct = false, zCodec: ZCodec = this.zCodec): Promise<CodedFrame & { xHat?: Latent }> {
    const z = await this.networks.hA(y, level);
    const { bytes: zBytes, zHat } = this.clock.time('entropy', () => zCodec.encode(z));
    const { scales, means } = await this.networks.hS(zHat, level);
    this.checkShape(means, y);
    const coded = this.clock.time('entropy', () => {
      const v = quantize(y.data, means.data);
      const bytes = this.yCoder.encode(v, buildScaleIndexes(scales.data, this.intra.scaleTable));
      return { z: zBytes, y: bytes, ctx16: intraContext(v, means.data), v };
    });
    const { v, ...frame } = coded;
    if (!reconstruct) return frame;
    const xHat = await this.networks.gS({ ...y, data: dequantize(v, means.data) }, level);
    return { ...frame, xHat };
  }

  /**
   * A motion-compensated P-frame: the residual of the padded RGB frame `x` against `pred` (the
   * prediction from the previous decoded frame), coded as an I-frame. Returns its z and y streams and
   * x̂, the next frame's reference.
   */
  async encodeResidual(x: Latent, pred: Float32Array, level: RateLevel): Promise<{ z: Uint8Array; y: Uint8Array; xHat: Latent }> {
    const r = new Float32Array(x.data.length);
    for (let i = 0; i < r.length; i++) r[i] = clampUnit(x.data[i]! - pred[i]! + 0.5);
    const y = await this.analyse({ ...x, data: r }, level);
    const coded = await this.encodeIntra(y, level, true, this.residualZ);
    return { z: coded.z!, y: coded.y, xHat: addResidual(coded.xHat!, pred) };
  }

  /** Decodes a motion-compensated P-frame's residual (z and y streams) onto `pred`. */
  async decodeResidual(z: Uint8Array, y: Uint8Array, shape: Omit<Latent, 'data'>, level: RateLevel, pred: Float32Array, where: string): Promise<Latent> {
    const { xHat } = await this.decodeIntra(z, y, shape, level, (bytes, zShape) => this.residualZ.decode(bytes, zShape, where));
    return addResidual(xHat, pred);
  }

  async decodeIntra(
    z: Uint8Array, y: Uint8Array, shape: Omit<Latent, 'data'>, level: RateLevel,
    decodeZ: (bytes: Uint8Array, shape: Omit<Latent, 'data'>) => Latent = (bytes, zShape) => this.zCodec.decode(bytes, zShape),
  ): Promise<DecodedFrame> {
    const { zStride, yStride, zChannels } = this.intra;
    const zShape = { channels: zChannels, height: (shape.height * yStride) / zStride, width: (shape.width * yStride) / zStride };
    const zHat = this.clock.time('entropy', () => decodeZ(z, zShape));
    const { scales, means } = await this.networks.hS(zHat, level);
    this.checkShape(means, { ...shape, data: new Float32Array(0) });
    const { v, yHat } = this.clock.time('entropy', () => {
      const v = this.yCoder.decode(y, buildScaleIndexes(scales.data, this.intra.scaleTable));
      return { v, yHat: { ...shape, data: dequantize(v, means.data) } };
    });
    const xHat = await this.networks.gS(yHat, level);
    return { xHat, ctx16: intraContext(v, means.data) };
  }

  /** `prev`: ctx16 of frame t−1; `prev2`: of frame t−2 when there is one in the GOP (two-frame models). */
  encodeInter(y: Latent, prev: Int32Array, levelIndex: number, mode: InterMode, prev2?: Int32Array): CodedFrame {
    return this.clock.time('entropy', () => {
      const { mu16, index } = this.inter.predict(prev, y.height, y.width, levelIndex, mode, prev2);
      const v = new Int32Array(y.data.length);
      const ctx16 = new Int32Array(y.data.length);
      for (let i = 0; i < v.length; i++) {
        v[i] = roundHalfEven(y.data[i]! - mu16[i]! / 16);
        ctx16[i] = clampCtx(16 * v[i]! + mu16[i]!);
      }
      return { y: this.yCoder.encode(v, index), ctx16 };
    });
  }

  async decodeInter(
    y: Uint8Array, prev: Int32Array, shape: Omit<Latent, 'data'>, level: RateLevel, levelIndex: number, mode: InterMode, prev2?: Int32Array,
  ): Promise<DecodedFrame> {
    const { yHat, ctx16 } = this.clock.time('entropy', () => {
      const { mu16, index } = this.inter.predict(prev, shape.height, shape.width, levelIndex, mode, prev2);
      const v = this.yCoder.decode(y, index);
      const data = new Float32Array(v.length);
      const ctx16 = new Int32Array(v.length);
      for (let i = 0; i < v.length; i++) {
        data[i] = v[i]! + mu16[i]! / 16;
        ctx16[i] = clampCtx(16 * v[i]! + mu16[i]!);
      }
      return { yHat: { ...shape, data }, ctx16 };
    });
    const xHat = await this.networks.gS(yHat, level);
    return { xHat, ctx16 };
  }

  dispose(): void {
    this.zCodec.dispose();
    this.yCoder.dispose();
    this.residualZ.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private checkShape(out: Latent, y: Latent): void {
    if (out.channels !== y.channels || out.height !== y.height || out.width !== y.width) {
      throw new CodecError('ERR_MODEL_INVALID', `h_s returned ${out.channels}×${out.height}×${out.width} for a ${y.channels}×${y.height}×${y.width} latent: the intra model does not match its manifest.`);
    }
  }
}

/** ctx16 of an I-frame: 16·v + round_half_even(16·μ), μ the float32 means of h_s. */
function intraContext(v: Int32Array, means: Float32Array): Int32Array {
  const ctx = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) ctx[i] = clampCtx(16 * v[i]! + roundHalfEven(16 * means[i]!));
  return ctx;
}

function clampUnit(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** x̂ = clamp(pred + r̂ − ½, 0, 1), r̂ = g_s's output (in place). */
function addResidual(rHat: Latent, pred: Float32Array): Latent {
  const d = rHat.data;
  if (d.length !== pred.length) throw new CodecError('ERR_MODEL_INVALID', `g_s returned ${d.length} samples for a ${pred.length}-sample frame: the intra model does not match its manifest.`);
  for (let i = 0; i < d.length; i++) d[i] = clampUnit(pred[i]! + d[i]! - 0.5);
  return rHat;
}

function clampCtx(v: number): number {
  return v < -CTX_LIMIT ? -CTX_LIMIT : v > CTX_LIMIT ? CTX_LIMIT : v;
}
