export * from './image.js';
export * from './audio.js';
export { ffmpegPath, runFfmpeg } from './ffmpeg.js';
export { encodeWav, decodeWav, isWav } from './wav.js';
export {
  probeVideo, readVideoFrames, copyAudioStream, type VideoProbe, type VideoSourceOptions, type ReadVideoOptions,
} from './video.js';
export { openVideoWriter, VIDEO_OUTPUTS, type VideoWriter, type VideoWriterOptions, type VideoWriterAudio } from './video-writer.js';
export { yuvToRgbPlanar, rgbPlanarToYuv, defaultColour, chromaSize, frameByteLength, checkFrame } from './yuv.js';
