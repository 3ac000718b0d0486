/**
 * Writing video frame by frame ({@link openVideoWriter}); what is written is chosen by the path:
 *
 * - `.y4m`: written here — header `C420jpeg` (centre-sited 4:2:0, as src/media/yuv.ts makes it) and
 *   the colour tags where the colour is not the default (src/media/y4m.ts).
 * - `.yuv`: the bare planes, frame after frame.
 * - `.mp4`: H.264 lossless through ffmpeg (libx264 `-qp 0`): yuv420p, or — since H.264 4:2:0 cannot
 *   code an odd width or height — yuv444p with each chroma sample repeated over its 2×2 block, which
 *   src/media/video.ts averages back exactly. The soundtrack becomes AAC, or is copied.
 * - `.mkv`: FFV1 (lossless, any size) through ffmpeg; the soundtrack becomes FLAC, or is copied.
 * - a pattern with `%d` / `%04d` ending `.png` (`frame_%04d.png`): one 8-bit RGB PNG per frame,
 *   numbered from 1 as ffmpeg's image2 numbers them, converted by `yuvToRgbPlanar`.
 *
 * mp4 and mkv are tagged with the colour (`-colorspace bt709|smpte170m`, `-color_range tv|pc`).
 * `write` waits while the file or ffmpeg's pipe is full; ffmpeg's failures surface as
 * ERR_MEDIA_WRITE carrying the tail of its stderr.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import nodePath from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { CodecError } from '../errors.js';
import { checkInteger, invalidRange, invalidType } from '../validate.js';
import { ffmpegPath } from './ffmpeg.js';
import { stderrTail } from './ffmpeg-info.js';
import { encodePng } from './png.js';
import type { VideoFormat, YuvFrame } from './types.js';
import { formatY4mHeader } from './y4m.js';
import { checkFrame, chromaTo444, frameToBytes, yuvToRgbPlanar } from './yuv.js';

/**
 * A soundtrack to mux into an mp4 or mkv: an audio file to encode (`wavPath`: WAV or anything ffmpeg
 * reads; AAC in mp4, FLAC in mkv), or a coded stream to copy unchanged (`copyFile`, as
 * `copyAudioStream` gives it; `format` is its ffmpeg container name when the file's name does not say).
 */
export type VideoWriterAudio = { wavPath: string } | { copyFile: string; format?: string };

export interface VideoWriterOptions {
  audio?: VideoWriterAudio;
}

/** A video being written: `write` each frame (awaiting it), then `close`. */
export interface VideoWriter {
  readonly path: string;
  readonly format: VideoFormat;
  readonly framesWritten: number;
  /** Appends a frame of the writer's size; resolves when the file or pipe can take more. */
  write(frame: YuvFrame): Promise<void>;
  /** Finishes the file (and waits for ffmpeg); a second call does nothing. */
  close(): Promise<void>;
}

/** The outputs {@link openVideoWriter} knows, for messages and `--help`. */
export const VIDEO_OUTPUTS = '.y4m, .yuv, .mp4, .mkv, or a PNG frame pattern such as frame_%04d.png';

const PATTERN = /%0?(\d*)d/;

/** Where bytes go (a file, ffmpeg's stdin): `write` honours backpressure, `end` flushes and reports failure. */
interface ByteSink {
  write(chunks: readonly Uint8Array[]): Promise<void>;
  end(): Promise<void>;
}

/** One output kind: how a frame is written and the file finished. */
interface FrameSink {
  write(frame: YuvFrame, index: number): Promise<void>;
  end(): Promise<void>;
}

function writeError(file: string, err: unknown): CodecError {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new CodecError('ERR_MEDIA_WRITE', `Could not write ${file}: ${code}.`, { cause: err });
}

/** Waits for 'drain' (or an error or close, which the caller then reports). */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done).off('error', done).off('close', done);
      resolve();
    };
    stream.on('drain', done).on('error', done).on('close', done);
  });
}

function fileSink(file: string): ByteSink {
  const stream = createWriteStream(file);
  let failure: CodecError | null = null;
  stream.on('error', (err) => { failure ??= writeError(file, err); });
  return {
    async write(chunks) {
      if (failure) throw failure;
      let room = true;
      for (const chunk of chunks) room = stream.write(chunk);
      if (!room) await drained(stream);
      if (failure) throw failure;
    },
    async end() {
      stream.end();
      try {
        await finished(stream);
      } catch (err) {
        throw failure ?? writeError(file, err);
      }
      if (failure) throw failure;
    },
  };
}

