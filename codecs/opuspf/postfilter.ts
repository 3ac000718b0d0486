/**
 * The learned decoder-side post-filter of opuspf: models/train/postfilter/model.py's
 * `PostFilter.forward`, on one mono chunk of the core's 48 kHz output (in the spirit of Opus 1.5's
 * LACE / NoLACE post-filters and of SBR-style bandwidth extension):
 *
 *   X = STFT(core)            periodic Hann window w of nFft (1024), hop 256, centred: the signal is
 *                             reflect-padded by nFft / 2 on both sides (torch.stft(center=True,
 *                             pad_mode='reflect')), T = 1 + ⌊L / hop⌋ frames of nFft / 2 + 1 bins
 *   (G, N) = graph(|X|)       the graph's input [1, T, bins] (frame-major magnitudes); inside it,
 *                             f = ln(|X| + floor) goes through the network in its channel-major
 *                             layout and comes back exponentiated: output [1, T, 2·bins], columns
 *                             0 … bins − 1 the gain G = e^g of each bin, bins … 2·bins − 1 the
 *                             magnitude N = e^n of the noise added
 *   Y = X · G + N · U         U = (cos φ, sin φ), φ uniform on 1024 points of [0, 2π), drawn per bin
 *                             (frame by frame, bin by bin) from mulberry32(seed) (src/prng.ts)
 *   y = ISTFT(Y)              per frame the inverse real FFT times w, overlap-added at hop, divided
 *                             by the overlap-added w² (torch.istft(center=True, length=L)); the
 *                             padding is dropped and the result cut to L samples
 *
 * The transforms and the noise run in the native addon (src/entropy/stft.ts, native/src/stft.{h,cc}:
 * float64 inside, float32 spectra and magnitudes as torch's), the graph in ONNX Runtime, which also takes the log, the exponentials and both
 * layout changes (export.py). The network sets magnitudes only: the noise's phases need not match
 * PyTorch's generator, but they must be the same on every decode of the same chunk, so the caller
 * passes the seed. Against model.py without the noise term the output agrees to ≈ 1e-4
 * (tests/codecs/opuspf/postfilter.test.ts: PyTorch's float32 STFT is the difference).
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { stftAnalyse, stftSynthesise, type StftSpectrum } from '../../src/entropy/stft.js';
import { CodecError } from '../../src/errors.js';
import type { Runtime } from '../../src/runtime/index.js';
import type { PostFilterSpec } from './manifest.js';

/** The stages a post-filter run is timed in: the STFT, noise and overlap-add, and the graph. */
export type PostFilterStage = 'stft' | 'network';

/** What times the stages (a StageClock of the codec, whose stages include these). */
export interface PostFilterClock {
  time<T>(stage: PostFilterStage, work: () => T): T;
  timeAsync<T>(stage: PostFilterStage, work: () => Promise<T>): Promise<T>;
}

/** How {@link PostFilter.apply} runs. */
export interface PostFilterOptions {
  /** Add the noise term N · U (default true); without it Y = X · G (parity tests). */
  noise?: boolean;
  /** Seed of the noise phases (mulberry32). Default 0. */
  seed?: number;
}

/** The short-time spectrum of a signal: T frames of `bins` complex values, frame-major. */
export type Spectrum = StftSpectrum;

/** The STFT, the graph and the inverse STFT of the filter. One instance per codec; it keeps no state between calls. */
export class PostFilter {
  readonly nFft: number;
  readonly hop: number;
  readonly bins: number;

  constructor(
    private readonly spec: PostFilterSpec,
    private readonly runtime: Runtime,
    private readonly dir: string,
    private readonly clock?: PostFilterClock,
  ) {
    this.nFft = spec.nFft;
    this.hop = spec.hop;
    this.bins = spec.bins;
  }

  /** Frames of a signal of `length` samples: 1 + ⌊L / hop⌋. */
  framesOf(length: number): number {
    return 1 + Math.floor(length / this.hop);
  }

  /** The filtered signal (x.length samples) of one chunk of the core's output. */
  async apply(x: Float32Array, options: PostFilterOptions = {}): Promise<Float32Array> {
    if (x.length === 0) return new Float32Array(0);
    const clock = this.clock;
    const time = <T>(stage: PostFilterStage, work: () => T): T => (clock ? clock.time(stage, work) : work());
    const { spectrum, magnitudes } = time('stft', () => this.analyse(x));
    const gains = await (clock ? clock.timeAsync('network', () => this.network(magnitudes, spectrum.frames)) : this.network(magnitudes, spectrum.frames));
    return time('stft', () => this.synthesise(spectrum, gains, x.length, options));
  }

  /** The centred STFT of `x` (reflect padding of nFft / 2; x must not be empty). */
  stft(x: Float32Array): Spectrum {
    return this.analyse(x).spectrum;
  }

  /** The signal (`length` samples) of a centred spectrum: windowed overlap-add divided by Σ w². */
  istft(spectrum: Spectrum, length: number): Float32Array {
    return this.synthesise(spectrum, null, length, {});
  }

  /** The STFT of `x` and its magnitudes, frame-major (native/src/stft.h `StftAnalyse`). */
  private analyse(x: Float32Array): { spectrum: Spectrum; magnitudes: Float32Array } {
    return stftAnalyse(x, this.nFft, this.hop);
  }

  /** The graph's output [T, 2·bins] (gains, noise magnitudes) for magnitudes [T, bins]; ERR_MODEL_INVALID when its shape is not that. */
  async network(magnitudes: Float32Array, frames: number): Promise<Float32Array> {
    const { bins, spec } = this;
    const out = await this.runtime.run(path.join(this.dir, spec.file), { [spec.inputs[0]!]: new ort.Tensor('float32', magnitudes, [1, frames, bins]) });
    const tensor = out[spec.outputs[0]!];
    const dims = tensor?.dims;
    const expected = [1, frames, 2 * bins];
    if (!tensor || tensor.type !== 'float32' || dims?.length !== 3 || dims.some((v, i) => v !== expected[i])) {
      throw new CodecError('ERR_MODEL_INVALID', `The opuspf post-filter graph returned ${dims ? `a [${dims.join(', ')}] tensor` : 'no tensor'} where a [${expected.join(', ')}] float32 tensor was expected: the model does not match its manifest.`);
    }
    return tensor.data as Float32Array;
  }

  /** y = ISTFT(X · G + N · U) (`gains` [T, 2·bins] frame-major; null: y = ISTFT(X)) (native/src/stft.h `StftSynthesise`). */
  private synthesise(spectrum: Spectrum, gains: Float32Array | null, length: number, options: PostFilterOptions): Float32Array {
    if (spectrum.frames !== this.framesOf(length)) throw new RangeError(`a spectrum of ${spectrum.frames} frames is not the STFT of ${length} samples`);
    return stftSynthesise(spectrum, gains, gains !== null && (options.noise ?? true), options.seed ?? 0, this.nFft, this.hop, length);
  }
}
