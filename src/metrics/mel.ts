/**
 * Multi-scale mel distance as in the DAC paper (Kumar et al., "High-Fidelity Audio Compression with
 * Improved RVQGAN", NeurIPS 2023), i.e. `MelSpectrogramLoss` of descript-audio-codec / audiotools with
 * DAC's published configuration (`conf/final/44khz.yaml`):
 *
 * - seven scales: window lengths 32, 64, 128, 256, 512, 1024, 2048 samples with 5, 10, 20, 40, 80,
 *   160, 320 mel bands; hop = window / 4; FFT size = window;
 * - STFT as `torch.stft(center=True)`: the signal is reflect-padded by window / 2 on both sides,
 *   periodic Hann window, no normalisation; frames = 1 + ⌊length / hop⌋; magnitude |X| (power 1);
 * - mel filters as `librosa.filters.mel(sr, n_fft, n_mels, fmin=0, fmax=sr/2)`: Slaney mel scale,
 *   Slaney area normalisation; applied to the magnitude spectrum;
 * - per scale the mean over all bands and frames of |log10(max(mel_x^p, ε)) − log10(max(mel_y^p, ε))|
 *   with p = 1 and ε = 1e-5 (log weight 1), plus magWeight × the mean |mel_x − mel_y| (DAC's 44 kHz
 *   config sets the magnitude weight to 0, and so does the default here);
 * - the scales are summed (not averaged).
 *
 * Signals are compared at their own sample rate; lower is better, 0 for identical signals.
 *
 * Variant: `{ melScale: 'htk', norm: 'none' }` swaps in the filter bank of torchaudio's
 * `MelSpectrogram` defaults (HTK mel scale, triangles of peak 1). Everything else unchanged, that is
 * the metric whose figures TRAINING.md quotes (Opus on audio/eval 6/12/24 kbps: 7.96/4.12/1.08).
 */
import { invalidRange } from '../validate.js';
import { realFft } from '../media/fft.js';

export interface MelDistanceOptions {
  /** STFT window lengths (powers of two). Default DAC's [32, ..., 2048]. */
  windowLengths?: readonly number[];
  /** Mel bands per window length. Default DAC's [5, ..., 320]. */
  nMels?: readonly number[];
  /** Lower clamp before the log. Default 1e-5. */
  clampEps?: number;
  /** Power applied to the mel magnitudes before the log. Default 1. */
  pow?: number;
  /** Weight of the log-mel L1 term. Default 1. */
  logWeight?: number;
  /** Weight of the linear mel-magnitude L1 term. Default 0 (DAC 44 kHz config). */
  magWeight?: number;
  /** Lowest mel filter frequency in Hz. Default 0. */
  fmin?: number;
  /** Highest mel filter frequency in Hz. Default sampleRate / 2. */
  fmax?: number;
  /** Mel scale: 'slaney' (librosa's default, DAC) or 'htk' (torchaudio's default). Default 'slaney'. */
  melScale?: 'slaney' | 'htk';
  /** Filter normalisation: 'slaney' (area, librosa/DAC) or 'none' (peak 1, torchaudio's default). Default 'slaney'. */
  norm?: 'slaney' | 'none';
}

export const DAC_MEL_WINDOW_LENGTHS: readonly number[] = [32, 64, 128, 256, 512, 1024, 2048];
export const DAC_MEL_BANDS: readonly number[] = [5, 10, 20, 40, 80, 160, 320];

// Slaney mel scale (librosa htk=False): linear below 1 kHz, logarithmic above.
const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

export function hzToMel(hz: number, scale: 'slaney' | 'htk' = 'slaney'): number {
  if (scale === 'htk') return 2595 * Math.log10(1 + hz / 700);
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
}

export function melToHz(mel: number, scale: 'slaney' | 'htk' = 'slaney'): number {
  if (scale === 'htk') return 700 * (10 ** (mel / 2595) - 1);
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

/** A mel filter bank stored sparsely: band b has weights `weights[b]` starting at FFT bin `start[b]`. */
export interface MelFilterBank {
  start: Int32Array;
  weights: Float64Array[];
}

/**
 * `librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False, norm='slaney')`, sparsely; with
 * `scale: 'htk', norm: 'none'` the bank of torchaudio's `MelSpectrogram` defaults.
 */
export function melFilterBank(sampleRate: number, nFft: number, nMels: number, fmin = 0, fmax = sampleRate / 2, scale: 'slaney' | 'htk' = 'slaney', norm: 'slaney' | 'none' = 'slaney'): MelFilterBank {
  const bins = Math.floor(nFft / 2) + 1;
  const melMin = hzToMel(fmin, scale), melMax = hzToMel(fmax, scale);
  const points = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++) points[i] = melToHz(melMin + ((melMax - melMin) * i) / (nMels + 1), scale);
  const start = new Int32Array(nMels);
  const weights: Float64Array[] = [];
  for (let b = 0; b < nMels; b++) {
    const lo = points[b]!, mid = points[b + 1]!, hi = points[b + 2]!;
    const enorm = norm === 'slaney' ? 2 / (hi - lo) : 1;
    const weight = (k: number): number => {
      const f = (k * sampleRate) / nFft;
      return Math.max(0, Math.min((f - lo) / (mid - lo), (hi - f) / (hi - mid))) * enorm;
    };
    // A triangle is non-zero on one run of consecutive bins (possibly none).
    let first = 0;
    while (first < bins && weight(first) <= 0) first++;
    let end = first;
    while (end < bins && weight(end) > 0) end++;
    start[b] = first < bins ? first : 0;
    const row = new Float64Array(end - first);
    for (let k = first; k < end; k++) row[k - first] = weight(k);
    weights.push(row);
  }
  return { start, weights };
}

