/**
 * The learned lossless model manifest (`models/lossless/<id>/manifest.json`, written by
 * models/train/lossless/export.py): the integer model file and what it was measured at.
 */
import { manifestFields } from '../../src/model/manifest.js';
import type { ModelFamily } from '../../src/model/store.js';

export interface LosslessManifest {
  id: string;
  /** The model file (native/src/lossless_mlp.h format), parsed and checked by the native coder. */
  file: string;
  /** Network multiply-accumulates per pixel. */
  macsPerPixel: number;
}

const { objectAt, intAt, stringAt, fileAt } = manifestFields('lossless');

export const losslessFamily: ModelFamily<LosslessManifest> = {
  id: 'lossless',
  defaultModel: 'mlp-v1',
  parseManifest(raw: unknown): LosslessManifest {
    const m = objectAt(raw, '(manifest)');
    return {
      id: stringAt(m.id, 'id'),
      file: fileAt(m.file, 'file'),
      macsPerPixel: intAt(m.macsPerPixel, 'macsPerPixel', 1, 1 << 24),
    };
  },
  filesOf: (m) => [m.file],
};
