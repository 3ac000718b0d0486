/**
 * Reading and writing the neural-codec container (docs/FORMAT.md):
 *
 *   magic "NCDC" · version u8 · header length u32 · header body · header CRC-32
 *   { section length u32 (< 0xFFFFFFFF) · payload · payload CRC-32 }*
 *   end marker 0xFFFFFFFF · section count u32 · file CRC-32 (of every byte before it)
 *
 * The pieces are exposed separately (`encodeHeader`, `encodeSection`, `encodeTrailer`) so a streaming
 * encoder can emit a file chunk by chunk; `readContainer` parses a whole file and `ContainerParser`
 * parses one incrementally.
 */
import { CodecError } from '../errors.js';
import { checkInteger, invalidRange } from '../validate.js';
import { ByteReader, ByteWriter } from './bytes.js';
import { crc32 } from './crc32.js';
import {
  FORMAT_VERSION, LIMITS, MAGIC,
  type ContainerHeader, type MediaDescription, type RateSetting,
} from './header.js';

export const END_MARKER = 0xffffffff;
const MEDIA_IMAGE = 1;
const MEDIA_AUDIO = 2;
const MEDIA_VIDEO = 3;
const MATRICES = ['bt601', 'bt709'] as const;
const RANGES = ['limited', 'full'] as const;
const RATE_NONE = 0;
const RATE_QUALITY = 1;
const RATE_BITRATE = 2;

export interface Container {
  header: ContainerHeader;
  /** Views into the input bytes, in order. */
  sections: Uint8Array[];
}

function corrupt(message: string): CodecError {
  return new CodecError('ERR_BITSTREAM_CORRUPT', message);
}

function writeMedia(w: ByteWriter, media: MediaDescription): void {
  if (media.kind === 'image') {
    w.u8(MEDIA_IMAGE).u32(media.width).u32(media.height).u8(media.channels).u8(media.bitDepth);
  } else if (media.kind === 'audio') {
    w.u8(MEDIA_AUDIO).u32(media.sampleRate).u8(media.channels).u64(media.frames);
  } else {
    // The reader rejects what these checks refuse: never write a header that cannot be read back.
    const matrix = MATRICES.indexOf(media.matrix);
    const range = RANGES.indexOf(media.range);
    if (matrix < 0) throw invalidRange("'bt601' or 'bt709'", 'media.matrix', media.matrix);
    if (range < 0) throw invalidRange("'limited' or 'full'", 'media.range', media.range);
    for (const key of ['width', 'height'] as const) checkInteger(media[key], `media.${key}`, 1, LIMITS.maxDimension);
    for (const key of ['fpsNum', 'fpsDen'] as const) checkInteger(media[key], `media.${key}`, 1, 2 ** 32 - 1);
    checkInteger(media.frames, 'media.frames', 0, LIMITS.maxVideoFrames);
    w.u8(MEDIA_VIDEO).u32(media.width).u32(media.height).u32(media.fpsNum).u32(media.fpsDen).u32(media.frames).u8(matrix).u8(range);
  }
}

function writeRate(w: ByteWriter, rate: RateSetting): void {
  if (rate.kind === 'none') w.u8(RATE_NONE).f64(0);
  else if (rate.kind === 'quality') w.u8(RATE_QUALITY).f64(rate.value);
  else w.u8(RATE_BITRATE).f64(rate.kbps);
}

/** Magic, version, header body and header CRC. */
export function encodeHeader(header: Omit<ContainerHeader, 'version'>): Uint8Array {
  const body = new ByteWriter()
    .shortString(header.codecId)
    .shortString(header.modelId);
  body.u8(header.modelHash ? header.modelHash.length : 0);
  if (header.modelHash) body.bytes(header.modelHash);
  writeMedia(body, header.media);
  writeRate(body, header.rate);
  if (header.params.length > LIMITS.maxParamsLength) throw new RangeError('Codec parameters exceed 1 MiB');
  body.u32(header.params.length).bytes(header.params);
  const bodyBytes = body.finish();
  const w = new ByteWriter().bytes(MAGIC).u8(FORMAT_VERSION).u32(bodyBytes.length).bytes(bodyBytes);
  const head = w.finish();
  return new ByteWriter().bytes(head).u32(crc32(head)).finish();
}

