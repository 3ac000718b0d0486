/**
 * Finding and running ffmpeg. The binary on the PATH wins; otherwise the static build shipped in the
 * `@ffmpeg-installer/ffmpeg` npm package, so a fresh machine works after `npm install` alone. Nothing
 * here runs until ffmpeg is actually needed, and a missing ffmpeg is reported then.
 */
import { spawn } from 'node:child_process';
import { accessSync, chmodSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CodecError } from '../errors.js';

let cached: string | undefined;

function onPath(name: string): string | undefined {
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

/**
 * Runs ffmpeg with `args`, feeding `stdin` if given, and returns everything it wrote to stdout.
 * A non-zero exit becomes a CodecError carrying ffmpeg's last stderr lines.
 */
export function runFfmpeg(args: readonly string[], stdin?: Uint8Array, code: 'ERR_MEDIA_READ' | 'ERR_MEDIA_WRITE' = 'ERR_MEDIA_READ'): Promise<Buffer> {
  const bin = ffmpegPath();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], {
      stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new CodecError('ERR_FFMPEG_MISSING', `Could not start ffmpeg at ${bin}: ${e.message}`, { cause: e })));
    child.on('close', (status) => {
      if (status === 0) return resolve(Buffer.concat(out));
      const message = Buffer.concat(err).toString('utf8').trim().split('\n').slice(-3).join(' / ');
      reject(new CodecError(code, `ffmpeg failed (exit ${status}): ${message || 'no message'}`));
    });
    if (stdin && child.stdin) {
      child.stdin.on('error', () => { /* ffmpeg may close stdin early; its exit status tells */ });
      child.stdin.end(stdin);
    }
  });
}
