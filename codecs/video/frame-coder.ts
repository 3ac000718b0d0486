/**
 * One frame through the latent pipeline, as intra (I) or inter (P) frame.
 *
 *   I:  y = g_a(x) → z = h_a(y) → ẑ ──(z stream)   (σ, μ) = h_s(ẑ) → v = round(y − μ), table(σ) ──(y stream)
 *       ŷ = v + μ (float32, exactly the hyperprior image codec's frame), x̂ = g_s(ŷ)
 *   P:  (μ, table) = inter(ŷ_{t−1}) in integers → v = round(y − μ) ──(y stream),  ŷ = v + μ, x̂ = g_s(ŷ)
 *   P (motion mode): pred = the motion-compensated prediction from x̂_{t−1} (motion.ts), r = clamp(C(x − pred) + ½, 0, 1) (½ in
 *       the padding; C scales the colour difference from luma by the stream's chroma gain), y = g_a(r),
 *       its z and y coded with the residual prior (residual-prior.ts; the image model's h_a, h_s and
 *       tables when the video model has none; z with a mask of its live channels, masked-z.ts),
 *       x̂ = clamp(pred + C⁻¹(g_s(ŷ_r) − ½), 0, 1); in layout 3 g_s synthesises only the latent
 *       positions covering the frame plus one, and x̂'s padding repeats its edge (`synthesise`)
 *
 * I-frames code y in one stream with h_s's tables even when the image model has a checkerboard context
 * (codecs/hyperprior/checkerboard.ts), so they decode without it.
 *
 * Both return the frame's context for the next P-frame, ctx16 = 16·ŷ as integers: exact for P-frames
 * (μ is a multiple of 1/16), 16·v + round(16·μ) for I-frames.
 */
import { appendFileSync } from 'node:fs';
import { FactorizedLatentCodec, RansCoder, buildScaleIndexes, dequantize, quantize } from '../../src/entropy/index.js';
import { CodecError } from '../../src/errors.js';
import { roundHalfEven, type Latent } from '../../src/tensor.js';
import type { HyperpriorManifest, RateLevel } from '../hyperprior/manifest.js';
import type { HyperpriorNetworks } from '../hyperprior/networks.js';
import type { InterMode, InterModel } from './inter-model.js';
import { MaskedZCodec } from './masked-z.js';
import type { SkipMask } from './motion.js';
import type { ResidualPrior } from './residual-prior.js';
import {
  SymbolCosts, allSkipped, blockBits, blockSse, chooseSkips, codedIndexes, codedSymbols, copySkipped, noneSkipped, scatterSymbols, skippedPositions,
} from './skip.js';

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

/** Layout 4's skip search (skip.ts): the frame's λ (of J = λ·255²·MSE + bpp) and its visible block grid. */
export interface SkipSearch {
  lambda: number;
  grid: { rows: number; cols: number };
}

/** One way to code a motion-compensated residual: its streams, x̂ and the skipped blocks (none when absent). */
export interface ResidualCandidate {
  z: Uint8Array;
  y: Uint8Array;
  xHat: Latent;
  skip?: SkipMask;
}

/**
 * The hyperprior that codes a frame's latent: h_a, the z stream's codec and h_s. I-frames use the
 * image model's; residuals the video model's residual prior when it has one (residual-prior.ts),
 * else the image model's with the masked z stream.
 */
interface Prior {
  hA(y: Latent): Promise<Latent>;
  z: { encode(z: Latent): { bytes: Uint8Array; zHat: Latent }; decode(bytes: Uint8Array, shape: Omit<Latent, 'data'>, where: string): Latent };
  zChannels: number;
  hS(zHat: Latent): Promise<{ scales: Latent; means: Latent }>;
}

export class FrameCoder implements Disposable {
  private readonly zCodec: FactorizedLatentCodec;
  private readonly yCoder: RansCoder;
  private readonly residualZ: MaskedZCodec;
  private symbolCostsOf?: SymbolCosts;

