/**
 * Finding and running ffmpeg. The binary on the PATH wins; otherwise the static build shipped in the
 * `@ffmpeg-installer/ffmpeg` npm package, so a fresh machine works after `npm install` alone. Nothing
 * here runs until ffmpeg is actually needed, and a missing ffmpeg is reported then.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { accessSync, chmodSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CodecError } from '../errors.js';

let cached: string | undefined;

/** Absolute path of executable `name` in a folder of the PATH, or undefined (also used for other tools, e.g. cjxl). */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch { /* not here */ }
  }
  return undefined;
}

function fromPackage(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const installer = require('@ffmpeg-installer/ffmpeg') as { path: string };
    try {
      accessSync(installer.path, constants.X_OK);
    } catch {
      // The package's postinstall makes the binary executable; npm may not have run it (npm 11
      // runs dependency install scripts only once approved), so do it here.
      chmodSync(installer.path, 0o755);
    }
    return installer.path;
  } catch {
    return undefined;
  }
}

/** Absolute path of the ffmpeg binary (NCODEC_FFMPEG, then PATH, then the npm package). */
export function ffmpegPath(): string {
  if (cached) return cached;
  const found = process.env.NCODEC_FFMPEG || onPath('ffmpeg') || fromPackage();
  if (!found) {
    throw new CodecError(
      'ERR_FFMPEG_MISSING',
      'ffmpeg is needed to read or write this media but was not found: install ffmpeg on the PATH ' +
        '(e.g. `apt-get install ffmpeg`), or reinstall neural-codec so that @ffmpeg-installer/ffmpeg provides one, ' +
        'or set NCODEC_FFMPEG to its path.',
    );
  }
  cached = found;
  return found;
}

/** What one ffmpeg run wrote, and how long it took. */
export interface FfmpegOutput {
  stdout: Buffer;
  stderr: string;
  /** Wall time from spawn to exit, ms. */
  wallMs: number;
}

export interface FfmpegSpawnOptions {
  /** Bytes fed to ffmpeg's stdin (closed right after). */
  stdin?: Uint8Array;
  /** Error code of a failed run. Default ERR_MEDIA_READ. */
  code?: 'ERR_MEDIA_READ' | 'ERR_MEDIA_WRITE';
  /** ffmpeg's log level (stderr detail). Default error. */
  logLevel?: 'error' | 'info';
}

/**
 * Runs ffmpeg with `args` (after `-hide_banner -nostdin -nostats -loglevel <level>`), feeding
 * `stdin` if given; returns stdout, stderr and the wall time. A non-zero exit becomes a CodecError
 * carrying ffmpeg's last stderr lines (without `-benchmark` lines).
 */
export function spawnFfmpeg(args: readonly string[], options: FfmpegSpawnOptions = {}): Promise<FfmpegOutput> {
  const bin = ffmpegPath();
  const { stdin, code = 'ERR_MEDIA_READ', logLevel = 'error' } = options;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(bin, ['-hide_banner', '-nostdin', '-nostats', '-loglevel', logLevel, ...args], {
      stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new CodecError('ERR_FFMPEG_MISSING', `Could not start ffmpeg at ${bin}: ${e.message}`, { cause: e })));
    child.on('close', (status) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (status === 0) return resolve({ stdout: Buffer.concat(out), stderr, wallMs: performance.now() - t0 });
      const message = stderr.trim().split('\n').filter((l) => !l.startsWith('bench:')).slice(-3).join(' / ');
      reject(new CodecError(code, `ffmpeg failed (exit ${status}): ${message || 'no message'}`));
    });
    if (stdin && child.stdin) {
      child.stdin.on('error', () => { /* ffmpeg may close stdin early; its exit status tells */ });
      child.stdin.end(stdin);
    }
  });
}

/** {@link spawnFfmpeg}'s stdout alone: what most callers want. */
export async function runFfmpeg(args: readonly string[], stdin?: Uint8Array, code: 'ERR_MEDIA_READ' | 'ERR_MEDIA_WRITE' = 'ERR_MEDIA_READ'): Promise<Buffer> {
  return (await spawnFfmpeg(args, { stdin, code })).stdout;
}
