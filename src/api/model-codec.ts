/**
 * The one way a model-backed codec opens: check the options, load the model (src/model/store.ts:
 * resolve, parse the manifest, check its files), create the ONNX runtime, and build the codec from
 * them — disposing the runtime if building fails. Families keep only what is theirs: the manifest
 * schema, the networks and the latent layout.
 */
import { loadModel, type LoadedModel, type ModelFamily } from '../model/store.js';
import { Runtime } from '../runtime/session.js';
import { invalidType } from '../validate.js';
import type { OpenOptions } from './types.js';

/** A loaded model and the runtime its graphs run in. */
export interface OpenedModel<M> extends LoadedModel<M> {
  runtime: Runtime;
}

/** Throws TypeError unless `options` is an object whose `model`, when given, is a string. */
export function checkOpenOptions(options: unknown): asserts options is OpenOptions {
  if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
  const { model } = options as OpenOptions;
  if (model !== undefined && typeof model !== 'string') throw invalidType('a model id or folder path', 'options.model', model);
}

/** Opens `family`'s model named by `options.model` (or its default) and builds a codec on it. */
export async function openModelCodec<M, C>(
  family: ModelFamily<M>, options: OpenOptions, build: (model: OpenedModel<M>) => C | Promise<C>,
): Promise<C> {
  checkOpenOptions(options);
  const loaded = loadModel(family, options.model);
  const runtime = await Runtime.create({ device: options.device, threads: options.threads });
  try {
    return await build({ ...loaded, runtime });
  } catch (err) {
    await runtime.dispose();
    throw err;
  }
}
