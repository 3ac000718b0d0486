/**
 * Wavelet manifest checks: shared entropy tables (tiny-audio) and one table set per rate level
 * (tiny-image, `entropyBottleneck.levels`) parse into typed arrays with each level pointing at its
 * tables; a manifest that lacks or mangles a key fails with a message naming it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWaveletManifest } from '../../../codecs/wavelet/index.js';
import { root } from '../hyperprior/helpers.js';

const read = (name: string) => JSON.parse(readFileSync(path.join(root, 'fixtures/models/wavelet', name, 'manifest.json'), 'utf8')) as Record<string, any>;
const image = read('tiny-image');
const audio = read('tiny-audio');

function edited(raw: Record<string, any>, edit: (m: Record<string, any>) => void): unknown {
  const m = structuredClone(raw);
  edit(m);
  return m;
}

describe('wavelet manifest', () => {
  it('gives every rate level of a per-level model its own tables', () => {
    const m = parseWaveletManifest(image);
    expect(m.bottlenecks).toHaveLength(8);
    expect(m.rateLevels.map((l) => l.bottleneck)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const [i, level] of m.rateLevels.entries()) {
      const b = m.bottlenecks[level.bottleneck]!;
      expect(b.medians).toBeInstanceOf(Float32Array);
      expect(b.medians).toHaveLength(12);
      expect(b.tables.cdfLengths).toHaveLength(12);
      expect(Array.from(b.medians)).toEqual(image.entropyBottleneck.levels[i].medians.map(Math.fround));
    }
    expect(m.bottlenecks[0]!.tables.cdfs).not.toEqual(m.bottlenecks[7]!.tables.cdfs);
  });

  it('reads the channels each level codes as prediction residuals, with their tables', () => {
    const m = parseWaveletManifest(image);
    for (const [i, level] of m.rateLevels.entries()) {
      const spec = image.entropyBottleneck.levels[i].prediction;
      const prediction = m.bottlenecks[level.bottleneck]!.prediction;
      expect(prediction === undefined).toBe(spec === undefined);
      if (!spec) continue;
      expect(Array.from(prediction!.channels)).toEqual(spec.channels);
      expect(prediction!.tables.cdfLengths).toHaveLength(spec.channels.length);
    }
    expect(m.bottlenecks.some((b) => b.prediction !== undefined)).toBe(true);
  });

  it('lets every rate level of a shared-table model use the one set', () => {
    const m = parseWaveletManifest(audio);
    expect(m.bottlenecks).toHaveLength(1);
    expect(new Set(m.rateLevels.map((l) => l.bottleneck))).toEqual(new Set([0]));
    expect(m.bottlenecks[0]!.tables.cdfLengths).toHaveLength(m.latentChannels);
  });

  it('matches per-level tables to levels by quality, not by order', () => {
    const m = parseWaveletManifest(edited(image, (x) => { x.entropyBottleneck.levels.reverse(); }));
    expect(Array.from(m.bottlenecks[m.rateLevels[0]!.bottleneck]!.medians)).toEqual(image.entropyBottleneck.levels[0].medians.map(Math.fround));
  });

  const cases: [string, Record<string, any>, (m: Record<string, any>) => void, string][] = [
    ['a missing level', image, (m) => { m.entropyBottleneck.levels.splice(2, 1); }, "expected an entry for quality 3 (rate level 2) for 'entropyBottleneck.levels'"],
    ['a repeated quality', image, (m) => { m.entropyBottleneck.levels[1].quality = 1; }, "'entropyBottleneck.levels[1].quality'"],
    ['a level\'s median count', image, (m) => { m.entropyBottleneck.levels[4].medians.pop(); }, "expected an array of 12 numbers for 'entropyBottleneck.levels[4].medians'"],
    ['a level\'s table count', image, (m) => { m.entropyBottleneck.levels[0].tables.offsets.pop(); }, "'entropyBottleneck.levels[0].tables'"],
    ['levels that are not an array', image, (m) => { m.entropyBottleneck.levels = {}; }, "'entropyBottleneck.levels'"],
    ['a prediction\'s predictor', image, (m) => { m.entropyBottleneck.levels[0].prediction.predictor = 'cnn'; }, "expected 'med' for 'entropyBottleneck.levels[0].prediction.predictor'"],
    ['a predicted channel out of range', image, (m) => { m.entropyBottleneck.levels[0].prediction.channels[0] = 12; }, "expected distinct channel indexes below 12 for 'entropyBottleneck.levels[0].prediction.channels'"],
    ['a prediction\'s table count', image, (m) => { m.entropyBottleneck.levels[0].prediction.tables.offsets.pop(); }, "'entropyBottleneck.levels[0].prediction.tables'"],
    ['shared tables', audio, (m) => { delete m.entropyBottleneck.tables; }, "'entropyBottleneck.tables'"],
  ];
  for (const [what, raw, edit, message] of cases) {
    it(`names ${what}`, () => {
      expect(() => parseWaveletManifest(edited(raw, edit))).toThrow(expect.objectContaining({ code: 'ERR_MODEL_INVALID', message: expect.stringContaining(message) }));
    });
  }
});
