import path from 'node:path';
import { openOpusPf, type OpusPfCodec } from '../../../codecs/opuspf/index.js';
import type { OpenOptions, RawAudio } from '../../../src/api/types.js';

export const root = path.join(__dirname, '../../..');
export const audioDir = path.join(root, 'fixtures/audio');
/** The untrained test post-filter (8 channels), made by models/train/postfilter/export.py --random. */
export const TINY_MODEL = path.join(root, 'fixtures/models/opuspf/tiny-test');

export function audio(name: string): string {
  return path.join(audioDir, name);
}

/** The tiny test model; one intra-op thread so decodes are reproducible. */
export function openTiny(options: OpenOptions = {}): Promise<OpusPfCodec> {
  return openOpusPf({ model: TINY_MODEL, threads: 1, ...options });
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

export function raw(channels: Float32Array[], sampleRate: number): RawAudio {
  return { channels, sampleRate };
}
