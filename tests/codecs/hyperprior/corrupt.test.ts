/**
 * Untrusted streams: truncated or bit-flipped sections re-wrapped with valid CRCs (so the entropy
 * decoders themselves must notice or produce bounded output), wrong models, wrong parameters. Every
 * case ends in a CodecError or an image of the header's shape — never a crash, a hang or another error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectBitFlipsHandled, expectTruncationsRejected } from '../../api/corruption.js';
import type { HyperpriorCodec } from '../../../codecs/hyperprior/index.js';
import { readContainer, writeContainer } from '../../../src/container/index.js';
import { CodecError } from '../../../src/errors.js';
import { image, openTiny } from './helpers.js';

let codec: HyperpriorCodec;
let bytes: Uint8Array;
beforeAll(async () => {
  codec = await openTiny();
  bytes = await codec.encode(image('rgba-48x32.png'), { quality: 6 });
});
afterAll(async () => { await codec?.dispose(); });

/** 'ok' when decode returns an image of the right shape, else the CodecError code; rethrows anything else. */
async function outcome(forged: Uint8Array): Promise<string> {
  try {
    const back = await codec.decode(forged);
    expect(back).toMatchObject({ kind: 'image', width: 48, height: 32, channels: 4 });
    expect(back.data).toHaveLength(48 * 32 * 4);
    return 'ok';
  } catch (err) {
    if (err instanceof CodecError) return err.code;
    throw err;
  }
}

describe('hyperprior decoding of corrupt streams', () => {
  it('rejects every truncated section (z, y and alpha streams)', async () => {
    expect(readContainer(bytes).sections).toHaveLength(3);
    await expectTruncationsRejected(bytes, outcome);
  });

  it('fails with a typed error or decodes a bounded image when payload bytes are flipped', async () => {
    await expectBitFlipsHandled(bytes, outcome, 7, 30);
  });

  it('rejects missing or extra sections and bad parameters as corrupt', async () => {
    const { header, sections } = readContainer(bytes);
    expect(await outcome(writeContainer(header, sections.slice(0, 2)))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await outcome(writeContainer(header, [...sections, sections[0]!]))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await outcome(writeContainer({ ...header, params: Uint8Array.of(1, 100, 0, 0, 0) }, sections))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await outcome(writeContainer({ ...header, params: Uint8Array.of(2, 0, 4, 0, 0) }, sections))).toBe('ERR_UNSUPPORTED_VERSION');
    expect(await outcome(writeContainer({ ...header, rate: { kind: 'quality', value: 9 } }, sections))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await outcome(writeContainer({ ...header, media: { kind: 'image', width: 5000, height: 32, channels: 4, bitDepth: 8 } }, sections))).toBe('ERR_BITSTREAM_CORRUPT');
  });

  it('refuses a stream made with other weights (ERR_MODEL_MISMATCH) or by another codec', async () => {
    const { header, sections } = readContainer(bytes);
    const otherHash = header.modelHash!.slice();
    otherHash[0]! ^= 0xff;
    await expect(codec.decode(writeContainer({ ...header, modelHash: otherHash }, sections))).rejects.toMatchObject({
      code: 'ERR_MODEL_MISMATCH', message: expect.stringContaining("different weights of model 'tiny-test'"),
    });
    await expect(codec.decode(writeContainer({ ...header, modelId: 'msh-vr-cpu', modelHash: otherHash }, sections))).rejects.toMatchObject({
      code: 'ERR_MODEL_MISMATCH', message: expect.stringContaining("encoded with hyperprior model 'msh-vr-cpu'"),
    });
    await expect(codec.decode(writeContainer({ ...header, codecId: 'lossless' }, sections))).rejects.toMatchObject({ code: 'ERR_UNKNOWN_CODEC' });
  });
});
