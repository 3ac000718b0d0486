/**
 * Result types of the video benchmark (`ncodec bench video`): per clip, per codec, per rate point.
 * Numbers that cannot be computed (a BD-rate without overlap, ffmpeg's own timing for an ncodec
 * codec) are `null`.
 */
import type { VideoColour } from '../../media/types.js';
import type { BenchEnvironment, CodecSource, SkippedCodec } from '../types.js';

/** How a codec was asked for a rate: x264/x265's CRF, or a model's quality level. */
export interface VideoSetting {
  kind: 'crf' | 'quality';
  value: number;
}

/** One rate point of one codec on one clip. */
export interface VideoPoint {
  setting: VideoSetting;
  /** Bytes of the coded stream (baselines: the elementary stream, see {@link BaselineConfig}). */
  bytes: number;
  /** bytes × 8 / (width × height × frames). */
  bpp: number;
  /** Means over frames of the per-frame PSNRs (dB, each capped at 100). */
  psnrY: number;
  psnrU: number;
  psnrV: number;
  /** Mean over frames of (6·PSNR_Y + PSNR_U + PSNR_V) / 8. */
  psnrYuv: number;
  /** Mean over frames of PSNR-RGB (both sides converted with the clip's colour). */
  psnrRgb: number;
  /** (6Y + U + V) / 8 of the PSNRs of the mean MSE per plane over all frames (the other convention). */
  psnrYuvOfMse: number;
  /** Per-frame PSNR-YUV in display order (shows the intra frames). */
  framePsnrYuv: number[];
  /** Whole-call wall time of encoding (for baselines: the ffmpeg process, raw frames piped in). */
  encodeMs: number;
  /** Whole-call wall time of decoding (bytes → frames). */
  decodeMs: number;
  /** frames / encode seconds and frames / decode seconds, from the whole-call times. */
  encodeFps: number;
  decodeFps: number;
  /** Baselines: ffmpeg's own `-benchmark` real time (no process start-up), else null. */
  ffmpegEncodeMs: number | null;
  ffmpegDecodeMs: number | null;
  /** Baselines: bytes of SEI NAL units taken out of the stream (encoder version/options text), else null. */
  seiBytesRemoved: number | null;
}

/** One codec's curve on one clip, points in the order of its settings. */
export interface VideoCurve {
  codec: string;
  points: VideoPoint[];
}

/** A clip as coded: the first `frames` frames of the file, 8-bit 4:2:0. */
export interface VideoClip {
  /** File name within the dataset. */
  name: string;
  width: number;
  height: number;
  frames: number;
  fps: { num: number; den: number };
  /** Matrix and range used for PSNR-RGB: the file's, else BT.601 below 720 rows, BT.709 from 720, limited. */
  colour: VideoColour;
  results: VideoCurve[];
}

/** How a classic baseline was run, for the report. */
export interface BaselineConfig {
  codec: 'x264' | 'x265';
  /** The encoder arguments with CRF and GOP left as placeholders. */
  command: string;
  preset: string;
  bframes: 0;
  keyint: number;
  crf: number[];
  /** Threads of the encoder and of ffmpeg's decoder (0 = the encoder's own choice). */
  threads: number;
  /** Bytes counted: the raw Annex B elementary stream (`-f h264` / `-f hevc`), no container. */
  stream: 'h264' | 'hevc';
  /** Whether SEI NAL units (the encoder's version and options text) were taken out before counting. */
  seiRemoved: boolean;
}

/** A codec that ran, with its settings. */
export interface VideoCodecInfo {
  codec: string;
  source: CodecSource;
  description: string;
  settings: VideoSetting[];
}

/** One Bjøntegaard comparison on one clip. */
export interface VideoBdEntry {
  clip: string;
  metric: VideoMetric;
  anchor: string;
  test: string;
  /** Percent; negative = the test needs fewer bits at equal quality. */
  bdRate: number | null;
  /** Mean quality difference at equal rate (dB); positive = the test is better. */
  bdQuality: number | null;
}

/** The mean over clips of the per-clip comparisons that exist. */
export interface VideoBdMean {
  metric: VideoMetric;
  anchor: string;
  test: string;
  bdRate: number | null;
  bdQuality: number | null;
  /** Clips that had a BD-rate (the mean is over these). */
  clips: number;
}

export type VideoMetric = 'psnrYuv' | 'psnrRgb';

export interface VideoBenchEnvironment extends BenchEnvironment {
  /** 1-minute load average when the run started (other jobs slow every timing). */
  loadAverage: number;
  /** Encoders the ffmpeg found lists (libx264, libx265). */
  encoders: string[];
}

export interface VideoBenchReport {
  format: 'neural-codec-bench-video/1';
  media: 'video';
  dataset: string;
  anchor: string;
  /** Frames asked for (`--frames`), null = every frame of each clip. */
  frames: number | null;
  gop: number;
  startedAt: string;
  elapsedMs: number;
  environment: VideoBenchEnvironment;
  codecs: VideoCodecInfo[];
  baselines: BaselineConfig[];
  skipped: SkippedCodec[];
  clips: VideoClip[];
  bd: VideoBdEntry[];
  bdMean: VideoBdMean[];
}
