/**
 * ffmpeg runs for the video benchmark: `spawnFfmpeg` (src/media/ffmpeg.ts) with `-benchmark`
 * timings read back from stderr. The binary is
 * the one `ffmpegPath()` finds (NCODEC_FFMPEG, PATH, the npm package).
 */
import { spawnFfmpeg, type FfmpegOutput } from '../../media/ffmpeg.js';

export interface FfmpegResult extends FfmpegOutput {
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
 * Runs ffmpeg with `args` through `spawnFfmpeg` (src/media/ffmpeg.ts), at log level info when
 * `-benchmark` timings are asked for (or `logLevel`), reading the timing back.
 */
export async function ffmpegRun(args: readonly string[], options: FfmpegRunOptions = {}, logLevel: 'info' | 'error' = 'error'): Promise<FfmpegResult> {
  const run = await spawnFfmpeg([...(options.benchmark ? ['-benchmark'] : []), ...args], {
    stdin: options.stdin, code: options.code, logLevel: options.benchmark ? 'info' : logLevel,
  });
  return { ...run, benchMs: options.benchmark ? parseBenchmarkMs(run.stderr) : null };
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
