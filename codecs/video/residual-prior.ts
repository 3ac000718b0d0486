/**
 * The hyperprior of motion-compensated residuals (the video manifest's `residual`): the image model's
 * g_a and g_s analyse and synthesise a residual, but its latent is coded with this prior's own h_a,
 * h_s and z density, fitted to residual latents (models/train/video/residual_prior.py). A flat
 * residual (no change) costs the image model's hyperprior ≈ 150 bytes at 176×144; here it is the
 * cheapest latent there is.
 *
 *   z = h_a(y, hyperGain[l]) → ẑ (masked z stream, masked-z.ts, with this prior's tables)
 *   (σ, μ) = h_s(ẑ, hyperInvGain[l])   on the deterministic CPU session, as the image model's h_s
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { latentOf, tensorOf } from '../../src/runtime/latent.js';
import type { Runtime } from '../../src/runtime/index.js';
import type { Latent } from '../../src/tensor.js';
import type { GraphSpec } from '../../src/model/manifest.js';
import type { ResidualPriorSpec } from './manifest.js';

export class ResidualPrior {
  constructor(
    private readonly runtime: Runtime,
    readonly spec: ResidualPriorSpec,
    private readonly dir: string,
    private readonly yChannels: number,
  ) {}

  /** z = h_a(y) at rate level `levelIndex` (0-based, the image model's levels). */
  async hA(y: Latent, levelIndex: number): Promise<Latent> {
    const [z] = await this.run(this.spec.graphs.hA, 'residual h_a', y, this.spec.levels[levelIndex]!.hyperGain, this.spec.zChannels, false);
    return z!;
  }

  /** (scales, means) = h_s(ẑ) at rate level `levelIndex`, on the deterministic session. */
  async hS(zHat: Latent, levelIndex: number): Promise<{ scales: Latent; means: Latent }> {
    const [scales, means] = await this.run(this.spec.graphs.hS, 'residual h_s', zHat, this.spec.levels[levelIndex]!.hyperInvGain, this.yChannels, true);
    return { scales: scales!, means: means! };
  }

  private async run(graph: GraphSpec, name: string, input: Latent, gain: Float32Array, channels: number, deterministic: boolean): Promise<Latent[]> {
    const file = path.join(this.dir, graph.file);
    const feeds = { [graph.inputs[0]!]: tensorOf(input), [graph.inputs[1]!]: new ort.Tensor('float32', gain, [gain.length]) };
    const out = await this.runtime.run(file, feeds, { deterministic });
    return graph.outputs.map((o) => latentOf(out[o], name, channels));
  }
}
