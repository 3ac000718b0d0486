/**
 * Reading video: what a file holds ({@link probeVideo}) and its frames as a stream of 8-bit 4:2:0
 * {@link YuvFrame}s ({@link readVideoFrames}) that never holds more than a few frames in memory.
 *
 * - y4m (found by its `YUV4MPEG2` magic) in 4:2:0 or mono is parsed here, straight from a file stream;
 *   other y4m layouts (4:2:2, 4:4:4, 10-bit) go through ffmpeg.
 * - Raw `.yuv` (8-bit 4:2:0 planes, no header) is read directly; its size must be given.
 * - Everything else (mp4, mkv, webm, avi, mov, ...) goes through ffmpeg: the first video stream that is
 *   not cover art, decoded to `rawvideo` on a pipe, every decoded frame once (`-fps_mode passthrough`,
 *   `-vsync passthrough` before ffmpeg 5.1), at its stored size and orientation (`-noautorotate`).
 *   4:4:4 sources are read at 4:4:4 and their chroma averaged 2×2 here (exactly undoing the 4:4:4 mp4s
 *   of odd sizes that src/media/video-writer.ts writes); RGB sources are converted by ffmpeg with the
 *   {@link defaultColour} matrix. Frames are aligned by index, never by timestamp.
 *
 * The soundtrack: {@link probeVideo}'s `audio`; decoded samples come from `loadAudio` (src/media/audio.ts
 * reads any file ffmpeg reads); {@link copyAudioStream} takes the coded stream out unchanged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import nodePath from 'node:path';
import { CodecError } from '../errors.js';
import { checkInteger, invalidRange, invalidType } from '../validate.js';
import { ffmpegPath, runFfmpeg } from './ffmpeg.js';
import { parseFfmpegInfo, rationalFps, stderrTail, type FfmpegInputInfo, type FfmpegVideoStream } from './ffmpeg-info.js';
import type { VideoColour, VideoFormat, YuvFrame } from './types.js';
import { ChunkReader } from './chunk-reader.js';
import { isFrameHeader, parseY4mHeader, Y4M_MAGIC, Y4M_MAX_LINE, type Y4mHeader } from './y4m.js';
import { allocFrame, defaultColour, frameByteLength, frameFrom444, frameFromBytes } from './yuv.js';

/** A video file's format ({@link VideoFormat}, with its frame count always known) and its soundtrack, if any. */
export interface VideoProbe extends VideoFormat {
  frameCount: number;
  audio?: { sampleRate: number; channels: number; codec: string };
}

/**
 * What a headerless raw `.yuv` file cannot say itself. Other files ignore `size`; their `fps` fills in
 * only when the file does not say its rate.
 */
export interface VideoSourceOptions {
  size?: { width: number; height: number };
  /** Frames per second, as a fraction or a number (29.97 is taken as 30000/1001). */
  fps?: { num: number; den: number } | number;
}

export interface ReadVideoOptions extends VideoSourceOptions {
  /** Stop after this many frames (ffmpeg is stopped too). */
  maxFrames?: number;
  /** Index of the first frame to deliver (0-based); earlier frames are skipped. */
  start?: number;
}

type Source =
  | { kind: 'y4m'; header: Y4mHeader; headerLength: number; fileSize: number }
  | { kind: 'yuv'; width: number; height: number; frameBytes: number; frameCount: number }
  | { kind: 'ffmpeg' };

// ---------------------------------------------------------------------------------------------- checks

function readError(file: string, err: unknown): CodecError {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new CodecError('ERR_MEDIA_READ', `Could not read ${file}: ${code}.`, { cause: err });
}

const noFrames = (file: string): CodecError => new CodecError('ERR_MEDIA_READ', `${file} holds no video frames: there is nothing to code.`);

function checkSize(size: VideoSourceOptions['size']): { width: number; height: number } | undefined {
  if (size === undefined) return undefined;
  if (typeof size !== 'object' || size === null) throw invalidType('{ width, height }', 'size', size);
  return { width: checkInteger(size.width, 'size.width', 1, 65535), height: checkInteger(size.height, 'size.height', 1, 65535) };
}

