/**
 * Node streams for audio codecs: pipe raw PCM through a codec in constant memory.
 *
 * ```ts
 * import { pipeline } from 'node:stream/promises';
 * import { createEncodeStream, createDecodeStream } from 'neural-codec';
 * // s16le stereo PCM at 48 kHz in, an .ncd file out
 * await pipeline(pcmIn, createEncodeStream({ codec: 'rvq', sampleRate: 48000, channels: 2, bitrateKbps: 6 }), fileOut);
 * // or the wavelet codec's audio model (quality levels instead of bitrates)
 * await pipeline(pcmIn, createEncodeStream({ codec: 'wavelet', model: 'wavelet-audio-cpu', sampleRate: 48000, channels: 2, quality: 4 }), fileOut);
 * // any streaming-capable .ncd file in, PCM out (at the original rate and channel count)
 * const decoder = createDecodeStream({ sampleFormat: 'f32le' });
 * decoder.on('format', ({ sampleRate, channels }) => { ... });
 * await pipeline(fileIn, decoder, pcmOut);
 * ```
 *
 * PCM is interleaved little-endian (src/media/pcm.ts): `s16le` (default) or `f32le`. The encode stream
 * writes a container whose header gives 0 frames (the length is unknown when it is written) and whose
 * last section records the length (docs/FORMAT.md, "Streamed files"); the decode stream reads files
 * written by either the stream or `encode()`, and so does the top-level `decode()`.
 *
 * The streams live here, not in a codec folder, because they are codec-agnostic: they need only a
 * codec with the {@link StreamingAudioCodec} sessions (rvq and wavelet, both on the shared sessions of
 * audio-sessions.ts), opened through the registry by id ({@link DEFAULT_STREAM_CODEC} unless `codec`
 * names another) — the decode stream opens the codec and model that the header names, as `decode()`
 * does. Both streams hold at most the codec session's chunk (plus one PCM piece) however long the input.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from '../container/crc32.js';
import { encodeHeader, encodeSection, encodeTrailer } from '../container/format.js';
import type { ContainerHeader } from '../container/header.js';
import { ContainerParser } from '../container/parser.js';
import { CodecError } from '../errors.js';
import { PcmDeinterleaver, checkPcmFormat, interleavePcm, type PcmSampleFormat } from '../media/pcm.js';
import { invalidRange, invalidType } from '../validate.js';
import { DEFAULT_CODEC, openCodec } from './registry.js';
import type {
  AudioDecodeOptions, AudioDecoderSession, AudioEncoderSession, Codec, EncodeOptions, OpenOptions, StreamingAudioCodec,
} from './types.js';

/** True when `codec` can encode and decode audio piece by piece. */
export function isStreamingAudioCodec(codec: Codec): codec is StreamingAudioCodec {
  const c = codec as Partial<StreamingAudioCodec>;
  return typeof c.createAudioEncoder === 'function' && typeof c.createAudioDecoder === 'function';
}

/** The codec an encode stream opens when `options.codec` is not given: the default audio codec. */
export const DEFAULT_STREAM_CODEC = DEFAULT_CODEC.audio.codec;

function streamingCodec(codec: Codec): StreamingAudioCodec {
  if (!isStreamingAudioCodec(codec)) {
    throw new CodecError('ERR_UNSUPPORTED_MEDIA', `The '${codec.id}' codec cannot code audio streams; use an audio codec with streaming support (rvq, wavelet).`);
  }
  return codec;
}

/** The PCM layout of a stream. */
export interface PcmFormat {
  sampleRate: number;
  channels: number;
  /** Default `s16le`. */
  sampleFormat: PcmSampleFormat;
}

/**
 * Options of {@link createEncodeStream}: the PCM layout of the input, the codec (an id to open, default
 * {@link DEFAULT_STREAM_CODEC}, or an opened streaming codec to share), how to open it (`model`: for
 * `wavelet`, name its audio model), and the encode options (rate, and the codec's own, e.g. rvq's
 * chunkFrames or wavelet's chunkSeconds).
 */
