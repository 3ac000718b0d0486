/**
 * MED prediction of latent symbol planes (src/entropy/med.ts `signedResiduals`) and the factorized
 * latent codec with predicted channels: the residuals equal models/train/wavelet/prediction.py's on a
 * worked example (the export fits its tables on them), reconstruction is exact, smooth planes get
 * cheaper, and bad prediction specs are refused.
 */
import { describe, expect, it } from 'vitest';
import { FactorizedLatentCodec, buildFactorizedTables, concatTableSets, type CdfTableSet } from '../../src/entropy/index.js';
import { signedReconstruct, signedResiduals } from '../../src/entropy/med.js';
import { randInt, rng } from './helpers.js';

/** A table per channel: a discretised Laplacian of `scale` over −span..span. */
function laplaceTables(channels: number, scale: number, span: number): CdfTableSet {
  const pmf = Array.from({ length: 2 * span + 1 }, (_, i) => Math.exp(-Math.abs(i - span) / scale));
  return buildFactorizedTables(Array(channels).fill(pmf), Array(channels).fill(1e-4), Array(channels).fill(-span));
}

/** A smooth C × H × W latent (ramps plus small noise) around zero. */
function smoothLatent(channels: number, height: number, width: number, seed: number) {
  const next = rng(seed);
  const data = new Float32Array(channels * height * width);
  for (let c = 0, i = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++, i++) data[i] = (x + y) / 2 - 10 + (next() - 0.5) * 1.5 + c;
  }
  return { channels, height, width, data };
}

describe('MED residuals of signed planes', () => {
  it('match the export\'s numpy residuals on a worked example', () => {
    // models/train/wavelet/prediction.py med_residuals([[5, 7, 6], [4, 9, 2]]) = [[5, 2, -1], [-1, 3, -6]]
    expect(Array.from(signedResiduals(Int32Array.of(5, 7, 6, 4, 9, 2), 3, 2))).toEqual([5, 2, -1, -1, 3, -6]);
  });

  it('reconstruct any plane exactly, including 1-row and 1-column planes', () => {
    const next = rng(7);
    for (const [w, h] of [[1, 1], [17, 1], [1, 9], [13, 11]] as const) {
      const plane = Int32Array.from({ length: w * h }, () => randInt(next, -300, 300));
      const back = new Int32Array(w * h);
      signedReconstruct(signedResiduals(plane, w, h), w, h, back);
      expect(back).toEqual(plane);
      const inPlace = signedResiduals(plane, w, h);
      signedReconstruct(inPlace, w, h, inPlace);
      expect(inPlace).toEqual(plane);
    }
  });
});

describe('FactorizedLatentCodec with predicted channels', () => {
  const C = 3;
  const tables = laplaceTables(C, 8, 60);
  const medians = new Float32Array(C);
  const residualTables = laplaceTables(2, 1, 30);

  it('round-trips exactly and codes a smooth latent in fewer bytes', () => {
    const z = smoothLatent(C, 24, 32, 3);
    using plain = new FactorizedLatentCodec(tables, medians);
    using predicted = new FactorizedLatentCodec(tables, medians, { channels: Int32Array.of(2, 0), tables: residualTables });
    const a = plain.encode(z);
    const b = predicted.encode(z);
    expect(b.zHat.data).toEqual(a.zHat.data);
    expect(predicted.decode(b.bytes, z).data).toEqual(a.zHat.data);
    expect(plain.decode(a.bytes, z).data).toEqual(a.zHat.data);
    expect(b.bytes.length).toBeLessThan(0.8 * a.bytes.length);
  });

  it('codes residuals outside the residual tables through the escape', () => {
    const z = smoothLatent(C, 8, 8, 4);
    z.data[C * 64 - 1] = 55; // a jump of ~50 in channel 2: beyond its residual table's ±30
    using predicted = new FactorizedLatentCodec(tables, medians, { channels: Int32Array.of(2, 0), tables: residualTables });
    const { bytes, zHat } = predicted.encode(z);
    expect(predicted.decode(bytes, z).data).toEqual(zHat.data);
  });

  it('refuses a prediction spec that does not fit the channels', () => {
    expect(() => new FactorizedLatentCodec(tables, medians, { channels: Int32Array.of(0), tables: residualTables })).toThrow(/need as many residual tables/);
    expect(() => new FactorizedLatentCodec(tables, medians, { channels: Int32Array.of(0, 3), tables: residualTables })).toThrow(/out of range/);
    expect(() => new FactorizedLatentCodec(tables, medians, { channels: Int32Array.of(1, 1), tables: residualTables })).toThrow(/listed twice/);
  });

  it('joins table sets in order', () => {
    const joined = concatTableSets(tables, residualTables);
    expect(joined.cdfLengths).toHaveLength(5);
    expect(Array.from(joined.offsets)).toEqual([-60, -60, -60, -30, -30]);
    expect(joined.cdfs.length).toBe(tables.cdfs.length + residualTables.cdfs.length);
  });
});
