/**
 * The `inr` codec end to end on small fixtures with small step budgets: PSNR / SI-SNR windows,
 * deterministic decoding, progress, option validation, and typed errors for corrupt or truncated
 * files. Fitting budgets are tiny, so the windows pin "it fits", not the codec's best quality.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInr, type InrCodec } from '../../../codecs/inr/index.js';
import { parseManifest } from '../../../codecs/inr/manifest.js';
import { decodeParams, encodeParams } from '../../../codecs/inr/params.js';
import { decode as decodeAny } from '../../../src/api/registry.js';
import type { DecodedMedia, Progress } from '../../../src/api/types.js';
import { readContainer, writeContainer } from '../../../src/container/index.js';
import { CodecError } from '../../../src/errors.js';
import { loadAudio } from '../../../src/media/audio.js';
import { loadImage } from '../../../src/media/image.js';
import { psnr, siSnr } from '../../../src/metrics/index.js';

const root = path.join(__dirname, '../../..');
const fixture = (name: string) => path.join(root, 'fixtures', name);

let codec: InrCodec;
let sceneBytes: Uint8Array;
beforeAll(async () => {
  codec = await openInr({ threads: 1, model: 'siren-v1' });
  sceneBytes = await codec.encode(fixture('images/scene-64x48.png'), { quality: 2, maxSteps: 300 });
});
afterAll(async () => { await codec?.dispose(); });

function colour(decoded: DecodedMedia, channels: 1 | 3): Uint8Array {
  if (decoded.kind !== 'image') throw new Error('not an image');
  const n = decoded.width * decoded.height;
  const out = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) out[i * channels + c] = decoded.data[i * decoded.channels + c]!;
  return out;
}

async function imagePsnr(name: string, decoded: DecodedMedia): Promise<number> {
  const source = await loadImage(fixture(`images/${name}`));
  const c = source.channels >= 3 ? 3 : 1;
  const { width, height } = source;
  return psnr({ data: colour({ kind: 'image', ...source }, c), width, height, channels: c },
    { data: colour(decoded, c), width, height, channels: c });
}

describe('inr images', () => {
  it('fits, codes and decodes an RGB image within a PSNR window', async () => {
    const back = await codec.decode(sceneBytes);
    expect(back).toMatchObject({ kind: 'image', width: 64, height: 48, channels: 3 });
    const p = await imagePsnr('scene-64x48.png', back);
    expect(p).toBeGreaterThan(24);
    expect(p).toBeLessThan(45);
    const bpp = (sceneBytes.length * 8) / (64 * 48);
    expect(bpp).toBeGreaterThan(0.5);
    expect(bpp).toBeLessThan(8);
  });

  it('decodes deterministically, also through the top-level decode', async () => {
    const a = await codec.decode(sceneBytes);
    const b = await decodeAny(sceneBytes);
    expect(Buffer.from(b.kind === 'image' ? b.data : []).equals(Buffer.from(a.kind === 'image' ? a.data : []))).toBe(true);
  });

  it('rates higher with a higher quality level (smaller blocks: more networks per pixel)', async () => {
    const name = 'scene-128x96.png';
    const low = await codec.encode(fixture(`images/${name}`), { quality: 2, maxSteps: 200 });
    const high = await codec.encode(fixture(`images/${name}`), { quality: 5, maxSteps: 200 });
    expect(high.length).toBeGreaterThan(2 * low.length);
    expect(await imagePsnr(name, await codec.decode(high))).toBeGreaterThan(await imagePsnr(name, await codec.decode(low)));
  });

  it('codes gray as one channel, keeps alpha exactly, and handles odd and 1×1 sizes', async () => {
    const gray = await codec.decode(await codec.encode(fixture('images/gray-48x32.png'), { quality: 1, maxSteps: 150 }));
    expect(gray).toMatchObject({ width: 48, height: 32, channels: 1 });
    expect(await imagePsnr('gray-48x32.png', gray)).toBeGreaterThan(18);
    const rgba = await codec.decode(await codec.encode(fixture('images/rgba-48x32.png'), { quality: 1, maxSteps: 150 }));
    const source = await loadImage(fixture('images/rgba-48x32.png'));
    expect(rgba.kind === 'image' && rgba.channels).toBe(4);
    for (let i = 0; i < 48 * 32; i++) expect(rgba.kind === 'image' && rgba.data[i * 4 + 3]).toBe(source.data[i * 4 + 3]);
    for (const [name, w, h] of [['odd-33x17.png', 33, 17], ['tiny-1x1.png', 1, 1]] as const) {
      const back = await codec.decode(await codec.encode(fixture(`images/${name}`), { quality: 1, maxSteps: 60 }));
      expect(back).toMatchObject({ kind: 'image', width: w, height: h });
    }
  });

  it('reports fitting progress up to 100 % and ends in the refine phase', async () => {
    const seen: Progress[] = [];
    await codec.encode(fixture('images/tiny-1x1.png'), { quality: 1, maxSteps: 40, onProgress: (p) => seen.push(p) });
    expect(seen[0]).toEqual({ phase: 'fit', done: 0, total: 100 });
    expect(seen.at(-1)).toEqual({ phase: 'refine', done: 100, total: 100 });
    expect(codec.lastFit).toMatchObject({ steps: 40, blocks: 1 });
  });

  it('stops at maxSeconds', async () => {
    const started = performance.now();
    await codec.encode(fixture('images/scene-64x48.png'), { quality: 1, maxSeconds: 0.3 });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(codec.lastFit!.seconds).toBeGreaterThanOrEqual(0.3);
  });
});

describe('inr audio', () => {
  it('fits mono speech at its own sample rate within an SI-SNR window', async () => {
    const source = await loadAudio(fixture('audio/speech-16k-s16.wav'));
    const bytes = await codec.encode(source, { quality: 5, maxSteps: 600 });
    const back = await codec.decode(bytes);
    expect(back.kind).toBe('audio');
    if (back.kind !== 'audio') return;
    expect(back.sampleRate).toBe(16000);
    expect(back.channels[0]).toHaveLength(32000);
    const s = siSnr(source.channels[0]!, back.channels[0]!);
    expect(s).toBeGreaterThan(5);
    expect(s).toBeLessThan(40);
  });

  it('codes an empty clip', async () => {
    const back = await codec.decode(await codec.encode({ channels: [new Float32Array(0)], sampleRate: 16000 }));
    expect(back).toMatchObject({ kind: 'audio', sampleRate: 16000 });
    expect(back.kind === 'audio' && back.channels.map((c) => c.length)).toEqual([0]);
  });

  it('codes every channel of stereo audio', async () => {
    const back = await codec.decode(await codec.encode(fixture('audio/tones-48k-s24-stereo.wav'), { quality: 1, maxSteps: 100 }));
    expect(back).toMatchObject({ kind: 'audio', sampleRate: 48000 });
    expect(back.kind === 'audio' && back.channels.map((c) => c.length)).toEqual([72000, 72000]);
  });
});

describe('inr options and errors', () => {
  it('validates encode options with one message shape', async () => {
    const input = fixture('images/tiny-1x1.png');
    await expect(codec.encode(input, { quality: 9 })).rejects.toThrow(new RangeError('Expected one of the image quality levels 1, 2, 3, 4, 5 for options.quality but received number 9'));
    await expect(codec.encode(input, { maxSteps: 0 })).rejects.toThrow(new RangeError('Expected an integer between 1 and 1000000000 for options.maxSteps but received number 0'));
    await expect(codec.encode(input, { maxSeconds: -1 })).rejects.toThrow(new RangeError('Expected a positive number of seconds for options.maxSeconds but received number -1'));
    await expect(codec.encode(input, { maxSteps: '5' as unknown as number })).rejects.toThrow(TypeError);
  });

  it('rejects truncated files and truncated weight streams with typed errors', async () => {
    for (const cut of [10, sceneBytes.length >> 1, sceneBytes.length - 1]) {
      await expect(codec.decode(sceneBytes.subarray(0, cut))).rejects.toBeInstanceOf(CodecError);
    }
    const { header, sections } = readContainer(sceneBytes);
    for (const cut of [0, 1, sections[0]!.length >> 1]) {
      const forged = writeContainer(header, [sections[0]!.subarray(0, cut)]);
      await expect(codec.decode(forged)).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_BITSTREAM_(TRUNCATED|CORRUPT)$/) });
    }
  });

  it('rejects corrupt parameters, section counts and foreign streams', async () => {
    const { header, sections } = readContainer(sceneBytes);
    const params = decodeParams(header.params);
    const forge = (p: Uint8Array, s = sections) => writeContainer({ ...header, params: p }, s);
    await expect(codec.decode(forge(encodeParams({ ...params, depth: 7, steps: new Float32Array(16), maxAbs: new Int32Array(16) })))).rejects.toMatchObject({ code: 'ERR_BITSTREAM_CORRUPT' });
    await expect(codec.decode(forge(encodeParams({ ...params, channels: 1 })))).rejects.toMatchObject({ code: 'ERR_BITSTREAM_CORRUPT' });
    await expect(codec.decode(forge(header.params.subarray(0, 10)))).rejects.toMatchObject({ code: 'ERR_BITSTREAM_CORRUPT' });
    const version = header.params.slice();
    version[0] = 9;
    await expect(codec.decode(forge(version))).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_VERSION' });
    await expect(codec.decode(forge(header.params, [...sections, sections[0]!]))).rejects.toMatchObject({ code: 'ERR_BITSTREAM_CORRUPT' });
    await expect(codec.decode(writeContainer({ ...header, codecId: 'hyperprior' }, sections))).rejects.toMatchObject({ code: 'ERR_UNKNOWN_CODEC' });
    await expect(codec.decode(writeContainer({ ...header, modelHash: new Uint8Array(32) }, sections))).rejects.toMatchObject({ code: 'ERR_MODEL_MISMATCH' });
  });

  it('decodes flipped weight bytes to a bounded image or a typed error', async () => {
    const { header, sections } = readContainer(sceneBytes);
    for (let trial = 0; trial < 8; trial++) {
      const copy = sections[0]!.slice();
      copy[(trial * 7919) % copy.length]! ^= 1 << (trial % 8);
      try {
        const back = await codec.decode(writeContainer(header, [copy]));
        expect(back).toMatchObject({ kind: 'image', width: 64, height: 48 });
      } catch (err) {
        expect(err).toBeInstanceOf(CodecError);
      }
    }
  });

  it('rejects manifests of another family or without graphs for a level', () => {
    expect(() => parseManifest({ family: 'hyperprior' })).toThrow(CodecError);
    expect(() => parseManifest({ family: 'inr', id: 'x', omega: [10, 30], graphs: {}, image: {}, audio: {} })).toThrow("expected a non-empty array for 'image.levels'");
  });
});
