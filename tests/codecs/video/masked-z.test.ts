/**
 * The z stream of motion-compensated P-frames (codecs/video/masked-z.ts): a mask of the live channels,
 * then only those channels with their tables. Round trip (ẑ equals the encoder's), the cost of dead
 * channels, and damaged streams.
 */
import { describe, expect, it } from 'vitest';
import { MaskedZCodec, modes } from '../../../codecs/video/masked-z.js';
import { quantizeCdf } from '../../../src/entropy/index.js';
import { CodecError } from '../../../src/errors.js';
import { mulberry32 } from '../../../src/prng.js';
import { gaussianTables } from '../../entropy/helpers.js';

const C = 12;
const shape = { channels: C, height: 3, width: 5 };
const medians = Float32Array.from({ length: C }, (_, c) => 0.25 * c - 1);

/** z with channels `live` drawn around their medians (±3) and the others exactly at them (±0.3). */
function zWith(live: readonly number[], seed: number): Float32Array {
  const rng = mulberry32(seed);
  const plane = shape.height * shape.width;
  const z = new Float32Array(C * plane);
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < plane; i++) z[c * plane + i] = medians[c]! + (live.includes(c) ? 6 * rng() - 3 : 0.6 * rng() - 0.3);
  }
  return z;
}

describe('masked z stream', () => {
  const tables = gaussianTables(C, 8);

  it('decodes the ẑ the encoder reconstructs, with dead channels at their medians', () => {
    using codec = new MaskedZCodec(tables, medians);
    for (const live of [[0, 5, 11], [], [...Array(C).keys()]]) {
      const { bytes, zHat } = codec.encode({ ...shape, data: zWith(live, 3) });
      expect(bytes[0]! | (bytes[1]! << 8)).toBe(live.reduce((m, c) => m | (1 << c), 0));
      const back = codec.decode(bytes, shape, 'frame 1');
      expect(back).toEqual(zHat);
      const plane = shape.height * shape.width;
      for (let c = 0; c < C; c++) {
        if (!live.includes(c)) expect(Array.from(back.data.subarray(c * plane, (c + 1) * plane)).every((v) => v === medians[c])).toBe(true);
      }
    }
  });

  it('codes dead channels in no bits beyond the mask', () => {
    using codec = new MaskedZCodec(tables, medians);
    const few = codec.encode({ ...shape, data: zWith([2], 5) }).bytes.length;
    const all = codec.encode({ ...shape, data: zWith([...Array(C).keys()], 5) }).bytes.length;
    expect(few).toBeLessThan(all / 4);
  });

  it('refuses a mask that names channels beyond the latent, and a stream cut short', () => {
    using codec = new MaskedZCodec(tables, medians);
    const { bytes } = codec.encode({ ...shape, data: zWith([1, 4], 9) });
    const forged = bytes.slice();
    forged[1]! |= 0x80; // channel 15 of 12
    expect(() => codec.decode(forged, shape, 'frame 2')).toThrow(/frame 2: the z channel mask names channel 15 of 12/);
    expect(() => codec.decode(bytes.subarray(0, 1), shape, 'frame 2')).toThrow(/frame 2: the z stream ends inside its channel mask/);
    expect(() => codec.decode(bytes.subarray(0, 3), shape, 'frame 2')).toThrow(CodecError);
  });

  it("takes a channel's dead value from its table's most probable symbol", () => {
    // channel 0's table peaks at symbol −2 (offset −3, pmf index 1); the others are centred
    const pmf = [1, 50, 10, 5, 2, 1];
    const skewed = quantizeCdf([...pmf, 0.001]); // the last symbol: the escape
    const centred = quantizeCdf([1, 4, 30, 4, 1, 0.001]);
    const t = {
      cdfs: Int32Array.from([...skewed, ...Array.from({ length: C - 1 }, () => [...centred]).flat()]),
      cdfLengths: Int32Array.from({ length: C }, (_, c) => (c === 0 ? skewed.length : centred.length)),
      offsets: Int32Array.from({ length: C }, (_, c) => (c === 0 ? -3 : -2)),
      precision: 16,
    };
    expect(Array.from(modes(t))).toEqual([-2, ...Array(C - 1).fill(0)]);
    using codec = new MaskedZCodec(t, medians);
    const plane = shape.height * shape.width;
    const z = zWith([], 4);
    for (let i = 0; i < plane; i++) z[i] = medians[0]! - 2 + 0.1;
    const { bytes, zHat } = codec.encode({ ...shape, data: z });
    expect([bytes[0], bytes[1]]).toEqual([0, 0]); // no live channel: channel 0 sits at its dead value
    expect(codec.decode(bytes, shape, 'frame 1')).toEqual(zHat);
    expect(zHat.data[0]).toBe(medians[0]! - 2);
  });
});
