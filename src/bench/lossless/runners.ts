/**
 * What the lossless benchmark runs: one runner per codec. A runner codes 8-bit RGB into file bytes
 * and back, and times each step itself, because what is fair to time differs: a library call
 * (ncodec codecs, sharp) is timed whole, an external tool (cjxl, djxl) by its process alone, without
 * the temporary files written for it and read from it.
 *
 * ncodec codecs are opened once through the bench's own runner (`src/bench/ncodec.ts`, the registry's
 * `openCodec`): `lossless` (its default, learned model), `lossless:med` (the model-free MED mode, the
 * codec's `--model med`), `codec@model` for another model, or any other image codec, which is run at
 * its highest quality level and whose decode the exactness check then judges.
 */
import { timed } from '../measure.js';
import { ncodecImageRunner } from '../ncodec.js';
import { SkipCodecError, type Rgb8Image } from '../runners.js';
import type { CodecSource } from '../types.js';

/** A step's result and its wall time; `toolMs` is an external tool's own figure for it, when it gives one. */
export interface Timed<T> {
  value: T;
  ms: number;
  toolMs: number | null;
}

export interface LosslessRunner {
  /** Codec id as given to `--codecs`. */
  id: string;
  source: CodecSource;
  /** Encoder settings in words, and what the times measure, for the report. */
  description: string;
  encode(image: Rgb8Image): Promise<Timed<Uint8Array>>;
  /**
   * Decodes to 8-bit RGB: what the bytes hold, never `source`'s pixels (`source` is the image that
   * was encoded, passed on as the image bench's runners take it); the bench checks the result.
   */
  decode(bytes: Uint8Array, source: Rgb8Image): Promise<Timed<Rgb8Image>>;
  /** Frees what the runner holds (model, temporary folder). */
  dispose(): Promise<void>;
}

/** A library call timed whole. */
export async function timedCall<T>(fn: () => Promise<T>): Promise<Timed<T>> {
  const [value, ms] = await timed(fn);
  return { value, ms, toolMs: null };
}

/** Modes given as `codec:mode`, each the model it stands for. */
const MODES: Record<string, string> = { med: 'med' };

/** `lossless:med` → `lossless@med` (the codec-and-model form the bench's ncodec runner takes); other ids as they are. */
export function modelSpec(id: string): string {
  const colon = id.lastIndexOf(':');
  if (colon < 0) return id;
  const mode = id.slice(colon + 1);
  const model = MODES[mode];
  if (model === undefined) throw new SkipCodecError(id, `unknown mode '${mode}' (the lossless bench knows :${Object.keys(MODES).join(', :')})`);
  return `${id.slice(0, colon)}@${model}`;
}

/**
 * A runner for ncodec codec `id`, opened once with `threads`. Throws UnknownCodecError (an id nobody
 * knows) or SkipCodecError (model missing, not an image codec).
 */
export async function ncodecLosslessRunner(id: string, threads: number): Promise<LosslessRunner> {
  const runner = await ncodecImageRunner(modelSpec(id), { threads });
  // A lossless codec has one level; a lossy one is run at its highest, the closest it gets.
  const setting = runner.settings[runner.settings.length - 1]!;
  const level = runner.settings.length > 1 ? ` at its highest level (${setting.value})` : '';
  return {
    id,
    source: 'ncodec',
    description: `${runner.description}${level}, ${threads} thread${threads === 1 ? '' : 's'}; library calls timed whole (encode() from raw RGB, decode() to raw RGB)`,
    encode: (image) => timedCall(() => runner.encode(image, setting)),
    decode: (bytes, source) => timedCall(() => runner.decode(bytes, source)),
    dispose: () => runner.dispose(),
  };
}
