/**
 * Section payloads of an rvq file. Integers are unsigned LEB128 varints (7 bits per byte, low
 * first, high bit = more).
 *
 *   chunk section (one per chunk and channel, chunk-major: chunk 0 channel 0, chunk 0 channel 1, …):
 *     F                        latent frames of the chunk (1 … chunk frames)
 *     nq × { len·4 + mode,     mode 0 packed, 1 … 3 adaptive (codes.ts); the streams of codebooks
 *            len bytes }       0 … nq − 1 in order, each F codes
 *
 *   end section (last, in streamed files only):
 *     0                        (a chunk has at least one frame, so 0 marks the end section)
 *     N                        frames per channel of the original signal (at its own rate)
 *
 * Readers check every length against the bytes left and that nothing follows the last field.
 */
import { CodecError } from '../../src/errors.js';
import type { CodeStream, StreamMode } from './codes.js';

export type RvqSection =
  | { kind: 'chunk'; frames: number; streams: CodeStream[] }
  | { kind: 'end'; frames: number };

/** Largest varint read: 2⁴⁹ (frame counts are < 2⁴⁸). */
const MAX_VARINT_BYTES = 7;

function varintLength(value: number): number {
  let n = 1;
  while (value >= 128) { value = Math.floor(value / 128); n++; }
  return n;
}

function writeVarint(out: Uint8Array, at: number, value: number): number {
  while (value >= 128) {
    out[at++] = (value % 128) | 128;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}

function truncated(what: string): CodecError {
  return new CodecError('ERR_BITSTREAM_TRUNCATED', `An rvq section ends inside ${what}: the file is truncated or corrupt.`);
}

function corrupt(message: string): CodecError {
  return new CodecError('ERR_BITSTREAM_CORRUPT', `${message}: the file is corrupt.`);
}

class SectionReader {
  at = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.at;
  }

  varint(what: string): number {
    let value = 0, scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (this.at >= this.bytes.length) throw truncated(what);
      const b = this.bytes[this.at++]!;
      value += (b & 127) * scale;
      if (b < 128) return value;
      scale *= 128;
    }
    throw corrupt(`An rvq section has an over-long number for ${what}`);
  }

  bytesOf(n: number, what: string): Uint8Array {
    if (n > this.remaining) throw truncated(what);
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
}

/** The payload of a chunk section: F, then each codebook's stream with its length and mode. */
export function encodeChunkSection(frames: number, streams: readonly CodeStream[]): Uint8Array {
  let size = varintLength(frames);
  for (const s of streams) size += varintLength(s.bytes.length * 4 + s.mode) + s.bytes.length;
  const out = new Uint8Array(size);
  let at = writeVarint(out, 0, frames);
  for (const s of streams) {
    at = writeVarint(out, at, s.bytes.length * 4 + s.mode);
    out.set(s.bytes, at);
    at += s.bytes.length;
  }
  return out;
}

/** The payload of the end section of a streamed file. */
export function encodeEndSection(frames: number): Uint8Array {
  const out = new Uint8Array(1 + varintLength(frames));
  writeVarint(out, 1, frames);
  return out;
}

/**
 * Parses a section holding `nq` streams per chunk (views into `payload`, nothing decoded yet).
 * Throws ERR_BITSTREAM_TRUNCATED / ERR_BITSTREAM_CORRUPT for a malformed payload.
 */
export function parseSection(payload: Uint8Array, nq: number): RvqSection {
  const r = new SectionReader(payload);
  const frames = r.varint('the frame count');
  if (frames === 0) {
    const total = r.varint('the end section');
    if (r.remaining !== 0) throw corrupt(`The rvq end section has ${r.remaining} extra bytes`);
    return { kind: 'end', frames: total };
  }
  const streams: CodeStream[] = [];
  for (let k = 0; k < nq; k++) {
    const head = r.varint(`the length of codebook stream ${k}`);
    streams.push({ mode: (head % 4) as StreamMode, bytes: r.bytesOf(Math.floor(head / 4), `codebook stream ${k}`) });
  }
  if (r.remaining !== 0) throw corrupt(`An rvq chunk section has ${r.remaining} bytes after its ${nq} codebook streams`);
  return { kind: 'chunk', frames, streams };
}
