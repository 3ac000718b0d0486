/**
 * ncodec codecs in the benchmark: any registered codec id, opened with `openCodec`, swept over its
 * model's `info.qualities` (or the `--qualities` that the model has). A codec whose model files are
 * missing, or that does not carry the benchmark's media, is skipped with the reason. Audio codecs
 * with a decoder-side post-filter (`info.postfilter`, e.g. opuspf) can also be benched without it:
 * `opuspf:core` (or `opuspf@model:core`) codes the same files and decodes them with
 * `{ postfilter: false }`, so the core alone is reported beside the filtered codec.
 */
import { openCodec, listCodecs } from '../api/registry.js';
import type { AudioDecodeOptions, Codec, DecodedMedia, EncodeOptions, MediaKind, OpenOptions } from '../api/types.js';
import { isCodecError } from '../errors.js';
import { loadAudio } from '../media/audio.js';
import { loadImage } from '../media/image.js';
import { toRgb8 } from './dataset.js';
import { SkipCodecError, UnknownCodecError, type AudioRunner, type ImageRunner, type Rgb8Image } from './runners.js';
import type { BenchSetting } from './types.js';

/** `hyperprior@msh-wf-cpu` → ['hyperprior', 'msh-wf-cpu']; a plain id has no model. */
export function splitModel(id: string): [string, string | undefined] {
  const at = id.indexOf('@');
  return at < 0 ? [id, undefined] : [id.slice(0, at), id.slice(at + 1)];
}

async function open(id: string, media: MediaKind, openOptions: OpenOptions, qualities: readonly number[] | undefined): Promise<{ codec: Codec; settings: BenchSetting[]; description: string }> {
  // `codec@model` benches one model of a family beside another (e.g. hyperprior@msh-wf-cpu).
  const [codecId, model] = splitModel(id);
  let codec: Codec;
  try {
    codec = await openCodec(codecId, model === undefined ? openOptions : { ...openOptions, model });
  } catch (err) {
    if (isCodecError(err, 'ERR_UNKNOWN_CODEC')) throw new UnknownCodecError(codecId, listCodecs().map((c) => c.id));
    const reason = err instanceof Error ? err.message : String(err);
    throw new SkipCodecError(id, isCodecError(err, 'ERR_MODEL_NOT_FOUND') ? `model not found: ${reason}` : `could not open: ${reason}`);
  }
  if (!codec.info.media.includes(media)) {
    await codec.dispose();
    throw new SkipCodecError(id, `codec '${id}' does not code ${media} (it codes ${codec.info.media.join(', ') || 'nothing'})`);
  }
  const levels = qualities ? qualities.filter((q) => codec.info.qualities.includes(q)) : [...codec.info.qualities];
  if (levels.length === 0) {
    await codec.dispose();
    throw new SkipCodecError(id, `none of the qualities ${qualities?.join(', ')} is a level of model ${codec.info.modelId ?? '(none)'}: it has ${codec.info.qualities.join(', ')}`);
  }
  const description = `${codec.info.description}${codec.info.modelId ? `, model ${codec.info.modelId}` : ''}`;
  return { codec, settings: levels.map((value) => ({ kind: 'quality', value })), description };
}

function expectKind<K extends DecodedMedia['kind']>(media: DecodedMedia, kind: K, id: string): Extract<DecodedMedia, { kind: K }> {
  if (media.kind !== kind) throw new TypeError(`Expected ${kind} from codec ${id} but received ${media.kind}`);
  return media as Extract<DecodedMedia, { kind: K }>;
}

/** An image runner for ncodec codec `id`. Throws SkipCodecError or UnknownCodecError. */
export async function ncodecImageRunner(id: string, openOptions: OpenOptions = {}, qualities?: readonly number[], budget: Pick<EncodeOptions, 'maxSteps' | 'maxSeconds'> = {}): Promise<ImageRunner> {
  const { codec, settings, description } = await open(id, 'image', openOptions, qualities);
  return {
    id,
    source: 'ncodec',
    description,
    settings,
    encode: (image: Rgb8Image, setting: BenchSetting) => codec.encode(image, { ...budget, quality: setting.value }),
    async decode(bytes: Uint8Array): Promise<Rgb8Image> {
      const decoded = expectKind(await codec.decode(bytes), 'image', id);
      return toRgb8(await loadImage({ data: decoded.data, width: decoded.width, height: decoded.height, channels: decoded.channels }));
    },
    dispose: () => codec.dispose(),
  };
}

/**
 * Settings of a codec rated by bitrate (`info.bitratesKbps`, e.g. rvq's 1.5, 3, 6, 12 kbps): its quality
 * levels as the bitrates they stand for, so reports show kbps; other codecs keep quality settings.
 */
function asBitrates(codec: Codec, settings: BenchSetting[]): BenchSetting[] {
  const kbps = codec.info.bitratesKbps;
  if (!kbps) return settings;
  return settings.map((s) => ({ kind: 'bitrate', value: kbps[codec.info.qualities.indexOf(s.value)]! }));
}

/** The audio decode modes of `--codecs`: `:core` decodes without the codec's post-filter. */
const CORE_SUFFIX = ':core';

/** `opuspf@model:core` → the codec spec and whether to decode the core alone. */
export function splitAudioMode(id: string): { spec: string; core: boolean } {
  return id.endsWith(CORE_SUFFIX) ? { spec: id.slice(0, -CORE_SUFFIX.length), core: true } : { spec: id, core: false };
}

/** An audio runner for ncodec codec `id`; decoded audio is downmixed and resampled to the source's rate. */
export async function ncodecAudioRunner(id: string, openOptions: OpenOptions = {}, qualities?: readonly number[], budget: Pick<EncodeOptions, 'maxSteps' | 'maxSeconds'> = {}): Promise<AudioRunner> {
  const { spec, core } = splitAudioMode(id);
  const opened = await open(spec, 'audio', openOptions, qualities);
  const { codec } = opened;
  if (core && !codec.info.postfilter) {
    await codec.dispose();
    throw new SkipCodecError(id, `codec '${spec}' has no decoder-side post-filter, so ':core' has nothing to leave out`);
  }
  const description = core ? `${opened.description}; decoded by the core alone (no post-filter)` : opened.description;
  const settings = asBitrates(codec, opened.settings);
  return {
    id,
    source: 'ncodec',
    description,
    settings,
    encode: (clip, setting) => codec.encode({ channels: [clip.samples], sampleRate: clip.sampleRate },
      setting.kind === 'bitrate' ? { ...budget, bitrateKbps: setting.value } : { ...budget, quality: setting.value }),
    async decode(bytes, source) {
      const media = core ? await (codec as AudioDecodingCodec).decode(bytes, { postfilter: false }) : await codec.decode(bytes);
      const decoded = expectKind(media, 'audio', id);
      const mono = await loadAudio({ channels: decoded.channels, sampleRate: decoded.sampleRate }, { mono: true, sampleRate: source.sampleRate });
      return mono.channels[0] ?? new Float32Array(0);
    },
    dispose: () => codec.dispose(),
  };
}

/** An audio codec's decode with its audio options (`info.postfilter` codecs take `postfilter`). */
type AudioDecodingCodec = Codec & { decode(bytes: Uint8Array, options?: AudioDecodeOptions): Promise<DecodedMedia> };
