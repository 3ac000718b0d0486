/**
 * `ncodec bench video [options]`: runs the video RD benchmark, prints the Markdown report on stdout
 * and progress on stderr, and with `--out <dir>` writes the JSON report, the Markdown and one SVG
 * plot per clip there.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Device } from '../../runtime/device.js';
import { DEFAULT_BASELINE_THREADS, DEFAULT_CRF } from '../baselines/video.js';
import type { BenchIo } from '../command.js';
import { progressReporter } from '../progress.js';
import { UnknownCodecError } from '../runners.js';
import { DEFAULT_GOP, DEFAULT_VIDEO_ANCHOR, DEFAULT_VIDEO_CODECS, runVideoBench, type VideoBenchOptions } from './bench.js';
import { parseFps, parseSize } from './dataset.js';
import { videoMarkdownReport } from './markdown.js';
import { plotFileName, videoClipPlot } from './plot.js';
import type { VideoBenchReport } from './types.js';
import { UsageError, codecList, integerOption, numberList } from '../options.js';

export const VIDEO_BENCH_USAGE = `Usage: ncodec bench video --dataset <dir|file> [options]

Rate–distortion benchmark of video codecs: codes the first N frames of every clip with x264 and
x265 (through ffmpeg, low delay) and ncodec video codecs over a rate sweep, and reports bpp,
PSNR-YUV (6Y+U+V)/8, PSNR-RGB, encode and decode fps, and BD-rates against x264.

Options:
  --dataset <dir|file>     video file, or folder of them (.y4m .mp4 .mkv .webm .avi .mov, raw .yuv
                           I420 with the size in the name, e.g. foreman_176x144_i420.yuv)
  --codecs <a,b,...>       x264, x265 and ncodec video codecs (video, video@<model>)
                           (default ${DEFAULT_VIDEO_CODECS.join(',')})
  --frames <n>             code the first n frames of each clip (default: all)
  --gop <n>                intra period of every codec: keyint of x264/x265, GOP of ncodec
                           (default ${DEFAULT_GOP}; 1 = intra only)
  --qualities <q,...>      model levels of ncodec codecs (default: all of the model's)
  --crf-x264 <c,...>       x264 CRF sweep (default ${DEFAULT_CRF.x264.join(',')})
  --crf-x265 <c,...>       x265 CRF sweep (default ${DEFAULT_CRF.x265.join(',')})
  --baseline-threads <n>   threads of the x264/x265 encoders and ffmpeg's decoder (default
                           ${DEFAULT_BASELINE_THREADS}; 0 = their own choice)
  --keep-sei               count the SEI NAL units of x264/x265 streams (encoder version and
                           options text; removed by default)
  --anchor <codec>         BD-rate anchor (default ${DEFAULT_VIDEO_ANCHOR})
  --size <WxH>             frame size of raw .yuv files (default: from the file name)
  --fps <rate>             frame rate of raw .yuv files (30, 29.97, 30000/1001; default 30)
  --limit <n>              only the first n files of a folder (sorted by name)
  --device <cpu|cuda|auto> where ncodec models run (default cpu)
  --out <dir>              write video-bench.json, video-bench.md and <clip>.svg there
  -h, --help               show this help
`;

interface Parsed {
  help: boolean;
  out?: string;
  options?: VideoBenchOptions;
}

function parse(argv: string[]): Parsed {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        dataset: { type: 'string' },
        codecs: { type: 'string' },
        frames: { type: 'string' },
        gop: { type: 'string' },
        qualities: { type: 'string' },
        'crf-x264': { type: 'string' },
        'crf-x265': { type: 'string' },
        'baseline-threads': { type: 'string' },
        'keep-sei': { type: 'boolean' },
        anchor: { type: 'string' },
        size: { type: 'string' },
        fps: { type: 'string' },
        limit: { type: 'string' },
        device: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (positionals.length) throw new UsageError(`Unexpected argument '${positionals[0]}'`);
  if (values.dataset === undefined) throw new UsageError('Expected a video file or folder for --dataset but received nothing');
  if (values.device !== undefined && !['cpu', 'cuda', 'auto'].includes(values.device)) {
    throw new UsageError(`Expected cpu, cuda or auto for --device but received '${values.device}'`);
  }
  const size = values.size === undefined ? undefined : parseSize(values.size);
  if (values.size !== undefined && !size) throw new UsageError(`Expected WxH (e.g. 176x144) for --size but received '${values.size}'`);
  const fps = values.fps === undefined ? undefined : parseFps(values.fps);
  if (values.fps !== undefined && !fps) throw new UsageError(`Expected a positive rate (30, 29.97 or 30000/1001) for --fps but received '${values.fps}'`);
  const codecs = codecList(values.codecs);
  const crf264 = numberList(values['crf-x264'], 'crf-x264', false, 0, 51);
  const crf265 = numberList(values['crf-x265'], 'crf-x265', false, 0, 51);
  return {
    help: false,
    out: values.out,
    options: {
      dataset: values.dataset,
      codecs,
      frames: integerOption(values.frames, 'frames', 1, 1_000_000),
      gop: integerOption(values.gop, 'gop', 1, 100_000),
      qualities: numberList(values.qualities, 'qualities', true, 1, 100),
      crf: { ...(crf264 ? { x264: crf264 } : {}), ...(crf265 ? { x265: crf265 } : {}) },
      baselineThreads: integerOption(values['baseline-threads'], 'baseline-threads', 0, 256),
      keepSei: values['keep-sei'] ?? false,
      anchor: values.anchor,
      size, fps,
      limit: integerOption(values.limit, 'limit', 1, 1_000_000),
      open: values.device ? { device: values.device as Device } : undefined,
    },
  };
}

/** Writes the report's JSON, Markdown and per-clip SVGs into `dir`; returns the files written. */
export async function writeVideoReport(report: VideoBenchReport, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: Array<[string, string]> = [
    ['video-bench.json', `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1)}\n`],
    ['video-bench.md', videoMarkdownReport(report)],
    ...report.clips.map((c): [string, string] => [plotFileName(c), videoClipPlot(report, c)]),
  ];
  for (const [name, text] of files) await writeFile(path.join(dir, name), text);
  return files.map(([name]) => path.join(dir, name));
}

