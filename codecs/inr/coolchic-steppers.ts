/**
 * The two engines of a Cool-chic fitting step (coolchic-fit.ts `CoolChicStepper`), which compute the
 * same step (models/train/inr/coolchic.py `gradients` + `adam`):
 *
 * - {@link NativeCoolChicStepper}: native/src/coolchic_fit.h, on the CPU (the default). One fused
 *   pass per stage with the 16-wide layers in vector registers, on the runtime's threads, off the
 *   event loop (libuv's thread pool); on this project's 2-core CPU a 768×512 step takes less than half
 *   of the graph's time (docs/MODELS.md).
 * - {@link GraphCoolChicStepper}: the exported `fitStep` ONNX graph (forward, hand-written backward and
 *   Adam in one graph), for ONNX Runtime's CUDA device.
 *
 * They agree to float rounding: after two steps on a 53×37 image the largest parameter difference is
 * 6 · 10⁻⁷ at a learning rate of 10⁻² (tests/codecs/inr/coolchic-steppers.test.ts).
 */
import type * as ort from 'onnxruntime-node';
import type { GraphSpec } from '../../src/model/manifest.js';
import { callNative, loadNative, rethrowNative, type NativeCoolChicFitter } from '../../src/native.js';
import { mulberry32 } from '../../src/prng.js';
import { roundLatent, type CoolChicStepper, type QuantizationProxy } from './coolchic-fit.js';
import { LATENTS, LEVELS, NETWORK, NETWORK_SHAPES, PARAMS, levelSizes, sizeOf } from './coolchic-model.js';

/** The fitting target and starting point shared by both steppers. */
export interface CoolChicStart {
  /** Planar RGB in [0, 1], [3, H, W]. */
  target: Float32Array;
  height: number;
  width: number;
  /** The initial network tensors (NETWORK_SHAPES); the latents start at zero. */
  network: ReadonlyMap<string, Float32Array>;
  /** Step's λ of D + λR. */
  lambda: number;
}

/** The native fitter (CPU). */
export class NativeCoolChicStepper implements CoolChicStepper {
  private fitter: NativeCoolChicFitter | null;
  private readonly flat: Float32Array;
  private readonly sizes: [number, number][];
  private readonly latentCount: number;

  constructor(private readonly start: CoolChicStart, threads: number) {
    const { height, width, network } = start;
    this.sizes = levelSizes(height, width);
    this.latentCount = this.sizes.reduce((n, [h, w]) => n + h * w, 0);
    this.flat = new Float32Array(this.latentCount + NETWORK.reduce((n, k) => n + sizeOf(NETWORK_SHAPES.get(k)!), 0));
    let offset = this.latentCount;
    for (const name of NETWORK) {
      this.flat.set(network.get(name)!, offset);
      offset += sizeOf(NETWORK_SHAPES.get(name)!);
    }
    const { CoolChicFitter } = loadNative();
    this.fitter = callNative(() => new CoolChicFitter(height, width, this.flat, start.target, Math.max(1, Math.min(64, threads))));
  }

  async step(proxy: QuantizationProxy, lr: number, lrNetwork: number, t: number): Promise<{ mse: number; bits: number }> {
    const fitter = this.live();
    let pending: Promise<[number, number]>;
    callNative(() => { pending = fitter.step(proxy.seed >>> 0, proxy.hard, this.start.lambda, lr, lrNetwork, t); });
    try {
      const [mse, bits] = await pending!;
      return { mse, bits };
    } catch (err) {
      return rethrowNative(err);
    }
  }

  latents(): Float32Array[] {
    this.live().params(this.flat);
    let offset = 0;
    return this.sizes.map(([h, w]) => {
      const grid = this.flat.slice(offset, offset + h * w);
      offset += h * w;
      return grid;
    });
  }

