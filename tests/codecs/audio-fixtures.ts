/** Test inputs the audio codec families share (rvq, opuspf): fixture paths and a speech-like signal. */
import path from 'node:path';
import type { RawAudio } from '../../src/api/types.js';

export const root = path.join(__dirname, '../..');
export const audioDir = path.join(root, 'fixtures/audio');

export function audio(name: string): string {
  return path.join(audioDir, name);
}

/** Mono `seconds` of a speech-like test signal (two gliding harmonics with a syllable envelope) at `rate`. */
export function synthetic(seconds: number, rate: number, offset = 0): Float32Array {
  const n = Math.round(seconds * rate);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = (i + offset) / rate;
    const f0 = 140 + 40 * Math.sin(2 * Math.PI * 0.7 * t);
    const env = 0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t);
    out[i] = 0.3 * env * (Math.sin(2 * Math.PI * f0 * t) + 0.5 * Math.sin(2 * Math.PI * 2.5 * f0 * t));
  }
  return out;
}

export function isFinite32(samples: Float32Array): boolean {
  return samples.every((v) => Number.isFinite(v));
}

export function raw(channels: Float32Array[], sampleRate: number): RawAudio {
  return { channels, sampleRate };
}
