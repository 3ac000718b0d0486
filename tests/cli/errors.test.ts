import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeContainer } from '../../src/container/index.js';
import { cli } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ncodec-cli-'));
const fixture = path.join(__dirname, '../../fixtures/images/scene-64x48.png');

describe('ncodec errors', () => {
  it('prints usage without a command, exit 2', async () => {
    const r = await cli();
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Usage: ncodec');
  });

  it('rejects unknown commands and options with a one-line message and exit 2', async () => {
    const r = await cli('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("ncodec: unknown command 'frobnicate'");
    const o = await cli('info', '--bogus', 'x.ncd');
    expect(o.code).toBe(2);
    expect(o.stderr.split('\n')[0]).toMatch(/^ncodec: Unknown option '--bogus'/);
  });

  it('asks for the missing pieces of encode', async () => {
    expect((await cli('encode', fixture, '--codec', 'lossless')).stderr).toContain('encode needs -o <output file>');
    expect((await cli('encode', fixture, '-o', path.join(tmp, 'x.ncd'), '--codec', 'lossless', '--quality', 'high')).stderr)
      .toContain("--quality expects an integer, got 'high'");
  });

  it('names the registered codecs when the codec is unknown', async () => {
    const r = await cli('encode', fixture, '-o', path.join(tmp, 'x.ncd'), '--codec', 'nope');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ncodec: Unknown codec 'nope'\. Registered codecs: .*\[ERR_UNKNOWN_CODEC\]\n$/);
  });

  it('fails on missing input files with ERR_MEDIA_READ', async () => {
    const r = await cli('decode', path.join(tmp, 'missing.ncd'), '-o', path.join(tmp, 'out.png'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`ncodec: Could not read ${path.join(tmp, 'missing.ncd')}: ENOENT [ERR_MEDIA_READ]\n`);
  });

  it('rejects files that are not containers', async () => {
    const r = await cli('info', fixture);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[ERR_BAD_MAGIC]');
    const d = await cli('decode', fixture, '-o', path.join(tmp, 'o.png'));
    expect(d.stderr).toContain('[ERR_BAD_MAGIC]');
  });

  it('rejects truncated and corrupt containers', async () => {
    const bytes = writeContainer({
      codecId: 'lossless', modelId: '', modelHash: null, rate: { kind: 'none' }, params: new Uint8Array(0),
      media: { kind: 'image', width: 2, height: 2, channels: 3, bitDepth: 8 },
    }, [new Uint8Array(20)]);
    const truncated = path.join(tmp, 'truncated.ncd');
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 7));
    expect((await cli('decode', truncated, '-o', path.join(tmp, 'o.png'))).stderr).toContain('[ERR_BITSTREAM_TRUNCATED]');
    const flipped = bytes.slice();
    flipped[bytes.length - 20]! ^= 1;
    const corrupt = path.join(tmp, 'corrupt.ncd');
    writeFileSync(corrupt, flipped);
    expect((await cli('info', corrupt)).stderr).toContain('[ERR_CRC_MISMATCH]');
  });

  it('rejects files naming an unknown codec', async () => {
    const bytes = writeContainer({
      codecId: 'future-codec', modelId: '', modelHash: null, rate: { kind: 'none' }, params: new Uint8Array(0),
      media: { kind: 'image', width: 2, height: 2, channels: 3, bitDepth: 8 },
    }, []);
    const file = path.join(tmp, 'future.ncd');
    writeFileSync(file, bytes);
    const r = await cli('decode', file, '-o', path.join(tmp, 'o.png'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[ERR_UNKNOWN_CODEC]');
    const info = await cli('info', file, '--json');
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout).codec).toBe('future-codec');
  });

  it('refuses an unavailable CUDA device with ERR_DEVICE_UNAVAILABLE', async () => {
    const r = await cli('encode', fixture, '-o', path.join(tmp, 'x.ncd'), '--codec', 'lossless', '--device', 'gpu');
    expect(r.stderr).toContain('--device expects cpu, cuda or auto');
  });
});
