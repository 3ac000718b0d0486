/**
 * The latent pipeline of one padded image tile, composed of the networks and the two entropy
 * models (CompressAI's `ScaleHyperprior.compress` / `decompress` with mean-scale `h_s`):
 *
 *   encode:  y = g_a(x) → z = h_a(y) → ẑ = Q(z) ──(z stream)
 *            (σ, μ) = h_s(ẑ) → v = round(y − μ) with table index(σ) ──(y stream)
 *   decode:  ẑ from the z stream → (σ, μ) = h_s(ẑ) → ŷ = v + μ from the y stream → x̂ = g_s(ŷ)
 *
 * The decoder never sees y or z; everything that selects a table comes from ẑ through the
 * deterministic h_s session, so both sides index the same tables.
 *
 * A model with a checkerboard context (checkerboard.ts) codes y in two streams: the anchors with
 * (μ, table(σ)), then the non-anchors with the means and tables the integer context network derives
 * from the decoded anchors.
 */
import { CodecError } from '../../src/errors.js';
import { FactorizedLatentCodec, GaussianLatentCodec, RansCoder, buildScaleIndexes, dequantize, quantize } from '../../src/entropy/index.js';
import { anchorPlane, gather, scatter, type CheckerboardContext } from './checkerboard.js';
import type { HyperpriorManifest, RateLevel } from './manifest.js';
import type { Latent } from '../../src/tensor.js';
import type { HyperpriorNetworks } from './networks.js';

/** The coded streams of one tile: z and y, or with a context z, the anchors of y and its non-anchors. */
export interface TileStreams {
  z: Uint8Array;
  y: Uint8Array;
  /** The non-anchors of y (models with a checkerboard context; `y` then holds the anchors). */
  yNonAnchors?: Uint8Array;
}

export class HyperpriorLatentCodec implements Disposable {
  private readonly zCodec: FactorizedLatentCodec;
  private readonly yCodec: GaussianLatentCodec;
  private readonly yCoder: RansCoder;

  constructor(
    private readonly networks: HyperpriorNetworks,
    private readonly manifest: HyperpriorManifest,
    private readonly context?: CheckerboardContext,
  ) {
    const disposables: Array<{ dispose(): void }> = [];
    try {
      this.zCodec = new FactorizedLatentCodec(manifest.zTables, manifest.zMedians);
      disposables.push(this.zCodec);
      this.yCodec = new GaussianLatentCodec(manifest.yTables, manifest.scaleTable);
      disposables.push(this.yCodec);
      this.yCoder = new RansCoder(manifest.yTables);
    } catch (err) {
      for (const d of disposables) d.dispose();
      throw err;
    }
  }

  /** Codes a tile `x` (planar RGB in [0, 1], sides multiples of the downsampling factor). */
  async encode(x: Latent, level: RateLevel): Promise<TileStreams> {
    const y = await this.networks.gA(x, level);
    this.checkShape(y, this.manifest.yChannels, x, this.manifest.yStride, 'g_a');
    const z = await this.networks.hA(y, level);
    this.checkShape(z, this.manifest.zChannels, x, this.manifest.zStride, 'h_a');
    const { clock } = this.networks;
    const { bytes: zBytes, zHat } = clock.time('entropy', () => this.zCodec.encode(z));
    const { scales, means } = await this.networks.hS(zHat, level);
    this.checkShape(means, this.manifest.yChannels, x, this.manifest.yStride, 'h_s');
    if (this.context) {
      const { anchors, nonAnchors } = this.encodeInTwoPasses(this.context, y, scales, means);
      return { z: zBytes, y: anchors, yNonAnchors: nonAnchors };
    }
    const yBytes = clock.time('entropy', () => this.yCodec.encode(y, scales, means));
    return { z: zBytes, y: yBytes };
  }

