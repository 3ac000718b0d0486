/**
 * The golden bitstream (fixtures/hyperprior/, made by scripts/make-fixtures-hyperprior.sh with the
 * tiny test model): it must decode bit-exactly to the stored PNG, and encoding its source again must
 * give the same bytes. A failure here means the pipeline (padding, quantisation, table selection,
 * entropy coding) changed — or the ONNX Runtime kernels give other floats on this CPU.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenDir, image, loadImage, openTiny } from './helpers.js';

const golden = new Uint8Array(readFileSync(path.join(goldenDir, 'scene-128x96-q6.ncd')));

describe('hyperprior golden bitstream', () => {
  it('decodes bit-exactly to the stored image', async () => {
    await using codec = await openTiny();
    const back = await codec.decode(golden);
    const expected = await loadImage(path.join(goldenDir, 'scene-128x96-q6.png'));
    expect(back).toMatchObject({ kind: 'image', width: 128, height: 96, channels: 3 });
    expect(Buffer.from(back.data).equals(Buffer.from(expected.data))).toBe(true);
  });

  it('is what encoding the source gives again', async () => {
    await using codec = await openTiny();
    const bytes = await codec.encode(image('scene-128x96.png'), { quality: 6 });
    expect(Buffer.from(bytes).equals(Buffer.from(golden))).toBe(true);
  });
});
