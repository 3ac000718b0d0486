/**
 * Binary PPM (Netpbm P6, 8-bit), the raw image format cjxl reads and djxl writes: a text header
 * `P6 <width> <height> <maxval>` (whitespace-separated, `#` comments allowed), one whitespace byte,
 * then interleaved RGB samples, row by row. Only maxval 255 (one byte per sample) is read.
 */
import { CodecError } from '../../errors.js';
import type { Rgb8Image } from '../runners.js';

/** The PPM file of 8-bit RGB. */
export function writePpm(image: Rgb8Image): Buffer {
  const header = Buffer.from(`P6\n${image.width} ${image.height}\n255\n`, 'ascii');
  return Buffer.concat([header, image.data]);
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** The header's four fields and where the samples start, or null when it is not a P6 header. */
function readHeader(bytes: Uint8Array): { fields: string[]; start: number } | null {
  const fields: string[] = [];
  let i = 0;
  while (fields.length < 4 && i < bytes.length) {
    const byte = bytes[i]!;
    if (byte === 0x23) { // '#': a comment to the end of the line
      while (i < bytes.length && bytes[i] !== 0x0a) i++;
    } else if (isSpace(byte)) {
      i++;
    } else {
      let end = i;
      while (end < bytes.length && !isSpace(bytes[end]!) && bytes[end] !== 0x23) end++;
      fields.push(Buffer.from(bytes.subarray(i, end)).toString('ascii'));
      i = end;
    }
  }
  // Exactly one whitespace byte separates the header from the samples.
  if (fields.length < 4 || fields[0] !== 'P6' || i >= bytes.length || !isSpace(bytes[i]!)) return null;
  return { fields, start: i + 1 };
}

/** 8-bit RGB from a P6 file; throws ERR_MEDIA_READ on anything else or a short file. */
export function readPpm(bytes: Uint8Array): Rgb8Image {
  const header = readHeader(bytes);
  const [width, height, maxval] = (header?.fields.slice(1) ?? []).map(Number);
  if (!header || !Number.isInteger(width) || !Number.isInteger(height) || width! < 1 || height! < 1 || maxval !== 255) {
    throw new CodecError('ERR_MEDIA_READ', 'Expected an 8-bit binary PPM (P6, maxval 255) but received something else.');
  }
  const length = width! * height! * 3;
  if (bytes.length - header.start < length) {
    throw new CodecError('ERR_MEDIA_READ', `Expected ${length} samples in a ${width}×${height} PPM but received ${bytes.length - header.start}.`);
  }
  return { data: new Uint8Array(bytes.buffer, bytes.byteOffset + header.start, length), width: width!, height: height!, channels: 3 };
}
