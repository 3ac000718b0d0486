/**
 * The `ncodec` command. Every subcommand returns an exit code; any error becomes one line on stderr
 * (`ncodec: <message>`) and exit code 1 (2 for usage errors).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decode as decodeAny, listCodecs, openCodec } from '../codec/registry.js';
import type { DecodedMedia } from '../codec/types.js';
import { readContainer, readHeader } from '../container/format.js';
import { CodecError } from '../errors.js';
import { saveAudio } from '../media/audio.js';
import { saveImage } from '../media/image.js';
import type { Device } from '../runtime/device.js';
import { hex, listModels } from '../runtime/models.js';
import { runEntropyBench, formatEntropyBench } from '../bench/entropy.js';
import { benchCommand } from '../bench/command.js';
import { progressReporter } from './progress.js';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

class UsageError extends Error {}

const USAGE = `Usage: ncodec <command> [options]

Commands:
  encode <input> -o <out.ncd> --codec <id> [--quality N] [--bitrate KBPS] [--max-steps N] [--max-seconds S] [--model ID|DIR] [--device cpu|cuda|auto] [--threads N]
  decode <in.ncd> -o <out.png|out.wav|...> [--device cpu|cuda|auto] [--threads N]
  info <file.ncd> [--json]
  models [--json]
  bench entropy [--json] [--symbols N]
  bench image|audio [options]     (ncodec bench image --help)
`;

type OptionSpec = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;

function parse<T extends OptionSpec>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function integerOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} expects an integer, got '${String(value)}'`);
  return n;
}

function deviceOption(value: unknown): Device | undefined {
  if (value === undefined) return undefined;
  if (value !== 'cpu' && value !== 'cuda' && value !== 'auto') throw new UsageError(`--device expects cpu, cuda or auto, got '${String(value)}'`);
  return value;
}

async function readInput(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new CodecError('ERR_MEDIA_READ', `Could not read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const common = {
  output: { type: 'string', short: 'o' },
  device: { type: 'string' },
  threads: { type: 'string' },
} as const;

async function encodeCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...common, codec: { type: 'string', short: 'c' }, quality: { type: 'string', short: 'q' },
    bitrate: { type: 'string', short: 'b' }, model: { type: 'string', short: 'm' },
    'max-steps': { type: 'string' }, 'max-seconds': { type: 'string' },
  });
  const [input] = positionals;
  if (!input || positionals.length > 1) throw new UsageError('encode takes exactly one input file');
  if (typeof values.output !== 'string') throw new UsageError('encode needs -o <output file>');
  if (typeof values.codec !== 'string') throw new UsageError(`encode needs --codec <id> (one of: ${listCodecs().map((c) => c.id).join(', ')})`);
  const bitrate = values.bitrate === undefined ? undefined : Number(values.bitrate);
  if (bitrate !== undefined && !(bitrate > 0)) throw new UsageError(`--bitrate expects a positive number of kbps, got '${String(values.bitrate)}'`);
  const maxSeconds = values['max-seconds'] === undefined ? undefined : Number(values['max-seconds']);
  if (maxSeconds !== undefined && !(maxSeconds > 0)) throw new UsageError(`--max-seconds expects a positive number of seconds, got '${String(values['max-seconds'])}'`);
  const codec = await openCodec(values.codec, {
    model: values.model as string | undefined, device: deviceOption(values.device), threads: integerOption(values.threads, 'threads'),
  });
  const progress = progressReporter(io.stderr, 'encode');
  try {
    const started = performance.now();
    const bytes = await codec.encode(input, {
      quality: integerOption(values.quality, 'quality'), bitrateKbps: bitrate, onProgress: (p) => progress.update(p),
      maxSteps: integerOption(values['max-steps'], 'max-steps'), maxSeconds,
    });
    progress.done();
    await writeFile(values.output, bytes);
    io.stderr.write(`${path.basename(input)} → ${values.output}: ${bytes.length} bytes (${describeRate(bytes)}) in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
    return 0;
  } finally {
    progress.done();
    await codec.dispose();
  }
}

async function writeMedia(media: DecodedMedia, file: string): Promise<void> {
  if (media.kind === 'image') await saveImage(media, file);
  else await saveAudio(media, file);
}

async function decodeCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, common);
  const [input] = positionals;
  if (!input || positionals.length > 1) throw new UsageError('decode takes exactly one input file');
  if (typeof values.output !== 'string') throw new UsageError('decode needs -o <output file> (e.g. out.png or out.wav)');
  const bytes = await readInput(input);
  const started = performance.now();
  const media = await decodeAny(bytes, { device: deviceOption(values.device), threads: integerOption(values.threads, 'threads') });
  await writeMedia(media, values.output);
  const what = media.kind === 'image' ? `${media.width}×${media.height} image` : `${media.channels.length}-channel audio, ${((media.channels[0]?.length ?? 0) / media.sampleRate).toFixed(2)} s`;
  io.stderr.write(`${path.basename(input)} → ${values.output}: ${what} in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
  return 0;
}

/** Rate of a container in the units of its media: bits per pixel or kbps. */
function describeRate(bytes: Uint8Array): string {
  const { header } = readHeader(bytes);
  const { media } = header;
  if (media.kind === 'image') return `${((bytes.length * 8) / (media.width * media.height)).toFixed(4)} bpp`;
  const seconds = media.frames / media.sampleRate;
  return seconds > 0 ? `${((bytes.length * 8) / seconds / 1000).toFixed(2)} kbps` : 'empty';
}