  /** Decodes a tile of `height`×`width` padded pixels back to planar RGB in [0, 1]. */
  async decode(streams: TileStreams, height: number, width: number, level: RateLevel): Promise<Latent> {
    const { zStride, zChannels } = this.manifest;
    const { clock } = this.networks;
    const zHat = clock.time('entropy', () => this.zCodec.decode(streams.z, { channels: zChannels, height: height / zStride, width: width / zStride }));
    const { scales, means } = await this.networks.hS(zHat, level);
    const shape = { channels: 3, height, width, data: new Float32Array(0) };
    this.checkShape(means, this.manifest.yChannels, shape, this.manifest.yStride, 'h_s');
    const yHat = this.context
      ? this.decodeInTwoPasses(this.context, streams, scales, means)
      : clock.time('entropy', () => this.yCodec.decode(streams.y, scales, means));
    const xHat = await this.networks.gS(yHat, level);
    this.checkShape(xHat, 3, shape, 1, 'g_s');
    return xHat;
  }

  dispose(): void {
    this.zCodec.dispose();
    this.yCodec.dispose();
    this.yCoder.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Anchors with the hyperprior's (μ, table(σ)), then non-anchors with the context's. */
  private encodeInTwoPasses(context: CheckerboardContext, y: Latent, scales: Latent, means: Latent): { anchors: Uint8Array; nonAnchors: Uint8Array } {
    const { clock } = this.networks;
    const plane = anchorPlane(y.height, y.width);
    const index = clock.time('entropy', () => buildScaleIndexes(scales.data, this.manifest.scaleTable));
    const v = quantize(y.data, means.data);
    const anchors = clock.time('entropy', () => this.yCoder.encode(gather(v, plane, 1), gather(index, plane, 1)));
    const refined = clock.time('context', () => context.refine(v, means.data, index, y.height, y.width));
    const shifted = refinedMeans(means.data, refined.delta16, plane);
    const w = quantize(y.data, shifted);
    const nonAnchors = clock.time('entropy', () => this.yCoder.encode(gather(w, plane, 0), gather(refined.index, plane, 0)));
    return { anchors, nonAnchors };
  }

  private decodeInTwoPasses(context: CheckerboardContext, streams: TileStreams, scales: Latent, means: Latent): Latent {
    const { clock } = this.networks;
    if (!streams.yNonAnchors) throw new CodecError('ERR_BITSTREAM_CORRUPT', 'The tile lacks the stream of the non-anchor latents: the file is damaged.');
    const { height, width } = means;
    const plane = anchorPlane(height, width);
    const index = clock.time('entropy', () => buildScaleIndexes(scales.data, this.manifest.scaleTable));
    const v = new Int32Array(means.data.length);
    clock.time('entropy', () => scatter(v, plane, 1, this.yCoder.decode(streams.y, gather(index, plane, 1))));
    const refined = clock.time('context', () => context.refine(v, means.data, index, height, width));
    const shifted = refinedMeans(means.data, refined.delta16, plane);
    clock.time('entropy', () => scatter(v, plane, 0, this.yCoder.decode(streams.yNonAnchors!, gather(refined.index, plane, 0))));
    return { ...means, data: dequantize(v, shifted) };
  }

  private checkShape(out: Latent, channels: number, x: Latent, stride: number, graph: string): void {
    if (out.channels !== channels || out.height * stride !== x.height || out.width * stride !== x.width) {
      throw new CodecError(
        'ERR_MODEL_INVALID',
        `${graph} returned a ${out.channels}×${out.height}×${out.width} latent for a ${x.height}×${x.width} input ` +
          `(expected ${channels}×${x.height / stride}×${x.width / stride}): the model does not match its manifest.`,
      );
    }
  }
}

/** μ at the anchors, float32(μ + Δ/16) at the non-anchors. */
function refinedMeans(means: Float32Array, delta16: Int32Array, plane: Uint8Array): Float32Array {
  const out = new Float32Array(means.length);
  const size = plane.length;
  for (let j = 0; j < means.length; j++) out[j] = plane[j % size] ? means[j]! : means[j]! + delta16[j]! / 16;
  return out;
}
