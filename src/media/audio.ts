/**
 * Audio I/O. WAV goes through wav-decoder; every other format (MP3, FLAC, Ogg, a video's soundtrack)
 * through fluent-ffmpeg, decoded to 32-bit float. Resampling and downmixing, when asked for, are done
 * by ffmpeg (its default swresample filter).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CodecError } from '../errors.js';
import type { RawAudio } from './types.js';
import { invalidType, invalidRange } from '../validate.js';
import { ffmpegPath, runFfmpeg } from './ffmpeg.js';
import { decodeWav, encodeWav, isWav, parseStreamedFloatWav, type WavSampleFormat } from './wav.js';

export interface LoadAudioOptions {
  /** Resample to this rate (Hz). */
  sampleRate?: number;
  /** Downmix to one channel. */
  mono?: boolean;
}

export function isRawAudio(value: unknown): value is RawAudio {
  return typeof value === 'object' && value !== null && Array.isArray((value as RawAudio).channels) &&
    typeof (value as RawAudio).sampleRate === 'number';
}

/** Checks a RawAudio object: ≥ 1 channel of equal lengths, a positive integer rate, finite samples. */
export function checkRawAudio(audio: RawAudio, name = 'audio'): RawAudio {
  if (audio.channels.length < 1) throw invalidRange('at least one channel', `${name}.channels`, audio.channels);
  if (!Number.isInteger(audio.sampleRate) || audio.sampleRate < 1 || audio.sampleRate > 768_000) {
    throw invalidRange('an integer sample rate between 1 and 768000', `${name}.sampleRate`, audio.sampleRate);
  }
  const frames = audio.channels[0]!.length;
  audio.channels.forEach((c, i) => {
    if (!(c instanceof Float32Array)) throw invalidType('a Float32Array', `${name}.channels[${i}]`, c);
    if (c.length !== frames) throw invalidRange(`${frames} samples (as channel 0)`, `${name}.channels[${i}].length`, c.length);
  });
  return audio;
}

async function decodeWithFfmpeg(source: string | Uint8Array, name: string, options: LoadAudioOptions): Promise<RawAudio> {
  // Imported here, not at the top: only formats other than WAV need it.
  const { default: Ffmpeg } = await import('fluent-ffmpeg');
  return new Promise((resolve, reject) => {
    const input = typeof source === 'string' ? source : Readable.from([Buffer.from(source.buffer, source.byteOffset, source.byteLength)]);
    const command = Ffmpeg(input).setFfmpegPath(ffmpegPath()).noVideo().audioCodec('pcm_f32le').format('wav');
    if (options.sampleRate) command.audioFrequency(options.sampleRate);
    if (options.mono) command.audioChannels(1);
    const chunks: Buffer[] = [];
    command.on('error', (err: Error) => {
      reject(new CodecError('ERR_MEDIA_READ', `Could not read audio from ${name}: ${err.message.split('\n')[0]}`, { cause: err }));
    });
    const out = command.pipe();
    out.on('data', (b: Buffer) => chunks.push(b));
    out.on('end', () => {
      try {
        resolve(parseStreamedFloatWav(Buffer.concat(chunks), name));
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** Resamples and/or downmixes in-memory audio through ffmpeg. */
export async function convertAudio(audio: RawAudio, options: LoadAudioOptions): Promise<RawAudio> {
  const wantRate = options.sampleRate ?? audio.sampleRate;
  const wantMono = options.mono === true && audio.channels.length > 1;
  if (wantRate === audio.sampleRate && !wantMono) return audio;
  const frames = audio.channels[0]?.length ?? 0;
  if (frames === 0) {
    return { sampleRate: wantRate, channels: Array.from({ length: wantMono ? 1 : audio.channels.length }, () => new Float32Array(0)) };
  }
  const wav = encodeWav(audio, 'f32');
  const args = ['-f', 'wav', '-i', 'pipe:0', '-ar', String(wantRate)];
  if (wantMono) args.push('-ac', '1');
  args.push('-c:a', 'pcm_f32le', '-f', 'wav', 'pipe:1');
  return parseStreamedFloatWav(await runFfmpeg(args, wav), 'audio');
}

/**
 * Reads audio from a path, the bytes of a file, or raw audio, optionally resampled / downmixed.
 * Throws ERR_MEDIA_READ for unreadable input and ERR_FFMPEG_MISSING if a non-WAV file needs ffmpeg.
 */
export async function loadAudio(input: string | Uint8Array | RawAudio, options: LoadAudioOptions = {}): Promise<RawAudio> {
  if (options.sampleRate !== undefined && (!Number.isInteger(options.sampleRate) || options.sampleRate < 1)) {
    throw invalidRange('a positive integer', 'sampleRate', options.sampleRate);
  }
  if (isRawAudio(input)) return convertAudio(checkRawAudio(input), options);
  let bytes: Uint8Array;
  let name: string;
  if (typeof input === 'string') {
    name = path.basename(input);
    try {
      bytes = await readFile(input);
    } catch (err) {
      throw new CodecError('ERR_MEDIA_READ', `Could not read ${input}: ${(err as Error).message}`, { cause: err });
    }
  } else if (input instanceof Uint8Array) {
    bytes = input;
    name = 'the input bytes';
  } else {
    throw invalidType('a path, a Uint8Array or { channels, sampleRate }', 'input', input);
  }
  if (bytes.length === 0) throw new CodecError('ERR_MEDIA_READ', `${name} is empty: there is no audio to read.`);
  if (isWav(bytes)) {
    try {
      return await convertAudio(await decodeWav(bytes, name), options);
    } catch (err) {
      // wav-decoder reads PCM and float WAV only; ffmpeg reads the rest (WAVE_FORMAT_EXTENSIBLE, ADPCM, ...).
      if (!(err instanceof CodecError) || err.code !== 'ERR_MEDIA_READ') throw err;
    }
  }
  return decodeWithFfmpeg(typeof input === 'string' ? input : bytes, name, options);
}

export interface SaveAudioOptions {
  /** WAV sample format; other containers are written by ffmpeg from float samples. */
  wavFormat?: WavSampleFormat;
}

/** Writes audio to a file: `.wav` directly, anything else (`.flac`, `.mp3`, `.ogg`, ...) through ffmpeg. */
export async function saveAudio(audio: RawAudio, file: string, options: SaveAudioOptions = {}): Promise<void> {
  checkRawAudio(audio);
  const ext = path.extname(file).toLowerCase();
  try {
    if (ext === '.wav' || ext === '') {
      await writeFile(file, encodeWav(audio, options.wavFormat ?? 's16'));
      return;
    }
  } catch (err) {
    throw new CodecError('ERR_MEDIA_WRITE', `Could not write ${file}: ${(err as Error).message}`, { cause: err });
  }
  await runFfmpeg(['-f', 'wav', '-i', 'pipe:0', '-y', file], encodeWav(audio, 'f32'), 'ERR_MEDIA_WRITE');
}
