/**
 * `ncodec bench image --lossless [options]`: runs the lossless benchmark, prints the Markdown report
 * on stdout and progress on stderr, and with `--out <dir>` writes lossless-bench.json (every per-image
 * figure) and lossless-bench.md there. The exit code is 1 when any decode was not bit-exact or any
 * image could not be coded: a lossless failure is never just a row.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchIo } from '../command.js';
import { UsageError, codecList, integerOption } from '../options.js';
import { progressReporter } from '../progress.js';
import { UnknownCodecError } from '../runners.js';
import { DEFAULT_LOSSLESS_CODECS, DEFAULT_LOSSLESS_THREADS, runLosslessBench, type LosslessBenchOptions } from './bench.js';
import { DEFAULT_JXL_EFFORT } from './jxl.js';
import { losslessMarkdownReport } from './markdown.js';
import type { LosslessBenchReport } from './types.js';

export const LOSSLESS_BENCH_USAGE = `Usage: ncodec bench image --lossless [options]

Lossless benchmark: codes every image of a dataset with ncodec's lossless codec and classic lossless
formats, checks that every decode gives back the source pixels exactly, and reports bpp (total bits
/ total pixels) and encode and decode times per image.

Options:
  --dataset <dir|file>     images to code (default: the package's fixtures/images)
  --limit <n>              only the first n images (sorted by name)
  --codecs <a,b,...>       lossless (learned model), lossless:med (MED mode), lossless@<model>, png,
                           webp-lossless, jxl (cjxl/djxl, skipped when not installed) and other
                           ncodec image codecs (default ${DEFAULT_LOSSLESS_CODECS.join(',')})
  --jxl-effort <1-9>       cjxl -e (default ${DEFAULT_JXL_EFFORT})
  --threads <n>            threads of every codec: ncodec codecs, cjxl/djxl, libvips (default ${DEFAULT_LOSSLESS_THREADS})
  --per-image              a table row per image and codec besides the summary rows
  --out <dir>              write lossless-bench.json and lossless-bench.md there
  -h, --help               show this help
`;

interface Parsed {
  help: boolean;
  out?: string;
  perImage?: boolean;
  options?: LosslessBenchOptions;
}

function parse(argv: string[]): Parsed {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        dataset: { type: 'string' },
        limit: { type: 'string' },
        codecs: { type: 'string' },
        'jxl-effort': { type: 'string' },
        threads: { type: 'string' },
        'per-image': { type: 'boolean' },
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
  const codecs = codecList(values.codecs);
  return {
    help: false,
    out: values.out,
    perImage: values['per-image'] ?? false,
    options: {
      dataset: values.dataset,
      limit: integerOption(values.limit, 'limit', 1, 1_000_000),
      codecs,
      jxlEffort: integerOption(values['jxl-effort'], 'jxl-effort', 1, 9),
      threads: integerOption(values.threads, 'threads', 1, 256),
    },
  };
}

/** Writes the report's JSON and Markdown into `dir`; returns the files written. */
export async function writeLosslessReport(report: LosslessBenchReport, dir: string, markdown: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: Array<[string, string]> = [
    ['lossless-bench.json', `${JSON.stringify(report, null, 1)}\n`],
    ['lossless-bench.md', markdown],
  ];
  for (const [name, text] of files) await writeFile(path.join(dir, name), text);
  return files.map(([name]) => path.join(dir, name));
}

/** Images not coded bit-exactly, over all codecs. */
function failureCount(report: LosslessBenchReport): number {
  return report.codecs.reduce((n, c) => n + c.summary.images - c.summary.exact, 0);
}

/**
 * Entry point of `ncodec bench image --lossless`; `argv` is everything after `image` without the
 * `--lossless` flag. Returns the exit code: 0 every decode exact, 1 a failure (a decode not exact, an
 * image not coded, nothing could run, an unreadable dataset), 2 usage error.
 */
export async function losslessBenchCommand(argv: string[], io: BenchIo): Promise<number> {
  const name = 'ncodec bench image --lossless';
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.stderr.write(`${name}: ${(err as Error).message}\n\n${LOSSLESS_BENCH_USAGE}`);
    return 2;
  }
  if (parsed.help || !parsed.options) {
    io.stdout.write(LOSSLESS_BENCH_USAGE);
    return 0;
  }
  const progress = progressReporter(io.stderr, io.isTTY);
  const warn = (message: string): void => {
    progress.finish();
    io.stderr.write(`${name}: ${message}\n`);
  };
  let report: LosslessBenchReport;
  try {
    report = await runLosslessBench({ ...parsed.options, onProgress: (p) => progress.update(p), onWarning: warn });
  } catch (err) {
    progress.finish();
    io.stderr.write(`${name}: ${(err as Error).message}\n${err instanceof UnknownCodecError ? `\n${LOSSLESS_BENCH_USAGE}` : ''}`);
    return err instanceof UnknownCodecError ? 2 : 1;
  }
  progress.finish();
  if (report.codecs.length === 0) {
    io.stderr.write(`${name}: no codec could be run (see the skipped codecs above)\n`);
    return 1;
  }
  const markdown = losslessMarkdownReport(report, { perImage: parsed.perImage });
  io.stdout.write(markdown);
  const written = parsed.out ? await writeLosslessReport(report, parsed.out, markdown) : [];
  const failures = failureCount(report);
  io.stderr.write(`${name}: done in ${(report.elapsedMs / 1000).toFixed(1)} s${written.length ? `, wrote ${written.join(', ')}` : ''}\n`);
  if (failures > 0) {
    io.stderr.write(`${name}: ${failures} decode${failures === 1 ? ' was' : 's were'} not bit-exact or failed (see Failures in the report)\n`);
    return 1;
  }
  return 0;
}
