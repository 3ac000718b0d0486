/**
 * ffmpeg runs for the video benchmark, where `src/media/ffmpeg.ts`'s `runFfmpeg` does not say enough:
 * here stderr is kept (stream descriptions, `-benchmark` timings) and the call is timed. The binary is
 * the one `ffmpegPath()` finds (NCODEC_FFMPEG, PATH, the npm package).
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { CodecError } from '../../errors.js';
import { ffmpegPath } from '../../media/ffmpeg.js';

export interface FfmpegResult {
  stdout: Buffer;
  stderr: string;
  /** Wall time from spawn to exit, ms. */
  wallMs: number;
  /** ffmpeg's own `-benchmark` real time (rtime), ms; null when not asked for or not printed. */
  benchMs: number | null;
}

export interface FfmpegRunOptions {
  stdin?: Uint8Array;
  /** Add `-benchmark` and read its `rtime` (needs log level info, which the call then uses). */
  benchmark?: boolean;
  /** Error code of a failed run. */
  code?: 'ERR_MEDIA_READ' | 'ERR_MEDIA_WRITE';
}

/** `bench: utime=0.054s stime=0.016s rtime=0.142s` → 142. */
export function parseBenchmarkMs(stderr: string): number | null {
  const m = /bench: utime=[\d.]+s stime=[\d.]+s rtime=([\d.]+)s/.exec(stderr);
  return m ? Number(m[1]) * 1000 : null;
}

/**
 * Runs ffmpeg with `args` (after `-hide_banner -nostats` and a log level: info, so stream descriptions
 * and `-benchmark` lines appear, or error). A non-zero exit becomes a CodecError with ffmpeg's last
 * stderr lines.
 */
export function ffmpegRun(args: readonly string[], options: FfmpegRunOptions = {}, logLevel: 'info' | 'error' = 'error'): Promise<FfmpegResult> {
  const bin = ffmpegPath();
  const level = options.benchmark ? 'info' : logLevel;
  const full = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', level, ...(options.benchmark ? ['-benchmark'] : []), ...args];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(bin, full, { stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new CodecError('ERR_FFMPEG_MISSING', `Could not start ffmpeg at ${bin}: ${e.message}`, { cause: e })));
    child.on('close', (status) => {
      const wallMs = performance.now() - t0;
      const stderr = Buffer.concat(err).toString('utf8');
      if (status === 0) {
        resolve({ stdout: Buffer.concat(out), stderr, wallMs, benchMs: options.benchmark ? parseBenchmarkMs(stderr) : null });
        return;
      }
      const message = stderr.trim().split('\n').filter((l) => !l.startsWith('bench:')).slice(-3).join(' / ');
      reject(new CodecError(options.code ?? 'ERR_MEDIA_READ', `ffmpeg failed (exit ${status}): ${message || 'no message'}`));
    });
    if (options.stdin && child.stdin) {
      child.stdin.on('error', () => { /* ffmpeg may close stdin early; its exit status tells */ });
      child.stdin.end(options.stdin);
    }
  });
}

let encoderList: Promise<string[]> | undefined;

/** The video encoders of the ffmpeg found (`ffmpeg -encoders`), e.g. ['libx264', 'libx265', ...]; cached. */
export function ffmpegVideoEncoders(): Promise<string[]> {
  encoderList ??= ffmpegRun(['-encoders'], {}, 'error').then((r) => parseEncoders(r.stdout.toString('utf8')));
  return encoderList;
}

/** Names of the video encoders in `ffmpeg -encoders` output (lines ` V....D libx264  ...`). */
export function parseEncoders(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*V[A-Z.]{5}\s+(\S+)\s/.exec(line);
    if (m && m[1] !== '=') names.push(m[1]!);
  }
  return names;
}

/** First line of `ffmpeg -version` without the "ffmpeg version" prefix, or 'unavailable'. */
export async function ffmpegVersion(): Promise<string> {
  try {
    const out = (await ffmpegRun(['-version'])).stdout.toString('utf8');
    return out.split('\n')[0]?.replace(/^ffmpeg version /, '').split(' ')[0] ?? 'unknown';
  } catch {
    return 'unavailable';
  }
}
