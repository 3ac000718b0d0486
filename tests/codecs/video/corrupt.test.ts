/**
 * Damaged video streams: a file cut short or with a flipped byte yields every frame before the damage
 * (equal to those of the intact file) and then a CodecError naming the frame and section; forged
 * sections with valid CRCs reach the entropy decoders, which must fail with a typed error or give
 * frames of the header's size; streams of another model or codec are refused.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoCodec } from '../../../codecs/video/index.js';
import { decode as decodeAny } from '../../../src/api/registry.js';
import type { YuvFrame } from '../../../src/api/types.js';
import { readContainer, readHeader, writeContainer } from '../../../src/container/index.js';
import { CodecError } from '../../../src/errors.js';
import { expectBitFlipsHandled, expectTruncationsRejected } from '../../api/corruption.js';
import { TINY, collect, failure, openShipped, root, sameFrame } from './helpers.js';

let codec: VideoCodec;
let bytes: Uint8Array;
let full: YuvFrame[];
/** [start, end) of each section's bytes in the file (length, payload, CRC) and where the trailer starts. */
let spans: Array<{ start: number; payload: number; end: number }>;
let trailer: number;

beforeAll(async () => {
  codec = await openShipped();
  bytes = await codec.encode(TINY, { gop: 2 });
  full = (await codec.decode(bytes)).frames;
  let at = readHeader(bytes).end;
  spans = readContainer(bytes).sections.map((s) => {
    const span = { start: at, payload: at + 4, end: at + 8 + s.length };
    at = span.end;
    return span;
  });
  trailer = at;
  expect(trailer + 12).toBe(bytes.length);
});
afterAll(async () => { await codec?.dispose(); });

/** Decodes `forged` frame by frame: the frames before the error must equal the intact file's. */
async function partial(forged: Uint8Array): Promise<{ indices: number[]; error?: CodecError }> {
  const { frames, error } = await collect(codec.decodeFrames(forged));
  for (const f of frames) expect(sameFrame(f.frame, full[f.index]!), `frame ${f.index}`).toBe(true);
  return { indices: frames.map((f) => f.index), error };
}

/** 'ok' when decode gives 5 frames of 33×17, else the CodecError code; rethrows anything else. */
async function outcome(forged: Uint8Array): Promise<string> {
  try {
    const back = await codec.decode(forged);
    expect(back.frames).toHaveLength(5);
    for (const f of back.frames) expect([f.width, f.height, f.y.length, f.u.length]).toEqual([33, 17, 561, 153]);
    return 'ok';
  } catch (err) {
    if (err instanceof CodecError) return err.code;
    throw err;
  }
}

describe('truncated video files', () => {
  it('yields frames 0–2 when the file ends inside frame 3, then names frame 3', async () => {
    for (const cut of [spans[3]!.start + 2, spans[3]!.payload + 1, Math.floor((spans[3]!.payload + spans[3]!.end) / 2), spans[3]!.end - 1]) {
      const { indices, error } = await partial(bytes.subarray(0, cut));
      expect(indices, `cut at ${cut}`).toEqual([0, 1, 2]);
      expect(error, `cut at ${cut}`).toMatchObject({ code: 'ERR_BITSTREAM_TRUNCATED', message: expect.stringMatching(/^Decoding stopped at frame 3 \(section 3\), after frame 2: .*truncated/) });
    }
  });

  it('names frame 0 when the file ends before any frame, and refuses a cut header', async () => {
    const { indices, error } = await partial(bytes.subarray(0, spans[0]!.payload + 10));
    expect(indices).toEqual([]);
    expect(error).toMatchObject({ code: 'ERR_BITSTREAM_TRUNCATED', message: expect.stringMatching(/^Decoding stopped at frame 0 \(section 0\): /) });
    const header = await collect(codec.decodeFrames(bytes.subarray(0, 20)));
    expect(header).toMatchObject({ frames: [], error: { code: 'ERR_BITSTREAM_TRUNCATED' } });
  });

  it('yields all 5 frames when the file ends inside the GOP index or the trailer, then fails', async () => {
    const index = await partial(bytes.subarray(0, spans[5]!.payload + 3));
    expect(index.indices).toEqual([0, 1, 2, 3, 4]);
    expect(index.error).toMatchObject({ code: 'ERR_BITSTREAM_TRUNCATED', message: expect.stringContaining('All 5 frames decoded, but the GOP index (section 5)') });
    for (const cut of [trailer + 2, trailer + 4, trailer + 9, bytes.length - 1]) {
      const { indices, error } = await partial(bytes.subarray(0, cut));
      expect(indices, `cut at ${cut}`).toEqual([0, 1, 2, 3, 4]);
      expect(error, `cut at ${cut}`).toMatchObject({ code: 'ERR_BITSTREAM_TRUNCATED', message: expect.stringMatching(/^All 5 frames decoded, but .*truncated/) });
    }
  });

  it('fails decode() and the top-level decode() with the same typed error', async () => {
    const cut = bytes.subarray(0, spans[3]!.end - 1);
    expect(await failure(codec.decode(cut))).toMatchObject({ code: 'ERR_BITSTREAM_TRUNCATED', message: expect.stringContaining('frame 3') });
    expect(await failure(decodeAny(cut, { threads: 1 }))).toMatchObject({ code: 'ERR_BITSTREAM_TRUNCATED', message: expect.stringContaining('frame 3') });
  });
});

