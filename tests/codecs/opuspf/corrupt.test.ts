/**
 * Untrusted opuspf streams: truncated or bit-flipped sections re-wrapped with valid CRCs (so the
 * section parser and libopus must notice, or decode audio of the header's shape), missing and extra
 * sections, bad parameters, rates and models, chopped files. Every case ends in a CodecError or audio
 * of the right shape — never a crash, a hang or another error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectBitFlipsHandled, expectTruncationsRejected } from '../../api/corruption.js';
import type { OpusPfCodec } from '../../../codecs/opuspf/index.js';
import { encodeChunkSection, encodeEndSection, parseSection } from '../../../codecs/opuspf/sections.js';
import { readContainer, writeContainer } from '../../../src/container/index.js';
import { CodecError } from '../../../src/errors.js';
import { openTiny, raw, synthetic } from './helpers.js';

const FRAMES = 12000; // 16 kHz stereo, 0.75 s = 12.5 Opus frames at 48 kHz: chunks of 6 with stride 4, 3 chunks × 2 channels
let codec: OpusPfCodec;
let bytes: Uint8Array;
beforeAll(async () => {
  codec = await openTiny();
  bytes = await codec.encode(raw([synthetic(0.75, 16000), synthetic(0.75, 16000, 5)], 16000), { chunkFrames: 6, overlapFrames: 2 });
});
afterAll(async () => { await codec?.dispose(); });

/** 'ok' when decode returns audio of the right shape, else the CodecError code; rethrows anything else. */
async function outcome(forged: Uint8Array, postfilter = true): Promise<string> {
  try {
    const back = await codec.decode(forged, { postfilter });
    expect(back).toMatchObject({ kind: 'audio', sampleRate: 16000 });
    expect(back.channels.map((c) => c.length)).toEqual([FRAMES, FRAMES]);
    return 'ok';
  } catch (err) {
    if (err instanceof CodecError) return err.code;
    throw err;
  }
}

