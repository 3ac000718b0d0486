/**
 * Little-endian byte writer and a bounds-checked reader. The reader never reads past its end: every
 * read checks the remaining length first and throws ERR_BITSTREAM_TRUNCATED otherwise.
 */
import { CodecError } from '../errors.js';

/** Largest unsigned LEB128 varint read: 7 bytes (2⁴⁹; frame counts are < 2⁴⁸). */
export const MAX_VARINT_BYTES = 7;

/** Bytes of `value` as an unsigned LEB128 varint (7 bits per byte, low first, high bit = more). */
export function varintLength(value: number): number {
  let n = 1;
  while (value >= 128) { value = Math.floor(value / 128); n++; }
  return n;
}

/** Writes `value` as a varint at `at`; returns the position after it. */
export function writeVarint(out: Uint8Array, at: number, value: number): number {
  while (value >= 128) {
    out[at++] = (value % 128) | 128;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}

export class ByteWriter {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this { this.reserve(1); this.view.setUint8(this.length, v); this.length += 1; return this; }
  u16(v: number): this { this.reserve(2); this.view.setUint16(this.length, v, true); this.length += 2; return this; }
  u32(v: number): this { this.reserve(4); this.view.setUint32(this.length, v, true); this.length += 4; return this; }
  i32(v: number): this { this.reserve(4); this.view.setInt32(this.length, v, true); this.length += 4; return this; }
  f64(v: number): this { this.reserve(8); this.view.setFloat64(this.length, v, true); this.length += 8; return this; }
  u64(v: number): this {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
    return this;
  }
  /** An unsigned LEB128 varint. */
  varint(v: number): this { this.reserve(MAX_VARINT_BYTES + 1); this.length = writeVarint(this.buffer, this.length, v); return this; }
  bytes(b: Uint8Array): this { this.reserve(b.length); this.buffer.set(b, this.length); this.length += b.length; return this; }
  /** A string with a one-byte length prefix. */
  shortString(s: string): this {
    const b = new TextEncoder().encode(s);
    if (b.length > 255) throw new RangeError(`Expected a string of at most 255 bytes but received ${b.length} bytes`);
    return this.u8(b.length).bytes(b);
  }
  finish(): Uint8Array { return this.buffer.slice(0, this.length); }
}

export class ByteReader {
  private readonly view: DataView;
  offset: number;

  constructor(readonly source: Uint8Array, offset = 0, private readonly end = source.length) {
    this.view = new DataView(source.buffer, source.byteOffset, source.byteLength);
    this.offset = offset;
  }

  get remaining(): number { return this.end - this.offset; }

  private need(n: number, what: string): number {
    if (n > this.remaining) {
      throw new CodecError(
        'ERR_BITSTREAM_TRUNCATED',
        `The stream ends inside ${what}: ${n} bytes needed at offset ${this.offset}, ${this.remaining} left. The file is truncated.`,
      );
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  u8(what = 'a byte'): number { return this.view.getUint8(this.need(1, what)); }
  u16(what = 'a 16-bit field'): number { return this.view.getUint16(this.need(2, what), true); }
  u32(what = 'a 32-bit field'): number { return this.view.getUint32(this.need(4, what), true); }
  i32(what = 'a 32-bit field'): number { return this.view.getInt32(this.need(4, what), true); }
  f64(what = 'a 64-bit float'): number { return this.view.getFloat64(this.need(8, what), true); }
  u64(what = 'a 64-bit field'): number {
    const v = this.view.getBigUint64(this.need(8, what), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new CodecError('ERR_BITSTREAM_CORRUPT', `${what} is ${v}, beyond any valid value: the header is corrupt.`);
    }
    return Number(v);
  }
  /** An unsigned LEB128 varint of at most MAX_VARINT_BYTES bytes. */
  varint(what = 'a number'): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const b = this.u8(what);
      value += (b & 127) * scale;
      if (b < 128) return value;
      scale *= 128;
    }
    throw new CodecError('ERR_BITSTREAM_CORRUPT', `${what} is an over-long number: the file is corrupt.`);
  }
  /** A view (no copy) of the next `n` bytes. */
  bytes(n: number, what = 'a byte run'): Uint8Array {
    const at = this.need(n, what);
    return this.source.subarray(at, at + n);
  }
  shortString(what: string): string {
    const n = this.u8(what);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes(n, what));
    } catch (err) {
      if (err instanceof CodecError) throw err;
      throw new CodecError('ERR_BITSTREAM_CORRUPT', `${what} is not valid UTF-8: the header is corrupt.`);
    }
  }
}
