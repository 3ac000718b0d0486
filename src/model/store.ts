/**
 * The model store: `models/<family>/<model-id>/` folders holding ONNX graphs and a `manifest.json`.
 * A model is named by id (looked up under the package's models/ folder, or NCODEC_MODELS) or by a
 * folder path. Its hash is the SHA-256 over its files (names and contents, sorted by name); the
 * container records it so a decoder can tell when it holds different weights than the encoder did.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CodecError } from '../errors.js';
import { packageRoot } from '../package.js';

/** Folders searched for models: NCODEC_MODELS (path-delimited) first, then the package's models/. */
export function modelRoots(): string[] {
  const extra = (process.env.NCODEC_MODELS ?? '').split(path.delimiter).filter(Boolean);
  return [...extra, path.join(packageRoot(), 'models')];
}

export interface ModelFiles {
  id: string;
  family: string;
  dir: string;
  /** The parsed manifest.json; each family validates its own schema. */
  manifest: unknown;
  /** SHA-256 over the model's files. */
  hash: Uint8Array;
}

export interface ModelListing {
  id: string;
  family: string;
  dir: string;
}

/** Every model folder (with a manifest.json) under the model roots. */
export function listModels(): ModelListing[] {
  const found: ModelListing[] = [];
  for (const root of modelRoots()) {
    if (!existsSync(root)) continue;
    for (const family of readdirSync(root)) {
      const familyDir = path.join(root, family);
      if (family.startsWith('.') || family === 'train' || !statSync(familyDir).isDirectory()) continue;
      for (const id of readdirSync(familyDir)) {
        const dir = path.join(familyDir, id);
        if (existsSync(path.join(dir, 'manifest.json'))) found.push({ id, family, dir });
      }
    }
  }
  return found;
}

const hashCache = new Map<string, Uint8Array>();

/** SHA-256 over the sorted file names and contents of a model folder (sub-folders ignored). */
export function hashModelDir(dir: string): Uint8Array {
  const cached = hashCache.get(dir);
  if (cached) return cached;
  const hash = createHash('sha256');
  const files = readdirSync(dir).filter((f) => statSync(path.join(dir, f)).isFile()).sort();
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(path.join(dir, file)));
  }
  const digest = new Uint8Array(hash.digest());
  hashCache.set(dir, digest);
  return digest;
}

/**
 * Finds a model of `family` by id or folder path (the family's `defaultId` when none is given) and
 * reads its manifest. Throws ERR_MODEL_NOT_FOUND with the ids that are available.
 */
export function resolveModel(family: string, idOrPath: string | undefined, defaultId: string): ModelFiles {
  const wanted = idOrPath ?? defaultId;
  let dir: string | undefined;
  if (wanted.includes('/') || wanted.includes(path.sep)) {
    dir = path.resolve(wanted);
  } else {
    dir = modelRoots().map((root) => path.join(root, family, wanted)).find((d) => existsSync(path.join(d, 'manifest.json')));
  }
  if (!dir || !existsSync(path.join(dir, 'manifest.json'))) {
    const available = listModels().filter((m) => m.family === family).map((m) => m.id);
    throw new CodecError(
      'ERR_MODEL_NOT_FOUND',
      `No ${family} model '${wanted}' was found (looked in ${modelRoots().join(', ')}). ` +
        (available.length ? `Available: ${available.join(', ')}.` : `No ${family} models are installed; run \`ncodec models\`.`),
    );
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  } catch (err) {
    throw new CodecError('ERR_MODEL_INVALID', `The manifest of model ${dir} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return { id: path.basename(dir), family, dir, manifest, hash: hashModelDir(dir) };
}

/** Throws ERR_MODEL_MISMATCH when a stream was made with other model weights than the ones at hand. */
export function checkModelHash(model: ModelFiles, expected: Uint8Array | null): void {
  if (!expected) return;
  if (expected.length !== model.hash.length || expected.some((b, i) => b !== model.hash[i])) {
    throw new CodecError(
      'ERR_MODEL_MISMATCH',
      `This file was encoded with different weights of model '${model.id}' (hash ${hex(expected).slice(0, 16)}…) ` +
        `than the ones installed (${hex(model.hash).slice(0, 16)}…); decode it with the neural-codec version that wrote it.`,
    );
  }
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** How a model-backed family reads its models: its id, default model, manifest parser and files. */
export interface ModelFamily<M> {
  /** The family id, also the folder under models/. */
  readonly id: string;
  /** The model used when none is named. */
  readonly defaultModel: string;
  /** Checks and types a parsed manifest.json (throws ERR_MODEL_INVALID naming the key). */
  parseManifest(raw: unknown): M;
  /** The files the manifest names, relative to the model folder (graphs, quantizer tables, ...). */
  filesOf(manifest: M): Iterable<string>;
}

/** A resolved model: its files and its typed manifest. */
export interface LoadedModel<M> {
  files: ModelFiles;
  manifest: M;
}

/**
 * Resolves a model of `family` (id, folder, or the family default), parses its manifest and checks that
 * every file the manifest names is there (ERR_MODEL_NOT_FOUND otherwise).
 */
export function loadModel<M>(family: ModelFamily<M>, idOrPath: string | undefined): LoadedModel<M> {
  const files = resolveModel(family.id, idOrPath, family.defaultModel);
  const manifest = family.parseManifest(files.manifest);
  for (const file of family.filesOf(manifest)) {
    if (!existsSync(path.join(files.dir, file))) {
      throw new CodecError('ERR_MODEL_NOT_FOUND', `The ${family.id} model ${files.dir} lacks ${file}, which its manifest names; re-export or reinstall the model.`);
    }
  }
  return { files, manifest };
}
