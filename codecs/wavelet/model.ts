/**
 * One opened wavelet model (image or audio): its files, manifest, the two ONNX graphs and the
 * entropy bottleneck's rANS tables. The model's work is three steps, the same for both media:
 *
 *   analyse:    y = encoder(x, gain)          (wavelet packet analysis + a 1×1 projection: linear)
 *   code:       v = round_half_even(y − median_c) → rANS with table c → ŷ = v + median_c
 *               (the level's own medians and tables when the model has one set per level; channels
 *               the manifest lists under `prediction` are coded as MED residuals of v's plane)
 *   synthesise: x̂ = decoder(ŷ, invGain)      (residual blocks at 1/factor rate + packet synthesis)
 *
 * Images are `[1, 3, H, W]` tensors (planar RGB in [0, 1]), audio `[1, 1, T]` (one channel in
 * [−1, 1]); latents `[1, C, H/f, W/f]` and `[1, C, T/f]`. Each step adds its wall time to `clock`.
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { FactorizedLatentCodec } from '../../src/entropy/index.js';
import { CodecError } from '../../src/errors.js';
import { latentOf, tensorOf } from '../../src/runtime/latent.js';
import { StageClock, type StageTimes } from '../../src/runtime/stage-clock.js';
import type { Latent } from '../../src/tensor.js';
import type { LoadedModel, ModelFamily, ModelFiles } from '../../src/model/store.js';
import type { Runtime } from '../../src/runtime/session.js';
import { parseWaveletManifest, type WaveletGraph, type WaveletManifest, type WaveletRateLevel } from './manifest.js';

/** Milliseconds spent in the encoder graph, the decoder graph and entropy coding. */
export type WaveletTimings = StageTimes<'encoder' | 'decoder' | 'entropy'>;

/** How the wavelet family reads its models; `defaultModel` is the default of the medium asked for. */
export function waveletFamily(defaultModel: string): ModelFamily<WaveletManifest> {
  return { id: 'wavelet', defaultModel, parseManifest: parseWaveletManifest, filesOf: (m) => Object.values(m.graphs).map((g) => g.file) };
}

export class WaveletModel implements Disposable {
  readonly files: ModelFiles;
  readonly manifest: WaveletManifest;
  readonly clock = new StageClock<keyof WaveletTimings>(['encoder', 'decoder', 'entropy']);
  private readonly bottlenecks: FactorizedLatentCodec[] = [];
  private readonly rank: 3 | 4;
  private readonly inputChannels: number;

  /** Takes a model loaded with {@link waveletFamily} (manifest parsed, files checked). */
  constructor({ files, manifest }: LoadedModel<WaveletManifest>, private readonly runtime: Runtime) {
    this.files = files;
    this.manifest = manifest;
    this.rank = this.manifest.media === 'image' ? 4 : 3;
    this.inputChannels = this.manifest.media === 'image' ? 3 : 1;
    try {
      for (const b of this.manifest.bottlenecks) this.bottlenecks.push(new FactorizedLatentCodec(b.tables, b.medians, b.prediction));
    } catch (err) {
      this.dispose();
      if (!(err instanceof RangeError)) throw err;
      throw new CodecError('ERR_MODEL_INVALID', `The wavelet manifest's entropy tables are invalid (${err.message}); re-export the model.`, { cause: err });
    }
  }

  /** y = encoder(x, gain); x's size must be a multiple of the downsampling factor. */
  async analyse(x: Latent, level: WaveletRateLevel): Promise<Latent> {
    return this.run('encoder', 'encoder', x, level.gain, this.manifest.latentChannels);
  }

  /** x̂ = decoder(ŷ, invGain), clamped inside the graph. */
  async synthesise(yHat: Latent, invGain: Float32Array): Promise<Latent> {
    return this.run('decoder', 'decoder', yHat, invGain, this.inputChannels);
  }

  /** Codes y (analysed at `level`) with that level's entropy bottleneck: the bytes and ŷ (what the decoder will see). */
  code(y: Latent, level: WaveletRateLevel): { bytes: Uint8Array; yHat: Latent } {
    const { bytes, zHat } = this.clock.time('entropy', () => this.bottleneckOf(level).encode(y));
    return { bytes, yHat: zHat };
  }

  /** ŷ of the given shape from bytes coded at `level`. Throws ERR_BITSTREAM_TRUNCATED / ERR_BITSTREAM_CORRUPT. */
  uncode(bytes: Uint8Array, height: number, width: number, level: WaveletRateLevel): Latent {
    return this.clock.time('entropy', () => this.bottleneckOf(level).decode(bytes, { channels: this.manifest.latentChannels, height, width }));
  }

  /** Creates both sessions now, so timings exclude session creation. */
  async load(): Promise<void> {
    await Promise.all((['encoder', 'decoder'] as const).map((g) => this.runtime.session(this.file(g))));
  }

  dispose(): void {
    for (const b of this.bottlenecks.splice(0)) b.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private bottleneckOf(level: WaveletRateLevel): FactorizedLatentCodec {
    const b = this.bottlenecks[level.bottleneck];
    if (!b) throw new CodecError('ERR_MODEL_INVALID', `Rate level ${level.quality} names entropy tables ${level.bottleneck}, which the wavelet model ${this.files.id} does not have.`);
    return b;
  }

  private file(graph: WaveletGraph): string {
    return path.join(this.files.dir, this.manifest.graphs[graph].file);
  }

  private async run(graph: WaveletGraph, stage: keyof WaveletTimings, input: Latent, gain: Float32Array, channels: number): Promise<Latent> {
    const spec = this.manifest.graphs[graph];
    const feeds = { [spec.inputs[0]!]: tensorOf(input, this.rank), [spec.inputs[1]!]: new ort.Tensor('float32', gain, [gain.length]) };
    const out = await this.clock.timeAsync(stage, () => this.runtime.run(this.file(graph), feeds));
    const latent = latentOf(out[spec.outputs[0]!], graph, channels);
    const f = this.manifest.downsamplingFactor;
    const [h, w] = graph === 'encoder' ? [input.height / (this.rank === 4 ? f : 1), input.width / f] : [input.height * (this.rank === 4 ? f : 1), input.width * f];
    if (latent.height !== h || latent.width !== w) {
      throw new CodecError('ERR_MODEL_INVALID', `The ${graph} graph returned ${latent.channels}×${latent.height}×${latent.width} where ${channels}×${h}×${w} was expected: the model does not match its manifest.`);
    }
    return latent;
  }
}
