/**
 * The two networks of the RVQ model, each an ONNX graph with one float32 input and output, batch 1:
 *
 *   encoder: audio [1, 1, T] (model rate, T a multiple of hop, in [−1, 1]) → latents [1, D, T / hop]
 *   decoder: ẑ [1, D, F] (the dequantized latents)                          → audio [1, 1, F · hop]
 *
 * Both are convolutional with dynamic length, so one call codes a whole chunk. Each call records its
 * wall time in `timings`.
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { CodecError } from '../../src/errors.js';
import type { Runtime } from '../../src/runtime/index.js';
import type { GraphSpec } from '../../src/model/manifest.js';
import { StageClock, type StageTimes } from '../../src/runtime/stage-clock.js';
import type { RvqManifest } from './manifest.js';

/** Milliseconds spent in each network, the quantizer and entropy coding. */
export type RvqTimings = StageTimes<'encoder' | 'decoder' | 'quantizer' | 'entropy'>;

export class RvqNetworks {
  readonly clock = new StageClock<keyof RvqTimings>(['encoder', 'decoder', 'quantizer', 'entropy']);

  constructor(
    private readonly runtime: Runtime,
    private readonly manifest: RvqManifest,
    private readonly dir: string,
  ) {}

  /** Latents [D, F] of `audio` (length F · hop). */
  async encode(audio: Float32Array): Promise<Float32Array> {
    const { hop, latentDim } = this.manifest;
    const frames = audio.length / hop;
    if (!Number.isInteger(frames) || frames < 1) throw new RangeError(`Expected a positive multiple of ${hop} samples but received ${audio.length}`);
    return this.run('encoder', new ort.Tensor('float32', audio, [1, 1, audio.length]), [1, latentDim, frames]);
  }

  /** Audio (F · hop samples) of the dequantized latents ẑ [D, F]. */
  async decode(zq: Float32Array, frames: number): Promise<Float32Array> {
    const { hop, latentDim } = this.manifest;
    return this.run('decoder', new ort.Tensor('float32', zq, [1, latentDim, frames]), [1, 1, frames * hop]);
  }

  private async run(graph: 'encoder' | 'decoder', input: ort.Tensor, expected: number[]): Promise<Float32Array> {
    const spec: GraphSpec = this.manifest.graphs[graph];
    const out = await this.clock.timeAsync(graph, () => this.runtime.run(path.join(this.dir, spec.file), { [spec.inputs[0]!]: input }));
    const tensor = out[spec.outputs[0]!];
    const dims = tensor?.dims;
    if (!tensor || tensor.type !== 'float32' || dims?.length !== expected.length || dims.some((v, i) => v !== expected[i])) {
      throw new CodecError('ERR_MODEL_INVALID', `The rvq ${graph} graph returned ${dims ? `a [${dims.join(', ')}] tensor` : 'no tensor'} where a [${expected.join(', ')}] float32 tensor was expected: the model does not match its manifest.`);
    }
    return tensor.data as Float32Array;
  }
}
