/**
 * The `ncodec` command. Every subcommand returns an exit code; any error becomes one line on stderr
 * (`ncodec: <message>`) and exit code 1 (2 for usage errors).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_CODEC, decode as decodeAny, defaultCodecFor, listCodecs, openCodec } from '../api/registry.js';
import type { DecodedMedia } from '../api/types.js';
import { readContainer, readHeader } from '../container/format.js';
import { CodecError } from '../errors.js';
import { packageVersion } from '../package.js';
import type { Device } from '../runtime/device.js';
import { hex, listModels } from '../model/store.js';
import { progressReporter } from './progress.js';
import { VIDEO_OPTION_SPEC, decodeVideoFile, videoOptions } from './video.js';

// The bench and media writers are imported where they are used: a command loads only what it runs
// (see the cold-start notes in README.md).

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

class UsageError extends Error {}

const USAGE = `Usage: ncodec <command> [options]

Commands:
  encode <input> -o <out.ncd> [--codec ID] [--quality N] [--bitrate KBPS] [--model ID|DIR] ...
  decode <in.ncd> -o <out.png|out.wav|out.y4m|out.mp4|frame_%04d.png|...> [--device cpu|cuda|auto] [--threads N]
  info <file.ncd> [--json]
  models [--json]
  bench entropy [--json] [--symbols N]
  bench image|audio [options]
  bench image --lossless [--dataset <dir|file>] [--codecs lossless,lossless:med,png,webp-lossless,jxl] ...
  bench video --dataset <dir|file> [--codecs x264,x265,video] [--frames N] [--gop N] ...

ncodec <command> --help describes a command; ncodec --version prints the version.
`;

const DEVICE_HELP = `      --device DEVICE    where the networks run: cpu (default), cuda, or auto (CUDA when it loads)
      --threads N        ONNX Runtime intra-op threads (default: the number of cores)`;

/** Each command's --help. */
const HELP: Record<string, () => string> = {
  encode: () => `Usage: ncodec encode <input> -o <out.ncd> [options]

Encodes an image, audio or video file (any format sharp or ffmpeg reads; raw .yuv with --size and
--fps) into a container file. Without --codec, the default of the input's media: images \
${DEFAULT_CODEC.image.codec} (model ${DEFAULT_CODEC.image.model}), audio ${DEFAULT_CODEC.audio.codec} \
(model ${DEFAULT_CODEC.audio.model}), video ${DEFAULT_CODEC.video.codec} (model ${DEFAULT_CODEC.video.model}).

Options:
  -o, --output FILE      the container file to write (required)
  -c, --codec ID         ${listCodecs().map((c) => c.id).join(', ')} (ncodec models)
  -m, --model ID|DIR     a model id (models/<codec>/<id>) or a model folder; default: the codec's
                         (lossless: --model med is the model-free MED coder)
  -q, --quality N        integer rate level of the model
  -b, --bitrate KBPS     target bitrate, for audio codecs rated by bitrate (rvq, opuspf)
      --max-steps N      most fitting steps (inr)
      --max-seconds S    most seconds of fitting (inr)
  video (--codec video):
      --gop N            an I-frame every N frames (1 = all intra; default: the model's, 32)
      --frames N         code at most N frames
      --size WxH, --fps F  size and rate of a raw .yuv input (4:2:0, 8-bit)
      --audio KIND       soundtrack: none, copy, or an audio codec (opuspf, rvq, wavelet); default: ${DEFAULT_CODEC.audio.codec}
      --audio-quality N  the audio codec's quality level
      --inter MODE       motion (default: motion-compensated residual), learned (latent
                         inter network) or delta (the static-table baseline)
${DEVICE_HELP}
  -h, --help             this help
`,
  decode: () => `Usage: ncodec decode <in.ncd> -o <out> [options]

Decodes a container file with the codec and model its header names. The output format follows the
extension: .png, .jpg, .webp, .avif, .tiff for images; .wav, .flac, .mp3, ... for audio; .y4m, .yuv,
.mp4 (lossless H.264), .mkv (FFV1) or a frame pattern such as frame_%04d.png for video (the soundtrack
is muxed into .mp4/.mkv). Video decodes frame by frame; from a damaged file, every frame before the
damage is written before the error.

Options:
  -o, --output FILE      the image, audio or video file to write (required)
${DEVICE_HELP}
  -h, --help             this help
`,
  info: () => `Usage: ncodec info <file.ncd> [--json]

Prints what a container file holds: codec, model and its hash, media, rate and sections.

Options:
      --json             print JSON
  -h, --help             this help
`,
  models: () => `Usage: ncodec models [--json]

Lists the registered codecs and the installed models (the package's models/ folder and the folders
in NCODEC_MODELS).

Options:
      --json             print JSON
  -h, --help             this help
`,
  bench: () => `Usage: ncodec bench entropy [--json] [--symbols N] [--seed N]
       ncodec bench image|audio [options]     (ncodec bench image --help)
       ncodec bench image --lossless [options]     (ncodec bench image --lossless --help)
       ncodec bench video --dataset <dir|file> [options]     (ncodec bench video --help)

bench entropy measures the entropy coders' throughput and overhead; bench image|audio|video
measures rate-distortion curves against classic codecs (docs/BENCHMARKS.md); bench image --lossless
measures lossless bpp and speed against PNG, lossless WebP and JPEG XL, checking every decode.
`,
};

