/** Manifest checks: a model whose manifest lacks or mangles a key fails to open with a message naming it. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../../codecs/hyperprior/index.js';
import { TINY_MODEL } from './helpers.js';

const raw = JSON.parse(readFileSync(path.join(TINY_MODEL, 'manifest.json'), 'utf8')) as Record<string, unknown>;

function without(edit: (m: Record<string, any>) => void): unknown {
  const m = structuredClone(raw) as Record<string, any>;
  edit(m);
  return m;
}

describe('hyperprior manifest', () => {
  it('parses the test model into typed arrays', () => {
    const m = parseManifest(raw);
    expect(m).toMatchObject({ id: 'tiny-test', downsamplingFactor: 64, yStride: 16, zStride: 64, zChannels: 16, yChannels: 24, defaultQuality: 4 });
    expect(m.rateLevels.map((l) => l.quality)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(m.rateLevels[0]!.gain).toBeInstanceOf(Float32Array);
    expect(m.zTables.cdfLengths).toHaveLength(16);
    expect(m.yTables.cdfLengths).toHaveLength(64);
    expect(m.scaleTable[0]).toBe(Math.fround(0.11));
  });

  const cases: [string, (m: Record<string, any>) => void, string][] = [
    ['family', (m) => { m.family = 'rvq'; }, "expected 'hyperprior' for 'family'"],
    ['a gain vector length', (m) => { m.rateLevels[2].gain.pop(); }, "expected an array of 24 numbers for 'rateLevels[2].gain'"],
    ['the table count', (m) => { m.entropyBottleneck.tables.offsets.pop(); }, "expected 16 tables for 'entropyBottleneck.tables'"],
    ['the scale table order', (m) => { m.gaussianConditional.scaleTable.reverse(); }, "'gaussianConditional.scaleTable'"],
    ['a graph', (m) => { delete m.graphs.h_s; }, "expected an object for 'graphs.h_s'"],
    ['the default quality', (m) => { m.defaultQuality = 12; }, "'defaultQuality'"],
  ];
  for (const [what, edit, message] of cases) {
    it(`names a bad ${what}`, () => {
      expect(() => parseManifest(without(edit))).toThrow(expect.objectContaining({ code: 'ERR_MODEL_INVALID', message: expect.stringContaining(message) }));
    });
  }
});