/** `fps` as a fraction: a number is made one as ffmpeg prints rates (integers, N·1000/1001, hundredths). */
export function toFps(fps: VideoSourceOptions['fps'], name = 'fps'): { num: number; den: number } | undefined {
  if (fps === undefined) return undefined;
  if (typeof fps === 'number') {
    if (!Number.isFinite(fps) || fps <= 0 || fps > 1000) throw invalidRange('a frame rate above 0 and at most 1000', name, fps);
    return rationalFps(fps);
  }
  if (typeof fps !== 'object' || fps === null) throw invalidType('a number or { num, den }', name, fps);
  return { num: checkInteger(fps.num, `${name}.num`, 1, 1_000_000), den: checkInteger(fps.den, `${name}.den`, 1, 1_000_000) };
}

// ------------------------------------------------------------------------------------- what the file is

/** Opens the file far enough to know how to read it: y4m by its magic, raw by `.yuv`, else ffmpeg. */
async function openSource(file: string, options: VideoSourceOptions): Promise<Source> {
  let fileSize: number;
  let head: Uint8Array;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new CodecError('ERR_MEDIA_READ', `Could not read ${file}: it is not a file.`);
    fileSize = info.size;
    const handle = await open(file, 'r');
    try {
      head = new Uint8Array(Math.min(fileSize, Y4M_MAX_LINE));
      await handle.read(head, 0, head.length, 0);
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw err instanceof CodecError ? err : readError(file, err);
  }
  if (fileSize === 0) throw new CodecError('ERR_MEDIA_READ', `${file} is empty: there is no video to read.`);
  if (Buffer.from(head.subarray(0, Y4M_MAGIC.length)).toString('latin1') === Y4M_MAGIC) {
    const end = head.indexOf(0x0a);
    if (end < 0) throw new CodecError('ERR_MEDIA_READ', `${file} is not a valid y4m file: its header line does not end within ${Y4M_MAX_LINE} bytes.`);
    return { kind: 'y4m', header: parseY4mHeader(Buffer.from(head.subarray(0, end)).toString('latin1'), file), headerLength: end + 1, fileSize };
  }
  if (nodePath.extname(file).toLowerCase() === '.yuv') return rawSource(file, fileSize, options);
  return { kind: 'ffmpeg' };
}

function rawSource(file: string, fileSize: number, options: VideoSourceOptions): Source {
  const size = checkSize(options.size);
  if (!size) {
    throw new CodecError('ERR_INVALID_ARGUMENT',
      `${file} is raw YUV 4:2:0 without a header, so its frame size and rate must be given: pass --size WxH --fps F (the size and fps options in the API).`);
  }
  const frameBytes = frameByteLength(size.width, size.height);
  if (fileSize % frameBytes !== 0) {
    throw new CodecError('ERR_MEDIA_READ',
      `${file} holds ${fileSize} bytes, not a whole number of ${size.width}x${size.height} 4:2:0 frames of ${frameBytes} bytes each: check --size (and that the file is 8-bit 4:2:0).`);
  }
  return { kind: 'yuv', width: size.width, height: size.height, frameBytes, frameCount: fileSize / frameBytes };
}

// ------------------------------------------------------------------------------------------------ ffmpeg

/** Spawns ffmpeg (`args` after `-nostdin`, and `-hide_banner` unless `banner`). */
function spawnFfmpeg(args: readonly string[], stdio: ['ignore', 'ignore' | 'pipe', 'pipe'], banner = false): ChildProcess {
  return spawn(ffmpegPath(), [...(banner ? [] : ['-hide_banner']), '-nostdin', ...args], { stdio });
}

