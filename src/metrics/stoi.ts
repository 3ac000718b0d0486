/**
 * Short-Time Objective Intelligibility (STOI; Taal, Hendriks, Heusdens & Jensen, "An Algorithm for
 * Intelligibility Prediction of Time–Frequency Weighted Noisy Speech", IEEE TASLP 2011), following
 * the reference MATLAB code as pystoi ports it:
 *
 * 1. both signals resampled to 10 kHz (Octave-compatible resampler, see ./resample.ts);
 * 2. silent frames removed: 256-sample frames, hop 128, MATLAB Hann window; frames of the clean
 *    signal more than 40 dB below its loudest frame are dropped from both, the rest overlap-added;
 * 3. STFT: the same 256-sample frames and window, zero-padded to a 512-point FFT;
 * 4. 15 one-third-octave bands from 150 Hz: band envelope = √(Σ |X|² over the band's bins);
 * 5. segments of N = 30 frames (384 ms): per band, the degraded envelope is scaled to the clean
 *    one's energy, clipped at 10^(15/20)+1 times the clean envelope (β = −15 dB), and correlated with
 *    the clean envelope; STOI is the mean correlation over bands and segments.
 *
 * Fewer than 30 frames after silence removal give 1e-5, as pystoi returns (with a warning there).
 */
import { invalidRange } from '../validate.js';
import { realFft } from '../media/fft.js';
import { resampleOctave } from './resample.js';

const FS = 10000;
const FRAME = 256;
const NFFT = 512;
const BANDS = 15;
const MIN_FREQ = 150;
const SEGMENT = 30;
const BETA = -15;
const DYN_RANGE = 40;
const EPS = 2.220446049250313e-16; // np.finfo(float).eps

/** MATLAB's hanning(n): the symmetric Hann window without its zero end points. */
function matlabHann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 1)) / (n + 1));
  return w;
}

const WINDOW = matlabHann(FRAME);

/** For each one-third-octave band, the FFT bin range [low, high) it sums (pystoi's `thirdoct`). */
function thirdOctaveBands(): Array<[number, number]> {
  const bins = NFFT / 2 + 1;
  const nearest = (freq: number): number => {
    let best = 0, bestD = Infinity;
    for (let k = 0; k < bins; k++) {
      const d = ((k * FS) / NFFT - freq) ** 2;
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    return best;
  };
  const bands: Array<[number, number]> = [];
  for (let k = 0; k < BANDS; k++) {
    bands.push([nearest(MIN_FREQ * 2 ** ((2 * k - 1) / 6)), nearest(MIN_FREQ * 2 ** ((2 * k + 1) / 6))]);
  }
  return bands;
}

const BAND_BINS = thirdOctaveBands();

/** Drops frames of `x` quieter than its loudest minus 40 dB, from both signals, and overlap-adds the rest. */
function removeSilentFrames(x: Float64Array, y: Float64Array): [Float64Array, Float64Array] {
  const hop = FRAME / 2;
  const starts: number[] = [];
  for (let i = 0; i < x.length - FRAME; i += hop) starts.push(i);
  const energies = starts.map((s) => {
    let e = 0;
    for (let j = 0; j < FRAME; j++) e += (WINDOW[j]! * x[s + j]!) ** 2;
    return 20 * Math.log10(Math.sqrt(e) + EPS);
  });
  const max = Math.max(...energies);
  const kept = starts.filter((_, i) => max - DYN_RANGE - energies[i]! < 0);
  if (kept.length === 0) return [new Float64Array(0), new Float64Array(0)];
  const length = (kept.length - 1) * hop + FRAME;
  const xs = new Float64Array(length), ys = new Float64Array(length);
  kept.forEach((s, i) => {
    for (let j = 0; j < FRAME; j++) {
      xs[i * hop + j]! += WINDOW[j]! * x[s + j]!;
      ys[i * hop + j]! += WINDOW[j]! * y[s + j]!;
    }
  });
  return [xs, ys];
}

/** One-third-octave band envelopes, band-major: out[b * frames + t]. */
function bandEnvelopes(x: Float64Array): { frames: number; data: Float64Array } {
  const hop = FRAME / 2;
  const fft = realFft(NFFT);
  const frame = new Float64Array(NFFT);
  const re = new Float64Array(fft.bins), im = new Float64Array(fft.bins), power = new Float64Array(fft.bins);
  const starts: number[] = [];
  for (let i = 0; i < x.length - FRAME; i += hop) starts.push(i);
  const frames = starts.length;
  const out = new Float64Array(BANDS * frames);
  starts.forEach((s, t) => {
    for (let j = 0; j < FRAME; j++) frame[j] = WINDOW[j]! * x[s + j]!;
    fft.power(frame, power, re, im);
    BAND_BINS.forEach(([lo, hi], b) => {
      let e = 0;
      for (let k = lo; k < hi; k++) e += power[k]!;
      out[b * frames + t] = Math.sqrt(e);
    });
  });
  return { frames, data: out };
}

/** STOI of `degraded` against `clean` (same length, `sampleRate` Hz); roughly 0 … 1, higher is better. */
export function stoi(clean: Float32Array | Float64Array, degraded: Float32Array | Float64Array, sampleRate: number): number {
  if (clean.length !== degraded.length) {
    throw invalidRange(`${clean.length} samples (as the clean signal)`, 'degraded.length', degraded.length);
  }
  const x0 = sampleRate === FS ? Float64Array.from(clean) : resampleOctave(clean, FS, sampleRate);
  const y0 = sampleRate === FS ? Float64Array.from(degraded) : resampleOctave(degraded, FS, sampleRate);
  const [x, y] = removeSilentFrames(x0, y0);
  const X = bandEnvelopes(x), Y = bandEnvelopes(y);
  const frames = X.frames;
  if (frames < SEGMENT) return 1e-5;
  const clip = 10 ** (-BETA / 20);
  const xs = new Float64Array(SEGMENT), ys = new Float64Array(SEGMENT);
  let total = 0;
  const segments = frames - SEGMENT + 1;
  for (let m = SEGMENT; m <= frames; m++) {
    for (let b = 0; b < BANDS; b++) {
      const row = b * frames + m - SEGMENT;
      let nx = 0, ny = 0;
      for (let j = 0; j < SEGMENT; j++) {
        xs[j] = X.data[row + j]!;
        ys[j] = Y.data[row + j]!;
        nx += xs[j]! * xs[j]!;
        ny += ys[j]! * ys[j]!;
      }
      const scale = Math.sqrt(nx) / (Math.sqrt(ny) + EPS);
      let mx = 0, my = 0;
      for (let j = 0; j < SEGMENT; j++) {
        ys[j] = Math.min(ys[j]! * scale, xs[j]! * (1 + clip));
        mx += xs[j]!;
        my += ys[j]!;
      }
      mx /= SEGMENT;
      my /= SEGMENT;
      let sxx = 0, syy = 0, sxy = 0;
      for (let j = 0; j < SEGMENT; j++) {
        const a = xs[j]! - mx, c = ys[j]! - my;
        sxx += a * a;
        syy += c * c;
        sxy += a * c;
      }
      total += sxy / ((Math.sqrt(sxx) + EPS) * (Math.sqrt(syy) + EPS));
    }
  }
  return total / (segments * BANDS);
}
