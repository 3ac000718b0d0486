/**
 * opuspf manifest checks: the tiny-test fixture parses into the typed view; a manifest that lacks or
 * mangles a key fails with ERR_MODEL_INVALID naming it, and a missing default model with
 * ERR_MODEL_NOT_FOUND.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openOpusPf, parseManifest } from '../../../codecs/opuspf/index.js';
import { TINY_MODEL } from './helpers.js';

const tiny = JSON.parse(readFileSync(path.join(TINY_MODEL, 'manifest.json'), 'utf8')) as Record<string, any>;

function edited(edit: (m: Record<string, any>) => void): unknown {
  const m = structuredClone(tiny);
  edit(m);
  return m;
}

describe('opuspf manifest', () => {
  it('reads the levels, the default and the post-filter graph with its STFT', () => {
    expect(parseManifest(tiny)).toEqual({
      id: 'tiny-test', sampleRate: 48000, frameSamples: 2880,
      levels: [{ kbps: 6, coreKbps: 5.8, coreComplexity: 6 }, { kbps: 12, coreKbps: 11.7, coreComplexity: 8 }], defaultKbps: 6,
      postfilter: { file: 'postfilter.onnx', inputs: ['magnitude'], outputs: ['gains'], nFft: 1024, hop: 256, bins: 513, floor: 1e-5 },
    });
  });

  it('takes libopus complexity 8 for a level that does not name one (it binds only the encoder)', () => {
    expect(parseManifest(edited((m) => { delete m.levels[0].coreComplexity; })).levels[0]).toEqual({ kbps: 6, coreKbps: 5.8, coreComplexity: 8 });
  });

  it('names the first key that is missing or malformed', () => {
    const cases: [(m: Record<string, any>) => void, string][] = [
      [(m) => { m.family = 'rvq'; }, "'opuspf' for 'family'"],
      [(m) => { m.core.frameSamples = 960; }, "an integer in 2880..2880 for 'core.frameSamples'"],
      [(m) => { m.core.application = 'voip'; }, "for 'core.application'"],
      [(m) => { m.levels = []; }, "for 'levels'"],
      [(m) => { m.levels.reverse(); }, "levels in ascending order of kbps for 'levels'"],
      [(m) => { m.levels[1].coreKbps = 0; }, "for 'levels[1].coreKbps'"],
      [(m) => { m.levels[0].coreComplexity = 11; }, "an integer in 0..10 for 'levels[0].coreComplexity'"],
      [(m) => { m.defaultKbps = 8; }, "the kbps of one of the levels (6, 12) for 'defaultKbps'"],
      [(m) => { m.postfilter.nFft = 1000; }, "a power of two for 'postfilter.nFft'"],
      [(m) => { m.postfilter.bins = 512; }, "for 'postfilter.bins'"],
      [(m) => { m.postfilter.hop = 1024; }, "for 'postfilter.hop'"],
      [(m) => { m.postfilter.file = '../x.onnx'; }, "a file name inside the model folder for 'postfilter.file'"],
      [(m) => { m.postfilter.outputs = ['a', 'b']; }, "['gains'] (a graph of this codec's interface: export.py) for 'postfilter.outputs'"],
      // a graph of the earlier interface (log features in, log parameters out, channel-major)
      [(m) => { m.postfilter.inputs = ['features']; }, "['magnitude'] (a graph of this codec's interface: export.py) for 'postfilter.inputs'"],
      [(m) => { delete m.postfilter.floor; }, "for 'postfilter.floor'"],
      [(m) => { m.postfilter.window = 'hamming'; }, "'periodic hann' for 'postfilter.window'"],
    ];
    for (const [edit, message] of cases) {
      expect(() => parseManifest(edited(edit)), message).toThrow(expect.objectContaining({ code: 'ERR_MODEL_INVALID', message: expect.stringContaining(message) }));
    }
  });

  it('fails with ERR_MODEL_NOT_FOUND while the default model is not installed', async () => {
    await expect(openOpusPf({ model: path.join(TINY_MODEL, '../no-such-model') })).rejects.toMatchObject({ code: 'ERR_MODEL_NOT_FOUND' });
  });
});
