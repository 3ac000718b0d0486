import { describe, expect, it } from 'vitest';
import { crc32, readContainer, readHeader, writeContainer, type ContainerHeader } from '../../src/container/index.js';
import { CodecError } from '../../src/errors.js';

const header: Omit<ContainerHeader, 'version'> = {
  codecId: 'hyperprior',
  modelId: 'msh-test',
  modelHash: new Uint8Array(32).fill(7),
  media: { kind: 'image', width: 768, height: 512, channels: 3, bitDepth: 8 },
  rate: { kind: 'quality', value: 4 },
  params: Uint8Array.of(1, 2, 3),
};
const sections = [Uint8Array.of(9, 8, 7, 6), new Uint8Array(0), new Uint8Array(1000).map((_, i) => i & 255)];

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    return (err as CodecError).code;
  }
  return undefined;
}

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
  it('continues incrementally', () => {
    const bytes = new TextEncoder().encode('hello, world');
    expect(crc32(bytes.subarray(5), crc32(bytes.subarray(0, 5)))).toBe(crc32(bytes));
  });
});

describe('container', () => {
  const bytes = writeContainer(header, sections);

  it('round-trips header and sections', () => {
    const parsed = readContainer(bytes);
    expect(parsed.header).toEqual({ version: 1, ...header });
    expect(parsed.sections.map((s) => [...s])).toEqual(sections.map((s) => [...s]));
  });

  it('round-trips audio headers, no model and no rate', () => {
    const audio = writeContainer({
      ...header, modelId: '', modelHash: null, rate: { kind: 'none' },
      media: { kind: 'audio', sampleRate: 44_100, channels: 2, frames: 2 ** 40 },
    }, []);
    const parsed = readContainer(audio);
    expect(parsed.header.media).toEqual({ kind: 'audio', sampleRate: 44_100, channels: 2, frames: 2 ** 40 });
    expect(parsed.header.modelHash).toBeNull();
    expect(parsed.header.rate).toEqual({ kind: 'none' });
    expect(parsed.sections).toEqual([]);
  });

  it('rejects wrong magic', () => {
    const bad = bytes.slice();
    bad[0] = 0x50;
    expect(codeOf(() => readContainer(bad))).toBe('ERR_BAD_MAGIC');
    expect(codeOf(() => readContainer(new Uint8Array(0)))).toBe('ERR_BAD_MAGIC');
  });

  it('rejects unknown versions', () => {
    const bad = bytes.slice();
    bad[4] = 2;
    expect(codeOf(() => readContainer(bad))).toBe('ERR_UNSUPPORTED_VERSION');
  });

  it('rejects every truncation with a typed error', () => {
    for (let n = 0; n < bytes.length; n++) {
      const code = codeOf(() => readContainer(bytes.subarray(0, n)));
      expect(['ERR_BAD_MAGIC', 'ERR_BITSTREAM_TRUNCATED', 'ERR_CRC_MISMATCH', 'ERR_BITSTREAM_CORRUPT']).toContain(code);
    }
  });

  it('detects every single-byte corruption', () => {
    for (let i = 0; i < bytes.length; i++) {
      const bad = bytes.slice();
      bad[i]! ^= 0x5a;
      expect(codeOf(() => readContainer(bad)), `byte ${i}`).toBeDefined();
    }
  });

  it('rejects a section length past the end', () => {
    const bad = bytes.slice();
    const { end } = readHeader(bytes);
    new DataView(bad.buffer).setUint32(end, 0x7fffffff, true);
    expect(codeOf(() => readContainer(bad))).toBe('ERR_BITSTREAM_TRUNCATED');
  });

  it('rejects a header length past the end', () => {
    const bad = bytes.slice();
    new DataView(bad.buffer).setUint32(5, 1e9, true);
    expect(codeOf(() => readContainer(bad))).toBe('ERR_BITSTREAM_TRUNCATED');
  });

  it('rejects trailing bytes and joined files', () => {
    const joined = new Uint8Array(bytes.length * 2);
    joined.set(bytes);
    joined.set(bytes, bytes.length);
    expect(codeOf(() => readContainer(joined))).toBe('ERR_BITSTREAM_CORRUPT');
  });

  it('rejects headers describing impossible media even with a valid CRC', () => {
    const bad = writeContainer({ ...header, media: { kind: 'image', width: 0, height: 5, channels: 3, bitDepth: 8 } }, []);
    expect(codeOf(() => readContainer(bad))).toBe('ERR_BITSTREAM_CORRUPT');
    const badDepth = writeContainer({ ...header, media: { kind: 'image', width: 4, height: 5, channels: 3, bitDepth: 12 } }, []);
    expect(codeOf(() => readContainer(badDepth))).toBe('ERR_BITSTREAM_CORRUPT');
  });

  it('refuses to write ids longer than 255 bytes', () => {
    expect(() => writeContainer({ ...header, modelId: 'x'.repeat(300) }, [])).toThrow(RangeError);
  });
});

describe('ContainerParser', () => {
  const bytes = writeContainer(header, sections);

  it('yields the header and every section for any chunking', async () => {
    const { ContainerParser } = await import('../../src/container/index.js');
    for (const size of [1, 3, 17, 1000, bytes.length]) {
      const parser = new ContainerParser();
      const events = [];
      for (let at = 0; at < bytes.length; at += size) events.push(...parser.push(bytes.subarray(at, at + size)));
      parser.end();
      expect(events[0]).toEqual({ type: 'header', header: { version: 1, ...header } });
      expect(events.slice(1).map((e) => (e.type === 'section' ? [...e.payload] : null))).toEqual(sections.map((s) => [...s]));
    }
  });

  it('reports truncation at end() and corruption as soon as it is seen', async () => {
    const { ContainerParser } = await import('../../src/container/index.js');
    const truncated = new ContainerParser();
    truncated.push(bytes.subarray(0, bytes.length - 3));
    expect(codeOf(() => truncated.end())).toBe('ERR_BITSTREAM_TRUNCATED');
    const bad = bytes.slice();
    bad[bytes.length - 30]! ^= 0xff;
    expect(codeOf(() => new ContainerParser().push(bad))).toBe('ERR_CRC_MISMATCH');
    const joined = new Uint8Array(bytes.length + 1);
    joined.set(bytes);
    expect(codeOf(() => new ContainerParser().push(joined))).toBe('ERR_BITSTREAM_CORRUPT');
  });
});
