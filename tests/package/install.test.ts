/**
 * The package as a user gets it: `npm pack`, installed offline into a fresh project, then the installed
 * `ncodec` and `import ... from 'neural-codec'` round-trip an image (default model) and an audio clip.
 *
 * Offline install: a fresh project has no lockfile, so `npm install <tgz> --offline` would need the
 * registry's package documents, which the npm cache does not hold (the repository's own install works
 * from its lockfile and caches only tarballs). The test therefore writes the project's lockfile from
 * the repository's (the runtime dependencies, same versions and integrity hashes) and runs
 * `npm ci --offline`: every tarball then comes from the cache that the repository's `npm install`
 * filled. The package's own install script (node-gyp) builds the native coder as it would for a user;
 * offline, that needs Node's headers where the repository's own build found them (npm's `nodedir`
 * setting or node-gyp's header cache).
 *
 * The tarball is packed from a staging copy (the files `npm pack` lists, and `dist/` compiled there),
 * so the test neither needs nor rewrites the repository's `dist/`, which other tests run.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CODEC } from '../../src/api/registry.js';
import { readHeader } from '../../src/container/index.js';

const root = path.join(__dirname, '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ncodec-package-'));
const project = path.join(tmp, 'project');
const run = promisify(execFile);
const MINUTES = 60_000;

interface PackFile { path: string }
interface LockEntry { dev?: boolean }

/** The environment of npm and the installed CLI: none of this repository's npm settings, CUDA download skipped. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const keep = new Set(['npm_config_cache', 'npm_config_userconfig', 'npm_config_nodedir']);
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('npm_') || keep.has(key)) env[key] = value;
  delete env.NCODEC_MODELS;
  return { ...env, ONNXRUNTIME_NODE_INSTALL: 'skip' };
}

async function sh(command: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return run(command, args, { cwd, env: cleanEnv(), maxBuffer: 64 << 20 });
}

/** Packs the package from a staging copy and returns the tarball's path. */
async function pack(): Promise<string> {
  const listing = JSON.parse((await sh('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], root)).stdout) as [{ files: PackFile[] }];
  const files = listing[0].files.map((f) => f.path);
  const stage = path.join(tmp, 'stage');
  for (const file of files.filter((f) => !f.startsWith('dist/'))) {
    mkdirSync(path.dirname(path.join(stage, file)), { recursive: true });
    cpSync(path.join(root, file), path.join(stage, file));
  }
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  await sh(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', path.join(stage, 'dist'), '--sourceMap', 'false'], root);
  await sh('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp], stage);
  const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error('npm pack wrote no tarball');
  return path.join(tmp, tgz);
}

/** A fresh project depending on the tarball, with a lockfile built from the repository's. */
function writeProject(tgz: string): void {
  mkdirSync(project);
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const spec = `file:${tgz}`;
  const packages: Record<string, unknown> = {
    '': { name: 'ncodec-user', dependencies: { 'neural-codec': spec } },
    'node_modules/neural-codec': {
      version: pkg.version, resolved: spec, hasInstallScript: true, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`,
    },
  };
  for (const [key, entry] of Object.entries(lock.packages)) if (key !== '' && !entry.dev) packages[key] = entry;
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'ncodec-user', private: true, type: 'module', dependencies: { 'neural-codec': spec } }));
  writeFileSync(path.join(project, 'package-lock.json'), JSON.stringify({ name: 'ncodec-user', lockfileVersion: 3, requires: true, packages }));
}

const ncodec = (...args: string[]) => sh(path.join(project, 'node_modules/.bin/ncodec'), args, project);
let packedFiles: string[] = [];

beforeAll(async () => {
  const tgz = await pack();
  packedFiles = (await sh('tar', ['-tzf', tgz], tmp)).stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  writeProject(tgz);
  await sh('npm', ['ci', '--offline', '--no-audit', '--no-fund'], project);
}, 10 * MINUTES);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the installed package', () => {
  it('ships the runtime, models and bench fixtures but not training code or tests', () => {
    for (const file of ['dist/src/index.js', 'dist/src/index.d.ts', 'bin/ncodec.js', 'binding.gyp', 'native/src/rans_codec.cc',
      `models/${DEFAULT_CODEC.image.codec}/${DEFAULT_CODEC.image.model}/manifest.json`, 'fixtures/images/scene-64x48.png', 'docs/FORMAT.md']) {
      expect(packedFiles).toContain(file);
    }
    expect(packedFiles.filter((f) => /^(models\/train|tests|fixtures\/models|native\/fuzz|src)\//.test(f) || f.endsWith('.map'))).toEqual([]);
    // Under models/ only model folders (models/<family>/<id>/ with a manifest), no training runs or checkpoints.
    const modelFiles = packedFiles.filter((f) => f.startsWith('models/'));
    expect(modelFiles.filter((f) => !packedFiles.includes(`${path.posix.dirname(f)}/manifest.json`) || f.split('/').length !== 4)).toEqual([]);
  });

  it('round-trips an image with the default model through the installed ncodec', async () => {
    expect((await ncodec('--version')).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    await ncodec('encode', path.join(root, 'fixtures/images/scene-64x48.png'), '-o', 'image.ncd');
    const { header } = readHeader(readFileSync(path.join(project, 'image.ncd')));
    expect({ codec: header.codecId, model: header.modelId }).toEqual(DEFAULT_CODEC.image);
    await ncodec('decode', 'image.ncd', '-o', 'image.png');
    expect((await ncodec('models')).stdout).toContain(path.join(project, 'node_modules/neural-codec/models'));
  }, 5 * MINUTES);

  it('round-trips an audio clip with rvq through the installed ncodec', async () => {
    await ncodec('encode', path.join(root, 'fixtures/audio/speech-16k-s16.wav'), '-o', 'audio.ncd', '--codec', 'rvq');
    expect(readHeader(readFileSync(path.join(project, 'audio.ncd'))).header.codecId).toBe('rvq');
    const { stderr } = await ncodec('decode', 'audio.ncd', '-o', 'audio.wav');
    expect(stderr).toMatch(/1-channel audio, 2\.00 s/);
  }, 5 * MINUTES);

  it('round-trips an audio clip with the default audio model (native libopus and STFT) through the installed ncodec', async () => {
    await ncodec('encode', path.join(root, 'fixtures/audio/speech-16k-s16.wav'), '-o', 'default-audio.ncd');
    const { header } = readHeader(readFileSync(path.join(project, 'default-audio.ncd')));
    expect({ codec: header.codecId, model: header.modelId }).toEqual(DEFAULT_CODEC.audio);
    const { stderr } = await ncodec('decode', 'default-audio.ncd', '-o', 'default-audio.wav');
    expect(stderr).toMatch(/1-channel audio, 2\.00 s/);
  }, 5 * MINUTES);

  it('imports openCodec and decode from neural-codec in an .mjs file', async () => {
    writeFileSync(path.join(project, 'use.mjs'), `
import { openCodec, decode } from 'neural-codec';
const codec = await openCodec('${DEFAULT_CODEC.image.codec}');
const bytes = await codec.encode(${JSON.stringify(path.join(root, 'fixtures/images/scene-64x48.png'))});
await codec.dispose();
const image = await decode(bytes);
console.log(JSON.stringify({ kind: image.kind, width: image.width, height: image.height, channels: image.channels }));
`);
    const { stdout } = await sh(process.execPath, ['use.mjs'], project);
    expect(JSON.parse(stdout)).toEqual({ kind: 'image', width: 64, height: 48, channels: 3 });
  }, 5 * MINUTES);
});