/** Runs ffmpeg to the end: its exit status and stderr (the last 256 KiB); a failure to start is ERR_FFMPEG_MISSING. */
function capture(args: readonly string[], banner = false): Promise<{ status: number | null; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnFfmpeg(args, ['ignore', 'ignore', 'pipe'], banner);
    let text = '';
    child.stderr!.on('data', (b: Buffer) => { text = (text + b.toString('utf8')).slice(-262_144); });
    child.on('error', (e) => reject(new CodecError('ERR_FFMPEG_MISSING', `Could not start ffmpeg at ${ffmpegPath()}: ${e.message}`, { cause: e })));
    child.on('close', (status) => resolve({ status, text }));
  });
}

let passthrough: string[] | undefined;

/**
 * Remembers, from ffmpeg's banner (`ffmpeg version 5.1.9 ...`), the option that makes it pass every
 * decoded frame once: `-fps_mode passthrough` from 5.1 on, `-vsync passthrough` before (and for
 * builds named by a git revision, where -vsync is still understood).
 */
function notePassthrough(banner: string): void {
  if (passthrough) return;
  const m = /ffmpeg version n?(\d+)\.(\d+)/.exec(banner);
  const major = Number(m?.[1] ?? 0);
  const modern = major > 5 || (major === 5 && Number(m?.[2]) >= 1);
  passthrough = modern ? ['-fps_mode', 'passthrough'] : ['-vsync', 'passthrough'];
}

async function passthroughArgs(): Promise<string[]> {
  if (!passthrough) notePassthrough((await capture([], true)).text);
  return passthrough!;
}

/**
 * ffmpeg's description of `file` (its first video and audio streams); with `count`, the video stream
 * is also copied to nowhere, which counts its frames without decoding them.
 */
async function inspect(file: string, count: boolean): Promise<FfmpegInputInfo & { video: FfmpegVideoStream }> {
  const args = ['-loglevel', 'info', '-noautorotate', '-i', file];
  if (count) args.push('-map', '0:V:0', '-c', 'copy', '-f', 'null', '-');
  const { status, text } = await capture(args, true);
  notePassthrough(text);
  const info = parseFfmpegInfo(text);
  if (!info) throw new CodecError('ERR_MEDIA_READ', `Could not read ${file} as a video: ffmpeg says ${stderrTail(text, 2)}`);
  if (!info.video) {
    const has = info.audio ? 'only audio' : 'no video stream ffmpeg can read';
    throw new CodecError('ERR_UNSUPPORTED_MEDIA', `${file} holds ${has}: a video file (y4m, mp4, mkv, webm, avi, mov, raw .yuv) is needed.`);
  }
  if (count && status !== 0) throw new CodecError('ERR_MEDIA_READ', `ffmpeg failed reading ${file} (exit ${status}): ${stderrTail(text)}`);
  return info as FfmpegInputInfo & { video: FfmpegVideoStream };
}

/** How ffmpeg should hand over a stream's frames: pixel format, filters, and the colour they will be in. */
interface ReadPlan {
  pixFmt: 'yuv420p' | 'yuvj420p' | 'yuv444p' | 'yuvj444p';
  chroma444: boolean;
  filters: string[];
  colour: VideoColour;
}

const YUV_FAMILY = /^(yuv|nv|p0\d\d|yuyv|uyvy|yvyu|gray|ya)/;

function readPlan(video: FfmpegVideoStream): ReadPlan {
  const fallback = defaultColour(video.height);
  const colour: VideoColour = { matrix: video.matrix ?? fallback.matrix, range: video.range ?? fallback.range };
  const full = colour.range === 'full';
  if (/^yuvj?444p$/.test(video.pixFmt)) return { pixFmt: full ? 'yuvj444p' : 'yuv444p', chroma444: true, filters: [], colour };
  if (YUV_FAMILY.test(video.pixFmt)) return { pixFmt: full ? 'yuvj420p' : 'yuv420p', chroma444: false, filters: [], colour };
  // RGB and palette sources: ffmpeg converts with the default matrix, so that is their colour.
  return { pixFmt: 'yuv420p', chroma444: false, filters: [`scale=out_color_matrix=${fallback.matrix}:out_range=tv`], colour: fallback };
}

