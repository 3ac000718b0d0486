import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CODEC } from '../../src/api/registry.js';
import { readHeader } from '../../src/container/index.js';
import { cli } from './helpers.js';

const root = path.join(__dirname, '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ncodec-cli-help-'));

describe('ncodec --help and --version', () => {
  it('gives every command its own --help on stdout, exit 0', async () => {
    for (const command of ['encode', 'decode', 'info', 'models', 'bench']) {
      for (const flag of ['--help', '-h']) {
        const r = await cli(command, flag);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^Usage: ncodec ${command} `));
        expect(r.stderr).toBe('');
      }
    }
    expect((await cli('encode', 'x.png', '--help')).stdout).toContain(`images ${DEFAULT_CODEC.image.codec} (model ${DEFAULT_CODEC.image.model})`);
    expect((await cli('bench', 'entropy', '--help')).stdout).toMatch(/^Usage: ncodec bench entropy/);
    expect((await cli('bench', 'image', '--help')).stdout).toMatch(/^Usage: ncodec bench <image\|audio>/);
  });

  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) expect(await cli(flag)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('ncodec encode without --codec', () => {
  it('uses the default codec and model of the input media', async () => {
    const cases = [['images/scene-64x48.png', DEFAULT_CODEC.image], ['audio/speech-16k-s16.wav', DEFAULT_CODEC.audio]] as const;
    for (const [fixture, expected] of cases) {
      const out = path.join(tmp, `${path.basename(fixture)}.ncd`);
      const r = await cli('encode', path.join(root, 'fixtures', fixture), '-o', out);
      expect(r.code).toBe(0);
      const { header } = readHeader(readFileSync(out));
      expect({ codec: header.codecId, model: header.modelId }).toEqual(expected);
      expect(r.stderr).not.toMatch(/encode encode/);
    }
  });
});