function periodicHann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/** Index into a signal reflect-padded on both sides (NumPy/PyTorch 'reflect': the edge is not repeated). */
function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}

/**
 * Mel magnitude spectrogram (frames × bands, row-major) of a centred STFT with a periodic Hann
 * window, as audiotools' `AudioSignal.mel_spectrogram`.
 */
export function melSpectrogram(signal: Float32Array | Float64Array, sampleRate: number, windowLength: number, nMels: number, fmin = 0, fmax = sampleRate / 2, scale: 'slaney' | 'htk' = 'slaney', norm: 'slaney' | 'none' = 'slaney'): { frames: number; bands: number; data: Float64Array } {
  const hop = Math.floor(windowLength / 4);
  const pad = Math.floor(windowLength / 2);
  const n = signal.length;
  const frames = 1 + Math.floor(n / hop);
  const fft = realFft(windowLength);
  const window = periodicHann(windowLength);
  const bank = melFilterBank(sampleRate, windowLength, nMels, fmin, fmax, scale, norm);
  const frame = new Float64Array(windowLength);
  const re = new Float64Array(fft.bins), im = new Float64Array(fft.bins), mag = new Float64Array(fft.bins);
  const out = new Float64Array(frames * nMels);
  for (let t = 0; t < frames; t++) {
    const begin = t * hop - pad;
    if (begin >= 0 && begin + windowLength <= n) {
      for (let i = 0; i < windowLength; i++) frame[i] = signal[begin + i]! * window[i]!;
    } else {
      for (let i = 0; i < windowLength; i++) frame[i] = (n > 0 ? signal[reflectIndex(begin + i, n)]! : 0) * window[i]!;
    }
    fft.forward(frame, re, im);
    for (let k = 0; k < fft.bins; k++) mag[k] = Math.sqrt(re[k]! * re[k]! + im[k]! * im[k]!);
    for (let b = 0; b < nMels; b++) {
      const w = bank.weights[b]!;
      const s0 = bank.start[b]!;
      let s = 0;
      for (let j = 0; j < w.length; j++) s += w[j]! * mag[s0 + j]!;
      out[t * nMels + b] = s;
    }
  }
  return { frames, bands: nMels, data: out };
}

/** A reference signal whose mel spectrograms are computed once, to compare with many estimates. */
export interface MelDistanceReference {
  /** Multi-scale mel distance of `estimate` (same length) from the reference. */
  compare(estimate: Float32Array | Float64Array): number;
}

/** Precomputes the reference's mel spectrograms at every scale. */
export function prepareMelDistance(reference: Float32Array | Float64Array, sampleRate: number, options: MelDistanceOptions = {}): MelDistanceReference {
  const windows = options.windowLengths ?? DAC_MEL_WINDOW_LENGTHS;
  const bands = options.nMels ?? DAC_MEL_BANDS;
  if (windows.length !== bands.length) throw invalidRange(`${windows.length} values (one per window length)`, 'options.nMels', bands);
  const eps = options.clampEps ?? 1e-5;
  const pow = options.pow ?? 1;
  const logWeight = options.logWeight ?? 1;
  const magWeight = options.magWeight ?? 0;
  const fmin = options.fmin ?? 0;
  const fmax = options.fmax ?? sampleRate / 2;
  const scale = options.melScale ?? 'slaney';
  const norm = options.norm ?? 'slaney';
  const refs = windows.map((w, s) => melSpectrogram(reference, sampleRate, w, bands[s]!, fmin, fmax, scale, norm).data);
  return {
    compare(estimate) {
      if (reference.length !== estimate.length) {
        throw invalidRange(`${reference.length} samples (as the reference)`, 'estimate.length', estimate.length);
      }
      let total = 0;
      windows.forEach((windowLength, s) => {
        const x = melSpectrogram(estimate, sampleRate, windowLength, bands[s]!, fmin, fmax, scale, norm).data;
        const y = refs[s]!;
        let logSum = 0, magSum = 0;
        for (let i = 0; i < x.length; i++) {
          const a = x[i]!, b = y[i]!;
          const pa = pow === 1 ? a : a ** pow, pb = pow === 1 ? b : b ** pow;
          logSum += Math.abs(Math.log10(Math.max(pa, eps)) - Math.log10(Math.max(pb, eps)));
          magSum += Math.abs(a - b);
        }
        total += (logWeight * logSum) / x.length + (magWeight * magSum) / x.length;
      });
      return total;
    },
  };
}

/** Multi-scale mel distance of `estimate` from `reference` (same length and rate); see the module comment. */
export function melDistance(reference: Float32Array | Float64Array, estimate: Float32Array | Float64Array, sampleRate: number, options: MelDistanceOptions = {}): number {
  if (reference.length !== estimate.length) {
    throw invalidRange(`${reference.length} samples (as the reference)`, 'estimate.length', estimate.length);
  }
  return prepareMelDistance(reference, sampleRate, options).compare(estimate);
}