// ------------------------------------------------------------------------------------------------- probe

/**
 * What a video file holds: size, rate, colour, frame count and soundtrack. y4m and raw `.yuv` are read
 * here (raw needs `size` and `fps`); other files are asked of ffmpeg, which also counts the frames by
 * copying the stream to nowhere (fast: nothing is decoded). Colour unsaid by the file is
 * {@link defaultColour}.
 *
 * Throws CodecError: ERR_MEDIA_READ (missing, unreadable, corrupt or empty input, no frames, a raw
 * file whose length is not whole frames), ERR_INVALID_ARGUMENT (raw without size/fps),
 * ERR_UNSUPPORTED_MEDIA (no video stream), ERR_FFMPEG_MISSING.
 */
export async function probeVideo(file: string, options: VideoSourceOptions = {}): Promise<VideoProbe> {
  if (typeof file !== 'string') throw invalidType('a path', 'file', file);
  const source = await openSource(file, options);
  if (source.kind === 'y4m') {
    const { width, height, fps, colour } = source.header;
    const frameCount = source.header.direct ? await countY4mFrames(file, source) : (await inspect(file, true)).frames ?? 0;
    if (frameCount === 0) throw noFrames(file);
    return { width, height, fps, colour, frameCount };
  }
  if (source.kind === 'yuv') {
    const fps = toFps(options.fps);
    if (!fps) {
      throw new CodecError('ERR_INVALID_ARGUMENT', `${file} is raw YUV 4:2:0 without a header, so its frame rate must be given: pass --fps F (the fps option in the API).`);
    }
    if (source.frameCount === 0) throw noFrames(file);
    return { width: source.width, height: source.height, fps, colour: defaultColour(source.height), frameCount: source.frameCount };
  }
  const info = await inspect(file, true);
  const { video } = info;
  const fps = video.fps ?? toFps(options.fps);
  if (!fps) throw new CodecError('ERR_MEDIA_READ', `${file} does not say its frame rate: pass --fps F (the fps option in the API).`);
  if (!info.frames) throw noFrames(file);
  const probe: VideoProbe = { width: video.width, height: video.height, fps, colour: readPlan(video).colour, frameCount: info.frames };
  if (info.audio) probe.audio = { ...info.audio };
  return probe;
}

/** The frames of a direct y4m: by arithmetic when every frame header is a bare `FRAME`, else by walking them. */
async function countY4mFrames(file: string, source: Extract<Source, { kind: 'y4m' }>): Promise<number> {
  const { header, headerLength, fileSize } = source;
  const frameBytes = header.mono ? header.width * header.height : frameByteLength(header.width, header.height);
  const handle = await open(file, 'r').catch((err) => { throw readError(file, err); });
  try {
    const line = new Uint8Array(Y4M_MAX_LINE);
    const body = fileSize - headerLength;
    const first = await handle.read(line, 0, 6, headerLength);
    if (body % (6 + frameBytes) === 0 && Buffer.from(line.subarray(0, first.bytesRead)).toString('latin1') === 'FRAME\n') {
      return body / (6 + frameBytes);
    }
    let count = 0;
    for (let at = headerLength; at < fileSize; count++) {
      const { bytesRead } = await handle.read(line, 0, line.length, at);
      const end = line.subarray(0, bytesRead).indexOf(0x0a);
      if (end < 0 || !isFrameHeader(Buffer.from(line.subarray(0, end)).toString('latin1'))) {
        throw new CodecError('ERR_MEDIA_READ', `${file} is not a valid y4m file: frame ${count} does not start with FRAME.`);
      }
      at += end + 1 + frameBytes;
      if (at > fileSize) throw truncatedFrame(file, count, frameBytes - (at - fileSize), frameBytes);
    }
    return count;
  } finally {
    await handle.close();
  }
}

const truncatedFrame = (file: string, index: number, got: number, want: number): CodecError =>
  new CodecError('ERR_MEDIA_READ', `${file} is truncated: frame ${index} has ${got} of its ${want} bytes.`);

