/**
 * Untrusted rvq streams: truncated or bit-flipped sections re-wrapped with valid CRCs (so the section
 * parser and the entropy decoder must notice, or decode audio of the header's shape), missing and extra
 * sections, bad parameters, wrong models, truncated files. Every case ends in a CodecError or audio of
 * the right shape — never a crash, a hang or another error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectBitFlipsHandled, expectTruncationsRejected } from '../../api/corruption.js';
import type { RvqCodec } from '../../../codecs/rvq/index.js';
import { encodeEndSection } from '../../../codecs/rvq/sections.js';
import { readContainer, writeContainer } from '../../../src/container/index.js';
import { CodecError } from '../../../src/errors.js';
import { openTiny, raw, synthetic } from './helpers.js';

const FRAMES = 20000; // 16 kHz stereo, 1.25 s = 93.75 frames at 24 kHz: 30-frame chunks with stride 26, 4 chunks × 2 channels
let codec: RvqCodec;
let bytes: Uint8Array;
beforeAll(async () => {
  codec = await openTiny();
  bytes = await codec.encode(raw([synthetic(1.25, 16000), synthetic(1.25, 16000, 5)], 16000), { quality: 2, chunkFrames: 30, overlapFrames: 4 });
});
afterAll(async () => { await codec?.dispose(); });

/** 'ok' when decode returns audio of the right shape, else the CodecError code; rethrows anything else. */
async function outcome(forged: Uint8Array): Promise<string> {
  try {
    const back = await codec.decode(forged);
    expect(back).toMatchObject({ kind: 'audio', sampleRate: 16000 });
    expect(back.channels.map((c) => c.length)).toEqual([FRAMES, FRAMES]);
    return 'ok';
  } catch (err) {
    if (err instanceof CodecError) return err.code;
    throw err;
  }
}

describe('rvq decoding of corrupt streams', () => {
  it('rejects every truncated section', async () => {
    expect(readContainer(bytes).sections).toHaveLength(8);
    await expectTruncationsRejected(bytes, outcome);
  });

  it('fails with a typed error or decodes audio of the right shape when payload bytes are flipped', async () => {
    await expectBitFlipsHandled(bytes, outcome, 11, 40);
  });

  it('rejects missing, extra and reordered sections, bad parameters, rates and media as corrupt', async () => {
    const { header, sections } = readContainer(bytes);
    expect(await outcome(writeContainer(header, sections.slice(0, 7)))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await outcome(writeContainer(header, [...sections, sections[0]!]))).toBe('ERR_BITSTREAM_CORRUPT');
    // the short last chunk (16 frames) first
    expect(await outcome(writeContainer(header, [sections[6]!, ...sections.slice(1, 6), sections[0]!, sections[7]!]))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await outcome(writeContainer(header, [...sections.slice(0, 7), encodeEndSection(FRAMES)]))).toBe('ERR_BITSTREAM_CORRUPT');
    const params = header.params.slice();
    params[0] = 9;
    expect(await outcome(writeContainer({ ...header, params }, sections))).toBe('ERR_UNSUPPORTED_VERSION');
    params[0] = 1;
    params[10] = 31; // chunk frames 30 → 31: the chunk plan no longer matches the sections
    expect(await outcome(writeContainer({ ...header, params }, sections))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await outcome(writeContainer({ ...header, rate: { kind: 'bitrate', kbps: 6 } }, sections))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await outcome(writeContainer({ ...header, rate: { kind: 'quality', value: 2 } }, sections))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await outcome(writeContainer({ ...header, media: { kind: 'audio', sampleRate: 16000, channels: 2, frames: FRAMES * 4 } }, sections))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await outcome(writeContainer({ ...header, media: { kind: 'audio', sampleRate: 16000, channels: 2, frames: 2 ** 47 } }, sections))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await outcome(writeContainer({ ...header, media: { kind: 'image', width: 4, height: 4, channels: 3, bitDepth: 8 } }, sections))).toBe('ERR_BITSTREAM_CORRUPT');
  });

  it('rejects a streamed file without its end section as truncated, and a chopped file', async () => {
    const { header, sections } = readContainer(bytes);
    const params = header.params.slice();
    params[1] = 1; // streamed
    const streamed = { ...header, params, media: { ...header.media, frames: 0 } as typeof header.media };
    expect(await outcome(writeContainer(streamed, [...sections, encodeEndSection(FRAMES)]))).toBe('ok');
    expect(await outcome(writeContainer(streamed, sections))).toBe('ERR_BITSTREAM_TRUNCATED');
    expect(await outcome(writeContainer(streamed, [...sections, encodeEndSection(FRAMES + 16000)]))).toBe('ERR_BITSTREAM_CORRUPT');
    for (const cut of [10, 60, bytes.length - 20, bytes.length - 1]) {
      expect(await outcome(bytes.subarray(0, cut))).toMatch(/^ERR_(BITSTREAM_TRUNCATED|CRC_MISMATCH)$/);
    }
  });

  it('refuses a stream made with other weights (ERR_MODEL_MISMATCH) or by another codec', async () => {
    const { header, sections } = readContainer(bytes);
    const otherHash = header.modelHash!.slice();
    otherHash[0]! ^= 0xff;
    await expect(codec.decode(writeContainer({ ...header, modelHash: otherHash }, sections))).rejects.toMatchObject({
      code: 'ERR_MODEL_MISMATCH', message: expect.stringContaining("different weights of model 'tiny-test'"),
    });
    await expect(codec.decode(writeContainer({ ...header, modelId: 'rvq-cpu', modelHash: otherHash }, sections))).rejects.toMatchObject({
      code: 'ERR_MODEL_MISMATCH', message: expect.stringContaining("encoded with rvq model 'rvq-cpu'"),
    });
    await expect(codec.decode(writeContainer({ ...header, codecId: 'hyperprior' }, sections))).rejects.toMatchObject({ code: 'ERR_UNKNOWN_CODEC' });
    const params = header.params.slice();
    params[8] = 0x41; // hop 320 → 321
    await expect(codec.decode(writeContainer({ ...header, params }, sections))).rejects.toMatchObject({ code: 'ERR_MODEL_MISMATCH' });
  });
});
