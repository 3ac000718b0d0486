import { describe, expect, it } from 'vitest';
import { builtinCodecs } from '../../src/api/builtins.js';
import { DEFAULT_CODEC, listCodecs } from '../../src/api/registry.js';

describe('codec registry', () => {
  it('lists each built-in family as its module exports it (the module loads only on open)', async () => {
    for (const entry of builtinCodecs) {
      const factory = await entry.load();
      expect({ id: entry.id, description: entry.description, media: entry.media })
        .toEqual({ id: factory.id, description: factory.description, media: factory.media });
    }
  });

  it('declares a default codec per media kind that is registered for that media', () => {
    for (const [media, { codec }] of Object.entries(DEFAULT_CODEC)) {
      expect(listCodecs().find((c) => c.id === codec)?.media).toContain(media);
    }
  });
});
