/**
 * ncodec video codecs in the benchmark: a registered codec that codes video (`video`, or
 * `video@<model>` for one model of it, each with an optional mode suffix: `:intra` codes every frame
 * as an I-frame (GOP 1, the codec's own intra-only mode); `:motion`, `:learned` and `:delta` choose how
 * P-frames are coded (motion-compensated residual, the learned latent inter model, the static-table
 * baseline; none: the codec's default), opened with `openCodec` and swept over its model's
 * `info.qualities` (or the `--qualities` the model has). The codec reads the clip's file itself, told
 * to take the same first N frames the baselines get (and, for raw `.yuv`, the same size and rate);
 * its decoded frames are compared with the benchmark's own reading of those frames, by index.
 */
import { listCodecs, openCodec } from '../../api/registry.js';
import type { Codec, EncodeOptions, OpenOptions } from '../../api/types.js';
import { isCodecError } from '../../errors.js';
import type { DecodedVideo } from '../../media/types.js';
import { splitModel } from '../ncodec.js';
import { SkipCodecError, UnknownCodecError } from '../runners.js';
import type { DecodedFrames, EncodedVideo, VideoRunner } from './runners.js';
import type { SourceClip } from './source.js';
import type { VideoSetting } from './types.js';

/** The video options of `codec.encode` (the video codec's own options, beside the shared ones). */
export interface VideoEncodeOptions extends EncodeOptions {
  /** Intra period: frames per group of pictures (1 = intra only). */
  gop?: number;
  /** Code only the first N frames. */
  frames?: number;
  /** Raw `.yuv` input: frame size and rate. */
  size?: { width: number; height: number };
  fps?: number;
  /** The soundtrack: not coded in the benchmark. */
  audio?: 'none';
  /** P-frame prediction (codecs/video). */
  inter?: InterChoice;
}

/** `video@model:mode` → the codec spec and the mode ('' when none). */
type InterChoice = 'motion' | 'learned' | 'delta';
const INTER_CHOICES: readonly string[] = ['motion', 'learned', 'delta'];
const MODE_TEXT: Record<string, string> = {
  intra: ' (intra only)', motion: ', motion-compensated P-frames', learned: ', P-frames by the learned latent inter model',
  delta: ', P-frames by the static-table baseline',
};

function splitMode(id: string): { spec: string; mode: '' | 'intra' | InterChoice } {
  const at = id.lastIndexOf(':');
  if (at < 0) return { spec: id, mode: '' };
  const mode = id.slice(at + 1);
  if (mode !== 'intra' && !INTER_CHOICES.includes(mode)) throw new SkipCodecError(id, `unknown mode '${mode}' (use :intra, :motion, :learned or :delta)`);
  return { spec: id.slice(0, at), mode: mode as 'intra' | InterChoice };
}

export interface NcodecVideoOptions {
  open?: OpenOptions;
  /** Model levels to use (default all). */
  qualities?: readonly number[];
  /** Intra period passed to every encode. */
  gop: number;
}

/** The codec ids of registered codecs that code video. */
export function videoCodecIds(): string[] {
  return listCodecs().filter((c) => c.media.includes('video')).map((c) => c.id);
}

async function openVideoCodec(id: string, openOptions: OpenOptions): Promise<Codec> {
  const [codecId, model] = splitModel(id);
  try {
    return await openCodec(codecId, model === undefined ? openOptions : { ...openOptions, model });
  } catch (err) {
    if (isCodecError(err, 'ERR_UNKNOWN_CODEC')) throw new UnknownCodecError(codecId, videoCodecIds());
    const reason = err instanceof Error ? err.message : String(err);
    throw new SkipCodecError(id, isCodecError(err, 'ERR_MODEL_NOT_FOUND') ? `model not found: ${reason}` : `could not open: ${reason}`);
  }
}

function asVideo(media: { kind: string }, id: string): DecodedVideo {
  if (media.kind !== 'video') throw new TypeError(`Expected video from codec ${id} but received ${media.kind}`);
  return media as DecodedVideo;
}

/** A video runner for ncodec codec `id`. Throws SkipCodecError or UnknownCodecError. */
export async function ncodecVideoRunner(id: string, options: NcodecVideoOptions): Promise<VideoRunner> {
  const { spec, mode } = splitMode(id);
  const gop = mode === 'intra' ? 1 : options.gop;
  const codec = await openVideoCodec(spec, options.open ?? {});
  if (!codec.info.media.includes('video')) {
    await codec.dispose();
    throw new SkipCodecError(id, `codec '${id}' does not code video (it codes ${codec.info.media.join(', ') || 'nothing'})`);
  }
  const levels = options.qualities ? options.qualities.filter((q) => codec.info.qualities.includes(q)) : [...codec.info.qualities];
  if (levels.length === 0) {
    await codec.dispose();
    throw new SkipCodecError(id, `none of the qualities ${options.qualities?.join(', ')} is a level of model ${codec.info.modelId ?? '(none)'}: it has ${codec.info.qualities.join(', ')}`);
  }
  return {
    id,
    source: 'ncodec',
    description: `${codec.info.description}${codec.info.modelId ? `, model ${codec.info.modelId}` : ''}, GOP ${gop}` +
      (MODE_TEXT[mode] ?? ''),
    settings: levels.map((value): VideoSetting => ({ kind: 'quality', value })),
    async encode(clip: SourceClip, setting: VideoSetting): Promise<EncodedVideo> {
      const encodeOptions: VideoEncodeOptions = {
        quality: setting.value, gop, frames: clip.frames.length, audio: 'none', ...(mode !== '' && mode !== 'intra' ? { inter: mode } : {}),
        ...(clip.raw ? { size: { width: clip.width, height: clip.height }, fps: clip.fps.num / clip.fps.den } : {}),
      };
      return { bytes: await codec.encode(clip.file, encodeOptions), ffmpegMs: null, seiBytesRemoved: null };
    },
    async decode(bytes: Uint8Array): Promise<DecodedFrames> {
      return { frames: asVideo(await codec.decode(bytes), id).frames, ffmpegMs: null };
    },
    dispose: () => codec.dispose(),
  };
}
