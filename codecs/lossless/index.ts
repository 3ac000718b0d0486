/**
 * `lossless`: bit-exact image coding, two modes behind one codec.
 *
 * - learned (default, model `mlp-v1`): a causal per-pixel MLP predicts a discretized logistic mixture
 *   for R, G|R, B|R,G; integer arithmetic end to end, so every machine decodes the same pixels
 *   (native/src/lossless_mlp.h, codecs/lossless/tiles.ts). 8-bit gray/RGB(A); alpha is MED-coded.
 *   Per tile the encoder keeps the learned or the MED stream, whichever is smaller; when no tile keeps
 *   the learned one, the file is written in the MED layout.
 * - `med` (`--model med`): MED prediction + adaptive range coding, no network (codecs/lossless/med.ts);
 *   also what 16-bit images get in either mode.
 *
 * Parameters: one byte, the layout version: 1 = one MED section (the format of every file written before
 * the learned mode; they keep decoding), 2 = tiles (tiles.ts). A version-2 file records the model id and
 * hash; it needs that model only when one of its tiles uses it.
 */
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeContainer, readContainer } from '../../src/container/format.js';
import type { Codec, CodecFactory, CodecInfo, DecodedImage, EncodeOptions, MediaInput, OpenOptions, RawAudio } from '../../src/api/types.js';
import { CodecError } from '../../src/errors.js';
import { loadImage, type LoadedImage } from '../../src/media/image.js';
import { checkMediaKind } from '../../src/media/sniff.js';
import { checkModelHash, loadModel, type LoadedModel } from '../../src/model/store.js';
import { losslessFamily, type LosslessManifest } from './manifest.js';
import { medDecode, medEncode } from './med.js';
import { MODE_MED, colourChannels, decodeTiles, encodeAlpha, encodeTile, extractTile, tilesOf } from './tiles.js';

const ID = 'lossless';
const MED_LAYOUT = 1;
const TILE_LAYOUT = 2;
/** `--model med`: the model-free mode. */
export const MED_MODEL = 'med';

interface LearnedModel {
  loaded: LoadedModel<LosslessManifest>;
  bytes: Uint8Array;
}

function readLearned(idOrPath: string | undefined): LearnedModel {
  const loaded = loadModel(losslessFamily, idOrPath);
  return { loaded, bytes: new Uint8Array(readFileSync(path.join(loaded.files.dir, loaded.manifest.file))) };
}

function encodeMed(image: LoadedImage): Uint8Array {
  return writeContainer({
    codecId: ID, modelId: '', modelHash: null, rate: { kind: 'none' }, params: Uint8Array.of(MED_LAYOUT),
    media: { kind: 'image', width: image.width, height: image.height, channels: image.channels, bitDepth: image.bitDepth },
  }, [medEncode(image)]);
}

function encodeLearned(image: LoadedImage, model: LearnedModel, threads: number, options: EncodeOptions): Uint8Array {
  const { width, height, channels } = image;
  const data = image.data as Uint8Array;
  const cc = colourChannels(channels);
  const tiles = tilesOf(width, height);
  const sections = tiles.map((t, k) => {
    const section = encodeTile(model.bytes, extractTile(data, width, channels, t), t, cc, threads);
    options.onProgress?.({ phase: 'encode tiles', done: k + 1, total: tiles.length });
    return section;
  });
  // No tile gained from the model: the MED layout is smaller still (no model id and hash, one stream).
  if (sections.every((s) => s[0] === MODE_MED)) return encodeMed(image);
  if (channels === 2 || channels === 4) sections.push(encodeAlpha(data, width, height, channels));
  return writeContainer({
    codecId: ID, modelId: model.loaded.files.id, modelHash: model.loaded.files.hash, rate: { kind: 'none' },
    params: Uint8Array.of(TILE_LAYOUT), media: { kind: 'image', width, height, channels, bitDepth: 8 },
  }, sections);
}

class LosslessCodec implements Codec {
  readonly id = ID;
  readonly info: CodecInfo;
  private readonly threads: number;
  /** A model other than the open one that a decoded file named (read once). */
  private other: LearnedModel | null = null;

  private constructor(private readonly model: LearnedModel | null, threads: number | undefined) {
    this.threads = Math.max(1, threads ?? availableParallelism());
    this.info = {
      id: ID, description: lossless.description, media: ['image'], modelId: model ? model.loaded.files.id : MED_MODEL,
      qualities: [0], defaultQuality: 0,
    };
  }

  static async open(options: OpenOptions = {}): Promise<LosslessCodec> {
    return new LosslessCodec(options.model === MED_MODEL ? null : readLearned(options.model), options.threads);
  }

  async encode(input: MediaInput, options: EncodeOptions = {}): Promise<Uint8Array> {
    await checkMediaKind(input, ID, ['image']);
    const image = await loadImage(input as Exclude<MediaInput, RawAudio>);
    if (!this.model || image.bitDepth === 16) return encodeMed(image);
    return encodeLearned(image, this.model, this.threads, options);
  }

  async decode(bytes: Uint8Array): Promise<DecodedImage> {
    const { header, sections } = readContainer(bytes);
    const { media } = header;
    if (header.codecId !== ID || media.kind !== 'image') {
      throw new CodecError('ERR_UNKNOWN_CODEC', `This is a '${header.codecId}' ${media.kind} stream, not a lossless image.`);
    }
    const { width: w, height: h, bitDepth: bits, channels } = media;
    if (w * h > 1 << 28) throw new CodecError('ERR_BITSTREAM_CORRUPT', `A ${w}×${h} lossless image is beyond the supported size: the header is corrupt.`);
    const layout = header.params.length === 1 ? header.params[0] : undefined;
    let data: Uint8Array | Uint16Array;
    if (layout === MED_LAYOUT && sections.length === 1) {
      data = medDecode(sections[0]!, w, h, channels, bits as 8 | 16);
    } else if (layout === TILE_LAYOUT && bits === 8) {
      data = decodeTiles(sections, w, h, channels, () => this.modelFor(header.modelId, header.modelHash));
    } else {
      throw new CodecError('ERR_BITSTREAM_CORRUPT', 'Unexpected lossless parameters or section count: the file is corrupt or from a newer version.');
    }
    return { kind: 'image', width: w, height: h, channels: channels as DecodedImage['channels'], data };
  }

  /** The learned model a file names: the open one when it matches, else the installed one of that id. */
  private modelFor(id: string, hash: Uint8Array | null): Uint8Array {
    let model = this.model && this.model.loaded.files.id === id ? this.model : this.other;
    if (!model || model.loaded.files.id !== id) model = this.other = readLearned(id || undefined);
    checkModelHash(model.loaded.files, hash);
    return model.bytes;
  }

  async dispose(): Promise<void> {}

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

export const lossless: CodecFactory = {
  id: ID,
  description: 'Lossless images: a learned causal model (integer, bit-exact everywhere), or MED + adaptive range coding (--model med)',
  media: ['image'],
  open: (options: OpenOptions) => LosslessCodec.open(options),
};
