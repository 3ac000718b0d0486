/**
 * `ncodec bench image|audio [options]`: runs the RD benchmark, prints the Markdown report on stdout,
 * progress on stderr, and optionally writes the full JSON report and an SVG plot.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Device } from '../runtime/device.js';
import { DEFAULT_ANCHOR, DEFAULT_CODECS, recompare, runBench, type BenchOptions } from './bench.js';
import { DEFAULT_BITRATES } from './baselines/audio.js';
import { audioCurve, imageCurve, MEDIA_METRICS, publishedCurve } from './curves.js';
import { markdownReport } from './markdown.js';
import { progressReporter } from './progress.js';
import { UnknownCodecError } from './runners.js';
import { svgPlot } from './svg.js';
import type { BenchMedia, BenchReport } from './types.js';
import { UsageError, codecList, numberList } from './options.js';

export interface BenchIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Whether stderr is a terminal (progress bar) or not (progress lines). */
  isTTY: boolean;
}

export const BENCH_USAGE = `Usage: ncodec bench <image|audio> [options]

Rate–distortion benchmark: codes every item of a dataset with classic baselines and ncodec codecs
over a rate sweep, measures quality, and reports means, BD-rates and curves.

Options:
  --dataset <dir|file>     media to code (default: the package's fixtures/images or fixtures/audio)
  --limit <n>              only the first n items (sorted by name)
  --codecs <a,b,...>       image: jpeg, webp, avif and ncodec codec ids (default ${DEFAULT_CODECS.image.join(',')})
                           (codec@model benches one model of a family, e.g. hyperprior@msh-wf-cpu)
                           audio: opus, aac, mp3 and ncodec codec ids (default ${DEFAULT_CODECS.audio.join(',')});
                           codec:core decodes without the codec's post-filter (opuspf:core)
  --qualities <q,...>      quality sweep of the image baselines (1-100; default jpeg/webp 10..90,95,
                           avif 20..90) and the model levels used for ncodec codecs (default: all)
  --bitrates <kbps,...>    bitrate sweep of the audio baselines (default ${DEFAULT_BITRATES.join(',')})
  --anchor <codec>         BD-rate anchor (default ${DEFAULT_ANCHOR.image} / ${DEFAULT_ANCHOR.audio})
  --reference <dir|json>   published curves (CompressAI JSON format) to draw and compare; repeatable
  --json <file>            write the full report (every point, per-item results) as JSON
  --plot <file.svg>        write the RD curves as SVG
  --device <cpu|cuda|auto> where ncodec models run (default cpu)
  --max-steps <n>          fitting budget of codecs that fit at encode time (inr): most steps
  --max-seconds <s>        ... and most seconds per encode
  --mel <dac|torchaudio>   audio: mel filter bank of the mel distance: dac (librosa Slaney, as DAC's
                           loss; default) or torchaudio (HTK scale, unnormalised; TRAINING.md's figures)
  --no-stoi                audio: skip STOI
  --from <report.json>     measure nothing: re-render a saved --json report (Markdown, --plot), with
                           --reference / --anchor applied anew (written back out with --json)
  --lossless               the lossless benchmark instead (bpp, times, bit-exactness against PNG,
                           lossless WebP and JPEG XL): ncodec bench image --lossless --help
  -h, --help               show this help
`;

function positiveInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`Expected a positive integer for --${name} but received '${value}'`);
  return n;
}

function budgetOptions(steps: string | undefined, seconds: string | undefined): BenchOptions['encode'] {
  if (steps === undefined && seconds === undefined) return undefined;
  const maxSeconds = seconds === undefined ? undefined : Number(seconds);
  if (maxSeconds !== undefined && !(maxSeconds > 0)) throw new UsageError(`Expected a positive number of seconds for --max-seconds but received '${seconds}'`);
  return { maxSteps: positiveInteger(steps, 'max-steps'), maxSeconds };
}

