/**
 * Untrusted streams: truncated or bit-flipped sections re-wrapped with valid CRCs (so the entropy
 * decoders themselves must notice or produce bounded output), wrong models, wrong parameters. Every
 * case ends in a CodecError or an image of the header's shape — never a crash, a hang or another error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
}

describe('hyperprior decoding of corrupt streams', () => {
  it('rejects every truncated section (z, y and alpha streams)', async () => {
    const { header, sections } = readContainer(bytes);
    expect(sections).toHaveLength(3);
    for (let s = 0; s < sections.length; s++) {
      const payload = sections[s]!;
      for (const cut of new Set([0, 1, 2, Math.floor(payload.length / 2), payload.length - 1])) {
        const forged = sections.map((p, i) => (i === s ? p.subarray(0, cut) : p));
        expect(await outcome(writeContainer(header, forged))).toMatch(/^ERR_BITSTREAM_(TRUNCATED|CORRUPT)$/);
      }
    }
  });

  it('fails with a typed error or decodes a bounded image when payload bytes are flipped', async () => {
    const { header, sections } = readContainer(bytes);
    const next = rng(7);
    const seen = new Set<string>();
    for (let trial = 0; trial < 30; trial++) {
      const s = trial % sections.length;
      const copy = sections[s]!.slice();
      for (let k = 0; k < 1 + (trial % 3); k++) copy[Math.floor(next() * copy.length)]! ^= 1 << Math.floor(next() * 8);
      seen.add(await outcome(writeContainer(header, sections.map((p, i) => (i === s ? copy : p)))));
    }
    expect([...seen].every((o) => ['ok', 'ERR_BITSTREAM_CORRUPT', 'ERR_BITSTREAM_TRUNCATED'].includes(o))).toBe(true);
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
