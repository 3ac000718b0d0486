/**
 * The codec registry: codec families register under a stable id (the id written into every
 * container), `openCodec` opens one, and the top-level `decode` reads a file's header and opens the
 * right codec itself. Ids are never derived from list order.
 */
import { CodecError } from '../errors.js';
import { readHeader } from '../container/format.js';
import { mediaKindOf } from '../media/sniff.js';
import { invalidType } from '../validate.js';
import type { Codec, CodecFactory, DecodedMedia, MediaInput, EncodeOptions, MediaKind, OpenOptions } from './types.js';
import { builtinCodecs } from './builtins.js';

/**
 * The default codec and model of each media kind: the best one measured (docs/BENCHMARKS.md). What
 * `encode` without a codec uses; change it here when a better model ships.
 */
export const DEFAULT_CODEC: Readonly<Record<MediaKind, { readonly codec: string; readonly model: string }>> = {
  image: { codec: 'hyperprior', model: 'msh-wf-cpu' },
  audio: { codec: 'opuspf', model: 'opuspf-v1' },
  video: { codec: 'video', model: 'cond-msh-wf' },
};

/** The default codec and model ({@link DEFAULT_CODEC}) for an input's media. */
export async function defaultCodecFor(input: MediaInput): Promise<{ codec: string; model: string }> {
  return DEFAULT_CODEC[await mediaKindOf(input)];
}

const ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
const registry = new Map<string, CodecFactory>();

/** Registers a codec family. Throws if the id is malformed or already taken. */
export function registerCodec(factory: CodecFactory): void {
  if (!ID_PATTERN.test(factory.id)) {
    throw new RangeError(`Expected a codec id of lowercase letters, digits and '-' for factory.id but received '${factory.id}'`);
  }
  if (registry.has(factory.id)) throw new RangeError(`A codec with id '${factory.id}' is already registered`);
  registry.set(factory.id, factory);
}

let builtinsLoaded = false;
function ensureBuiltins(): void {
  if (builtinsLoaded) return;
  builtinsLoaded = true;
  for (const factory of builtinCodecs) if (!registry.has(factory.id)) registerCodec(factory);
}

export interface CodecListing {
  id: string;
  description: string;
  media: readonly MediaKind[];
}

/** Every registered codec family, sorted by id. */
export function listCodecs(): CodecListing[] {
  ensureBuiltins();
  return [...registry.values()]
    .map(({ id, description, media }) => ({ id, description, media }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

function factoryFor(id: string): CodecFactory {
  ensureBuiltins();
  const factory = registry.get(id);
  if (!factory) {
    const known = [...registry.keys()].sort().join(', ') || 'none';
    throw new CodecError('ERR_UNKNOWN_CODEC', `Unknown codec '${id}'. Registered codecs: ${known}.`);
  }
  return factory;
}

/** Opens a codec by id. Dispose it (or use `await using`) to free its model sessions. */
export async function openCodec(id: string, options: OpenOptions = {}): Promise<Codec> {
  if (typeof id !== 'string') throw invalidType('a codec id string', 'id', id);
  if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
  return factoryFor(id).open(options);
}

/**
 * Encodes with a codec opened for this one call: `options.codec`, or without one the default codec
 * and model of the input's media ({@link DEFAULT_CODEC}; `options.model` still wins).
 */
export async function encode(input: MediaInput, options: EncodeOptions & OpenOptions & { codec?: string } = {}): Promise<Uint8Array> {
  const { codec: id, model, device, threads, ...encodeOptions } = options;
  const chosen = id === undefined ? await defaultCodecFor(input) : { codec: id, model: undefined };
  const codec = await openCodec(chosen.codec, { model: model ?? chosen.model, device, threads });
  try {
    return await codec.encode(input, encodeOptions);
  } finally {
    await codec.dispose();
  }
}

/**
 * Decodes any neural-codec file: reads the header, opens the codec and model it names (on the given
 * device), decodes, and disposes the codec again.
 */
export async function decode(bytes: Uint8Array, options: Omit<OpenOptions, 'model'> = {}): Promise<DecodedMedia> {
  if (!(bytes instanceof Uint8Array)) throw invalidType('a Uint8Array', 'bytes', bytes);
  const { header } = readHeader(bytes);
  const codec = await openCodec(header.codecId, { ...options, model: header.modelId || undefined });
  try {
    return await codec.decode(bytes);
  } finally {
    await codec.dispose();
  }
}
