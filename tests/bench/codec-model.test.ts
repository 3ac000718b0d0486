/**
 * `--codecs codec@model`: one model of a family benched by id or folder (campaign.py benches a
 * new export this way beside the family's default model).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ncodecImageRunner, splitModel } from '../../src/bench/ncodec.js';
import { SkipCodecError } from '../../src/bench/runners.js';
import { loadImage } from '../../src/media/image.js';
import { toRgb8 } from '../../src/bench/dataset.js';
import { packageRoot } from '../../src/package.js';

const tiny = path.join(packageRoot(), 'fixtures', 'models', 'hyperprior', 'tiny-test');

describe('codec@model in the bench', () => {
  it('splits the codec id from the model', () => {
    expect(splitModel('hyperprior@msh-wf-cpu')).toEqual(['hyperprior', 'msh-wf-cpu']);
    expect(splitModel('wavelet')).toEqual(['wavelet', undefined]);
    expect(splitModel('hyperprior@/abs/dir@x')).toEqual(['hyperprior', '/abs/dir@x']);
  });

  it('opens the named model and round-trips an image with it', async () => {
    const runner = await ncodecImageRunner(`hyperprior@${tiny}`, {}, [1]);
    try {
      expect(runner.id).toBe(`hyperprior@${tiny}`);
      expect(runner.description).toContain('model tiny-test');
      const image = toRgb8(await loadImage(path.join(packageRoot(), 'fixtures', 'images', 'scene-64x48.png')));
      const bytes = await runner.encode(image, runner.settings[0]!);
      const back = await runner.decode(bytes, image);
      expect([back.width, back.height]).toEqual([64, 48]);
    } finally {
      await runner.dispose();
    }
  });

  it('skips a family whose model does not exist, naming it', async () => {
    const err = await ncodecImageRunner('hyperprior@no-such-model').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SkipCodecError);
    expect(String((err as Error).message)).toMatch(/no-such-model/);
  });
});