  constructor(
    private readonly networks: HyperpriorNetworks,
    private readonly intra: HyperpriorManifest,
    private readonly inter: InterModel,
    private readonly residualPrior?: ResidualPrior,
  ) {
    this.zCodec = new FactorizedLatentCodec(intra.zTables, intra.zMedians);
    let yCoder: RansCoder | undefined;
    try {
      yCoder = new RansCoder(intra.yTables);
      const spec = residualPrior?.spec;
      this.residualZ = spec ? new MaskedZCodec(spec.zTables, spec.zMedians) : new MaskedZCodec(intra.zTables, intra.zMedians);
    } catch (err) {
      this.zCodec.dispose();
      yCoder?.dispose();
      throw err;
    }
    this.yCoder = yCoder;
  }

  /** Bits of each y symbol with its table (layout 4's skip search), made on first use. */
  private get symbolCosts(): SymbolCosts {
    return (this.symbolCostsOf ??= new SymbolCosts(this.intra.yTables));
  }

  get clock(): HyperpriorNetworks['clock'] {
    return this.networks.clock;
  }

  /** y = g_a(x) of a padded frame. */
  analyse(x: Latent, level: RateLevel): Promise<Latent> {
    return this.networks.gA(x, level);
  }

  /** `reconstruct`: also x̂ = g_s(ŷ), the reference of a following motion-compensated P-frame. */
  encodeIntra(y: Latent, level: RateLevel, reconstruct = false): Promise<CodedFrame & { xHat?: Latent }> {
    return this.encodeLatent(y, level, this.intraPrior(level), reconstruct);
  }

  /**
   * A motion-compensated P-frame: the residual of the padded RGB frame `x` against `pred` (the
   * prediction from the previous decoded frame), analysed and synthesised by the image model, its
   * latent coded with the residual prior. `visible`: the frame's own size (its padding is not coded).
   * `crop`: synthesise the residual as layout 3 does ({@link synthesise}). Returns its z and y streams
   * and x̂, the next frame's reference, as the first candidate. With `skips` (layout 4) a second candidate follows when some blocks but not all are not worth
   * their bits: the same symbols with those blocks skipped (skip.ts, `chooseSkips`), for the caller's
   * choice; the analysis and the hyperprior run once. (Coding no residual at all, every block skipped,
   * is the caller's own candidate: {@link predictionOnly}.)
   */
  async encodeResidualCandidates(
    x: Latent, pred: Float32Array, level: RateLevel, chromaGain: number, visible: Visible, crop: boolean, skips?: SkipSearch,
  ): Promise<ResidualCandidate[]> {
    const r = new Float32Array(x.data.length);
    for (let i = 0; i < r.length; i++) r[i] = x.data[i]! - pred[i]!;
    scaleChroma(r, chromaGain);
    for (let i = 0; i < r.length; i++) r[i] = clampUnit(r[i]! + 0.5);
    flattenPadding(r, x, visible);
    const imageDump = process.env.NCODEC_RESIDUAL_IMAGE_DUMP;
    if (imageDump) appendResidualImage(imageDump, level.quality, r, x, visible);
    const prior = this.residualPrior;
    const y = prior?.hasAnalysis
      ? await this.clock.timeAsync('gA', () => prior.gA({ ...x, data: r }, level))
      : await this.analyse({ ...x, data: r }, level);
    const dump = process.env.NCODEC_RESIDUAL_DUMP;
    if (dump) appendResidualLatent(dump, level.quality, y);
    const cropped = crop ? visible : undefined;
    const out: ResidualCandidate[] = [];
    const { zBytes, scales, means } = await this.hyperprior(y, this.residualPriorAt(level));
    const ssePred = skips && blockSse(x.data, pred, 3, x.height, x.width, skips.grid, visible);
    const coded = await this.codeLatent(y, zBytes, scales, means, level, true, cropped);
    const xHat = this.finishResidual(coded.xHat!, pred, chromaGain, cropped);
    out.push({ z: coded.z!, y: coded.y, xHat });
    if (!ssePred) return out;
    // the same symbols with the blocks not worth their bits skipped
    const bits = blockBits(this.symbolCosts, coded.v, coded.index, y.height, y.width, skips.grid);
    const mask = chooseSkips(ssePred, blockSse(x.data, xHat.data, 3, x.height, x.width, skips.grid, visible), bits, skips.lambda, skips.grid);
    if (noneSkipped(mask) || allSkipped(mask)) return out;
    const positions = skippedPositions(mask, y.height, y.width)!;
    const v = coded.v.slice();
    for (let k = 0; k < v.length; k++) if (positions[k % positions.length]) v[k] = 0;
    const kept = codedSymbols(v, coded.index, positions);
    const bytes = this.clock.time('entropy', () => this.yCoder.encode(kept.v, kept.index));
    const rHat = await this.synthesise({ ...y, data: dequantize(v, means.data) }, level, cropped);
    out.push({ z: zBytes, y: bytes, xHat: this.finishResidual(rHat, pred, chromaGain, cropped, mask), skip: mask });
    return out;
  }