function ffmpegSink(file: string, args: readonly string[]): ByteSink {
  const child = spawn(ffmpegPath(), ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => { stderr = (stderr + b.toString('utf8')).slice(-65_536); });
  let exited = false;
  const exit = new Promise<number | Error | null>((resolve) => {
    child.on('error', (e) => resolve(e));
    child.on('close', (status) => resolve(status));
  }).finally(() => { exited = true; });
  const stdin = child.stdin!;
  stdin.on('error', () => { /* EPIPE when ffmpeg stops early: its exit status and stderr tell why */ });
  const failure = async (early: boolean): Promise<CodecError | null> => {
    const status = await exit;
    if (status instanceof Error) return new CodecError('ERR_FFMPEG_MISSING', `Could not start ffmpeg at ${ffmpegPath()}: ${status.message}`, { cause: status });
    if (status !== 0) return new CodecError('ERR_MEDIA_WRITE', `ffmpeg failed writing ${file} (exit ${status}): ${stderrTail(stderr)}`);
    return early ? new CodecError('ERR_MEDIA_WRITE', `ffmpeg stopped before all frames of ${file} were written: ${stderrTail(stderr)}`) : null;
  };
  return {
    async write(chunks) {
      if (exited) throw (await failure(true))!;
      let room = true;
      for (const chunk of chunks) room = stdin.write(chunk);
      if (!room) await Promise.race([drained(stdin), exit]);
      if (exited) throw (await failure(true))!;
    },
    async end() {
      stdin.end();
      const error = await failure(false);
      if (error) throw error;
    },
  };
}

/** A y4m (`header` given) or raw .yuv file; a y4m without frames still gets its header. */
function planeSink(file: string, header: Uint8Array | null): FrameSink {
  const out = fileSink(file);
  const frameHeader = Buffer.from('FRAME\n', 'latin1');
  let started = false;
  const start = (): Uint8Array[] => {
    const parts = header && !started ? [header] : [];
    started = true;
    return parts;
  };
  return {
    write: (frame) => out.write([...start(), ...(header ? [frameHeader] : []), frameToBytes(frame)]),
    async end() {
      if (header && !started) await out.write(start());
      await out.end();
    },
  };
}

function pngSink(pattern: string, format: VideoFormat): FrameSink {
  const { width, height, colour } = format;
  return {
    async write(frame, index) {
      const rgb = yuvToRgbPlanar(frame, colour, width, height);
      const n = width * height;
      const data = new Uint8Array(3 * n);
      for (let i = 0; i < n; i++) {
        data[3 * i] = Math.round(rgb[i]! * 255);
        data[3 * i + 1] = Math.round(rgb[n + i]! * 255);
        data[3 * i + 2] = Math.round(rgb[2 * n + i]! * 255);
      }
      const name = pattern.replace(PATTERN, (_, digits: string) => String(index).padStart(Number(digits || 0), '0'));
      try {
        await writeFile(name, encodePng({ data, width, height, channels: 3 }));
      } catch (err) {
        throw writeError(name, err);
      }
    },
    end: async () => {},
  };
}

function checkFormat(format: VideoFormat): VideoFormat {
  if (typeof format !== 'object' || format === null) throw invalidType('a VideoFormat', 'format', format);
  checkInteger(format.width, 'format.width', 1, 65535);
  checkInteger(format.height, 'format.height', 1, 65535);
  if (typeof format.fps !== 'object' || format.fps === null) throw invalidType('{ num, den }', 'format.fps', format.fps);
  checkInteger(format.fps.num, 'format.fps.num', 1, 1_000_000);
  checkInteger(format.fps.den, 'format.fps.den', 1, 1_000_000);
  if (format.colour?.matrix !== 'bt601' && format.colour?.matrix !== 'bt709') throw invalidRange("'bt601' or 'bt709'", 'format.colour.matrix', format.colour?.matrix);
  if (format.colour.range !== 'limited' && format.colour.range !== 'full') throw invalidRange("'limited' or 'full'", 'format.colour.range', format.colour.range);
  return format;
}

/** ffmpeg's reader of what its `adts` muxer writes (the other containers read under their own names). */
const DEMUXER: Record<string, string> = { adts: 'aac' };

