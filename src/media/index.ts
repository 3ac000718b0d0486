export * from './image.js';
export * from './audio.js';
export { ffmpegPath, runFfmpeg } from './ffmpeg.js';
export { encodeWav, decodeWav, isWav } from './wav.js';
