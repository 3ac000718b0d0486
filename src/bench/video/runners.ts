/**
 * What the video benchmark runs: one runner per codec (x264/x265 through ffmpeg, or an ncodec video
 * codec). A runner codes a clip's frames at one rate setting into bytes and decodes them back to
 * 4:2:0 frames of the source's size, in display order; the benchmark times both calls, checks that
 * every frame came back and compares frame i with source frame i.
 */
import type { YuvFrame } from '../../media/types.js';
import type { CodecSource } from '../types.js';
import type { SourceClip } from './source.js';
import type { BaselineConfig, VideoSetting } from './types.js';

export interface EncodedVideo {
  /** The bytes the rate is measured from. */
  bytes: Uint8Array;
  /** ffmpeg's own time for the encode (baselines), else null. */
  ffmpegMs: number | null;
  /** Bytes of SEI NAL units taken out before counting (baselines), else null. */
  seiBytesRemoved: number | null;
}

export interface DecodedFrames {
  frames: YuvFrame[];
  /** ffmpeg's own time for the decode (baselines), else null. */
  ffmpegMs: number | null;
}

export interface VideoRunner {
  /** Codec id as given to `--codecs`. */
  id: string;
  source: CodecSource;
  /** Encoder settings in words, for the report. */
  description: string;
  /** The rate settings to sweep. */
  settings: VideoSetting[];
  /** How a baseline was configured (absent for ncodec codecs). */
  baseline?: BaselineConfig;
  encode(clip: SourceClip, setting: VideoSetting): Promise<EncodedVideo>;
  /** Frames of the source's size in display order. */
  decode(bytes: Uint8Array, clip: SourceClip): Promise<DecodedFrames>;
  dispose(): Promise<void>;
}

/** `crf=23`, `q=4`. */
export function videoSettingLabel(s: VideoSetting): string {
  return s.kind === 'crf' ? `crf=${s.value}` : `q=${s.value}`;
}