/** One length-prefixed section with its own CRC. */
export function encodeSection(payload: Uint8Array): Uint8Array {
  if (payload.length >= END_MARKER) throw new RangeError('A section must be shorter than 4 GiB');
  return new ByteWriter().u32(payload.length).bytes(payload).u32(crc32(payload)).finish();
}

/** End marker, section count and the CRC of everything before the CRC (`runningCrc` covers the prefix). */
export function encodeTrailer(sectionCount: number, runningCrc: number): Uint8Array {
  const tail = new ByteWriter().u32(END_MARKER).u32(sectionCount).finish();
  const fileCrc = crc32(tail, runningCrc);
  return new ByteWriter().bytes(tail).u32(fileCrc).finish();
}

/** A whole container in one buffer. */
export function writeContainer(header: Omit<ContainerHeader, 'version'>, sections: readonly Uint8Array[]): Uint8Array {
  const parts = [encodeHeader(header), ...sections.map(encodeSection)];
  let running = 0;
  for (const p of parts) running = crc32(p, running);
  parts.push(encodeTrailer(sections.length, running));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function readMedia(r: ByteReader): MediaDescription {
  const kind = r.u8('the media kind');
  if (kind === MEDIA_IMAGE) {
    const width = r.u32('the image width');
    const height = r.u32('the image height');
    const channels = r.u8('the channel count');
    const bitDepth = r.u8('the bit depth');
    if (width < 1 || height < 1 || width > LIMITS.maxDimension || height > LIMITS.maxDimension) {
      throw corrupt(`The header describes a ${width}×${height} image, outside 1…${LIMITS.maxDimension}: the header is corrupt.`);
    }
    if (channels < 1 || channels > LIMITS.maxImageChannels) throw corrupt(`The header gives ${channels} image channels: the header is corrupt.`);
    if (bitDepth !== 8 && bitDepth !== 16) throw corrupt(`The header gives a bit depth of ${bitDepth}: the header is corrupt.`);
    return { kind: 'image', width, height, channels, bitDepth };
  }
  if (kind === MEDIA_AUDIO) {
    const sampleRate = r.u32('the sample rate');
    const channels = r.u8('the channel count');
    const frames = r.u64('the frame count');
    if (sampleRate < 1 || sampleRate > LIMITS.maxSampleRate) throw corrupt(`The header gives a sample rate of ${sampleRate} Hz: the header is corrupt.`);
    if (channels < 1 || channels > LIMITS.maxAudioChannels) throw corrupt(`The header gives ${channels} audio channels: the header is corrupt.`);
    if (frames > LIMITS.maxFrames) throw corrupt(`The header gives ${frames} frames: the header is corrupt.`);
    return { kind: 'audio', sampleRate, channels, frames };
  }
  if (kind === MEDIA_VIDEO) {
    const width = r.u32('the video width');
    const height = r.u32('the video height');
    const fpsNum = r.u32('the frame rate numerator');
    const fpsDen = r.u32('the frame rate denominator');
    const frames = r.u32('the frame count');
    const matrix = MATRICES[r.u8('the colour matrix')];
    const range = RANGES[r.u8('the colour range')];
    if (width < 1 || height < 1 || width > LIMITS.maxDimension || height > LIMITS.maxDimension) {
      throw corrupt(`The header describes a ${width}×${height} video, outside 1…${LIMITS.maxDimension}: the header is corrupt.`);
    }
    if (fpsNum < 1 || fpsDen < 1) throw corrupt(`The header gives a frame rate of ${fpsNum}/${fpsDen}: the header is corrupt.`);
    if (!matrix || !range) throw corrupt('The header names an unknown colour matrix or range: the header is corrupt.');
    return { kind: 'video', width, height, fpsNum, fpsDen, frames, matrix, range };
  }
  throw corrupt(`Unknown media kind ${kind} in the header: the header is corrupt.`);
}

function readRate(r: ByteReader): RateSetting {
  const kind = r.u8('the rate kind');
  const value = r.f64('the rate value');
  if (!Number.isFinite(value)) throw corrupt('The rate setting is not a finite number: the header is corrupt.');
  if (kind === RATE_NONE) return { kind: 'none' };
  if (kind === RATE_QUALITY) return { kind: 'quality', value };
  if (kind === RATE_BITRATE) return { kind: 'bitrate', kbps: value };
  throw corrupt(`Unknown rate kind ${kind}: the header is corrupt.`);
}

/**
 * Parses magic, version and header. Returns the header and the offset of the first section.
 * Throws ERR_BAD_MAGIC, ERR_UNSUPPORTED_VERSION, ERR_BITSTREAM_TRUNCATED, ERR_CRC_MISMATCH or ERR_BITSTREAM_CORRUPT.
 */
export function readHeader(bytes: Uint8Array): { header: ContainerHeader; end: number } {
  if (bytes.length < 4 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new CodecError('ERR_BAD_MAGIC', 'Not a neural-codec file: the first bytes are not "NCDC". Was it written by ncodec?');
  }
  const r = new ByteReader(bytes, 4);
  const version = r.u8('the format version');
  if (version !== FORMAT_VERSION) {
    throw new CodecError(
      'ERR_UNSUPPORTED_VERSION',
      `Container format version ${version} is not supported (this library reads version ${FORMAT_VERSION}); upgrade neural-codec to read it.`,
    );
  }
  const bodyLength = r.u32('the header length');
  if (bodyLength > r.remaining - 4) {
    throw new CodecError('ERR_BITSTREAM_TRUNCATED', `The header claims ${bodyLength} bytes but the file has ${Math.max(0, r.remaining - 4)} left for it: the file is truncated or corrupt.`);
  }
  const bodyStart = r.offset;
  r.offset += bodyLength;
  const expectedCrc = r.u32('the header CRC');
  if (crc32(bytes.subarray(0, bodyStart + bodyLength)) !== expectedCrc) {
    throw new CodecError('ERR_CRC_MISMATCH', 'The header CRC does not match: the file is corrupt.');
  }
  const body = new ByteReader(bytes, bodyStart, bodyStart + bodyLength);
  const codecId = body.shortString('the codec id');
  const modelId = body.shortString('the model id');
  const hashLength = body.u8('the model hash length');
  if (hashLength !== 0 && hashLength !== 32) throw corrupt(`The model hash has ${hashLength} bytes (expected 0 or 32): the header is corrupt.`);
  const modelHash = hashLength ? body.bytes(hashLength, 'the model hash').slice() : null;
  const media = readMedia(body);
  const rate = readRate(body);
  const paramsLength = body.u32('the parameter length');
  if (paramsLength > LIMITS.maxParamsLength) throw corrupt(`The codec parameters claim ${paramsLength} bytes: the header is corrupt.`);
  const params = body.bytes(paramsLength, 'the codec parameters').slice();
  if (body.remaining !== 0) throw corrupt(`${body.remaining} unexpected bytes at the end of the header: the header is corrupt.`);
  return { header: { version, codecId, modelId, modelHash, media, rate, params }, end: r.offset };
}

/** Parses and checks a whole container: every section CRC, the section count and the file CRC. */
export function readContainer(bytes: Uint8Array): Container {
  const { header, end } = readHeader(bytes);
  const r = new ByteReader(bytes, end);
  const sections: Uint8Array[] = [];
  for (;;) {
    const length = r.u32('a section length');
    if (length === END_MARKER) break;
    if (length > r.remaining - 4) {
      throw new CodecError('ERR_BITSTREAM_TRUNCATED', `Section ${sections.length} claims ${length} bytes but ${Math.max(0, r.remaining - 4)} are left: the file is truncated or corrupt.`);
    }
    const payload = r.bytes(length, 'a section');
    if (crc32(payload) !== r.u32('a section CRC')) {
      throw new CodecError('ERR_CRC_MISMATCH', `Section ${sections.length} fails its CRC check: the file is corrupt.`);
    }
    sections.push(payload);
  }
  const count = r.u32('the section count');
  const crcEnd = r.offset;
  const fileCrc = r.u32('the file CRC');
  if (count !== sections.length) throw corrupt(`The trailer counts ${count} sections but the file holds ${sections.length}: the file is corrupt.`);
  if (crc32(bytes.subarray(0, crcEnd)) !== fileCrc) throw new CodecError('ERR_CRC_MISMATCH', 'The file CRC does not match: the file is corrupt.');
  if (r.remaining !== 0) throw corrupt(`${r.remaining} bytes follow the end of the container: the file is corrupt or two files were joined.`);
  return { header, sections };
}