describe('opuspf decoding of corrupt streams', () => {
  it('rejects every truncated section', async () => {
    expect(readContainer(bytes).sections).toHaveLength(6);
    await expectTruncationsRejected(bytes, (forged) => outcome(forged, false));
  });

  it('fails with a typed error or decodes audio of the right shape when payload bytes are flipped', async () => {
    await expectBitFlipsHandled(bytes, (forged) => outcome(forged, false), 16, 60);
    await expectBitFlipsHandled(bytes, outcome, 17, 12);
  });

  it('rejects malformed sections with messages that say what is wrong', () => {
    const packets = [Uint8Array.of(1, 2), Uint8Array.of(3)];
    const section = encodeChunkSection(1, packets);
    expect(parseSection(section, 10)).toEqual({ kind: 'chunk', frames: 1, packets });
    expect(parseSection(encodeEndSection(123456), 10)).toEqual({ kind: 'end', frames: 123456 });
    expect(() => parseSection(section.subarray(0, 3), 10)).toThrow(new CodecError('ERR_BITSTREAM_TRUNCATED', 'An opuspf section ends inside packet 0 of 2: the file is truncated or corrupt.'));
    expect(() => parseSection(Uint8Array.of(...section, 0), 10)).toThrow(new CodecError('ERR_BITSTREAM_CORRUPT', 'An opuspf chunk section has 1 bytes after its 2 packets: the file is corrupt.'));
    expect(() => parseSection(Uint8Array.of(1, 0, 1, 9), 10)).toThrow(new CodecError('ERR_BITSTREAM_CORRUPT', 'Packet 0 of an opuspf chunk has 0 bytes (1 … 3825): the file is corrupt.'));
    expect(() => parseSection(Uint8Array.of(1, 0xff, 0x7f), 10)).toThrow(/Packet 0 of an opuspf chunk has 16383 bytes/);
    expect(() => parseSection(Uint8Array.of(11), 10)).toThrow(new CodecError('ERR_BITSTREAM_CORRUPT', 'An opuspf chunk section has 11 Opus frames, more than the 10 of a chunk: the file is corrupt.'));
    expect(() => parseSection(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 1), 10)).toThrow(/over-long number/);
    expect(() => parseSection(Uint8Array.of(0, 5, 0), 10)).toThrow(/end section has 1 extra bytes/);
    expect(() => parseSection(new Uint8Array(0), 10)).toThrow(new CodecError('ERR_BITSTREAM_TRUNCATED', 'An opuspf section ends inside the frame count: the file is truncated or corrupt.'));
  });

  it('rejects packets libopus cannot decode as corrupt', async () => {
    const { header, sections } = readContainer(bytes);
    const parsed = parseSection(sections[0]!, 6);
    if (parsed.kind !== 'chunk') throw new Error('expected a chunk');
    // TOC 0xb0 (configuration 22): one 10 ms CELT frame, which decodes to 480 samples, not 2880
    const forged = encodeChunkSection(parsed.frames, parsed.packets.map((p, i) => (i === 1 ? Uint8Array.of(0xb0, 0, 0, 0) : p)));
    const code = await outcome(writeContainer(header, [forged, ...sections.slice(1)]), false);
    expect(code).toBe('ERR_BITSTREAM_CORRUPT');
  });

  it('rejects missing, extra and reordered sections, bad parameters, rates and media', async () => {
    const { header, sections } = readContainer(bytes);
    expect(await outcome(writeContainer(header, sections))).toBe('ok');
    expect(await outcome(writeContainer(header, sections.slice(0, 5)))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await outcome(writeContainer(header, [...sections, sections[0]!]))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await outcome(writeContainer(header, [sections[4]!, ...sections.slice(1, 4), sections[0]!, sections[5]!]))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await outcome(writeContainer(header, [...sections.slice(0, 5), encodeEndSection(FRAMES)]))).toBe('ERR_BITSTREAM_CORRUPT');
    const params = header.params.slice();
    params[0] = 9;
    expect(await outcome(writeContainer({ ...header, params }, sections))).toBe('ERR_UNSUPPORTED_VERSION');
    for (const [at, value] of [[2, 3], [2, 0], [1, 2], [3, 7], [10, 7], [10, 1], [12, 4], [14, 3], [17, 0x18]] as const) {
      const p = header.params.slice();
      p[at] = value;
      expect(await outcome(writeContainer({ ...header, params: p }, sections)), `params[${at}] = ${value}`).toBe('ERR_BITSTREAM_CORRUPT');
    }
    expect(await outcome(writeContainer({ ...header, params: header.params.subarray(0, 19) }, sections))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await outcome(writeContainer({ ...header, rate: { kind: 'bitrate', kbps: 12 } }, sections))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(await outcome(writeContainer({ ...header, rate: { kind: 'quality', value: 1 } }, sections))).toBe('ERR_BITSTREAM_CORRUPT');
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

  it('refuses a stream made with other weights (ERR_MODEL_MISMATCH), another core or by another codec', async () => {
    const { header, sections } = readContainer(bytes);
    const otherHash = header.modelHash!.slice();
    otherHash[0]! ^= 0xff;
    await expect(codec.decode(writeContainer({ ...header, modelHash: otherHash }, sections))).rejects.toMatchObject({
      code: 'ERR_MODEL_MISMATCH', message: expect.stringContaining("different weights of model 'tiny-test'"),
    });
    await expect(codec.decode(writeContainer({ ...header, modelId: 'opuspf-v1', modelHash: otherHash }, sections))).rejects.toMatchObject({
      code: 'ERR_MODEL_MISMATCH', message: expect.stringContaining("encoded with opuspf model 'opuspf-v1'"),
    });
    await expect(codec.decode(writeContainer({ ...header, codecId: 'rvq' }, sections))).rejects.toMatchObject({ code: 'ERR_UNKNOWN_CODEC' });
    const params = header.params.slice();
    params[8] = 0x41; // unit 2880 (0x0b40) → 0x0b41
    await expect(codec.decode(writeContainer({ ...header, params }, sections))).rejects.toMatchObject({ code: 'ERR_MODEL_MISMATCH' });
  });
});
