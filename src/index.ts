/**
 * neural-codec: learned compression of images and audio on Node.js.
 *
 * ```ts
 * import { openCodec, decode } from 'neural-codec';
 * await using codec = await openCodec('hyperprior', { device: 'auto' });
 * const bytes = await codec.encode('photo.png', { quality: 4 });
 * const image = await decode(bytes);
 * ```
 */
export { openCodec, decode, encode, listCodecs, registerCodec, type CodecListing } from './api/registry.js';
export type {
  Codec, CodecFactory, CodecInfo, DecodedAudio, DecodedImage, DecodedMedia, DecodedVideo, EncodeOptions, MediaInput,
  MediaKind, OpenOptions, Progress, RawAudio, RawImage, VideoColour, VideoFormat, YuvFrame,
} from './api/types.js';
export { CodecError, isCodecError, type CodecErrorCode } from './errors.js';
export {
  readContainer, readHeader, writeContainer, type Container, type ContainerHeader, type MediaDescription, type RateSetting,
} from './container/index.js';
export { Runtime, resolveDevice, type Device, type RuntimeOptions } from './runtime/index.js';
export { listModels, resolveModel, type ModelFiles, type ModelListing } from './model/store.js';
export { loadImage, saveImage, loadAudio, saveAudio, type LoadedImage } from './media/index.js';
export { probeVideo, readVideoFrames, openVideoWriter, type VideoProbe, type VideoWriter } from './media/index.js';
export * from './metrics/index.js';
export { runBench, bdRate, bdQuality, markdownReport, svgPlot, type BenchOptions, type RdCurve } from './bench/index.js';
export {
  RansCoder, adaptiveEncode, adaptiveDecode, adaptiveIdealBits, buildGaussianTables, buildFactorizedTables,
  buildScaleIndexes, quantizeCdf, defaultScaleTable, type CdfTableSet, type AdaptiveOptions,
} from './entropy/index.js';
export {
  createEncodeStream, createDecodeStream, isStreamingAudioCodec, AudioEncodeStream, AudioDecodeStream,
  type EncodeStreamOptions, type DecodeStreamOptions, type PcmFormat,
} from './api/streams.js';
export type {
  AudioDecodeOptions, AudioDecoderSession, AudioEncoderSession, AudioStreamFormat, StreamingAudioCodec,
} from './api/types.js';
export type { PcmSampleFormat } from './media/pcm.js';
