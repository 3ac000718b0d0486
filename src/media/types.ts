/**
 * The media the library reads and writes: raw images and audio, what `encode` accepts, and what
 * `decode` returns. Types only.
 */

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