export type EncodeStreamOptions<E extends EncodeOptions = EncodeOptions> = E & OpenOptions & {
  codec?: string | StreamingAudioCodec;
  /** Rate of the input PCM (Hz). */
  sampleRate: number;
  /** Interleaved channels of the input PCM. */
  channels: number;
  /** Default `s16le`. */
  sampleFormat?: PcmSampleFormat;
};

/** Options of {@link createDecodeStream}. */
export interface DecodeStreamOptions extends Omit<OpenOptions, 'model'>, AudioDecodeOptions {
  /** PCM sample format of the output. Default `s16le`. */
  sampleFormat?: PcmSampleFormat;
  /** An opened codec to decode with, instead of opening the one the header names. */
  codec?: StreamingAudioCodec;
}

/** Runs `work` and reports its outcome to a stream callback. */
function settle(work: Promise<void>, callback: TransformCallback): void {
  work.then(() => callback(), (err: unknown) => callback(err as Error));
}

/** PCM → container bytes. Create it with {@link createEncodeStream}. */
export class AudioEncodeStream extends Transform {
  readonly format: PcmFormat;
  private readonly pcm: PcmDeinterleaver;
  private session: AudioEncoderSession | undefined;
  private owned: Codec | undefined;
  private runningCrc = 0;
  private sections = 0;

