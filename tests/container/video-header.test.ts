/**
 * The container's media kinds after video was added (docs/FORMAT.md): a video header round-trips every
 * field (size, frame rate as a fraction, frame count, matrix, range) and is laid out as the spec
 * says; image and audio headers are unchanged, so files written before video still read — the
 * golden hyperprior file among them, which still decodes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openHyperprior } from '../../codecs/hyperprior/index.js';
import {
  ContainerParser, LIMITS, crc32, encodeHeader, readContainer, readHeader, writeContainer,
  type ContainerHeader, type VideoDescription,
} from '../../src/container/index.js';
import { CodecError } from '../../src/errors.js';

const root = path.join(__dirname, '../..');
const video: VideoDescription = { kind: 'video', width: 1920, height: 1080, fpsNum: 30000, fpsDen: 1001, frames: 1234, matrix: 'bt709', range: 'full' };
const header: Omit<ContainerHeader, 'version'> = {
  codecId: 'video', modelId: 'cond-test', modelHash: new Uint8Array(32).map((_, i) => i),
  media: video, rate: { kind: 'quality', value: 4 }, params: Uint8Array.of(1, 32, 0, 0, 0, 1, 0),
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    return (err as CodecError).code;
  }
  return undefined;
}

/** The offset of the media kind byte in a header with these ids and a 32-byte hash. */
function mediaOffset(h: Omit<ContainerHeader, 'version'>): number {
  return 9 + 1 + h.codecId.length + 1 + h.modelId.length + 1 + (h.modelHash?.length ?? 0);
}

/** `bytes` with `patch` applied to the header body and the header CRC recomputed. */
function patched(bytes: Uint8Array, patch: (view: DataView) => void): Uint8Array {
  const out = new Uint8Array(bytes);
  const view = new DataView(out.buffer);
  patch(view);
  const bodyEnd = 9 + view.getUint32(5, true);
  view.setUint32(bodyEnd, crc32(out.subarray(0, bodyEnd)), true);
  return out;
}

describe('video media kind', () => {
  it('round-trips every field of a video header, with sections', () => {
    const sections = [Uint8Array.of(1, 0, 0, 0, 0, 9), Uint8Array.of(5, 1, 0, 0, 0, 0, 0, 0, 0)];
    const parsed = readContainer(writeContainer(header, sections));
    expect(parsed.header).toEqual({ version: 1, ...header });
    expect(parsed.sections.map((s) => [...s])).toEqual(sections.map((s) => [...s]));
    for (const media of [
      { ...video, matrix: 'bt601', range: 'limited', fpsNum: 25, fpsDen: 1, frames: 0 },
      { ...video, width: 33, height: 17, fpsNum: 2 ** 32 - 1, fpsDen: 2 ** 32 - 1, frames: LIMITS.maxVideoFrames },
      { ...video, width: LIMITS.maxDimension, height: 1, matrix: 'bt709', range: 'limited' },
    ] as VideoDescription[]) {
      expect(readContainer(writeContainer({ ...header, media }, [])).header.media).toEqual(media);
    }
  });

  it('lays the video description out as docs/FORMAT.md says', () => {
    const bytes = encodeHeader(header);
    const at = mediaOffset(header);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect(bytes[at]).toBe(3);
    expect([1, 5, 9, 13, 17].map((o) => view.getUint32(at + o, true))).toEqual([1920, 1080, 30000, 1001, 1234]);
    expect([bytes[at + 21], bytes[at + 22]]).toEqual([1, 1]); // bt709, full
    expect(bytes[at + 23]).toBe(1); // then the rate kind (quality)
    expect(view.getFloat64(at + 24, true)).toBe(4);
  });

  it('reads a video header written byte by byte from the spec', () => {
    const u32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24];
    const body = [
      5, ...Buffer.from('video'), 0, 0, // codec id, empty model id, no hash
      3, ...u32(176), ...u32(144), ...u32(15), ...u32(1), ...u32(3), 0, 0, // video 176×144, 15/1 fps, 3 frames, bt601 limited
      0, ...new Array(8).fill(0), // rate: none
      ...u32(0), // no parameters
    ];
    const head = Uint8Array.from([...Buffer.from('NCDC'), 1, ...u32(body.length), ...body]);
    const file = Uint8Array.from([...head, ...u32(crc32(head))]);
    const withTrailer = new Uint8Array([...file, ...u32(0xffffffff), ...u32(0)]);
    const complete = new Uint8Array([...withTrailer, ...u32(crc32(withTrailer))]);
    expect(readContainer(complete).header).toEqual({
      version: 1, codecId: 'video', modelId: '', modelHash: null, rate: { kind: 'none' }, params: new Uint8Array(0),
      media: { kind: 'video', width: 176, height: 144, fpsNum: 15, fpsDen: 1, frames: 3, matrix: 'bt601', range: 'limited' },
    });
    const parser = new ContainerParser();
    expect(parser.push(complete)).toEqual([{ type: 'header', header: readHeader(complete).header }]);
    parser.end();
  });

  it('rejects a video description out of range as corrupt', () => {
    const bytes = writeContainer(header, []);
    const at = mediaOffset(header);
    const cases: Array<[string, (v: DataView) => void]> = [
      ['width 0', (v) => v.setUint32(at + 1, 0, true)],
      ['height beyond 2^20', (v) => v.setUint32(at + 5, LIMITS.maxDimension + 1, true)],
      ['fps numerator 0', (v) => v.setUint32(at + 9, 0, true)],
      ['fps denominator 0', (v) => v.setUint32(at + 13, 0, true)],
      ['matrix 2', (v) => v.setUint8(at + 21, 2)],
      ['range 2', (v) => v.setUint8(at + 22, 2)],
      ['media kind 4', (v) => v.setUint8(at, 4)],
    ];
    for (const [what, patch] of cases) expect(codeOf(() => readHeader(patched(bytes, patch))), what).toBe('ERR_BITSTREAM_CORRUPT');
    // A header cut inside the video description.
    const short = encodeHeader({ ...header, params: new Uint8Array(0) });
    expect(codeOf(() => readHeader(short.subarray(0, at + 10)))).toBe('ERR_BITSTREAM_TRUNCATED');
  });
  it('refuses to write a video description its reader would reject', () => {
    expect(() => encodeHeader({ ...header, media: { ...video, matrix: 'bt2020' as never } })).toThrow(/media\.matrix/);
    expect(() => encodeHeader({ ...header, media: { ...video, range: 'tv' as never } })).toThrow(RangeError);
    expect(() => encodeHeader({ ...header, media: { ...video, fpsDen: 0 } })).toThrow(/media\.fpsDen/);
    expect(() => encodeHeader({ ...header, media: { ...video, fpsNum: 2 ** 32 } })).toThrow(RangeError);
    expect(() => encodeHeader({ ...header, media: { ...video, width: 0 } })).toThrow(/media\.width/);
    expect(() => encodeHeader({ ...header, media: { ...video, frames: -1 } })).toThrow(/media\.frames/);
  });
});