/** A command's --help (or -h) before any `--`. */
function wantsHelp(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

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
    'max-steps': { type: 'string' }, 'max-seconds': { type: 'string' }, ...VIDEO_OPTION_SPEC,
  });
  const [input] = positionals;
  if (!input || positionals.length > 1) throw new UsageError('encode takes exactly one input file');
  if (typeof values.output !== 'string') throw new UsageError('encode needs -o <output file>');
  const bitrate = values.bitrate === undefined ? undefined : Number(values.bitrate);
  if (bitrate !== undefined && !(bitrate > 0)) throw new UsageError(`--bitrate expects a positive number of kbps, got '${String(values.bitrate)}'`);
  const maxSeconds = values['max-seconds'] === undefined ? undefined : Number(values['max-seconds']);
  if (maxSeconds !== undefined && !(maxSeconds > 0)) throw new UsageError(`--max-seconds expects a positive number of seconds, got '${String(values['max-seconds'])}'`);
  const chosen = typeof values.codec === 'string' ? { codec: values.codec, model: undefined } : await defaultCodecFor(input);
  const codec = await openCodec(chosen.codec, {
    model: (values.model as string | undefined) ?? chosen.model, device: deviceOption(values.device), threads: integerOption(values.threads, 'threads'),
  });
  const progress = progressReporter(io.stderr);
  try {
    const video = videoOptions(values, (message) => new UsageError(message));
    if (video && !codec.info.media.includes('video')) {
      throw new UsageError(`--${Object.keys(video)[0]} is a video option, and '${codec.id}' does not code video (use --codec video)`);
    }
    const started = performance.now();
    const bytes = await codec.encode(input, {
      quality: integerOption(values.quality, 'quality'), bitrateKbps: bitrate, onProgress: (p) => progress.update(p),
      maxSteps: integerOption(values['max-steps'], 'max-steps'), maxSeconds, ...video,
    } as Parameters<typeof codec.encode>[1]);
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
  if (media.kind === 'image') await (await import('../media/image.js')).saveImage(media, file);
  else if (media.kind === 'video') throw new UsageError('video streams are decoded by decodeVideoFile');
  else await (await import('../media/audio.js')).saveAudio(media, file);
}

async function decodeCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, common);
  const [input] = positionals;
  if (!input || positionals.length > 1) throw new UsageError('decode takes exactly one input file');
  if (typeof values.output !== 'string') throw new UsageError('decode needs -o <output file> (e.g. out.png or out.wav)');
  const bytes = await readInput(input);
  const started = performance.now();
  const { header } = readHeader(bytes);
  if (header.media.kind === 'video') {
    const openOptions = { device: deviceOption(values.device), threads: integerOption(values.threads, 'threads') };
    const frames = await decodeVideoFile(bytes, header, values.output, openOptions, (line) => io.stderr.write(`note: ${line}\n`));
    io.stderr.write(`${path.basename(input)} → ${values.output}: ${header.media.width}×${header.media.height} video, ${frames} frames in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
    return 0;
  }
  const media = await decodeAny(bytes, { device: deviceOption(values.device), threads: integerOption(values.threads, 'threads') });
  await writeMedia(media, values.output);
  const what = media.kind === 'image' ? `${media.width}×${media.height} image`
    : media.kind === 'video' ? `${media.format.width}×${media.format.height} video, ${media.frames.length} frames` : `${media.channels.length}-channel audio, ${((media.channels[0]?.length ?? 0) / media.sampleRate).toFixed(2)} s`;
  io.stderr.write(`${path.basename(input)} → ${values.output}: ${what} in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
  return 0;
}

/** Rate of a container in the units of its media: bits per pixel or kbps. */
function describeRate(bytes: Uint8Array): string {
  const { header } = readHeader(bytes);
  const { media } = header;
  if (media.kind === 'image') return `${((bytes.length * 8) / (media.width * media.height)).toFixed(4)} bpp`;
  if (media.kind === 'video') {
    const seconds = (media.frames * media.fpsDen) / media.fpsNum;
    return `${((bytes.length * 8) / (media.width * media.height * Math.max(1, media.frames))).toFixed(4)} bpp, ${seconds > 0 ? ((bytes.length * 8) / seconds / 1000).toFixed(1) : '?'} kbps`;
  }
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
    : m.kind === 'video'
      ? `video ${m.width}×${m.height}, ${m.frames} frames at ${m.fpsNum}/${m.fpsDen} fps, ${m.matrix} ${m.range} range`
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
    if (kind === 'image' && rest.includes('--lossless')) {
      const { losslessBenchCommand } = await import('../bench/lossless/command.js');
      return losslessBenchCommand(rest.filter((a) => a !== '--lossless'), { stdout: io.stdout, stderr: io.stderr, isTTY: io.stderr.isTTY === true });
    }
    if (kind === 'image' || kind === 'audio') {
      const { benchCommand } = await import('../bench/command.js');
      return benchCommand(argv, { stdout: io.stdout, stderr: io.stderr, isTTY: io.stderr.isTTY === true });
    }
    if (kind === 'video') {
      const { videoBenchCommand } = await import('../bench/video/command.js');
      return videoBenchCommand(rest, { stdout: io.stdout, stderr: io.stderr, isTTY: io.stderr.isTTY === true });
    }
    if (kind === undefined || wantsHelp(argv)) return showHelp('bench', io);
    throw new UsageError('bench expects entropy, image, audio or video');
  }
  if (wantsHelp(rest)) return showHelp('bench', io);
  const { values } = parse(rest, { json: { type: 'boolean' }, symbols: { type: 'string' }, seed: { type: 'string' } });
  const { runEntropyBench, formatEntropyBench } = await import('../bench/entropy.js');
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

function showHelp(command: string, io: CliIo): number {
  io.stdout.write(HELP[command]?.() ?? USAGE);
  return 0;
}

/** Runs the CLI; resolves to the exit code and never rejects. */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v') {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const run = COMMANDS[command];
  try {
    if (!run) throw new UsageError(`unknown command '${command}'`);
    if (command !== 'bench' && wantsHelp(rest)) return showHelp(command, io);
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
