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
import { encodeEndSection, readEndSection, SectionReader, sectionCorrupt as corrupt, varintLength, writeVarint } from '../../src/api/section-payload.js';
import type { CodeStream, StreamMode } from './codes.js';

export { encodeEndSection };

export type RvqSection =
  | { kind: 'chunk'; frames: number; streams: CodeStream[] }
  | { kind: 'end'; frames: number };

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

/**
 * Parses a section holding `nq` streams per chunk (views into `payload`, nothing decoded yet).
 * Throws ERR_BITSTREAM_TRUNCATED / ERR_BITSTREAM_CORRUPT for a malformed payload.
 */
export function parseSection(payload: Uint8Array, nq: number): RvqSection {
  const r = new SectionReader(payload, 'rvq');
  const frames = r.varint('the frame count');
  if (frames === 0) return readEndSection(r, 'rvq');
  const streams: CodeStream[] = [];
  for (let k = 0; k < nq; k++) {
    const head = r.varint(`the length of codebook stream ${k}`);
    streams.push({ mode: (head % 4) as StreamMode, bytes: r.bytesOf(Math.floor(head / 4), `codebook stream ${k}`) });
  }
  if (r.remaining !== 0) throw corrupt(`An rvq chunk section has ${r.remaining} bytes after its ${nq} codebook streams`);
  return { kind: 'chunk', frames, streams };
}
