/**
 * Streaming band-limited resampling between any two integer rates, in TypeScript: a Kaiser-windowed
 * sinc interpolator (Smith, "Digital Audio Resampling", the method of libsamplerate / speex), used by
 * the audio codecs so that a clip resampled whole and the same clip pushed in pieces give the very
 * same samples (a stream encoder and `encode()` then write the same sections), with no child process.
 *
 * Output sample m sits at input time t = m · from / to (exact rational arithmetic: the ratio is
 * reduced to L / M and t is kept as an integer plus a remainder modulo L), and is
 *
 *   y[m] = Σ_j x[j] · h(t − j) / Σ_j h(t − j),   h(x) = sinc(fc·x) · kaiser(fc·x / Z)
 *
 * over the input samples j within Z zero crossings of the low-pass (|fc·x| < Z), where fc =
 * cutoff · min(1, to / from) is the cut-off relative to the input's Nyquist frequency (lowered when
 * downsampling, so that nothing above the output's Nyquist frequency aliases). h is read from a table
 * of 512 samples per zero crossing with linear interpolation; each phase's taps are divided by their
 * sum, which makes the DC gain exactly one at every phase. The taps of all `L` phases are computed
 * once when they fit in 2²¹ floats (every common rate pair: 44.1 → 24 kHz has 80 phases), else per
 * output sample (rate pairs with a huge reduced ratio). The signal is zero before its first and after its last sample, and the
 * filter is centred (no delay): output sample 0 is at input sample 0, and N input samples give
 * exactly ⌈N · to / from⌉ output samples ({@link resampledLength}).
 *
 * Each output is a float64 sum over four interleaved partial sums in a fixed order; with a phase table
 * the native addon runs that loop (native/src/resample.cc: 3× the speed of the same loop here, and
 * the same samples), else {@link Resampler.produceComputed} does it in the same order.
 */
import { callNative, loadNative } from '../native.js';
import { invalidRange } from '../validate.js';

/** Options of {@link Resampler}; the defaults give a stop band below about −90 dB. */
export interface ResamplerOptions {
  /** Zero crossings of the windowed sinc on each side (taps per side at the lower rate). Default 24. */
  zeroCrossings?: number;
  /** Pass band edge as a fraction of the lower rate's Nyquist frequency. Default 0.94. */
  cutoff?: number;
  /** Kaiser window β. Default 9. */
  beta?: number;
}

const TABLE_RESOLUTION = 512;
const MAX_PHASE_TABLE = 1 << 21;
const MAX_RATE = 768_000;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function checkRate(rate: number, name: string): number {
  if (!Number.isInteger(rate) || rate < 1 || rate > MAX_RATE) throw invalidRange(`an integer sample rate between 1 and ${MAX_RATE}`, name, rate);
  return rate;
}

/** Samples that {@link Resampler} makes of `frames` input samples: ⌈frames · toRate / fromRate⌉. */
export function resampledLength(frames: number, fromRate: number, toRate: number): number {
  if (!Number.isSafeInteger(frames) || frames < 0) throw invalidRange('a non-negative integer', 'frames', frames);
  checkRate(fromRate, 'fromRate');
  checkRate(toRate, 'toRate');
  const g = gcd(fromRate, toRate);
  const up = toRate / g, down = fromRate / g;
  // frames · up / down without overflow: (q·down + r) · up / down = q·up + r·up / down.
  const q = Math.floor(frames / down), r = frames % down;
  return q * up + Math.ceil((r * up) / down);
}

/** A whole signal resampled at once: the same samples as pushing it in pieces and flushing. */
export function resampleWhole(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  return fromRate === toRate ? samples : new Resampler(fromRate, toRate).end(samples);
}

/** Modified Bessel function of the first kind, order 0 (power series): the Kaiser window's. */
export function besselI0(x: number): number {
  let sum = 1, term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 500; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** sinc(u) · kaiser(u / Z) at u = i / TABLE_RESOLUTION, i = 0 … Z·R, plus one zero guard entry. */
function prototypeTable(zeroCrossings: number, beta: number): Float32Array {
  const n = zeroCrossings * TABLE_RESOLUTION;
  const table = new Float32Array(n + 2);
  const i0beta = besselI0(beta);
  for (let i = 0; i <= n; i++) {
    const u = i / TABLE_RESOLUTION;
    const r = u / zeroCrossings;
    const sinc = i === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u);
    table[i] = sinc * (besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0beta);
  }
  return table;
}

