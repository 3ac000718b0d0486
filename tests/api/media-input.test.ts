import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCodec } from '../../src/api/registry.js';
import { mediaKindOf } from '../../src/media/sniff.js';

const fx = (name: string) => path.join(__dirname, '../../fixtures', name);

describe('one media-input rule (src/media/sniff.ts)', () => {
  it('tells images from audio for paths, bytes and raw samples, and fails on unreadable paths', async () => {
    expect(await mediaKindOf(fx('images/scene-64x48.png'))).toBe('image');
    expect(await mediaKindOf(fx('audio/speech-16k.mp3'))).toBe('audio');
    expect(await mediaKindOf({ data: new Uint8Array(3), width: 1, height: 1, channels: 3 })).toBe('image');
    expect(await mediaKindOf({ channels: [new Float32Array(2)], sampleRate: 8000 })).toBe('audio');
    await expect(mediaKindOf(fx('images/missing.png'))).rejects.toMatchObject({ code: 'ERR_MEDIA_READ' });
    await expect(mediaKindOf(42)).rejects.toThrow(TypeError);
  });

  it('makes every single-media codec refuse the other media the same way', async () => {
    for (const [id, given, what] of [['lossless', 'audio/speech-16k-s16.wav', 'an audio file'], ['rvq', 'images/scene-64x48.png', 'a PNG image']] as const) {
      const codec = await openCodec(id, { model: id === 'rvq' ? fx('models/rvq/tiny-test') : undefined });
      try {
        await expect(codec.encode(fx(given))).rejects.toMatchObject({
          code: 'ERR_UNSUPPORTED_MEDIA', message: expect.stringMatching(new RegExp(`^The ${id} codec codes (images|audio) only but was given ${what}`)),
        });
      } finally {
        await codec.dispose();
      }
    }
  });
});