/**
 * Entry point of `ncodec bench video`; `argv` is everything after `video`. Returns the exit code:
 * 0 done, 1 failed (nothing could be measured, unreadable dataset), 2 usage error.
 */
export async function videoBenchCommand(argv: string[], io: BenchIo): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.stderr.write(`ncodec bench video: ${(err as Error).message}\n\n${VIDEO_BENCH_USAGE}`);
    return 2;
  }
  if (parsed.help || !parsed.options) {
    io.stdout.write(VIDEO_BENCH_USAGE);
    return 0;
  }
  const progress = progressReporter(io.stderr, io.isTTY);
  const warn = (message: string): void => {
    progress.finish();
    io.stderr.write(`ncodec bench video: ${message}\n`);
  };
  let report: VideoBenchReport;
  try {
    report = await runVideoBench({ ...parsed.options, onProgress: (p) => progress.update(p), onWarning: warn });
  } catch (err) {
    progress.finish();
    if (err instanceof UnknownCodecError) {
      io.stderr.write(`ncodec bench video: ${err.message}\n\n${VIDEO_BENCH_USAGE}`);
      return 2;
    }
    io.stderr.write(`ncodec bench video: ${(err as Error).message}\n`);
    return 1;
  }
  progress.finish();
  if (report.codecs.length === 0) {
    io.stderr.write('ncodec bench video: no codec could be run (see the skipped codecs above)\n');
    return 1;
  }
  io.stdout.write(videoMarkdownReport(report));
  const written = parsed.out ? await writeVideoReport(report, parsed.out) : [];
  io.stderr.write(`ncodec bench video: done in ${(report.elapsedMs / 1000).toFixed(1)} s${written.length ? `, wrote ${written.join(', ')}` : ''}\n`);
  return 0;
}
