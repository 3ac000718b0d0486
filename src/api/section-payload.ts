/**
 * What the section payloads of the chunked audio families share (codecs/rvq/sections.ts,
 * codecs/opuspf/sections.ts): unsigned LEB128 varints (7 bits per byte, low first, high bit = more),
 * a reader that checks every length against the bytes left and names the codec in its errors, and
 * the end section of streamed files (0 — no chunk has 0 frames — then the original's frame count).
 */
import { MAX_VARINT_BYTES, varintLength, writeVarint } from '../container/bytes.js';
import { CodecError } from '../errors.js';

export { varintLength, writeVarint };

/** ERR_BITSTREAM_CORRUPT with `message`. */
export function sectionCorrupt(message: string): CodecError {
  return new CodecError('ERR_BITSTREAM_CORRUPT', `${message}: the file is corrupt.`);
}

/** Reads one section payload of codec `codec` (for messages). */
export class SectionReader {
  at = 0;
  constructor(private readonly bytes: Uint8Array, private readonly codec: string) {}

  get remaining(): number {
    return this.bytes.length - this.at;
  }

  varint(what: string): number {
    let value = 0, scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (this.at >= this.bytes.length) throw this.truncated(what);
      const b = this.bytes[this.at++]!;
      value += (b & 127) * scale;
      if (b < 128) return value;
      scale *= 128;
    }
    throw sectionCorrupt(`An ${this.codec} section has an over-long number for ${what}`);
  }

  /** The next `n` bytes (a view). */
  bytesOf(n: number, what: string): Uint8Array {
    if (n > this.remaining) throw this.truncated(what);
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  private truncated(what: string): CodecError {
    return new CodecError('ERR_BITSTREAM_TRUNCATED', `An ${this.codec} section ends inside ${what}: the file is truncated or corrupt.`);
  }
}

/** The payload of the end section of a streamed file. */
export function encodeEndSection(frames: number): Uint8Array {
  const out = new Uint8Array(1 + varintLength(frames));
  writeVarint(out, 1, frames);
  return out;
}

/** Reads the rest of an end section whose leading 0 `r` has read: the original's frame count. */
export function readEndSection(r: SectionReader, codec: string): { kind: 'end'; frames: number } {
  const frames = r.varint('the end section');
  if (r.remaining !== 0) throw sectionCorrupt(`The ${codec} end section has ${r.remaining} extra bytes`);
  return { kind: 'end', frames };
}
