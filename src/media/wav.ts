/**
 * WAV: reading through wav-decoder (PCM 8/16/24/32-bit and float), and a small writer.
 * Also a parser for the streamed float WAV that ffmpeg writes to a pipe (its size fields are unset).
 */
import WavDecoder from 'wav-decoder';
import { CodecError } from '../errors.js';
import type { RawAudio } from './types.js';

export function isWav(bytes: Uint8Array): boolean {
  return bytes.length >= 12 &&
    String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF' &&
    String.fromCharCode(...bytes.subarray(8, 12)) === 'WAVE';
}

/** Decodes a WAV file with wav-decoder. Throws ERR_MEDIA_READ (callers may fall back to ffmpeg). */
export async function decodeWav(bytes: Uint8Array, name: string): Promise<RawAudio> {
  try {
    const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const decoded = await WavDecoder.decode(copy);
    return { channels: decoded.channelData, sampleRate: decoded.sampleRate };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new CodecError('ERR_MEDIA_READ', `Could not read ${name} as WAV: ${reason}`, { cause: err });
  }
}

/** Parses float32 WAV from an ffmpeg pipe: finds `fmt ` and takes everything after `data` as samples. */
export function parseStreamedFloatWav(bytes: Uint8Array, name: string): RawAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isWav(bytes)) throw new CodecError('ERR_MEDIA_READ', `ffmpeg did not return WAV data for ${name}`);
  let at = 12;
  let channels = 0;
  let sampleRate = 0;
  while (at + 8 <= bytes.length) {
    const id = String.fromCharCode(...bytes.subarray(at, at + 4));
    const size = view.getUint32(at + 4, true);
    if (id === 'fmt ' && at + 16 <= bytes.length) {
      channels = view.getUint16(at + 10, true);
      sampleRate = view.getUint32(at + 12, true);
    }
    if (id === 'data') {
      if (!channels || !sampleRate) break;
      const start = at + 8;
      const frames = Math.floor((bytes.length - start) / (4 * channels));
      const out = Array.from({ length: channels }, () => new Float32Array(frames));
      for (let f = 0; f < frames; f++) {
        for (let c = 0; c < channels; c++) out[c]![f] = view.getFloat32(start + 4 * (f * channels + c), true);
      }
      return { channels: out, sampleRate };
    }
    at += 8 + size + (size & 1);
  }
  throw new CodecError('ERR_MEDIA_READ', `ffmpeg returned malformed WAV data for ${name}`);
}

export type WavSampleFormat = 's16' | 's24' | 'f32';

/** Encodes audio as a WAV file (16-bit PCM by default; clipped to [-1, 1], rounded to nearest). */
export function encodeWav(audio: RawAudio, format: WavSampleFormat = 's16'): Uint8Array {
  const channels = audio.channels.length;
  const frames = audio.channels[0]?.length ?? 0;
  const bytesPerSample = format === 's16' ? 2 : format === 's24' ? 3 : 4;
  const dataSize = frames * channels * bytesPerSample;
  const out = new Uint8Array(44 + dataSize);
  const v = new DataView(out.buffer);
  const ascii = (at: number, s: string) => { for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i); };
  ascii(0, 'RIFF'); v.setUint32(4, 36 + dataSize, true); ascii(8, 'WAVE');
  ascii(12, 'fmt '); v.setUint32(16, 16, true);
  v.setUint16(20, format === 'f32' ? 3 : 1, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, audio.sampleRate, true);
  v.setUint32(28, audio.sampleRate * channels * bytesPerSample, true);
  v.setUint16(32, channels * bytesPerSample, true);
  v.setUint16(34, bytesPerSample * 8, true);
  ascii(36, 'data'); v.setUint32(40, dataSize, true);
  let at = 44;
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++) {
      const x = audio.channels[c]![f]!;
      if (format === 'f32') { v.setFloat32(at, x, true); at += 4; continue; }
      const clipped = Math.max(-1, Math.min(1, Number.isNaN(x) ? 0 : x));
      if (format === 's16') { v.setInt16(at, Math.round(clipped * 32767), true); at += 2; continue; }
      const s = Math.round(clipped * 8388607);
      out[at] = s & 0xff; out[at + 1] = (s >> 8) & 0xff; out[at + 2] = (s >> 16) & 0xff; at += 3;
    }
  }
  return out;
}
