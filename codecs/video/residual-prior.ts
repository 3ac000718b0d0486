/**
 * The hyperprior of motion-compensated residuals (the video manifest's `residual`): the image model's
 * g_a and g_s analyse and synthesise a residual, but its latent is coded with this prior's own h_a,
 * h_s and z density, fitted to residual latents (models/train/video/residual_prior.py). A flat
 * residual (no change) costs the image model's hyperprior ≈ 150 bytes at 176×144; here it is the
 * cheapest latent there is.
 *
 *   y = g_a(r, gain[l])   the encoder's own transform of residuals when the manifest has one
 *       (models/train/video/residual_encoder.py: the image model's g_a fine-tuned on residuals with this
 *       prior; decoders never run it), else the image model's g_a
 *   z = h_a(y, hyperGain[l]) → ẑ (masked z stream, masked-z.ts, with this prior's tables)
 *   (σ, μ) = h_s(ẑ, hyperInvGain[l])   on the deterministic CPU session, as the image model's h_s
 *   r̂ = g_s(ŷ, invGain[l])   the residuals' own synthesis transform when the manifest has one
 *       (residual_encoder.py --train-decoder: the image model's g_s fine-tuned on residuals with the
 *       residual g_a), used by layout-3 streams; else the image model's g_s
 */
import path from 'node:path';
import type { Runtime } from '../../src/runtime/index.js';
import type { GraphSpec } from '../../src/model/manifest.js';
import type { Latent } from '../../src/tensor.js';
import type { RateLevel } from '../hyperprior/manifest.js';
import { runGainGraph } from '../hyperprior/networks.js';
import type { ResidualPriorSpec } from './manifest.js';

export class ResidualPrior {
  constructor(
    private readonly runtime: Runtime,
    readonly spec: ResidualPriorSpec,
    private readonly dir: string,
    private readonly yChannels: number,
  ) {}

  /** Whether the encoder analyses residuals with a g_a of its own (else with the image model's). */
  get hasAnalysis(): boolean {
    return this.spec.graphs.gA !== undefined;
  }

  /** y = g_a(r) of a residual at the image model's rate level `level` (only when {@link hasAnalysis}). */
  async gA(r: Latent, level: RateLevel): Promise<Latent> {
    const { gA } = this.spec.graphs;
    if (!gA) throw new Error('this residual prior has no analysis transform');
    const [y] = await this.run(gA, 'residual g_a', r, level.gain, this.yChannels, false);
    return y!;
  }

  /** Whether residuals have a g_s of their own (else the image model's synthesises them). */
  get hasSynthesis(): boolean {
    return this.spec.graphs.gS !== undefined;
  }

  /** r̂ = g_s(ŷ) of a residual latent at the image model's rate level `level` (only when {@link hasSynthesis}). */
  async gS(yHat: Latent, level: RateLevel): Promise<Latent> {
    const { gS } = this.spec.graphs;
    if (!gS) throw new Error('this residual prior has no synthesis transform');
    const [x] = await this.run(gS, 'residual g_s', yHat, level.invGain, 3, false);
    return x!;
  }

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

  private run(graph: GraphSpec, name: string, input: Latent, gain: Float32Array, channels: number, deterministic: boolean): Promise<Latent[]> {
    return runGainGraph(this.runtime, path.join(this.dir, graph.file), graph, name, input, gain, channels, deterministic);
  }
}
