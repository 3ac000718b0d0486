/**
 * The typed container header: who made the stream (codec, model) and what it holds (media, rate).
 * Layout and limits are specified in docs/FORMAT.md.
 */
export const MAGIC = Uint8Array.of(0x4e, 0x43, 0x44, 0x43); // "NCDC"
export const FORMAT_VERSION = 1;

export interface ImageDescription {
  kind: 'image';
  width: number;
  height: number;
  /** Channels of the original image (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA). */
  channels: number;
  /** Bits per sample of the original image (8 or 16). */
  bitDepth: number;
}

export interface AudioDescription {
  kind: 'audio';
  sampleRate: number;
  channels: number;
  /** Samples per channel of the original signal. */
  frames: number;
}

export interface VideoDescription {
  kind: 'video';
  width: number;
  height: number;
  /** Frame rate as a fraction, numerator and denominator ≥ 1. */
  fpsNum: number;
  fpsDen: number;
  /** Frames in the stream (0 when a streaming encoder could not know; the codec's index says). */
  frames: number;
  /** Y'CbCr matrix of the original: BT.601 or BT.709. */
  matrix: 'bt601' | 'bt709';
  /** Sample range of the original: limited (TV) or full. */
  range: 'limited' | 'full';
}

export type MediaDescription = ImageDescription | AudioDescription | VideoDescription;

/** The rate the encoder was asked for: a model quality level, a bitrate, or nothing (lossless). */
export type RateSetting =
  | { kind: 'none' }
  | { kind: 'quality'; value: number }
  | { kind: 'bitrate'; kbps: number };

export interface ContainerHeader {
  version: number;
  /** Stable codec id, e.g. `hyperprior`. */
  codecId: string;
  /** Model id (empty for codecs without a model). */
  modelId: string;
  /** SHA-256 of the model files, or null for codecs without a model. */
  modelHash: Uint8Array | null;
  media: MediaDescription;
  rate: RateSetting;
  /** Codec-specific parameters, opaque to the container. */
  params: Uint8Array;
}

/** Limits a reader enforces before allocating anything (docs/FORMAT.md, "Limits"). */
export const LIMITS = {
  maxDimension: 1 << 20,
  maxImageChannels: 4,
  maxAudioChannels: 64,
  maxSampleRate: 768_000,
  maxFrames: 2 ** 48,
  maxVideoFrames: 2 ** 32 - 1,
  maxIdLength: 255,
  maxParamsLength: 1 << 20,
} as const;
