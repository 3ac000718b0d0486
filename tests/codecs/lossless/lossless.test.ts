import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode, listCodecs, openCodec } from '../../../src/api/registry.js';
import { readContainer, writeContainer } from '../../../src/container/index.js';
import { CodecError } from '../../../src/errors.js';
import { loadImage } from '../../../src/media/image.js';

const images = path.join(__dirname, '../../../fixtures/images');

describe('lossless codec', () => {
  it('is registered under its stable id', () => {
    expect(listCodecs().map((c) => c.id)).toContain('lossless');
  });

  for (const file of readdirSync(images).filter((f) => f.endsWith('.png'))) {
    it(`round-trips ${file} bit-exactly through the top-level decode`, async () => {
      await using codec = await openCodec('lossless');
      const source = await loadImage(path.join(images, file));
      const bytes = await codec.encode(path.join(images, file));
      const back = await decode(bytes);
      expect(back.kind).toBe('image');
      if (back.kind !== 'image') return;
      expect([back.width, back.height, back.channels]).toEqual([source.width, source.height, source.channels]);
      expect(back.data.constructor).toBe(source.data.constructor);
      expect(Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(
        Buffer.from(source.data.buffer, source.data.byteOffset, source.data.byteLength))).toBe(true);
    });
  }

  it('compresses a photo-like image below 8-bit raw size', async () => {
    await using codec = await openCodec('lossless');
    const bytes = await codec.encode(path.join(images, 'scene-256x192.png'));
    expect(bytes.length).toBeLessThan(256 * 192 * 3 * 0.8);
  });

  it('codes raw input and refuses audio', async () => {
    await using codec = await openCodec('lossless');
    const data = Uint8Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 37) & 255);
    const back = await codec.decode(await codec.encode({ data, width: 5, height: 3, channels: 3 }));
    expect(back.kind === 'image' && [...back.data]).toEqual([...data]);
    await expect(codec.encode({ channels: [new Float32Array(4)], sampleRate: 8000 })).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_MEDIA' });
  });

  it('fails with a typed error on corrupt payloads, never crashes', async () => {
    await using codec = await openCodec('lossless');
    const bytes = await codec.encode(path.join(images, 'scene-64x48.png'));
    const { header, sections } = readContainer(bytes);
    const payload = sections[0]!;
    for (const cut of [0, 1, 7, Math.floor(payload.length / 2), payload.length - 1]) {
      // Re-wrap so the container CRCs pass and the entropy decoder itself must notice.
      const forged = writeContainer(header, [payload.subarray(0, cut)]);
      await expect(codec.decode(forged)).rejects.toBeInstanceOf(CodecError);
    }
  });
});
