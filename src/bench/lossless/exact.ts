/**
 * The lossless check: a decoded image must equal its source sample for sample. The answer is null
 * (exact) or what differs, in words, for the report.
 */
import type { Rgb8Image } from '../runners.js';

/** Null when `decoded` is `source` exactly; otherwise the size that differs or how many samples do. */
export function exactDifference(source: Rgb8Image, decoded: Rgb8Image): string | null {
  if (decoded.width !== source.width || decoded.height !== source.height || decoded.channels !== source.channels) {
    return `decoded ${decoded.width}×${decoded.height}×${decoded.channels}, expected ${source.width}×${source.height}×${source.channels}`;
  }
  if (decoded.data.length !== source.data.length) {
    return `decoded ${decoded.data.length} samples, expected ${source.data.length}`;
  }
  if (Buffer.from(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength)
    .equals(Buffer.from(source.data.buffer, source.data.byteOffset, source.data.byteLength))) return null;
  let differ = 0;
  let maxDiff = 0;
  let first = -1;
  for (let i = 0; i < source.data.length; i++) {
    const d = Math.abs(decoded.data[i]! - source.data[i]!);
    if (d === 0) continue;
    if (first < 0) first = i;
    differ++;
    if (d > maxDiff) maxDiff = d;
  }
  const pixel = Math.floor(first / 3);
  return `${differ} of ${source.data.length} samples differ (largest difference ${maxDiff}; first at x=${pixel % source.width}, y=${Math.floor(pixel / source.width)})`;
}
