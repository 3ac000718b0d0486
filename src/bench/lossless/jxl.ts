/**
 * JPEG XL lossless through libjxl's command-line tools (Debian's `libjxl-tools`): the image is written
 * as a PPM into a temporary folder, `cjxl in.ppm out.jxl -d 0 -e <effort> --num_threads=<n>` codes it
 * (distance 0 = mathematically lossless, modular mode), `djxl in.jxl out.ppm --num_threads=<n>`
 * decodes it. Each is timed as a process, spawn to exit: its start-up is included, the writing of
 * its input file and the reading of its output are not; the tool's own speed line (`W x H, X MP/s`)
 * is kept beside it as `toolMs`. Without cjxl or djxl on the PATH the codec is skipped, saying how to install them.
 *
 * Threads: both tools take `--num_threads`; with n ≥ 1 they run a pool of n workers (cjxl 0.7 reads 0
 * as "no pool", djxl 0.7 as "the machine's default", so 0 is never passed).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CodecError } from '../../errors.js';
import { onPath } from '../../media/ffmpeg.js';
import { SkipCodecError } from '../runners.js';
import { readPpm, writePpm } from './ppm.js';
import type { LosslessRunner } from './runners.js';

export const JXL_ID = 'jxl';
export const DEFAULT_JXL_EFFORT = 7;

interface ToolRun {
  stderr: string;
  /** Spawn to exit, ms. */
  wallMs: number;
}

/** Runs `bin args`; a non-zero exit becomes a CodecError with `code` and the tool's last stderr lines. */
function runTool(bin: string, args: readonly string[], code: 'ERR_MEDIA_READ' | 'ERR_MEDIA_WRITE'): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const err: Buffer[] = [];
    child.stdout!.resume();
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new CodecError(code, `Could not start ${bin}: ${e.message}`, { cause: e })));
    child.on('close', (status) => {
      const wallMs = performance.now() - t0;
      const stderr = Buffer.concat(err).toString('utf8');
      if (status === 0) return resolve({ stderr, wallMs });
      reject(new CodecError(code, `${path.basename(bin)} failed (exit ${status}): ${stderr.trim().split('\n').slice(-3).join(' / ') || 'no message'}`));
    });
  });
}

/** The tool's own time from its speed line (`768 x 512, 0.37 MP/s [0.37, 0.37], 1 reps, 1 threads.`), ms; null without one. */
export function toolMsFromLog(stderr: string): number | null {
  const m = /(\d+) x (\d+), ([\d.]+) MP\/s/.exec(stderr);
  if (!m || !(Number(m[3]) > 0)) return null;
  return (Number(m[1]) * Number(m[2])) / (Number(m[3]) * 1e6) * 1000;
}

/** `cjxl v0.7.0 [AVX3,...]` → `v0.7.0`. */
async function toolVersion(bin: string): Promise<string> {
  try {
    const child = spawn(bin, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => out.push(b));
    await new Promise((resolve) => child.on('close', resolve).on('error', resolve));
    return /v\d+\.\d+(\.\d+)?/.exec(Buffer.concat(out).toString('utf8'))?.[0] ?? 'unknown version';
  } catch {
    return 'unknown version';
  }
}

/** The paths of cjxl and djxl, or a SkipCodecError saying how to get them. */
function findTools(): { cjxl: string; djxl: string } {
  const cjxl = onPath('cjxl');
  const djxl = onPath('djxl');
  if (!cjxl || !djxl) {
    const missing = [!cjxl && 'cjxl', !djxl && 'djxl'].filter(Boolean).join(' and ');
    throw new SkipCodecError(JXL_ID, `${missing} not on the PATH: install libjxl's tools (Debian/Ubuntu: apt-get install libjxl-tools) to measure JPEG XL`);
  }
  return { cjxl, djxl };
}

/** A JPEG XL runner at `effort` (1–9) with `threads` worker threads; throws SkipCodecError without the tools. */
export async function jxlRunner(effort: number, threads: number): Promise<LosslessRunner> {
  const tools = findTools();
  const version = await toolVersion(tools.cjxl);
  const dir = await mkdtemp(path.join(tmpdir(), 'ncodec-jxl-'));
  const file = (name: string): string => path.join(dir, name);
  const threadFlag = `--num_threads=${threads}`;
  return {
    id: JXL_ID,
    source: 'baseline',
    description: `cjxl ${version} \`-d 0 -e ${effort} ${threadFlag}\`, decoded by \`djxl ${threadFlag}\`, PPM in and out; ` +
      'times: the cjxl / djxl processes, spawn to exit (start-up included, temp-file writing and reading not)',
    async encode(image) {
      await writeFile(file('in.ppm'), writePpm(image));
      await rm(file('out.jxl'), { force: true });
      const run = await runTool(tools.cjxl, [file('in.ppm'), file('out.jxl'), '-d', '0', '-e', String(effort), threadFlag], 'ERR_MEDIA_WRITE');
      return { value: new Uint8Array(await readFile(file('out.jxl'))), ms: run.wallMs, toolMs: toolMsFromLog(run.stderr) };
    },
    async decode(bytes) {
      await writeFile(file('in.jxl'), bytes);
      await rm(file('out.ppm'), { force: true });
      const run = await runTool(tools.djxl, [file('in.jxl'), file('out.ppm'), threadFlag], 'ERR_MEDIA_READ');
      return { value: readPpm(new Uint8Array(await readFile(file('out.ppm')))), ms: run.wallMs, toolMs: toolMsFromLog(run.stderr) };
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