  /**
   * x̂ of a P-frame whose blocks are all skipped (layout 4): the prediction, its padding beyond the
   * latent positions covering the frame repeating their edge as after a residual.
   */
  predictionOnly(pred: Float32Array, shape: Omit<Latent, 'data'>, crop?: Visible): Latent {
    const xHat = { channels: 3, height: shape.height, width: shape.width, data: pred.slice() };
    return crop ? this.extendCropped(xHat, crop) : xHat;
  }

  /**
   * Decodes a motion-compensated P-frame's residual (z and y streams) onto `pred`. `crop`: the frame's
   * own size when the stream synthesises residuals cropped (layout 3, {@link synthesise}).
   */
  async decodeResidual(
    z: Uint8Array, y: Uint8Array, shape: Omit<Latent, 'data'>, level: RateLevel, pred: Float32Array, chromaGain: number, where: string, crop?: Visible,
    skip?: SkipMask,
  ): Promise<Latent> {
    const frame = { channels: 3, height: shape.height * this.intra.yStride, width: shape.width * this.intra.yStride };
    if (skip && allSkipped(skip)) {
      if (z.length > 0 || y.length > 0) throw new CodecError('ERR_BITSTREAM_CORRUPT', `${where}: every block is skipped, yet the frame carries a residual; the file is corrupt.`);
      return this.predictionOnly(pred, frame, crop);
    }
    const positions = skip && skippedPositions(skip, shape.height, shape.width);
    const { xHat } = await this.decodeLatent(z, y, shape, level, this.residualPriorAt(level), where, false, crop, positions);
    return this.finishResidual(xHat, pred, chromaGain, crop, skip);
  }

  /**
   * x̂ = g_s(ŷ). With `crop` (residuals of layout 3), g_s is the residual prior's own when the video
   * model has one (residual-prior.ts), and it runs only on the latent positions that cover
   * the frame's own `crop` size plus {@link CROP_MARGIN}, not on all of the padded latent, and the rest
   * of its output repeats the last row and column it computed (finishResidual overwrites it anyway).
   * At 176×144 that is 19×23 of the 20×24 positions (−9 % of g_s's work).
   */
  private async synthesise(yHat: Latent, level: RateLevel, crop?: Visible): Promise<Latent> {
    if (!crop) return this.networks.gS(yHat, level);
    const prior = this.residualPrior;
    const gS = prior?.hasSynthesis
      ? (y: Latent) => this.clock.timeAsync('gS', () => prior.gS(y, level))
      : (y: Latent) => this.networks.gS(y, level);
    const s = this.intra.yStride;
    const rows = Math.min(yHat.height, Math.ceil(crop.height / s) + CROP_MARGIN);
    const cols = Math.min(yHat.width, Math.ceil(crop.width / s) + CROP_MARGIN);
    const whole = rows === yHat.height && cols === yHat.width;
    const xHat = await gS(whole ? yHat : cropLatent(yHat, rows, cols));
    if (xHat.channels !== 3 || xHat.height !== rows * s || xHat.width !== cols * s) {
      const which = prior?.hasSynthesis ? 'the video model\'s residual g_s' : 'g_s';
      throw new CodecError('ERR_MODEL_INVALID', `${which} returned ${xHat.channels}×${xHat.height}×${xHat.width} for a ${yHat.channels}×${rows}×${cols} latent: the model does not match its manifest.`);
    }
    return whole ? xHat : extendEdges(xHat, yHat.height * s, yHat.width * s);
  }