function parse(argv: string[]): { media: BenchMedia | null; help: boolean; options: BenchOptions; json?: string; plot?: string; from?: string } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dataset: { type: 'string' },
      limit: { type: 'string' },
      codecs: { type: 'string' },
      qualities: { type: 'string' },
      bitrates: { type: 'string' },
      anchor: { type: 'string' },
      reference: { type: 'string', multiple: true },
      json: { type: 'string' },
      plot: { type: 'string' },
      device: { type: 'string' },
      'max-steps': { type: 'string' },
      'max-seconds': { type: 'string' },
      mel: { type: 'string' },
      'no-stoi': { type: 'boolean' },
      from: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { media: null, help: true, options: {} };
  const [media, ...extra] = positionals;
  if (media !== 'image' && media !== 'audio') {
    throw new UsageError(`Expected 'image' or 'audio' for the bench kind but received ${media === undefined ? 'nothing' : `'${media}'`}`);
  }
  if (extra.length) throw new UsageError(`Unexpected argument '${extra[0]}'`);
  if (values.device !== undefined && !['cpu', 'cuda', 'auto'].includes(values.device)) {
    throw new UsageError(`Expected cpu, cuda or auto for --device but received '${values.device}'`);
  }
  if (values.mel !== undefined && values.mel !== 'dac' && values.mel !== 'torchaudio') {
    throw new UsageError(`Expected dac or torchaudio for --mel but received '${values.mel}'`);
  }
  if (media === 'image' && values.bitrates !== undefined) throw new UsageError('--bitrates applies to audio; use --qualities for images');
  const codecs = codecList(values.codecs);
  return {
    media,
    help: false,
    json: values.json,
    plot: values.plot,
    from: values.from,
    options: {
      dataset: values.dataset,
      limit: positiveInteger(values.limit, 'limit'),
      codecs,
      qualities: numberList(values.qualities, 'qualities', true, 1, 100),
      bitrates: numberList(values.bitrates, 'bitrates', false, 0.5, 512),
      anchor: values.anchor,
      references: values.reference,
      open: values.device ? { device: values.device as Device } : undefined,
      encode: budgetOptions(values['max-steps'], values['max-seconds']),
      stoi: values['no-stoi'] ? false : undefined,
      mel: values.mel as 'dac' | 'torchaudio' | undefined,
    },
  };
}

/** The SVG plot of a report: measured curves solid, published ones dashed. */
export function reportPlot(report: BenchReport): string {
  const measured = report.media === 'image' ? report.codecs.map(imageCurve) : report.codecs.map(audioCurve);
  return svgPlot({
    title: `ncodec bench ${report.media}: ${path.basename(report.dataset)} (${report.items.length} item${report.items.length === 1 ? '' : 's'})`,
    rateLabel: report.media === 'image' ? 'bits per pixel (bpp)' : 'bitrate (kbps)',
    curves: [...measured, ...report.references.map(publishedCurve)],
    metrics: MEDIA_METRICS[report.media],
  });
}

async function writeOut(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, text);
}

/** A saved report of `media`, re-compared with the given references / anchor. */
async function reload(file: string, media: BenchMedia, options: BenchOptions, warn: (message: string) => void): Promise<BenchReport> {
  const report = JSON.parse(await readFile(file, 'utf8')) as BenchReport;
  if (report.format !== 'neural-codec-bench/1' || report.media !== media) {
    throw new Error(`${file} is not a saved 'ncodec bench ${media}' report (--json output)`);
  }
  return recompare(report, { references: options.references, anchor: options.anchor, onWarning: warn });
}

/**
 * Entry point of `ncodec bench image|audio`; `argv` is everything after `bench`. Returns the exit
 * code: 0 done, 1 failed (nothing could be measured, unreadable dataset), 2 usage error.
 */
export async function benchCommand(argv: string[], io: BenchIo): Promise<number> {
  let parsed;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.stderr.write(`ncodec bench: ${(err as Error).message}\n\n${BENCH_USAGE}`);
    return 2;
  }
  if (parsed.help || !parsed.media) {
    io.stdout.write(BENCH_USAGE);
    return 0;
  }
  const progress = progressReporter(io.stderr, io.isTTY);
  const warn = (message: string): void => {
    progress.finish();
    io.stderr.write(`ncodec bench: ${message}\n`);
  };
  let report: BenchReport;
  try {
    report = parsed.from ? await reload(parsed.from, parsed.media, parsed.options, warn) : await runBench(parsed.media, {
      ...parsed.options,
      onProgress: (p) => progress.update(p),
      onWarning: warn,
    });
  } catch (err) {
    progress.finish();
    if (err instanceof UnknownCodecError) {
      io.stderr.write(`ncodec bench: ${err.message}\n\n${BENCH_USAGE}`);
      return 2;
    }
    io.stderr.write(`ncodec bench: ${(err as Error).message}\n`);
    return 1;
  }
  progress.finish();
  if (report.codecs.length === 0) {
    io.stderr.write('ncodec bench: no codec could be run (see the skipped codecs above)\n');
    return 1;
  }
  io.stdout.write(markdownReport(report));
  if (parsed.json) await writeOut(parsed.json, `${JSON.stringify(report, null, 1)}\n`);
  if (parsed.plot) await writeOut(parsed.plot, reportPlot(report));
  io.stderr.write(`ncodec bench: ${parsed.from ? `re-rendered ${parsed.from}` : `done in ${(report.elapsedMs / 1000).toFixed(1)} s`}${parsed.json ? `, JSON in ${parsed.json}` : ''}${parsed.plot ? `, plot in ${parsed.plot}` : ''}\n`);
  return 0;
}