describe('corrupt video files', () => {
  it('yields frames 0–2 and a CRC error naming frame 3 when a byte of its P-frame payload is flipped', async () => {
    expect(bytes[spans[3]!.payload]).toBe(6); // section 3 is a (motion-compensated) P-frame
    for (const at of [spans[3]!.payload + 7, spans[3]!.end - 5]) {
      const forged = bytes.slice();
      forged[at]! ^= 0x10;
      const { indices, error } = await partial(forged);
      expect(indices).toEqual([0, 1, 2]);
      expect(error).toMatchObject({ code: 'ERR_CRC_MISMATCH', message: expect.stringMatching(/^Decoding stopped at frame 3 \(section 3\), after frame 2: it fails its CRC check/) });
    }
  });

  it('yields every frame and then a CRC error when only the file CRC is wrong', async () => {
    const forged = bytes.slice();
    forged[bytes.length - 1]! ^= 1;
    const { indices, error } = await partial(forged);
    expect(indices).toEqual([0, 1, 2, 3, 4]);
    expect(error).toMatchObject({ code: 'ERR_CRC_MISMATCH', message: expect.stringContaining('file CRC') });
  });

  it('notices a length field that points past the end', async () => {
    const forged = bytes.slice();
    new DataView(forged.buffer, forged.byteOffset).setUint32(spans[2]!.start, 1 << 30, true);
    const { indices, error } = await partial(forged);
    expect(indices).toEqual([0, 1]);
    expect(error).toMatchObject({ code: 'ERR_BITSTREAM_TRUNCATED', message: expect.stringContaining('frame 2 (section 2)') });
  });

  it('refuses forged sections with valid CRCs: cut short (every section), bit flips, missing or reordered frames', async () => {
    await expectTruncationsRejected(bytes, outcome);
    await expectBitFlipsHandled(bytes, outcome, 14, 18);
    const { header, sections } = readContainer(bytes);
    const missing = await partial(writeContainer(header, [...sections.slice(0, 3), sections[5]!]));
    expect(missing.indices).toEqual([0, 1, 2]);
    expect(missing.error).toMatchObject({ code: 'ERR_BITSTREAM_CORRUPT', message: expect.stringContaining('ends after frame 2, but its header counts 5 frames') });
    const swapped = await partial(writeContainer(header, [sections[0]!, sections[2]!, sections[1]!, ...sections.slice(3)]));
    expect(swapped.indices).toEqual([0]);
    expect(swapped.error).toMatchObject({ code: 'ERR_BITSTREAM_CORRUPT', message: expect.stringContaining('section 1') });
    const unknown = sections[1]!.slice();
    unknown[0] = 9;
    expect((await partial(writeContainer(header, [sections[0]!, unknown, ...sections.slice(2)]))).error).toMatchObject({
      code: 'ERR_BITSTREAM_CORRUPT', message: expect.stringContaining('unknown section kind 9'),
    });
  });
});

describe('corrupt video files with latent P-frames (inter: learned)', () => {
  it('refuses forged sections with valid CRCs: cut short (every section) and bit flips', async () => {
    const learned = await codec.encode(TINY, { gop: 2, inter: 'learned' });
    expect(readContainer(learned).sections.map((s) => s[0])).toEqual([1, 2, 1, 2, 1, 5]);
    await expectTruncationsRejected(learned, outcome);
    await expectBitFlipsHandled(learned, outcome, 14, 18);
  });
});

