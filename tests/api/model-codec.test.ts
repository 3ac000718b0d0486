import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCodec } from '../../src/api/registry.js';

const fixtures = path.join(__dirname, '../../fixtures/models');

describe('opening a model-backed codec (src/api/model-codec.ts)', () => {
  it('names a file the manifest lists but the model folder lacks, for every family', async () => {
    for (const [family, model, missing] of [['rvq', 'tiny-test', 'quantizer.f32'], ['hyperprior', 'tiny-test', 'g_s.onnx'], ['wavelet', 'tiny-image', 'decoder.onnx'], ['opuspf', 'tiny-test', 'postfilter.onnx']]) {
      const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'ncodec-model-')), model!);
      cpSync(path.join(fixtures, family!, model!), dir, { recursive: true });
      rmSync(path.join(dir, missing!));
      await expect(openCodec(family!, { model: dir })).rejects.toMatchObject({
        code: 'ERR_MODEL_NOT_FOUND', message: `The ${family} model ${dir} lacks ${missing}, which its manifest names; re-export or reinstall the model.`,
      });
    }
  });

  it('checks the options with one message shape', async () => {
    for (const family of ['hyperprior', 'inr', 'opuspf', 'rvq', 'wavelet']) {
      await expect(openCodec(family, { model: 7 as unknown as string })).rejects.toThrow(
        new TypeError('Expected a model id or folder path for options.model but received number 7'));
    }
  });
});
