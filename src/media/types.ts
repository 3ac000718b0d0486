/**
 * The media the library reads and writes: raw images and audio, what `encode` accepts, and what
 * `decode` returns. Types only.
 */

/** Kinds of media a codec can carry; written into the container's media description. */
export type MediaKind = 'image' | 'audio' | 'video';

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

export type DecodedMedia = DecodedImage | DecodedAudio | DecodedVideo;

/** Colour of a Y'CbCr video: matrix coefficients (BT.601 or BT.709) and sample range. */
export interface VideoColour {
  matrix: 'bt601' | 'bt709';
  /** `limited`: Y in 16..235, Cb/Cr in 16..240 (TV range); `full`: 0..255. */
  range: 'limited' | 'full';
}

/**
 * One 8-bit 4:2:0 frame: a luma plane `y` of `width`×`height` samples and chroma planes `u`, `v` of
 * ceil(width/2)×ceil(height/2) samples, rows without padding.
 */
export interface YuvFrame {
  width: number;
  height: number;
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
}

/** What a video stream is: size, rate and colour; `frameCount` when known. */
export interface VideoFormat {
  width: number;
  height: number;
  /** Frames per second as a fraction (25/1, 30000/1001). */
  fps: { num: number; den: number };
  colour: VideoColour;
  frameCount?: number;
}

/** A decoded video held in memory (the frame streams in src/api decode without holding it). */
export interface DecodedVideo {
  kind: 'video';
  format: VideoFormat;
  frames: YuvFrame[];
  /** The soundtrack, when the stream carries one and it was coded (not copied). */
  audio?: DecodedAudio;
}
