/**
 * Raw PCM byte streams ↔ planar float samples, for the codec streams (src/api/streams.ts).
 *
 * Formats (interleaved, frame after frame, each frame one sample per channel, little-endian):
 * - `s16le`: signed 16-bit; read as v / 32768, written as round(x · 32767) after clipping to [−1, 1]
 *   (the same scaling as the WAV reader and writer of src/media/wav.ts);
 * - `f32le`: 32-bit IEEE float, written as is (NaN as 0).
 */
import { invalidRange } from '../validate.js';

export type PcmSampleFormat = 's16le' | 'f32le';

export const PCM_SAMPLE_FORMATS: readonly PcmSampleFormat[] = ['s16le', 'f32le'];

/** Bytes per sample of each format. */
export const PCM_BYTES: Readonly<Record<PcmSampleFormat, number>> = { s16le: 2, f32le: 4 };

export function checkPcmFormat(value: unknown, name: string): PcmSampleFormat {
  if (!PCM_SAMPLE_FORMATS.includes(value as PcmSampleFormat)) throw invalidRange(`one of ${PCM_SAMPLE_FORMATS.join(', ')}`, name, value);
  return value as PcmSampleFormat;
}

/**
 * Splits interleaved PCM bytes into planar float channels. Byte pieces may end anywhere (inside a
 * sample or a frame); the incomplete frame is kept for the next `push`.
 */
export class PcmDeinterleaver {
  private pending = new Uint8Array(0);
  private readonly frameBytes: number;

  constructor(readonly format: PcmSampleFormat, readonly channels: number) {
    checkPcmFormat(format, 'format');
    if (!Number.isInteger(channels) || channels < 1) throw invalidRange('a positive integer', 'channels', channels);
    this.frameBytes = PCM_BYTES[format] * channels;
  }

  /** Bytes of an incomplete frame held for the next push. */
  get pendingBytes(): number {
    return this.pending.length;
  }

  /** The complete frames in `pending + bytes`, one Float32Array per channel. */
  push(bytes: Uint8Array): Float32Array[] {
    let data = bytes;
    if (this.pending.length > 0) {
      data = new Uint8Array(this.pending.length + bytes.length);
      data.set(this.pending);
      data.set(bytes, this.pending.length);
    }
    const frames = Math.floor(data.length / this.frameBytes);
    const used = frames * this.frameBytes;
    this.pending = data.slice(used);
    const view = new DataView(data.buffer, data.byteOffset, used);
    const out = Array.from({ length: this.channels }, () => new Float32Array(frames));
    const n = this.channels;
    if (this.format === 's16le') {
      for (let f = 0, at = 0; f < frames; f++) for (let c = 0; c < n; c++, at += 2) out[c]![f] = view.getInt16(at, true) / 32768;
    } else {
      for (let f = 0, at = 0; f < frames; f++) for (let c = 0; c < n; c++, at += 4) out[c]![f] = view.getFloat32(at, true);
    }
    return out;
  }

  /** Checks that the input ended on a frame boundary; RangeError otherwise. */
  end(): void {
    if (this.pending.length > 0) {
      throw invalidRange(`a whole number of ${this.frameBytes}-byte frames (${this.channels} × ${this.format})`, 'the PCM input', `${this.pending.length} extra bytes`);
    }
  }
}

/** Interleaves planar float channels (equal lengths) into PCM bytes. */
export function interleavePcm(channels: readonly Float32Array[], format: PcmSampleFormat): Uint8Array {
  checkPcmFormat(format, 'format');
  const n = channels.length;
  const frames = channels[0]?.length ?? 0;
  const out = new Uint8Array(frames * n * PCM_BYTES[format]);
  const view = new DataView(out.buffer);
  if (format === 's16le') {
    for (let f = 0, at = 0; f < frames; f++) {
      for (let c = 0; c < n; c++, at += 2) {
        const x = channels[c]![f]!;
        const clipped = x > 1 ? 1 : x < -1 ? -1 : x === x ? x : 0;
        view.setInt16(at, Math.round(clipped * 32767), true);
      }
    }
  } else {
    for (let f = 0, at = 0; f < frames; f++) {
      for (let c = 0; c < n; c++, at += 4) {
        const x = channels[c]![f]!;
        view.setFloat32(at, x === x ? x : 0, true);
      }
    }
  }
  return out;
}
