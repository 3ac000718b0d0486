/**
 * Incremental container parsing for streams: push bytes as they arrive, take the header once it is
 * complete and each section as soon as its CRC has been checked. Memory is bounded by the largest
 * section, never by the whole file. `end()` checks the trailer (section count and file CRC).
 */
import { CodecError } from '../errors.js';
import { crc32 } from './crc32.js';
import { END_MARKER, readHeader } from './format.js';
import type { ContainerHeader } from './header.js';

/** Largest section a streaming reader accepts before it has the bytes (corrupt lengths must not allocate). */
export const MAX_STREAM_SECTION = 1 << 28;

export type ParserEvent = { type: 'header'; header: ContainerHeader } | { type: 'section'; index: number; payload: Uint8Array };

export class ContainerParser {
  private buffer = new Uint8Array(0);
  private header: ContainerHeader | undefined;
  private runningCrc = 0;
  private sectionCount = 0;
  private finished = false;

  /** Appends bytes and returns every header/section event they complete, in order. */
  push(chunk: Uint8Array): ParserEvent[] {
    if (this.finished && chunk.length > 0) throw new CodecError('ERR_BITSTREAM_CORRUPT', 'Bytes follow the end of the container: the stream is corrupt or two files were joined.');
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    this.buffer = joined;
    const events: ParserEvent[] = [];
    for (let event = this.next(); event; event = this.next()) events.push(event);
    if (this.finished && this.buffer.length > 0) this.next();
    return events;
  }

  /** Call when the input has ended: throws unless a complete, consistent trailer was read. */
  end(): void {
    if (!this.finished) {
      throw new CodecError('ERR_BITSTREAM_TRUNCATED', `The stream ended ${this.header ? `after ${this.sectionCount} sections, before the trailer` : 'inside the header'}: the file is truncated.`);
    }
  }

  private consume(n: number): Uint8Array {
    const taken = this.buffer.subarray(0, n);
    this.runningCrc = crc32(taken, this.runningCrc);
    this.buffer = this.buffer.subarray(n);
    return taken;
  }

  private next(): ParserEvent | undefined {
    if (this.finished) {
      if (this.buffer.length > 0) throw new CodecError('ERR_BITSTREAM_CORRUPT', 'Bytes follow the end of the container: the stream is corrupt or two files were joined.');
      return undefined;
    }
    if (!this.header) return this.nextHeader();
    if (this.buffer.length < 4) return undefined;
    const view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    const length = view.getUint32(0, true);
    if (length === END_MARKER) return this.trailer(view);
    if (length > MAX_STREAM_SECTION) throw new CodecError('ERR_BITSTREAM_CORRUPT', `Section ${this.sectionCount} claims ${length} bytes, beyond any section a codec writes: the stream is corrupt.`);
    if (this.buffer.length < 8 + length) return undefined;
    const payload = this.consume(4 + length).slice(4);
    const crc = view.getUint32(4 + length, true);
    this.consume(4);
    if (crc32(payload) !== crc) throw new CodecError('ERR_CRC_MISMATCH', `Section ${this.sectionCount} fails its CRC check: the stream is corrupt.`);
    return { type: 'section', index: this.sectionCount++, payload };
  }

  private nextHeader(): ParserEvent | undefined {
    if (this.buffer.length < 9) return undefined;
    const bodyLength = new DataView(this.buffer.buffer, this.buffer.byteOffset + 5, 4).getUint32(0, true);
    if (this.buffer.length < 13 + bodyLength && bodyLength <= 1 << 21) return undefined;
    const { header, end } = readHeader(this.buffer);
    this.consume(end);
    this.header = header;
    return { type: 'header', header };
  }

  private trailer(view: DataView): undefined {
    if (this.buffer.length < 12) return undefined;
    const count = view.getUint32(4, true);
    const fileCrc = view.getUint32(8, true);
    this.consume(8);
    if (count !== this.sectionCount) throw new CodecError('ERR_BITSTREAM_CORRUPT', `The trailer counts ${count} sections but the stream held ${this.sectionCount}: the stream is corrupt.`);
    if (fileCrc !== this.runningCrc) throw new CodecError('ERR_CRC_MISMATCH', 'The file CRC does not match: the stream is corrupt.');
    this.buffer = this.buffer.subarray(4);
    this.finished = true;
    return undefined;
  }
}