  constructor(private readonly options: EncodeStreamOptions) {
    super();
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    const { sampleRate, channels } = options;
    if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 768_000) throw invalidRange('an integer sample rate between 1 and 768000', 'options.sampleRate', sampleRate);
    if (!Number.isInteger(channels) || channels < 1 || channels > 64) throw invalidRange('an integer between 1 and 64', 'options.channels', channels);
    const codec = options.codec ?? DEFAULT_STREAM_CODEC;
    if (typeof codec !== 'string' && (typeof codec !== 'object' || codec === null)) throw invalidType('a codec id or an opened codec', 'options.codec', codec);
    this.format = { sampleRate, channels, sampleFormat: checkPcmFormat(options.sampleFormat ?? 's16le', 'options.sampleFormat') };
    this.pcm = new PcmDeinterleaver(this.format.sampleFormat, channels);
  }

  /** Samples per channel held by the stream (PCM not yet coded, the codec's current chunk). */
  get bufferedFrames(): number {
    return (this.session?.bufferedFrames ?? 0) + Math.ceil(this.pcm.pendingBytes / (this.format.channels * (this.format.sampleFormat === 's16le' ? 2 : 4)));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    settle((async () => {
      const session = await this.start();
      const pieces = this.pcm.push(chunk);
      if (pieces[0]!.length > 0) this.emitSections(await session.push(pieces));
    })(), callback);
  }

  override _flush(callback: TransformCallback): void {
    settle((async () => {
      const session = await this.start();
      this.pcm.end();
      this.emitSections(await session.end());
      this.push(encodeTrailer(this.sections, this.runningCrc));
      await this.release();
    })(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.release().then(() => callback(error), (err: unknown) => callback(error ?? (err as Error)));
  }

  private async start(): Promise<AudioEncoderSession> {
    if (this.session) return this.session;
    const { codec = DEFAULT_STREAM_CODEC, model, device, threads, sampleRate, channels, sampleFormat: _format, ...encodeOptions } = this.options;
    let opened: Codec;
    if (typeof codec === 'string') {
      // Without a codec, the default audio codec with its default model (DEFAULT_CODEC in the registry).
      const defaultModel = this.options.codec === undefined ? DEFAULT_CODEC.audio.model : undefined;
      opened = this.owned = await openCodec(codec, { model: model ?? defaultModel, device, threads });
    } else {
      opened = codec;
    }
    this.session = streamingCodec(opened).createAudioEncoder({ sampleRate, channels }, encodeOptions);
    this.pushBytes(encodeHeader(this.session.header));
    return this.session;
  }

  private emitSections(payloads: Uint8Array[]): void {
    for (const payload of payloads) {
      this.pushBytes(encodeSection(payload));
      this.sections++;
    }
  }

  private pushBytes(bytes: Uint8Array): void {
    this.runningCrc = crc32(bytes, this.runningCrc);
    this.push(bytes);
  }

  private async release(): Promise<void> {
    const codec = this.owned;
    this.owned = undefined;
    await codec?.dispose();
  }
}

/** Container bytes → PCM. Create it with {@link createDecodeStream}; it emits `format` before any PCM. */
export class AudioDecodeStream extends Transform {
  /** The PCM layout of the output, once the header has been read. */
  format: PcmFormat | null = null;
  private readonly parser = new ContainerParser();
  private readonly sampleFormat: PcmSampleFormat;
  private session: AudioDecoderSession | undefined;
  private owned: Codec | undefined;

  constructor(private readonly options: DecodeStreamOptions = {}) {
    super();
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    this.sampleFormat = checkPcmFormat(options.sampleFormat ?? 's16le', 'options.sampleFormat');
  }

  /** Samples per channel held by the codec session (the cross-fade tail, resampler state). */
  get bufferedFrames(): number {
    return this.session?.bufferedFrames ?? 0;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    settle((async () => {
      for (const event of this.parser.push(chunk)) {
        if (event.type === 'header') await this.start(event.header);
        else this.emitPcm(await this.session!.push(event.payload));
      }
    })(), callback);
  }

  override _flush(callback: TransformCallback): void {
    settle((async () => {
      this.parser.end();
      if (!this.session) throw new CodecError('ERR_BITSTREAM_TRUNCATED', 'The stream ended before a complete header: the file is truncated.');
      this.emitPcm(await this.session.end());
      await this.release();
    })(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.release().then(() => callback(error), (err: unknown) => callback(error ?? (err as Error)));
  }

  private async start(header: ContainerHeader): Promise<void> {
    if (header.media.kind !== 'audio') throw new CodecError('ERR_UNSUPPORTED_MEDIA', `This file holds an image (codec '${header.codecId}'); decode it with decode(), not an audio stream.`);
    const { codec, device, threads, maxCodebooks, postfilter } = this.options;
    const opened = codec ?? (this.owned = await openCodec(header.codecId, { model: header.modelId || undefined, device, threads }));
    this.session = streamingCodec(opened).createAudioDecoder(header, { maxCodebooks, postfilter });
    this.format = { sampleRate: this.session.sampleRate, channels: this.session.channels, sampleFormat: this.sampleFormat };
    this.emit('format', this.format);
  }

  private emitPcm(channels: Float32Array[]): void {
    if (channels[0]!.length > 0) this.push(interleavePcm(channels, this.sampleFormat));
  }

  private async release(): Promise<void> {
    const codec = this.owned;
    this.owned = undefined;
    await codec?.dispose();
  }
}

/**
 * A Transform stream that encodes interleaved PCM (`sampleRate`, `channels`, `sampleFormat`) into a
 * container file with a streaming audio codec (default {@link DEFAULT_STREAM_CODEC}). Invalid options throw TypeError /
 * RangeError here; codec errors are emitted as `error` events.
 */
export function createEncodeStream<E extends EncodeOptions = EncodeOptions>(options: EncodeStreamOptions<E>): AudioEncodeStream {
  return new AudioEncodeStream(options);
}

/**
 * A Transform stream that decodes a container file of a streaming audio codec into interleaved PCM at
 * the original sample rate and channel count (announced by the `format` event and the `format`
 * property before the first PCM bytes).
 */
export function createDecodeStream(options: DecodeStreamOptions = {}): AudioDecodeStream {
  return new AudioDecodeStream(options);
}
