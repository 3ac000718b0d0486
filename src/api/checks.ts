/**
 * The checks every model-backed codec makes: on a stream's header before decoding (that it is its
 * own codec's stream, made with the model it has open — by id or hash — at one of the model's
 * rate levels), and on the `quality` option before encoding. Each failure is a typed error that
 * says what to do.
 */
import type { ContainerHeader } from '../container/header.js';
import { CodecError } from '../errors.js';
import { checkModelHash, type ModelFiles } from '../model/store.js';
import { invalidRange, invalidType } from '../validate.js';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Throws unless `header` is a stream of codec `codecId` made with `model` (id or weights). */
export function checkStreamModel(header: ContainerHeader, codecId: string, model: ModelFiles): void {
  if (header.codecId !== codecId) {
    throw new CodecError('ERR_UNKNOWN_CODEC', `This is a '${header.codecId}' stream, not a ${codecId} one; decode it with the top-level decode().`);
  }
  if (!header.modelHash) throw new CodecError('ERR_BITSTREAM_CORRUPT', `A ${codecId} stream must carry its model hash: the header is corrupt.`);
  if (header.modelId !== model.id && !sameBytes(header.modelHash, model.hash)) {
    throw new CodecError('ERR_MODEL_MISMATCH', `This file was encoded with ${codecId} model '${header.modelId}' but this codec has model '${model.id}' open; open it with { model: '${header.modelId}' } or use the top-level decode().`);
  }
  checkModelHash(model, header.modelHash);
}

/** The rate level whose `quality` the header's rate setting names; ERR_BITSTREAM_CORRUPT otherwise. */
export function levelOfHeader<L extends { quality: number }>(header: ContainerHeader, levels: readonly L[], modelId: string): L {
  const { rate } = header;
  const level = rate.kind === 'quality' ? levels.find((l) => l.quality === rate.value) : undefined;
  if (!level) {
    throw new CodecError('ERR_BITSTREAM_CORRUPT', `The stream's rate setting is not a quality level of model '${modelId}' (${levels.map((l) => l.quality).join(', ')}): the header is corrupt.`);
  }
  return level;
}

/**
 * The rate level of the `quality` option (default `defaultQuality`); TypeError / RangeError listing the
 * valid levels (of `media`, when a codec has levels per media kind).
 */
export function levelOfOption<L extends { quality: number }>(quality: unknown, levels: readonly L[], defaultQuality: number, media?: string): L {
  const q = quality ?? defaultQuality;
  if (typeof q !== 'number') throw invalidType('an integer quality level', 'options.quality', q);
  const level = levels.find((l) => l.quality === q);
  if (!level) throw invalidRange(`one of the ${media ? `${media} ` : ''}quality levels ${levels.map((l) => l.quality).join(', ')}`, 'options.quality', q);
  return level;
}