// ------------------------------------------------------------------------------------------------- frames

function checkReadOptions(options: ReadVideoOptions): { start: number; max: number } {
  const start = options.start === undefined ? 0 : checkInteger(options.start, 'start', 0, Number.MAX_SAFE_INTEGER);
  const max = options.maxFrames === undefined ? Infinity : checkInteger(options.maxFrames, 'maxFrames', 0, Number.MAX_SAFE_INTEGER);
  return { start, max };
}

/**
 * The frames of a video file, in order, as a stream: 8-bit 4:2:0 planes at the file's own size (odd
 * sizes included), each frame's planes views of one fresh buffer. Memory holds a few frames, never the
 * video. `start` skips frames, `maxFrames` stops early; leaving the loop early stops ffmpeg.
 * Raw `.yuv` needs `size` (not `fps`). Errors as {@link probeVideo}'s, plus ERR_MEDIA_READ naming the
 * frame of a truncated file.
 */
export async function* readVideoFrames(file: string, options: ReadVideoOptions = {}): AsyncGenerator<YuvFrame, void, undefined> {
  if (typeof file !== 'string') throw invalidType('a path', 'file', file);
  const { start, max } = checkReadOptions(options);
  if (max === 0) return;
  const source = await openSource(file, options);
  if (source.kind === 'y4m' && source.header.direct) yield* readY4m(file, source, start, max);
  else if (source.kind === 'yuv') yield* readRaw(file, source, start, max);
  else yield* readThroughFfmpeg(file, start, max);
}

async function* readY4m(file: string, source: Extract<Source, { kind: 'y4m' }>, start: number, max: number): AsyncGenerator<YuvFrame> {
  const { width, height, mono } = source.header;
  const frameBytes = mono ? width * height : frameByteLength(width, height);
  const stream = createReadStream(file, { start: source.headerLength, highWaterMark: 1 << 20 });
  const reader = new ChunkReader(stream, (err) => readError(file, err));
  try {
    let index = 0;
    for (let emitted = 0; emitted < max; index++) {
      const next = await reader.readLine(Y4M_MAX_LINE);
      if (next === null) break;
      if (!next.complete) throw new CodecError('ERR_MEDIA_READ', `${file} is truncated or corrupt: the header of frame ${index} does not end.`);
      if (!isFrameHeader(next.line)) throw new CodecError('ERR_MEDIA_READ', `${file} is not a valid y4m file: frame ${index} does not start with FRAME.`);
      if (index < start) {
        const skipped = await reader.skip(frameBytes);
        if (skipped < frameBytes) throw truncatedFrame(file, index, skipped, frameBytes);
        continue;
      }
      const bytes = await reader.read(frameBytes);
      if (bytes.length < frameBytes) throw truncatedFrame(file, index, bytes.length, frameBytes);
      if (mono) {
        const frame = allocFrame(width, height);
        frame.y.set(bytes);
        yield frame;
      } else {
        yield frameFromBytes(bytes, width, height);
      }
      emitted++;
    }
    if (index === 0) throw noFrames(file);
  } finally {
    stream.destroy();
  }
}

async function* readRaw(file: string, source: Extract<Source, { kind: 'yuv' }>, start: number, max: number): AsyncGenerator<YuvFrame> {
  if (source.frameCount === 0) throw noFrames(file);
  const { width, height, frameBytes } = source;
  if (start >= source.frameCount) return;
  const stream = createReadStream(file, { start: start * frameBytes, highWaterMark: 1 << 20 });
  const reader = new ChunkReader(stream, (err) => readError(file, err));
  try {
    for (let emitted = 0; emitted < max; emitted++) {
      const bytes = await reader.read(frameBytes);
      if (bytes.length === 0) break;
      if (bytes.length < frameBytes) throw truncatedFrame(file, start + emitted, bytes.length, frameBytes);
      yield frameFromBytes(bytes, width, height);
    }
  } finally {
    stream.destroy();
  }
}

