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
 */
import { CodecError } from '../../src/errors.js';
import { FactorizedLatentCodec, GaussianLatentCodec } from '../../src/entropy/index.js';
import type { HyperpriorManifest, RateLevel } from './manifest.js';
import type { Latent } from '../../src/tensor.js';
import type { HyperpriorNetworks } from './networks.js';

/** The two coded streams of one tile. */
export interface TileStreams {
  z: Uint8Array;
  y: Uint8Array;
}

export class HyperpriorLatentCodec implements Disposable {
  private readonly zCodec: FactorizedLatentCodec;
  private readonly yCodec: GaussianLatentCodec;

  constructor(private readonly networks: HyperpriorNetworks, private readonly manifest: HyperpriorManifest) {
    this.zCodec = new FactorizedLatentCodec(manifest.zTables, manifest.zMedians);
    try {
      this.yCodec = new GaussianLatentCodec(manifest.yTables, manifest.scaleTable);
    } catch (err) {
      this.zCodec.dispose();
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
    const yHat = clock.time('entropy', () => this.yCodec.decode(streams.y, scales, means));
    const xHat = await this.networks.gS(yHat, level);
    this.checkShape(xHat, 3, shape, 1, 'g_s');
    return xHat;
  }

  dispose(): void {
    this.zCodec.dispose();
    this.yCodec.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
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
