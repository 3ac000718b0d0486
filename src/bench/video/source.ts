/**
 * The source frames of a clip, as every codec in the benchmark sees them: the first N frames of the
 * file as 8-bit 4:2:0, read once with src/media/video.ts (`probeVideo`, `readVideoFrames`), the reader
 * the ncodec video codec uses too (y4m and raw `.yuv` directly, anything else through ffmpeg, every
 * decoded frame once, in order). Size, rate and colour (matrix and range, for PSNR-RGB) are the
 * probe's: what the file says, else BT.601 below 720 rows and BT.709 from there, limited range.
 */
import path from 'node:path';
import { CodecError } from '../../errors.js';
import type { VideoColour, YuvFrame } from '../../media/types.js';
import { probeVideo, readVideoFrames } from '../../media/video.js';
import { DEFAULT_RAW_FPS, isRawYuv, sizeFromName, type FrameRate, type FrameSize } from './dataset.js';

export interface SourceClip {
  /** Path of the file. */
  file: string;
  /** File name, for the report. */
  name: string;
  width: number;
  height: number;
  fps: FrameRate;
  colour: VideoColour;
  /** Raw `.yuv`: size and rate had to be given (codecs reading the file need them too). */
  raw: boolean;
  frames: YuvFrame[];
}

export interface SourceOptions {
  /** Size of raw `.yuv` files (default: from the name). */
  size?: FrameSize;
  /** Rate of raw `.yuv` files (default 30). */
  fps?: FrameRate;
  /** Read at most this many frames. */
  maxFrames?: number;
}

/** Bytes of one 4:2:0 frame. */
export function frameBytes(width: number, height: number): number {
  return width * height + 2 * ((width + 1) >> 1) * ((height + 1) >> 1);
}

/** Splits concatenated 4:2:0 frames of `width`×`height` (copies nothing: the planes view `data`). */
export function splitFrames(data: Uint8Array, width: number, height: number, count: number): YuvFrame[] {
  const ySize = width * height;
  const cSize = ((width + 1) >> 1) * ((height + 1) >> 1);
  const size = ySize + 2 * cSize;
  const frames: YuvFrame[] = [];
  for (let i = 0; i < count; i++) {
    const o = data.byteOffset + i * size;
    frames.push({
      width, height,
      y: new Uint8Array(data.buffer, o, ySize),
      u: new Uint8Array(data.buffer, o + ySize, cSize),
      v: new Uint8Array(data.buffer, o + ySize + cSize, cSize),
    });
  }
  return frames;
}

/** Concatenates frames as planar I420 (what rawvideo yuv420p expects). */
export function joinFrames(frames: readonly YuvFrame[]): Uint8Array {
  const first = frames[0];
  if (!first) return new Uint8Array(0);
  const size = frameBytes(first.width, first.height);
  const out = new Uint8Array(size * frames.length);
  frames.forEach((f, i) => {
    out.set(f.y, i * size);
    out.set(f.u, i * size + f.y.length);
    out.set(f.v, i * size + f.y.length + f.u.length);
  });
  return out;
}

/**
 * The first `maxFrames` frames of `file` (all when not given) as 8-bit 4:2:0, with size, rate and
 * colour. A raw `.yuv` takes `size` (else the size in its name) and `fps` (else 30); other files say
 * their own.
 */
export async function loadSourceClip(file: string, options: SourceOptions = {}): Promise<SourceClip> {
  const raw = isRawYuv(file);
  const size = raw ? options.size ?? sizeFromName(file) : undefined;
  if (raw && !size) {
    throw new CodecError('ERR_MEDIA_READ', `Raw video ${path.basename(file)} has no size: pass --size WxH, or name the file like clip_176x144_i420.yuv.`);
  }
  const sourceOptions = raw ? { size, fps: options.fps ?? DEFAULT_RAW_FPS } : {};
  const probe = await probeVideo(file, sourceOptions);
  const frames: YuvFrame[] = [];
  for await (const frame of readVideoFrames(file, { ...sourceOptions, maxFrames: options.maxFrames })) frames.push(frame);
  if (frames.length === 0) throw new CodecError('ERR_MEDIA_READ', `${path.basename(file)} has no video frames`);
  return {
    file, name: path.basename(file), width: probe.width, height: probe.height, fps: probe.fps, colour: probe.colour,
    raw, frames,
  };
}