async function* readThroughFfmpeg(file: string, start: number, max: number): AsyncGenerator<YuvFrame> {
  const { video } = await inspect(file, false);
  const plan = readPlan(video);
  const filters = [...(start > 0 ? [`select=gte(n\\,${start})`] : []), ...plan.filters];
  const args = ['-loglevel', 'error', '-noautorotate', '-i', file, '-map', '0:V:0', ...(await passthroughArgs()), '-an', '-sn', '-dn'];
  if (filters.length > 0) args.push('-vf', filters.join(','));
  if (Number.isFinite(max)) args.push('-frames:v', String(max));
  args.push('-f', 'rawvideo', '-pix_fmt', plan.pixFmt, 'pipe:1');
  const child = spawnFfmpeg(args, ['ignore', 'pipe', 'pipe']);
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => { stderr = (stderr + b.toString('utf8')).slice(-65_536); });
  const exit = new Promise<number | Error | null>((resolve) => {
    child.on('error', (e) => resolve(e));
    child.on('close', (status) => resolve(status));
  });
  const failed = async (): Promise<CodecError | null> => {
    const status = await exit;
    if (status instanceof Error) return new CodecError('ERR_FFMPEG_MISSING', `Could not start ffmpeg at ${ffmpegPath()}: ${status.message}`, { cause: status });
    return status === 0 ? null : new CodecError('ERR_MEDIA_READ', `ffmpeg failed reading ${file} (exit ${status}): ${stderrTail(stderr)}`);
  };
  const { width, height } = video;
  const frameBytes = plan.chroma444 ? 3 * width * height : frameByteLength(width, height);
  const reader = new ChunkReader(child.stdout!, (err) => readError(file, err));
  try {
    let emitted = 0;
    while (emitted < max) {
      const bytes = await reader.read(frameBytes);
      if (bytes.length < frameBytes) {
        const error = await failed();
        if (error) throw error;
        if (bytes.length > 0) throw truncatedFrame(file, start + emitted, bytes.length, frameBytes);
        break;
      }
      yield plan.chroma444 ? frameFrom444(bytes, width, height) : frameFromBytes(bytes, width, height);
      emitted++;
    }
    if (emitted === 0 && start === 0) throw noFrames(file);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

// -------------------------------------------------------------------------------------------- soundtrack

/** The container that holds a coded audio stream as is: ADTS for AAC, Ogg for Opus/Vorbis, Matroska otherwise. */
function containerFor(codec: string): string {
  if (codec === 'aac') return 'adts';
  if (codec === 'opus' || codec === 'vorbis') return 'ogg';
  if (codec === 'mp3' || codec === 'flac') return codec;
  return 'matroska';
}

/**
 * The first audio stream of a file, unchanged (`-c:a copy`), in a container that fits its codec;
 * `format` is ffmpeg's name for that container (pass it back as the writer's `copyFile` format).
 * With `durationSeconds`, only about that much is copied (cut at a packet boundary: no re-encoding).
 * Throws ERR_UNSUPPORTED_MEDIA when the file has no soundtrack.
 */
export async function copyAudioStream(file: string, durationSeconds?: number): Promise<{ bytes: Uint8Array; format: string; codec: string }> {
  const source = await openSource(file, {});
  const info = source.kind === 'ffmpeg' ? await inspect(file, false) : null;
  if (!info?.audio) throw new CodecError('ERR_UNSUPPORTED_MEDIA', `${file} has no soundtrack to copy.`);
  const format = containerFor(info.audio.codec);
  const limit = durationSeconds !== undefined && durationSeconds > 0 ? ['-t', durationSeconds.toFixed(6)] : [];
  const out = await runFfmpeg(['-i', file, '-map', '0:a:0', '-vn', '-sn', '-dn', ...limit, '-c:a', 'copy', '-f', format, 'pipe:1']);
  return { bytes: new Uint8Array(out.buffer, out.byteOffset, out.length), format, codec: info.audio.codec };
}