  /**
   * x̂ of a motion-compensated P-frame from g_s's output (addResidual); with `crop` (layout 3) the
   * padding beyond the latent positions covering the frame repeats their last row and column, so a
   * reference's padding never depends on the cropped synthesis.
   */
  private finishResidual(rHat: Latent, pred: Float32Array, chromaGain: number, crop?: Visible, skip?: SkipMask): Latent {
    const xHat = addResidual(rHat, pred, chromaGain);
    if (skip) copySkipped(xHat.data, pred, 3, xHat.height, xHat.width, skip);
    return crop ? this.extendCropped(xHat, crop) : xHat;
  }

  /** Layout 3 on: x̂'s padding beyond the latent positions covering the frame repeats their edge. */
  private extendCropped(xHat: Latent, crop: Visible): Latent {
    const s = this.intra.yStride;
    return extendEdgesInPlace(xHat, Math.min(xHat.height, s * Math.ceil(crop.height / s)), Math.min(xHat.width, s * Math.ceil(crop.width / s)));
  }

  decodeIntra(z: Uint8Array, y: Uint8Array, shape: Omit<Latent, 'data'>, level: RateLevel): Promise<DecodedFrame> {
    return this.decodeLatent(z, y, shape, level, this.intraPrior(level), 'an I-frame');
  }

  private intraPrior(level: RateLevel): Prior {
    return {
      hA: (y) => this.networks.hA(y, level),
      z: { encode: (z) => this.zCodec.encode(z), decode: (bytes, shape) => this.zCodec.decode(bytes, shape) },
      zChannels: this.intra.zChannels,
      hS: (zHat) => this.networks.hS(zHat, level),
    };
  }

  private residualPriorAt(level: RateLevel): Prior {
    const prior = this.residualPrior;
    if (!prior) return { ...this.intraPrior(level), z: this.residualZ };
    const index = this.intra.rateLevels.indexOf(level);
    return {
      hA: (y) => this.clock.timeAsync('hA', () => prior.hA(y, index)),
      z: this.residualZ,
      zChannels: prior.spec.zChannels,
      hS: (zHat) => this.clock.timeAsync('hS', () => prior.hS(zHat, index)),
    };
  }

  private async encodeLatent(y: Latent, level: RateLevel, prior: Prior, reconstruct: boolean, crop?: Visible): Promise<CodedFrame & { xHat?: Latent }> {
    const { zBytes, scales, means } = await this.hyperprior(y, prior);
    const { v: _v, index: _index, ...frame } = await this.codeLatent(y, zBytes, scales, means, level, reconstruct, crop);
    return frame;
  }

  /** z = h_a(y) coded, and h_s(ẑ). */
  private async hyperprior(y: Latent, prior: Prior): Promise<{ zBytes: Uint8Array; scales: Latent; means: Latent }> {
    const z = await prior.hA(y);
    const { bytes: zBytes, zHat } = this.clock.time('entropy', () => prior.z.encode(z));
    const { scales, means } = await prior.hS(zHat);
    this.checkShape(means, y);
    return { zBytes, scales, means };
  }

  /** The y stream of `y` given h_s's output (and its symbols v and their tables), and x̂ with `reconstruct`. */
  private async codeLatent(
    y: Latent, zBytes: Uint8Array, scales: Latent, means: Latent, level: RateLevel, reconstruct: boolean, crop: Visible | undefined,
  ): Promise<CodedFrame & { xHat?: Latent; v: Int32Array; index: Int32Array }> {
    const frame = this.clock.time('entropy', () => {
      const v = quantize(y.data, means.data);
      const index = buildScaleIndexes(scales.data, this.intra.scaleTable);
      const bytes = this.yCoder.encode(v, index);
      return { z: zBytes, y: bytes, ctx16: intraContext(v, means.data), v, index };
    });
    if (!reconstruct) return frame;
    const xHat = await this.synthesise({ ...y, data: dequantize(frame.v, means.data) }, level, crop);
    return { ...frame, xHat };
  }