describe('streams of another model or codec', () => {
  it('refuses other weights of the model (ERR_MODEL_MISMATCH) and another model id', async () => {
    const { header, sections } = readContainer(bytes);
    const otherHash = new Uint8Array(header.modelHash!);
    otherHash[0]! ^= 0xff;
    expect(await failure(codec.decode(writeContainer({ ...header, modelHash: otherHash }, sections)))).toMatchObject({ code: 'ERR_MODEL_MISMATCH' });
    expect((await collect(codec.decodeFrames(writeContainer({ ...header, modelHash: otherHash }, sections)))).error?.code).toBe('ERR_MODEL_MISMATCH');
    expect(await failure(codec.decode(writeContainer({ ...header, modelId: 'cond-other', modelHash: otherHash }, sections)))).toMatchObject({
      code: 'ERR_MODEL_MISMATCH', message: expect.stringContaining("'cond-other'"),
    });
  });

  it('refuses a stream of another codec, an image stream, bad parameters and a rate the model lacks', async () => {
    const { header, sections } = readContainer(bytes);
    expect(await failure(codec.decode(writeContainer({ ...header, codecId: 'hyperprior' }, sections)))).toMatchObject({ code: 'ERR_UNKNOWN_CODEC' });
    const image = new Uint8Array(readFileSync(path.join(root, 'fixtures/hyperprior/scene-128x96-q6.ncd')));
    expect(await failure(codec.decode(image))).toMatchObject({ code: 'ERR_UNKNOWN_CODEC', message: expect.stringContaining("'hyperprior' stream") });
    expect(await failure(codec.decode(writeContainer({ ...header, params: Uint8Array.of(7, 2, 0, 0, 0, 1, 0) }, sections)))).toMatchObject({ code: 'ERR_BITSTREAM_CORRUPT' });
    expect(await failure(codec.decode(writeContainer({ ...header, params: Uint8Array.of(2, 0, 0, 0, 0, 1, 0, 24) }, sections)))).toMatchObject({ code: 'ERR_BITSTREAM_CORRUPT' });
    expect(await failure(codec.decode(writeContainer({ ...header, params: Uint8Array.of(2, 2, 0, 0, 0, 3, 0, 0) }, sections)))).toMatchObject({ code: 'ERR_BITSTREAM_CORRUPT' });
    // layout 1 (development files written until the evening of 2026-12-07) is named, not misread
    expect(await failure(codec.decode(writeContainer({ ...header, params: Uint8Array.of(1, 2, 0, 0, 0, 3, 0, 24) }, sections)))).toMatchObject({
      code: 'ERR_UNSUPPORTED_VERSION', message: expect.stringContaining('video layout 1'),
    });
    expect(await failure(codec.decode(writeContainer({ ...header, params: Uint8Array.of(2, 2, 0, 0, 0, 1) }, sections)))).toMatchObject({ code: 'ERR_BITSTREAM_TRUNCATED' });
    expect(await failure(codec.decode(writeContainer({ ...header, rate: { kind: 'quality', value: 99 } }, sections)))).toMatchObject({ code: 'ERR_BITSTREAM_CORRUPT' });
    // motion-compensated P-frames under a header that announces latent P-frames (and the other way round)
    const learnedParams = header.params.slice();
    learnedParams[5] = 1;
    expect(await failure(codec.decode(writeContainer({ ...header, params: learnedParams }, sections)))).toMatchObject({
      code: 'ERR_BITSTREAM_CORRUPT', message: expect.stringContaining("a motion-compensated P-frame in a stream whose header says 'learned' P-frames"),
    });
    // a residual quality the image model does not have
    const badLevel = sections[1]!.slice();
    expect(badLevel[0]).toBe(6);
    badLevel[2] = 99; // after the kind and the frame number (a one-byte varint)
    expect((await partial(writeContainer(header, [sections[0]!, badLevel, ...sections.slice(2)]))).error).toMatchObject({
      code: 'ERR_BITSTREAM_CORRUPT', message: expect.stringContaining('codes its residual at quality 99, which the image model lacks'),
    });
    const image2 = { kind: 'image' as const, width: 33, height: 17, channels: 3, bitDepth: 8 };
    expect(await failure(codec.decode(writeContainer({ ...header, media: image2 }, sections)))).toMatchObject({ code: 'ERR_BITSTREAM_CORRUPT' });
    expect(await failure(codec.decode(Uint8Array.of(1, 2, 3, 4, 5)))).toMatchObject({ code: 'ERR_BAD_MAGIC' });
    await expect(codec.decode('x.ncd' as never)).rejects.toThrow(TypeError);
  });
});
