/**
 * The four networks of a mean-scale hyperprior (Ballé et al. 2018, Minnen et al. 2018), each an ONNX
 * graph that takes a latent and the gain vector of the chosen rate level (Cui et al. 2021):
 *
 *   g_a: x → y            (analysis; big, on the codec's device)
 *   h_a: y → z            (hyper-analysis)
 *   h_s: ẑ → scales, μ    (hyper-synthesis; selects the entropy tables, so always on the
 *                          deterministic CPU session: encoder and decoder must get the same floats)
 *   g_s: ŷ → x̂            (synthesis; big, on the codec's device)
 *
 * Tensors are float32 NCHW with batch 1. Each call records its wall time in `timings`.
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { latentOf, tensorOf } from '../../src/runtime/latent.js';
import type { Latent } from '../../src/tensor.js';
import type { Runtime } from '../../src/runtime/index.js';
import { StageClock, type StageTimes } from '../../src/runtime/stage-clock.js';
import type { GraphName, HyperpriorManifest, RateLevel } from './manifest.js';
import type { GraphSpec } from '../../src/model/manifest.js';


/** Milliseconds spent in each graph (and in entropy coding, filled in by the latent codec). */
export type StageTimings = StageTimes<'gA' | 'hA' | 'hS' | 'gS' | 'entropy' | 'context'>;

export class HyperpriorNetworks {
  readonly clock = new StageClock<keyof StageTimings>(['gA', 'hA', 'hS', 'gS', 'entropy', 'context']);

  constructor(
    private readonly runtime: Runtime,
    private readonly manifest: HyperpriorManifest,
    private readonly dir: string,
  ) {}

  /** Creates every session now (instead of on first use), so timings exclude session creation. */
  async load(): Promise<void> {
    await Promise.all([
      this.runtime.session(this.file('g_a')),
      this.runtime.session(this.file('h_a')),
      this.runtime.session(this.file('h_s'), { deterministic: true }),
      this.runtime.session(this.file('g_s')),
    ]);
  }

  /** y = g_a(x, gain): x is RGB in [0, 1], padded to the downsampling factor. */
  gA(x: Latent, level: RateLevel): Promise<Latent> {
    return this.run('g_a', 'gA', [x, level.gain], this.manifest.yChannels).then(([y]) => y!);
  }

  /** z = h_a(y, hyperGain). */
  hA(y: Latent, level: RateLevel): Promise<Latent> {
    return this.run('h_a', 'hA', [y, level.hyperGain], this.manifest.zChannels).then(([z]) => z!);
  }

  /** (scales, means) = h_s(ẑ, hyperInvGain), on the deterministic CPU session. */
  async hS(zHat: Latent, level: RateLevel): Promise<{ scales: Latent; means: Latent }> {
    const [scales, means] = await this.run('h_s', 'hS', [zHat, level.hyperInvGain], this.manifest.yChannels, true);
    return { scales: scales!, means: means! };
  }

  /** x̂ = g_s(ŷ, invGain), clamped to [0, 1] inside the graph. */
  gS(yHat: Latent, level: RateLevel): Promise<Latent> {
    return this.run('g_s', 'gS', [yHat, level.invGain], 3).then(([x]) => x!);
  }

  private file(graph: GraphName): string {
    return path.join(this.dir, this.manifest.graphs[graph].file);
  }

  private run(
    graph: GraphName, stage: keyof StageTimings, [input, gain]: [Latent, Float32Array], channels: number, deterministic = false,
  ): Promise<Latent[]> {
    return this.clock.timeAsync(stage, () => runGainGraph(this.runtime, this.file(graph), this.manifest.graphs[graph], graph, input, gain, channels, deterministic));
  }
}

/**
 * Runs a gain-unit graph (inputs: a latent and the rate level's gain vector) and returns its outputs
 * as latents of `channels` channels, named `name` in errors; shared with the video codec's residual
 * prior, whose h_a and h_s have the same interface.
 */
export async function runGainGraph(
  runtime: Runtime, file: string, spec: GraphSpec, name: string, input: Latent, gain: Float32Array, channels: number, deterministic: boolean,
): Promise<Latent[]> {
  const feeds = {
    [spec.inputs[0]!]: tensorOf(input),
    [spec.inputs[1]!]: new ort.Tensor('float32', gain, [gain.length]),
  };
  const out = await runtime.run(file, feeds, { deterministic });
  return spec.outputs.map((o) => latentOf(out[o], name, channels));
}