  /**
   * `context`: also the frame's ctx16 (latent P-frames predict from it; residuals need none, they get an
   * empty one). `skipped`: latent positions whose symbols the y stream leaves out (0; layout 4's skipped
   * blocks, skip.ts).
   */
  private async decodeLatent(
    z: Uint8Array, y: Uint8Array, shape: Omit<Latent, 'data'>, level: RateLevel, prior: Prior, where: string, context = true, crop?: Visible, skipped?: Uint8Array,
  ): Promise<DecodedFrame> {
    const { zStride, yStride } = this.intra;
    const zShape = { channels: prior.zChannels, height: (shape.height * yStride) / zStride, width: (shape.width * yStride) / zStride };
    const zHat = this.clock.time('entropy', () => prior.z.decode(z, zShape, where));
    const { scales, means } = await prior.hS(zHat);
    this.checkShape(means, { ...shape, data: new Float32Array(0) });
    const { v, yHat } = this.clock.time('entropy', () => {
      const index = buildScaleIndexes(scales.data, this.intra.scaleTable);
      const v = skipped ? scatterSymbols(this.yCoder.decode(y, codedIndexes(index, skipped)), skipped, index.length) : this.yCoder.decode(y, index);
      return { v, yHat: { ...shape, data: dequantize(v, means.data) } };
    });
    const xHat = await this.synthesise(yHat, level, crop);
    return { xHat, ctx16: context ? intraContext(v, means.data) : new Int32Array(0) };
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

/** The frame's own size inside its padded planes. */
export interface Visible {
  height: number;
  width: number;
}

/** Sets the padding of a residual to ½ (no change): the decoder crops it, so it is not worth bits. */
function flattenPadding(r: Float32Array, shape: Omit<Latent, 'data'>, visible: Visible): void {
  const { channels, height, width } = shape;
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) {
      const row = (c * height + y) * width;
      if (y >= visible.height) r.fill(0.5, row, row + width);
      else if (visible.width < width) r.fill(0.5, row + visible.width, row + width);
    }
  }
}

/**
 * Appends a residual's latent to `file` (the training data of models/train/video/residual_prior.py,
 * written when NCODEC_RESIDUAL_DUMP names a file): int32 quality, channels, height, width, then float32 y.
 */
function appendResidualLatent(file: string, quality: number, y: Latent): void {
  appendFileSync(file, Buffer.from(Int32Array.of(quality, y.channels, y.height, y.width).buffer));
  appendFileSync(file, Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength));
}

/**
 * Appends a residual r (the frame's own size, without the padding) to `file`: the training data of
 * models/train/video/residual_encoder.py, written when NCODEC_RESIDUAL_IMAGE_DUMP names a file. Record:
 * int32 quality, 3, height, width, then float32 r (planar RGB in [0, 1], after the chroma gain).
 */
function appendResidualImage(file: string, quality: number, r: Float32Array, shape: Omit<Latent, 'data'>, visible: Visible): void {
  const { height, width } = visible;
  const out = new Float32Array(3 * height * width);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < height; y++) {
      const from = (c * shape.height + y) * shape.width;
      out.set(r.subarray(from, from + width), (c * height + y) * width);
    }
  }
  appendFileSync(file, Buffer.from(Int32Array.of(quality, 3, height, width).buffer));
  appendFileSync(file, Buffer.from(out.buffer));
}

/**
 * Latent positions synthesised beyond those covering the frame (layout 3 residuals): g_s's border then
 * sees the coded latent, not its zero padding. On the validation clips at 176×144 (BD-rate against
 * intra, mean of three): the whole padded latent −77.8 %, margin 1 −77.7 %, margin 0 −77.4 % (−17.5 %
 * of g_s's work, the loss on every clip).
 */
