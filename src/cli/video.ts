/**
 * The `ncodec` commands' video side: the encode options only video codecs take (--gop, --frames,
 * --size, --fps, --audio, --inter) and decoding a video stream frame by frame into a file through
 * the video writer, so memory holds a few frames and a damaged file still yields every frame before
 * the damage.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decode as decodeAny, openCodec } from '../api/registry.js';
import type { ContainerHeader } from '../container/header.js';
import { CodecError } from '../errors.js';
import type { YuvFrame } from '../media/types.js';

/** What the CLI passes a video codec besides quality and progress. */
export interface VideoCliOptions {
  gop?: number;
  frames?: number;
  size?: { width: number; height: number };
  fps?: number | { num: number; den: number };
  audio?: string;
  audioQuality?: number;
  inter?: string;
}

export const VIDEO_OPTION_SPEC = {
  gop: { type: 'string' }, frames: { type: 'string' }, size: { type: 'string' }, fps: { type: 'string' },
  audio: { type: 'string' }, 'audio-quality': { type: 'string' }, inter: { type: 'string' },
} as const;

/** Reads the video flags; `fail` builds the usage error for a malformed one. Undefined when none was given. */
export function videoOptions(values: Record<string, unknown>, fail: (message: string) => Error): VideoCliOptions | undefined {
  const keys = Object.keys(VIDEO_OPTION_SPEC).filter((k) => values[k] !== undefined);
  if (keys.length === 0) return undefined;
  const int = (name: string, min: number): number | undefined => {
    const v = values[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw fail(`--${name} expects an integer ≥ ${min}, got '${String(v)}'`);
    return n;
  };
  const out: VideoCliOptions = { gop: int('gop', 1), frames: int('frames', 1), audioQuality: int('audio-quality', 0) };
  if (values.size !== undefined) {
    const m = /^(\d+)x(\d+)$/.exec(String(values.size));
    if (!m) throw fail(`--size expects WIDTHxHEIGHT (e.g. 176x144), got '${String(values.size)}'`);
    out.size = { width: Number(m[1]), height: Number(m[2]) };
  }
  if (values.fps !== undefined) {
    const s = String(values.fps);
    const frac = /^(\d+)\/(\d+)$/.exec(s);
    if (frac && Number(frac[1]) > 0 && Number(frac[2]) > 0) out.fps = { num: Number(frac[1]), den: Number(frac[2]) };
    else if (Number(s) > 0) out.fps = Number(s);
    else throw fail(`--fps expects a positive rate (25, 29.97 or 30000/1001), got '${s}'`);
  }
  if (values.audio !== undefined) out.audio = String(values.audio);
  if (values.inter !== undefined) {
    if (values.inter !== 'motion' && values.inter !== 'learned' && values.inter !== 'delta') throw fail(`--inter expects motion, learned or delta, got '${String(values.inter)}'`);
    out.inter = values.inter;
  }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as VideoCliOptions;
}

/** The video codec's streaming side, as the CLI uses it (codecs/video/index.ts implements it). */
interface FrameDecoder {
  decodeFrames(bytes: Uint8Array): AsyncGenerator<{ index: number; frame: YuvFrame }, void, undefined>;
  soundtrack(bytes: Uint8Array): { kind: 'coded'; container: Uint8Array } | { kind: 'copied'; format: string; bytes: Uint8Array } | null;
  dispose(): Promise<void>;
}

/**
 * Decodes a video stream into `output` (y4m, yuv, mp4, mkv or a PNG pattern), with its soundtrack
 * where the output can hold one. Returns the number of frames written; on damage the frames before
 * it are written and the error is rethrown.
 */
export async function decodeVideoFile(
  bytes: Uint8Array, header: ContainerHeader, output: string, openOptions: { device?: 'cpu' | 'cuda' | 'auto'; threads?: number },
  note: (line: string) => void,
): Promise<number> {
  if (header.media.kind !== 'video') throw new CodecError('ERR_UNSUPPORTED_MEDIA', 'Not a video stream.');
  const m = header.media;
  const format = { width: m.width, height: m.height, fps: { num: m.fpsNum, den: m.fpsDen }, colour: { matrix: m.matrix, range: m.range } };
  const codec = await openCodec(header.codecId, { ...openOptions, model: header.modelId || undefined }) as unknown as FrameDecoder;
  const { openVideoWriter } = await import('../media/video-writer.js');
  if (typeof codec.decodeFrames !== 'function') throw new CodecError('ERR_UNSUPPORTED_MEDIA', `The '${header.codecId}' codec cannot decode video frames.`);
  const track = codec.soundtrack(bytes);
  const ext = path.extname(output).toLowerCase();
  const canMux = ext === '.mp4' || ext === '.mkv';
  let temp: string | undefined;
  let audio: { wavPath: string } | { copyFile: string; format: string } | undefined;
  try {
    if (track && canMux) {
      temp = await mkdtemp(path.join(tmpdir(), 'ncodec-video-'));
      if (track.kind === 'coded') {
        const decoded = await decodeAny(track.container, openOptions);
        if (decoded.kind !== 'audio') throw new CodecError('ERR_BITSTREAM_CORRUPT', 'The soundtrack section does not hold audio; the file is corrupt.');
        const wavPath = path.join(temp, 'soundtrack.wav');
        await (await import('../media/audio.js')).saveAudio(decoded, wavPath);
        audio = { wavPath };
      } else {
        const copyFile = path.join(temp, `soundtrack.${track.format}`);
        await writeFile(copyFile, track.bytes);
        audio = { copyFile, format: track.format };
      }
    } else if (track) {
      note(`the soundtrack is not written: ${ext || output} cannot hold audio (decode to .mp4 or .mkv to keep it)`);
    }
    const writer = openVideoWriter(output, format, audio ? { audio } : {});
    let written = 0;
    try {
      for await (const { frame } of codec.decodeFrames(bytes)) {
        await writer.write(frame);
        written++;
      }
    } catch (err) {
      await writer.close().catch(() => undefined);
      note(`${written} frame(s) before the damage were written to ${output}`);
      throw err;
    }
    await writer.close();
    return written;
  } finally {
    await codec.dispose();
    if (temp) await rm(temp, { recursive: true, force: true });
  }
}