describe('image and audio headers next to video', () => {
  it('still round-trip and keep their layout', () => {
    const image = { ...header, codecId: 'hyperprior', media: { kind: 'image' as const, width: 33, height: 17, channels: 4, bitDepth: 16 } };
    expect(readContainer(writeContainer(image, [Uint8Array.of(1)])).header).toEqual({ version: 1, ...image });
    const imageBytes = encodeHeader(image);
    expect(imageBytes[mediaOffset(image)]).toBe(1);
    expect(imageBytes.length).toBe(mediaOffset(image) + 1 + 4 + 4 + 1 + 1 + 9 + 4 + image.params.length + 4);
    const audio = { ...header, codecId: 'rvq', media: { kind: 'audio' as const, sampleRate: 48000, channels: 2, frames: 2 ** 40 + 3 }, rate: { kind: 'bitrate' as const, kbps: 6 } };
    expect(readContainer(writeContainer(audio, [])).header).toEqual({ version: 1, ...audio });
    const audioBytes = encodeHeader(audio);
    expect(audioBytes[mediaOffset(audio)]).toBe(2);
    expect(audioBytes.length).toBe(mediaOffset(audio) + 1 + 4 + 1 + 8 + 9 + 4 + audio.params.length + 4);
  });

  it('reads and decodes the golden hyperprior file written before the video kind existed', async () => {
    const golden = new Uint8Array(readFileSync(path.join(root, 'fixtures/hyperprior/scene-128x96-q6.ncd')));
    const { header: h, sections } = readContainer(golden);
    expect(h).toMatchObject({ version: 1, codecId: 'hyperprior', modelId: 'tiny-test', media: { kind: 'image', width: 128, height: 96, channels: 3, bitDepth: 8 } });
    expect(sections).toHaveLength(2);
    await using codec = await openHyperprior({ model: path.join(root, 'fixtures/models/hyperprior/tiny-test'), threads: 1 });
    const back = await codec.decode(golden);
    expect(back).toMatchObject({ kind: 'image', width: 128, height: 96, channels: 3 });
  });
});
