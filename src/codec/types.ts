/**
 * The contract every codec family implements (see docs and DESIGN.md, "The codec interface").
 * Interface types only; implementations live in src/codec/registry.ts and codecs/<family>/.
 */
import type { Device } from '../runtime/device.js';

/** Kinds of media a codec can carry; written into the container's media description. */
export type MediaKind = 'image' | 'audio';

/**
 * Raw image, interleaved samples (row-major, `channels` per pixel).
 * `Uint8Array` = 8-bit, `Uint16Array` = 16-bit, `Float32Array` = floats in [0, 1].
 */
export interface RawImage {
  data: Uint8Array | Uint16Array | Float32Array;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/** Raw audio: one `Float32Array` per channel, samples in [-1, 1]. */
export interface RawAudio {
  channels: Float32Array[];
  sampleRate: number;
}

/** What `encode` accepts: a file path, the bytes of an encoded file (PNG, WAV, MP3, ...), or raw media. */
export type MediaInput = string | Uint8Array | RawImage | RawAudio;

/** A decoded image: 8-bit interleaved samples. */
export interface DecodedImage extends RawImage {
  kind: 'image';
  data: Uint8Array | Uint16Array;
}

/** A decoded audio clip. */
export interface DecodedAudio extends RawAudio {
  kind: 'audio';
}

export type DecodedMedia = DecodedImage | DecodedAudio;

/** Progress of a long operation (fitting, chunked encoding); `total` may be unknown. */
export interface Progress {
  phase: string;
  done: number;
  total?: number;
}

export interface EncodeOptions {
  /** Integer rate level of the model (see `Codec.info.qualities`). */
  quality?: number;
  /** Target bitrate in kbps, for families that support one (audio). */
  bitrateKbps?: number;
  /** Called as work advances. */
  onProgress?: (progress: Progress) => void;
}

export interface OpenOptions {
  /** Model id (`models/<family>/<id>`) or a path to a model folder; the family default otherwise. */
  model?: string;
  /** Where the networks run. Default `'cpu'`. */
  device?: Device;
  /** Intra-op threads for ONNX Runtime. Default: number of cores. */
  threads?: number;
}

/** Static facts about an opened codec. */
export interface CodecInfo {
  id: string;
  description: string;
  media: readonly MediaKind[];
  modelId: string | null;
  /** Valid `quality` levels, low to high rate. */
  qualities: readonly number[];
  defaultQuality: number;
}

export interface Codec extends AsyncDisposable {
  readonly id: string;
  readonly info: CodecInfo;
  encode(input: MediaInput, options?: EncodeOptions): Promise<Uint8Array>;
  decode(bytes: Uint8Array): Promise<DecodedMedia>;
  dispose(): Promise<void>;
}

/** A registered codec family: stable id plus a way to open it. */
export interface CodecFactory {
  readonly id: string;
  readonly description: string;
  readonly media: readonly MediaKind[];
  open(options: OpenOptions): Promise<Codec>;
}