  network(): Map<string, Float32Array> {
    this.live().params(this.flat);
    const out = new Map<string, Float32Array>();
    let offset = this.latentCount;
    for (const name of NETWORK) {
      const n = sizeOf(NETWORK_SHAPES.get(name)!);
      out.set(name, this.flat.slice(offset, offset + n));
      offset += n;
    }
    return out;
  }

  [Symbol.dispose](): void {
    this.fitter?.dispose();
    this.fitter = null;
  }

  private live(): NativeCoolChicFitter {
    if (!this.fitter) throw new Error('this Cool-chic fitter has been disposed');
    return this.fitter;
  }
}

/** The exported `fitStep` graph in an ONNX Runtime session (any device). */
export class GraphCoolChicStepper implements CoolChicStepper {
  private state: ort.Tensor[];
  private readonly feeds: Record<string, ort.Tensor> = {};
  private readonly n = PARAMS.length;

  constructor(private readonly session: ort.InferenceSession, private readonly spec: GraphSpec,
    private readonly Tensor: typeof ort.Tensor, start: CoolChicStart) {
    const { height, width, network, target, lambda } = start;
    const sizes = levelSizes(height, width);
    const dims = new Map<string, number[]>();
    LATENTS.forEach((name, l) => dims.set(name, [1, 1, sizes[l]![0], sizes[l]![1]]));
    for (const name of NETWORK) dims.set(name, [...NETWORK_SHAPES.get(name)!]);
    const initial = (name: string): Float32Array => {
      const l = LATENTS.indexOf(name);
      return l >= 0 ? new Float32Array(sizes[l]![0] * sizes[l]![1]) : Float32Array.from(network.get(name)!);
    };
    const tensor = (name: string, data: Float32Array): ort.Tensor => new Tensor('float32', data, dims.get(name)!);
    this.state = [
      ...PARAMS.map((name) => tensor(name, initial(name))),
      ...PARAMS.map((name) => tensor(name, new Float32Array(initial(name).length))),
      ...PARAMS.map((name) => tensor(name, new Float32Array(initial(name).length))),
    ];
    const { inputs } = spec;
    this.feeds[inputs[3 * this.n + LEVELS]!] = new Tensor('float32', target, [1, 3, height, width]);
    this.feeds[inputs[3 * this.n + LEVELS + 1]!] = new Tensor('float32', Float32Array.of(lambda), []);
  }

  async step(proxy: QuantizationProxy, lr: number, lrNetwork: number, t: number): Promise<{ mse: number; bits: number }> {
    const { inputs, outputs } = this.spec;
    const { n, feeds, Tensor } = this;
    this.state.forEach((s, i) => { feeds[inputs[i]!] = s; });
    const draw = mulberry32(proxy.seed);
    for (let l = 0; l < LEVELS; l++) {
      const y = this.state[l]!.data as Float32Array;
      const u = proxy.hard ? Float32Array.from(y, (v) => roundLatent(v) - v) : Float32Array.from(y, () => draw() - 0.5);
      feeds[inputs[3 * n + l]!] = new Tensor('float32', u, this.state[l]!.dims as number[]);
    }
    feeds[inputs[3 * n + LEVELS + 2]!] = new Tensor('float32', Float32Array.of(lr), []);
    feeds[inputs[3 * n + LEVELS + 3]!] = new Tensor('float32', Float32Array.of(lrNetwork), []);
    feeds[inputs[3 * n + LEVELS + 4]!] = new Tensor('float32', Float32Array.of(t), []);
    const out = await this.session.run(feeds);
    this.state = outputs.slice(0, 3 * n).map((name) => out[name]!);
    return { mse: (out[outputs[3 * n]!]!.data as Float32Array)[0]!, bits: (out[outputs[3 * n + 1]!]!.data as Float32Array)[0]! };
  }

  latents(): Float32Array[] {
    return this.state.slice(0, LEVELS).map((t) => t.data as Float32Array);
  }

  network(): Map<string, Float32Array> {
    return new Map(NETWORK.map((name, i) => [name, this.state[LEVELS + i]!.data as Float32Array]));
  }

  [Symbol.dispose](): void {}
}
