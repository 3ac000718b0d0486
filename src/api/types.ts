/**
 * The contract every codec family implements (docs/ARCHITECTURE.md). Interface types only;
 * implementations live in src/api/registry.ts and codecs/<family>/. The media types are src/media's,
 * re-exported here for the codecs.
 */
import type { ContainerHeader } from '../container/header.js';
import type { Device } from '../runtime/device.js';

import type { DecodedMedia, MediaInput, MediaKind } from '../media/types.js';

export type {
  DecodedAudio, DecodedImage, DecodedMedia, DecodedVideo, MediaInput, MediaKind, RawAudio, RawImage, VideoColour, VideoFormat, YuvFrame,
} from '../media/types.js';

/** Progress of a long operation (fitting, chunked encoding); `total` may be unknown. */
export interface Progress {
  phase: string;
  done: number;
  total?: number;
  /** What the work has reached, in words (e.g. a fit's `step 120, 0.412 bpp, 31.20 dB`). */
  detail?: string;
}

export interface EncodeOptions {
  /** Integer rate level of the model (see `Codec.info.qualities`). */
  quality?: number;
  /** Target bitrate in kbps, for families that support one (audio). */
  bitrateKbps?: number;
  /** Called as work advances. */
  onProgress?: (progress: Progress) => void;
  /** Most optimisation steps, for families that fit the input at encode time (inr). */
  maxSteps?: number;
  /** Most seconds of fitting, for families that fit the input at encode time (inr). */
  maxSeconds?: number;
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
  /** Nominal bitrates (kbps) of the quality levels, for codecs rated by bitrate (audio); same order. */
  bitratesKbps?: readonly number[];
  /** True for audio codecs with a decoder-side post-filter that `{ postfilter: false }` skips (opuspf). */
  postfilter?: boolean;
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

/** The PCM-independent description of an audio stream an encoder session is fed. */
export interface AudioStreamFormat {
  sampleRate: number;
  channels: number;
  /** Samples per channel when known in advance (whole files); omitted for a stream of unknown length. */
  frames?: number;
}

/** Options of audio decoding that codecs with scalable layers honour (others ignore them). */
export interface AudioDecodeOptions {
  /** Decode only the first codebooks (rvq: at most this many of the codebooks in the file). */
  maxCodebooks?: number;
  /** Run the decoder-side post-filter (opuspf; default true): `false` gives the classic core's output alone. */
  postfilter?: boolean;
}

/**
 * An audio encoder that takes planar samples in pieces and hands out container section payloads as
 * soon as they are complete (src/api/streams.ts writes them with `encodeHeader`/`encodeSection`).
 */
export interface AudioEncoderSession {
  /** The container header, known before the first sample. */
  readonly header: Omit<ContainerHeader, 'version'>;
  /** Samples per channel held inside the session (bounded by the codec's chunk size). */
  readonly bufferedFrames: number;
  /** Adds one piece (one Float32Array per channel, equal lengths); returns completed section payloads. */
  push(channels: readonly Float32Array[]): Promise<Uint8Array[]>;
  /** Ends the input; returns the remaining section payloads. */
  end(): Promise<Uint8Array[]>;
}

/** An audio decoder fed section payloads in order, handing out planar samples as they are final. */
export interface AudioDecoderSession {
  /** Rate and channel count of the decoded audio (those of the original). */
  readonly sampleRate: number;
  readonly channels: number;
  /** Samples per channel held inside the session. */
  readonly bufferedFrames: number;
  /** Decodes one section; returns the samples per channel that are now final (possibly none). */
  push(section: Uint8Array): Promise<Float32Array[]>;
  /** Checks that the stream was complete and returns the last samples. */
  end(): Promise<Float32Array[]>;
}

/** A codec that can encode and decode audio piece by piece (what the Node streams use). */
export interface StreamingAudioCodec extends Codec {
  createAudioEncoder(format: AudioStreamFormat, options?: EncodeOptions): AudioEncoderSession;
  createAudioDecoder(header: ContainerHeader, options?: AudioDecodeOptions): AudioDecoderSession;
}