const CROP_MARGIN = 1;

/** The first `rows` × `cols` positions of a latent. */
function cropLatent(y: Latent, rows: number, cols: number): Latent {
  const data = new Float32Array(y.channels * rows * cols);
  for (let c = 0; c < y.channels; c++) {
    for (let r = 0; r < rows; r++) {
      const from = (c * y.height + r) * y.width;
      data.set(y.data.subarray(from, from + cols), (c * rows + r) * cols);
    }
  }
  return { channels: y.channels, height: rows, width: cols, data };
}

/** `x` at the top left of `height` × `width` planes whose other samples repeat its last row and column. */
function extendEdges(x: Latent, height: number, width: number): Latent {
  const out = { channels: x.channels, height, width, data: new Float32Array(x.channels * height * width) };
  for (let c = 0; c < x.channels; c++) {
    for (let r = 0; r < x.height; r++) out.data.set(x.data.subarray((c * x.height + r) * x.width, (c * x.height + r + 1) * x.width), (c * height + r) * width);
  }
  return extendEdgesInPlace(out, x.height, x.width);
}

/** Overwrites the samples right of column `cols` − 1 and below row `rows` − 1 with that column and row. */
function extendEdgesInPlace(x: Latent, rows: number, cols: number): Latent {
  const { channels, height, width, data } = x;
  for (let c = 0; c < channels; c++) {
    const plane = c * height * width;
    for (let r = 0; r < rows; r++) {
      const row = plane + r * width;
      data.fill(data[row + cols - 1]!, row + cols, row + width);
    }
    const last = data.subarray(plane + (rows - 1) * width, plane + rows * width);
    for (let r = rows; r < height; r++) data.set(last, plane + r * width);
  }
  return x;
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

/**
 * x̂ = clamp(pred + C⁻¹(r̂ − ½), 0, 1), r̂ = g_s's output, C the chroma gain (in place): one pass with the
 * float32 roundings of r̂ − ½ and of {@link scaleChroma}'s result that separate passes over float32
 * planes would make.
 */
function addResidual(rHat: Latent, pred: Float32Array, chromaGain: number): Latent {
  const d = rHat.data;
  if (d.length !== pred.length) throw new CodecError('ERR_MODEL_INVALID', `g_s returned ${d.length} samples for a ${pred.length}-sample frame: the intra model does not match its manifest.`);
  const plane = d.length / 3;
  const s = 1 / chromaGain;
  const f32 = Math.fround;
  for (let i = 0; i < plane; i++) {
    let r = f32(d[i]! - 0.5), g = f32(d[plane + i]! - 0.5), b = f32(d[2 * plane + i]! - 0.5);
    if (s !== 1) {
      const y = 0.299 * r + 0.587 * g + 0.114 * b;
      r = f32(y + s * (r - y));
      g = f32(y + s * (g - y));
      b = f32(y + s * (b - y));
    }
    d[i] = clampUnit(pred[i]! + r);
    d[plane + i] = clampUnit(pred[plane + i]! + g);
    d[2 * plane + i] = clampUnit(pred[2 * plane + i]! + b);
  }
  return rHat;
}

/**
 * The residual's chroma gain C: d ← Y(d)·1 + s·(d − Y(d)·1) per pixel of planar RGB, Y the BT.601 luma
 * (0.299, 0.587, 0.114), in place: luma stays, the colour difference is scaled by s (C⁻¹ is s → 1/s).
 */
function scaleChroma(d: Float32Array, s: number): void {
  if (s === 1) return;
  const plane = d.length / 3;
  for (let i = 0; i < plane; i++) {
    const r = d[i]!, g = d[plane + i]!, b = d[2 * plane + i]!;
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    d[i] = y + s * (r - y);
    d[plane + i] = y + s * (g - y);
    d[2 * plane + i] = y + s * (b - y);
  }
}

function clampCtx(v: number): number {
  return v < -CTX_LIMIT ? -CTX_LIMIT : v > CTX_LIMIT ? CTX_LIMIT : v;
}
