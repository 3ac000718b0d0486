/**
 * The rvq codec's parts on their own: manifest checks, the TypeScript quantizer against the numpy
 * reference of the export script (fixtures/rvq/quantizer-golden.json), code-stream coding, section
 * and parameter layouts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResidualVectorQuantizer, parseManifest } from '../../../codecs/rvq/index.js';
import { decodeCodeStream, encodeCodeStream, packCodes, unpackCodes, MODE_PACKED } from '../../../codecs/rvq/codes.js';
import { decodeParams, encodeParams, type RvqParams } from '../../../codecs/rvq/params.js';
import { encodeChunkSection, encodeEndSection, parseSection } from '../../../codecs/rvq/sections.js';
import { root, TINY_MODEL } from './helpers.js';

const manifestJson = JSON.parse(readFileSync(path.join(TINY_MODEL, 'manifest.json'), 'utf8')) as Record<string, unknown>;
const manifest = parseManifest(manifestJson);
const alphabet = { size: 1024, bits: 10, increments: [4, 12, 32], limit: 1 << 16 };

describe('rvq manifest', () => {
  it('reads the tiny model', () => {
    expect(manifest).toMatchObject({ id: 'tiny-test', sampleRate: 24000, hop: 320, latentDim: 128, nCodebooks: 16, codebookSize: 1024, codebookDim: 8, bitsPerCode: 10, defaultNq: 8 });
    expect(manifest.bitrates).toEqual([{ nq: 2, kbps: 1.5 }, { nq: 4, kbps: 3 }, { nq: 8, kbps: 6 }, { nq: 16, kbps: 12 }]);
    expect(manifest.quantizer.codebooks[1]!.inProjWeight).toBe(18568);
  });

  it('names the first bad key of a broken manifest (ERR_MODEL_INVALID)', () => {
    const broken = (patch: Record<string, unknown>) => () => parseManifest({ ...manifestJson, ...patch });
    expect(broken({ family: 'hyperprior' })).toThrow(expect.objectContaining({ code: 'ERR_MODEL_INVALID', message: expect.stringContaining("'family'") }));
    expect(broken({ bitsPerCode: 9 })).toThrow(/'bitsPerCode'/);
    expect(broken({ defaultNq: 3 })).toThrow(/'defaultNq'/);
    expect(broken({ channels: 2 })).toThrow(/a mono model/);
    const q = manifestJson.quantizer as Record<string, Record<string, unknown>>;
    expect(broken({ quantizer: { ...q, tensors: { ...q.tensors, '3.codebook': { offset: 0, shape: [1024, 9] } } } })).toThrow(/'quantizer.tensors.3.codebook.shape'/);
  });
});

describe('rvq quantizer', () => {
  const quantizer = ResidualVectorQuantizer.load(path.join(TINY_MODEL, 'quantizer.f32'), manifest);
  const golden = JSON.parse(readFileSync(path.join(root, 'fixtures/rvq/quantizer-golden.json'), 'utf8')) as { frames: number; latents: number[]; codes: number[]; zq: number[] };
  const latents = Float32Array.from(golden.latents);

  it('gives the codes and ẑ of the numpy reference (the manifest algorithm)', () => {
    const codes = quantizer.encode(latents, golden.frames, 16);
    expect([...codes]).toEqual(golden.codes);
    const zq = quantizer.decode(codes, golden.frames, 16);
    zq.forEach((v, i) => expect(v).toBeCloseTo(golden.zq[i]!, 4));
  });

  it('codes a prefix of codebooks as the first rows of a longer encoding', () => {
    const all = quantizer.encode(latents, golden.frames, 16);
    expect(quantizer.encode(latents, golden.frames, 4)).toEqual(all.subarray(0, 4 * golden.frames));
    expect(() => quantizer.encode(latents, golden.frames, 17)).toThrow(RangeError);
    expect(() => quantizer.decode(Int32Array.of(1024), 1, 1)).toThrow(RangeError);
  });
});

describe('rvq code streams and sections', () => {
  it('packs 10-bit codes and picks the shortest mode', () => {
    const codes = Int32Array.from({ length: 77 }, (_, i) => (i * 389) % 1024);
    expect(unpackCodes(packCodes(codes, 10), 77, 10)).toEqual(codes);
    expect(unpackCodes(packCodes(codes, 10).subarray(1), 77, 10)).toBeNull();
    const uniform = encodeCodeStream(codes, alphabet);
    expect(uniform.mode).toBe(MODE_PACKED);
    expect(uniform.bytes).toHaveLength(Math.ceil(770 / 8));
    const skewed = Int32Array.from({ length: 750 }, (_, i) => (i % 7 === 0 ? 5 : 900));
    const s = encodeCodeStream(skewed, alphabet);
    expect(s.mode).toBeGreaterThan(0);
    expect(s.bytes.length).toBeLessThan(100); // packed: 938
    expect(decodeCodeStream(s, 750, alphabet)).toEqual(skewed);
  });

  it('lays out chunk and end sections and rejects malformed ones', () => {
    const streams = [{ mode: 0 as const, bytes: Uint8Array.of(1, 2, 3) }, { mode: 2 as const, bytes: new Uint8Array(200) }];
    const payload = encodeChunkSection(300, streams);
    expect([...payload.subarray(0, 7)]).toEqual([0xac, 0x02, 12, 1, 2, 3, 0xa2]); // 300, 3·4+0, bytes, 200·4+2 = 802 (0xa2 0x06)
    const parsed = parseSection(payload, 2);
    expect(parsed).toMatchObject({ kind: 'chunk', frames: 300 });
    expect(parsed.kind === 'chunk' && parsed.streams.map((s) => [s.mode, s.bytes.length])).toEqual([[0, 3], [2, 200]]);
    expect(parseSection(encodeEndSection(2 ** 40 + 5), 2)).toEqual({ kind: 'end', frames: 2 ** 40 + 5 });
    expect(() => parseSection(payload.subarray(0, payload.length - 1), 2)).toThrow(expect.objectContaining({ code: 'ERR_BITSTREAM_TRUNCATED' }));
    expect(() => parseSection(payload, 1)).toThrow(expect.objectContaining({ code: 'ERR_BITSTREAM_CORRUPT' }));
    expect(() => parseSection(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80), 2)).toThrow(expect.objectContaining({ code: 'ERR_BITSTREAM_CORRUPT' }));
  });

  it('writes versioned parameters and rejects bad ones', () => {
    const p: RvqParams = { streamed: true, nq: 8, fadeShape: 'hann', codedRate: 24000, hop: 320, chunkFrames: 750, overlapFrames: 8, fadeFrames: 4, increments: [4, 12, 32], limit: 65536 };
    const bytes = encodeParams(p);
    expect(bytes).toHaveLength(26);
    expect(decodeParams(bytes)).toEqual(p);
    const bad = (at: number, value: number) => { const b = bytes.slice(); b[at] = value; return () => decodeParams(b); };
    expect(bad(0, 2)).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED_VERSION' }));
    expect(bad(1, 2)).toThrow(expect.objectContaining({ code: 'ERR_BITSTREAM_CORRUPT' }));
    expect(bad(3, 7)).toThrow(/fade shape/);
    expect(bad(13, 2)).toThrow(/520 of 750 chunk frames overlapping/);
    expect(() => decodeParams(bytes.subarray(0, 20))).toThrow(expect.objectContaining({ code: 'ERR_BITSTREAM_CORRUPT' }));
  });
});