/**
 * One channel's resampler. `push` takes the next input samples and returns every output sample that
 * no longer depends on input still to come; `flush` ends the input (zeros after it) and returns the
 * rest. Holds about Z / fc input samples between calls. When both rates are equal, `push` returns its
 * input unchanged (the same array).
 */
export class Resampler {
  readonly fromRate: number;
  readonly toRate: number;
  private readonly up: number;
  private readonly down: number;
  private readonly table: Float32Array;
  /** Table index step per input sample: fc · R. */
  private readonly step: number;
  private readonly tableEnd: number;
  /** Taps on each side of t. */
  private readonly reach: number;
  /** Taps of every phase (2·reach each), when there are few enough phases; else computed per sample. */
  private readonly phases: Float32Array | undefined;
  private readonly scratch: Float32Array;
  private buffer = new Float32Array(1024);
  private bufferStart = 0;
  private bufferLength = 0;
  private inputTotal = 0;
  /** Next output sample m, as t = base + rem / up. */
  private outputs = 0;
  private base = 0;
  private rem = 0;
  private flushed = false;

  constructor(fromRate: number, toRate: number, options: ResamplerOptions = {}) {
    this.fromRate = checkRate(fromRate, 'fromRate');
    this.toRate = checkRate(toRate, 'toRate');
    const zeroCrossings = options.zeroCrossings ?? 24;
    const cutoff = options.cutoff ?? 0.94;
    const beta = options.beta ?? 9;
    if (!Number.isInteger(zeroCrossings) || zeroCrossings < 1 || zeroCrossings > 256) throw invalidRange('an integer between 1 and 256', 'options.zeroCrossings', zeroCrossings);
    if (!(cutoff > 0 && cutoff <= 1)) throw invalidRange('a number in (0, 1]', 'options.cutoff', cutoff);
    if (!(beta >= 0 && beta <= 40)) throw invalidRange('a number between 0 and 40', 'options.beta', beta);
    const g = gcd(fromRate, toRate);
    this.up = toRate / g;
    this.down = fromRate / g;
    const fc = cutoff * Math.min(1, toRate / fromRate);
    this.table = prototypeTable(zeroCrossings, beta);
    this.step = fc * TABLE_RESOLUTION;
    this.tableEnd = zeroCrossings * TABLE_RESOLUTION;
    this.reach = Math.ceil(zeroCrossings / fc);
    this.scratch = new Float32Array(2 * this.reach);
    if (this.up !== this.down && this.up * 2 * this.reach <= MAX_PHASE_TABLE) {
      this.phases = new Float32Array(this.up * 2 * this.reach);
      for (let p = 0; p < this.up; p++) this.computeTaps(p, this.phases.subarray(p * 2 * this.reach, (p + 1) * 2 * this.reach));
    }
  }

  /** Input samples held for outputs still to come. */
  get bufferedFrames(): number {
    return this.bufferLength;
  }

  /** Appends input samples; returns the output samples that are now complete. */
  push(input: Float32Array): Float32Array {
    if (this.flushed) throw new RangeError('Resampler.push() after flush()');
    this.inputTotal += input.length;
    if (this.up === this.down) {
      this.outputs += input.length;
      return input;
    }
    this.append(input);
    return this.produce(false);
  }

  /** Ends the input; returns the remaining output samples (⌈N · to / from⌉ in all). */
  flush(): Float32Array {
    if (this.flushed) return new Float32Array(0);
    this.flushed = true;
    if (this.up === this.down) return new Float32Array(0);
    return this.produce(true);
  }

  /** The last piece: `push(input)` and `flush()` joined into one array. */
  end(input: Float32Array): Float32Array {
    const head = this.push(input);
    const tail = this.flush();
    if (tail.length === 0) return head;
    const out = new Float32Array(head.length + tail.length);
    out.set(head);
    out.set(tail, head.length);
    return out;
  }