/** ffmpeg's input and output arguments for an mp4 or mkv, and whether frames go in at 4:4:4. */
function ffmpegArgs(file: string, container: 'mp4' | 'mkv', format: VideoFormat, audio: VideoWriterAudio | undefined): { args: string[]; chroma444: boolean } {
  const { width, height, fps, colour } = format;
  const chroma444 = container === 'mp4' && (width % 2 === 1 || height % 2 === 1);
  const pixFmt = chroma444 ? 'yuv444p' : 'yuv420p';
  const tags = ['-colorspace', colour.matrix === 'bt709' ? 'bt709' : 'smpte170m', '-color_range', colour.range === 'full' ? 'pc' : 'tv'];
  const args = ['-f', 'rawvideo', '-pix_fmt', pixFmt, '-video_size', `${width}x${height}`, '-framerate', `${fps.num}/${fps.den}`, ...tags, '-i', 'pipe:0'];
  if (audio && 'copyFile' in audio) args.push(...(audio.format ? ['-f', DEMUXER[audio.format] ?? audio.format] : []), '-i', audio.copyFile);
  else if (audio) args.push('-i', audio.wavPath);
  args.push('-map', '0:v:0', ...(audio ? ['-map', '1:a:0'] : []));
  args.push(...(container === 'mp4' ? ['-c:v', 'libx264', '-qp', '0'] : ['-c:v', 'ffv1']), '-pix_fmt', pixFmt, ...tags);
  if (audio && 'copyFile' in audio) args.push('-c:a', 'copy', ...(container === 'mp4' ? ['-strict', 'experimental'] : []));
  else if (audio) args.push('-c:a', container === 'mp4' ? 'aac' : 'flac');
  args.push('-y', file);
  return { args, chroma444 };
}

function checkAudio(file: string, audio: VideoWriterAudio | undefined, canMux: boolean): void {
  if (audio === undefined) return;
  const source = typeof audio === 'object' && audio !== null ? ('copyFile' in audio ? audio.copyFile : audio.wavPath) : undefined;
  if (typeof source !== 'string') throw invalidType('{ wavPath } or { copyFile, format? }', 'audio', audio);
  if (!canMux) {
    throw new CodecError('ERR_INVALID_ARGUMENT', `${file} cannot hold a soundtrack: write .mp4 or .mkv to keep it, or leave the audio out.`);
  }
  try {
    accessSync(source, constants.R_OK);
  } catch (err) {
    throw new CodecError('ERR_MEDIA_READ', `Could not read the soundtrack ${source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, { cause: err });
  }
}

/**
 * Opens a video file for writing, its kind chosen by the path (see the module comment): `.y4m`, `.yuv`,
 * `.mp4`, `.mkv` or a PNG pattern such as `frame_%04d.png`. `options.audio` muxes a soundtrack into mp4
 * or mkv. An unknown extension fails with ERR_INVALID_ARGUMENT naming the supported ones.
 */
export function openVideoWriter(file: string, format: VideoFormat, options: VideoWriterOptions = {}): VideoWriter {
  if (typeof file !== 'string' || file.length === 0) throw invalidType('a path', 'file', file);
  checkFormat(format);
  const ext = nodePath.extname(file).toLowerCase();
  const pattern = PATTERN.test(nodePath.basename(file));
  if (pattern && ext !== '.png') {
    throw new CodecError('ERR_INVALID_ARGUMENT', `Cannot write frames to ${file}: a frame pattern must end .png (e.g. frame_%04d.png).`);
  }
  if (!pattern && !['.y4m', '.yuv', '.mp4', '.mkv'].includes(ext)) {
    throw new CodecError('ERR_INVALID_ARGUMENT', `Cannot write video to ${file}: the extension '${ext}' is not one of ${VIDEO_OUTPUTS}.`);
  }
  checkAudio(file, options.audio, ext === '.mp4' || ext === '.mkv');
  let sink: FrameSink;
  if (pattern) sink = pngSink(file, format);
  else if (ext === '.y4m') sink = planeSink(file, Buffer.from(formatY4mHeader(format), 'latin1'));
  else if (ext === '.yuv') sink = planeSink(file, null);
  else {
    const { args, chroma444 } = ffmpegArgs(file, ext === '.mp4' ? 'mp4' : 'mkv', format, options.audio);
    const out = ffmpegSink(file, args);
    sink = { write: (frame) => out.write([chroma444 ? chromaTo444(frame) : frameToBytes(frame)]), end: () => out.end() };
  }
  return makeWriter(file, format, sink);
}

function makeWriter(file: string, format: VideoFormat, sink: FrameSink): VideoWriter {
  let frames = 0;
  let closed: Promise<void> | null = null;
  return {
    path: file,
    format,
    get framesWritten() { return frames; },
    async write(frame: YuvFrame) {
      if (closed) throw new CodecError('ERR_DISPOSED', `The writer of ${file} is closed: open a new one to write more frames.`);
      checkFrame(frame, format.width, format.height);
      await sink.write(frame, frames + 1);
      frames++;
    },
    close() {
      closed ??= sink.end();
      return closed;
    },
  };
}