async function infoCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } });
  const [input] = positionals;
  if (!input || positionals.length > 1) throw new UsageError('info takes exactly one file');
  const bytes = await readInput(input);
  const { header, sections } = readContainer(bytes);
  const info = {
    file: input,
    bytes: bytes.length,
    formatVersion: header.version,
    codec: header.codecId,
    model: header.modelId || null,
    modelHash: header.modelHash ? hex(header.modelHash) : null,
    media: header.media,
    rate: header.rate,
    rateMeasured: describeRate(bytes),
    sections: sections.map((s) => s.length),
  };
  if (values.json) {
    io.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
    return 0;
  }
  const m = header.media;
  const media = m.kind === 'image'
    ? `image ${m.width}×${m.height}, ${m.channels} channel(s), ${m.bitDepth}-bit`
    : `audio ${m.sampleRate} Hz, ${m.channels} channel(s), ${m.frames} frames (${(m.frames / m.sampleRate).toFixed(3)} s)`;
  const rate = header.rate.kind === 'quality' ? `quality ${header.rate.value}` : header.rate.kind === 'bitrate' ? `${header.rate.kbps} kbps` : 'none';
  io.stdout.write([
    `file:     ${input} (${bytes.length} bytes, ${info.rateMeasured})`,
    `format:   NCDC v${header.version}`,
    `codec:    ${header.codecId}`,
    `model:    ${header.modelId || '(none)'}${info.modelHash ? ` sha256 ${info.modelHash.slice(0, 16)}…` : ''}`,
    `media:    ${media}`,
    `rate:     ${rate}`,
    `sections: ${sections.length} (${sections.map((s) => s.length).join(', ') || 'none'} bytes)`,
  ].join('\n') + '\n');
  return 0;
}

async function modelsCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' } });
  const codecs = listCodecs();
  const models = listModels();
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ codecs, models }, null, 2)}\n`);
    return 0;
  }
  const lines = ['Codecs:'];
  for (const c of codecs) lines.push(`  ${c.id.padEnd(12)} ${c.media.join('+').padEnd(12)} ${c.description}`);
  lines.push('Models:');
  if (models.length === 0) lines.push('  (none installed)');
  for (const m of models) lines.push(`  ${m.family.padEnd(12)} ${m.id.padEnd(24)} ${m.dir}`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function benchDispatch(argv: string[], io: CliIo): Promise<number> {
  const [kind, ...rest] = argv;
  if (kind !== 'entropy') {
    if (kind === 'image' || kind === 'audio') return benchCommand(argv, { stdout: io.stdout, stderr: io.stderr, isTTY: io.stderr.isTTY === true });
    throw new UsageError('bench expects entropy, image or audio');
  }
  const { values } = parse(rest, { json: { type: 'boolean' }, symbols: { type: 'string' }, seed: { type: 'string' } });
  const result = await runEntropyBench({
    symbols: integerOption(values.symbols, 'symbols'), seed: integerOption(values.seed, 'seed'),
    onProgress: (message) => io.stderr.write(`${message}\n`),
  });
  io.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatEntropyBench(result)}\n`);
  return 0;
}

const COMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  encode: encodeCommand,
  decode: decodeCommand,
  info: infoCommand,
  models: modelsCommand,
  bench: benchDispatch,
};

/** Runs the CLI; resolves to the exit code and never rejects. */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  try {
    if (!run) throw new UsageError(`unknown command '${command}'`);
    return await run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`ncodec: ${err.message}\n${USAGE}`);
      return 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    const code = err instanceof CodecError ? ` [${err.code}]` : '';
    io.stderr.write(`ncodec: ${message.split('\n')[0]}${code}\n`);
    return 1;
  }
}