  /** The 2·reach taps of phase `rem` (t = base + rem / up), normalised to sum one. */
  private computeTaps(rem: number, out: Float32Array): Float32Array {
    const { table, step, tableEnd, reach } = this;
    const frac = rem / this.up;
    let sum = 0;
    for (let t = 0; t < 2 * reach; t++) {
      const u = Math.abs(reach - 1 - t + frac) * step;
      let h = 0;
      if (u < tableEnd) {
        const i = Math.floor(u);
        h = table[i]! + (u - i) * (table[i + 1]! - table[i]!);
      }
      out[t] = h;
      sum += h;
    }
    if (sum !== 0) for (let t = 0; t < 2 * reach; t++) out[t] = out[t]! / sum;
    return out;
  }

  /**
   * Outputs with taps computed per sample (rate pairs with too many phases for a table): the sums of
   * native/src/resample.cc `ResampleBlock`, in the same order (four interleaved partial sums).
   */
  private produceComputed(out: Float32Array, whole: number, part: number): void {
    const { buffer, bufferStart, bufferLength, up, reach } = this;
    const bufferEnd = bufferStart + bufferLength;
    const taps = 2 * reach;
    let base = this.base, rem = this.rem;
    for (let k = 0; k < out.length; k++) {
      // Tap t ↔ input sample j = base − reach + 1 + t; samples outside the buffer are zeros.
      const first = base - reach + 1;
      const tLo = Math.max(0, bufferStart - first), tHi = Math.min(taps, bufferEnd - first);
      const h = this.computeTaps(rem, this.scratch);
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      let t = tLo, at = first + tLo - bufferStart;
      for (; t + 4 <= tHi; t += 4, at += 4) {
        a0 += buffer[at]! * h[t]!;
        a1 += buffer[at + 1]! * h[t + 1]!;
        a2 += buffer[at + 2]! * h[t + 2]!;
        a3 += buffer[at + 3]! * h[t + 3]!;
      }
      for (; t < tHi; t++, at++) a0 += buffer[at]! * h[t]!;
      out[k] = (a0 + a1) + (a2 + a3);
      base += whole;
      rem += part;
      if (rem >= up) { rem -= up; base++; }
    }
  }

  private append(input: Float32Array): void {
    const need = this.bufferLength + input.length;
    if (need > this.buffer.length) {
      const grown = new Float32Array(Math.max(need, 2 * this.buffer.length));
      grown.set(this.buffer.subarray(0, this.bufferLength));
      this.buffer = grown;
    }
    this.buffer.set(input, this.bufferLength);
    this.bufferLength += input.length;
  }

  private produce(final: boolean): Float32Array {
    const total = final ? resampledLength(this.inputTotal, this.fromRate, this.toRate) : Infinity;
    const { reach, up } = this;
    const whole = Math.floor(this.down / up), part = this.down % up;
    // Output m needs input up to base + reach unless the input has ended.
    let count = 0, base = this.base, rem = this.rem;
    for (let m = this.outputs; m < total && (final || base + reach < this.inputTotal); m++) {
      count++;
      base += whole;
      rem += part;
      if (rem >= up) { rem -= up; base++; }
    }
    const out = new Float32Array(count);
    const { buffer, bufferStart, bufferLength } = this;
    if (count > 0 && this.phases) {
      // the common case, every usual rate pair: the native loop over the table of phases
      callNative(() => loadNative().resampleBlock(buffer.subarray(0, bufferLength), bufferStart, this.phases!, up, whole, part, reach, this.base, this.rem, out));
    } else if (count > 0) {
      this.produceComputed(out, whole, part);
    }
    this.base = base;
    this.rem = rem;
    this.outputs += count;
    // Drop the input no later output needs (below base − reach + 1).
    const keepFrom = Math.min(bufferStart + bufferLength, Math.max(bufferStart, this.base - reach + 1));
    const drop = keepFrom - bufferStart;
    if (drop > 0) {
      this.buffer.copyWithin(0, drop, bufferLength);
      this.bufferStart += drop;
      this.bufferLength -= drop;
    }
    return out;
  }
}
