/**
 * The short-time Fourier transforms of opuspf's post-filter in the native addon (native/src/stft.h):
 * a periodic Hann window of `nFft`, `hop` samples between frames, centred frames with reflect padding
 * (torch.stft(center=True)), T = 1 + ⌊L / hop⌋ frames of nFft / 2 + 1 bins, frame-major; the synthesis
 * adds noise of magnitude N and mulberry32(seed) phases (src/prng.ts) and inverts (torch.istft). Float64
 * inside, float32 in and out; 2–3× faster than the same transforms in TypeScript and with no JIT warm-up.
 */
import { callNative, loadNative } from '../native.js';

/** A centred STFT: `frames` × bins complex values, frame-major. */
export interface StftSpectrum {
  frames: number;
  re: Float32Array;
  im: Float32Array;
}

/** X = STFT(x) and |X| (x not empty). */
export function stftAnalyse(x: Float32Array, nFft: number, hop: number): { spectrum: StftSpectrum; magnitudes: Float32Array } {
  const frames = 1 + Math.floor(x.length / hop);
  const size = frames * (nFft / 2 + 1);
  const re = new Float32Array(size), im = new Float32Array(size), magnitudes = new Float32Array(size);
  callNative(() => loadNative().stftAnalyse(x, nFft, hop, re, im, magnitudes));
  return { spectrum: { frames, re, im }, magnitudes };
}

/**
 * The `length` samples of ISTFT(X · G + N · U): `gains` holds G and N per frame ([T, 2·bins],
 * frame-major), or is null for ISTFT(X); `noise` false leaves N · U out.
 */
export function stftSynthesise(
  spectrum: StftSpectrum, gains: Float32Array | null, noise: boolean, seed: number, nFft: number, hop: number, length: number,
): Float32Array {
  const out = new Float32Array(length);
  callNative(() => loadNative().stftSynthesise(spectrum.re, spectrum.im, gains ?? new Float32Array(0), noise ? 1 : 0, seed >>> 0, nFft, hop, out));
  return out;
}
