import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadImage } from '../../src/media/image.js';
import { cli } from './helpers.js';

const root = path.join(__dirname, '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ncodec-cli-rt-'));
const fixture = path.join(root, 'fixtures/images/odd-33x17.png');

describe('ncodec encode / info / decode', () => {
  it('round-trips an image through the lossless codec', async () => {
    const ncd = path.join(tmp, 'odd.ncd');
    const enc = await cli('encode', fixture, '-o', ncd, '--codec', 'lossless');
    expect(enc.code).toBe(0);
    expect(enc.stderr).toMatch(/odd-33x17\.png → .*odd\.ncd: \d+ bytes \([\d.]+ bpp\)/);

    const info = await cli('info', ncd, '--json');
    expect(info.code).toBe(0);
    const parsed = JSON.parse(info.stdout);
    expect(parsed).toMatchObject({ codec: 'lossless', model: null, media: { kind: 'image', width: 33, height: 17, channels: 3 } });
    expect(parsed.bytes).toBe(readFileSync(ncd).length);

    const text = await cli('info', ncd);
    expect(text.stdout).toContain('codec:    lossless');

    const out = path.join(tmp, 'odd.png');
    const dec = await cli('decode', ncd, '-o', out);
    expect(dec.code).toBe(0);
    expect([...(await loadImage(out)).data]).toEqual([...(await loadImage(fixture)).data]);
  });

  it('lists codecs and models', async () => {
    const r = await cli('models', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).codecs.map((c: { id: string }) => c.id)).toContain('lossless');
  });

  it('runs as the installed bin with a non-zero exit and one line on error', async () => {
    const bin = path.join(root, 'bin/ncodec.js');
    expect(existsSync(path.join(root, 'dist/src/cli/main.js')), 'dist/ is built by `npm install` (prepare)').toBe(true);
    const run = promisify(execFile);
    const ok = await run(process.execPath, [bin, 'models']);
    expect(ok.stdout).toContain('lossless');
    const err = await run(process.execPath, [bin, 'decode', path.join(tmp, 'nope.ncd'), '-o', path.join(tmp, 'x.png')]).catch((e: { code: number; stderr: string }) => e);
    expect('code' in err && err.code).toBe(1);
    expect('stderr' in err && err.stderr.trim().split('\n').length).toBe(1);
  });
});
