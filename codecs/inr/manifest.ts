/**
 * The INR model manifest (`models/inr/<id>/manifest.json`, written by models/train/inr/export.py),
 * parsed and checked once when a codec opens.
 *
 * An INR "model" holds no trained weights: it is the pair of graphs per network depth that fit and
 * evaluate SIREN networks (`fitStep`, `evaluate`), ω₀, and the rate levels — per medium, the block
 * size, network width and depth, positional-encoding octaves, quantization bits, learning rate,
 * minibatch and default step budget. A missing or malformed key fails with `ERR_MODEL_INVALID`.
 */
import { CodecError } from '../../src/errors.js';

/** One ONNX graph: its file (relative to the model folder) and its input/output names in order. */
export interface GraphSpec {
  file: string;
  inputs: readonly string[];
  outputs: readonly string[];
}

/** The two graphs of one network depth. */
export interface DepthGraphs {
  fitStep: GraphSpec;
  evaluate: GraphSpec;
}

/** One rate level: the network every block gets and how it is fitted and quantized. */
export interface InrLevel {
  quality: number;
  /** Block side in pixels (images) or block length in samples (audio); one network per block. */
  block: number;
  /** Hidden width and number of sine layers. */
  width: number;
  depth: number;
  /** Octaves of the Fourier-feature positional encoding per coordinate axis. */
  frequencies: number;
  /** Quantization: each tensor's step is its standard deviation × 2^(2 − bits) (≈ `bits` bits per weight). */
  bits: number;
  /** Peak Adam learning rate (cosine-decayed over the budget). */
  lr: number;
  /** Coordinates sampled per block per step. */
  batch: number;
  /** Default step budget when the caller gives neither `maxSteps` nor `maxSeconds`. */
  steps: number;
}

export interface InrMediaLevels {
  levels: readonly InrLevel[];
  defaultQuality: number;
}

export interface InrManifest {
  id: string;
  /** ω₀ of the first sine layer and of the hidden sine layers. */
  omega: readonly [number, number];
  /** Graphs by depth. */
  graphs: ReadonlyMap<number, DepthGraphs>;
  image: InrMediaLevels;
  audio: InrMediaLevels;
}

function invalid(key: string, what: string): CodecError {
  return new CodecError('ERR_MODEL_INVALID', `The INR manifest is not usable: expected ${what} for '${key}'. Re-export the model (models/train/inr/export.py).`);
}

function objectAt(value: unknown, key: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(key, 'an object');
  return value as Record<string, unknown>;
}

function numberAt(value: unknown, key: string, min: number, max: number, integer = true): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw invalid(key, `${integer ? 'an integer' : 'a number'} in ${min}..${max}`);
  }
  return value;
}

function namesAt(value: unknown, key: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((s) => typeof s === 'string')) throw invalid(key, 'an array of names');
  return value as string[];
}

function graphAt(value: unknown, key: string, inputs: number, outputs: number): GraphSpec {
  const g = objectAt(value, key);
  const file = g.file;
  if (typeof file !== 'string' || file.length === 0 || file.includes('/') || file.includes('\\') || file.startsWith('.')) {
    throw invalid(`${key}.file`, 'a file name inside the model folder');
  }
  const ins = namesAt(g.inputs, `${key}.inputs`);
  const outs = namesAt(g.outputs, `${key}.outputs`);
  if (ins.length !== inputs) throw invalid(`${key}.inputs`, `${inputs} input names`);
  if (outs.length !== outputs) throw invalid(`${key}.outputs`, `${outputs} output names`);
  return { file, inputs: ins, outputs: outs };
}

function graphsAt(value: unknown): Map<number, DepthGraphs> {
  const g = objectAt(value, 'graphs');
  const out = new Map<number, DepthGraphs>();
  for (const [key, spec] of Object.entries(g)) {
    const depth = numberAt(Number(key), `graphs.${key}`, 1, 16);
    const s = objectAt(spec, `graphs.${key}`);
    const k = 2 * (depth + 1);
    out.set(depth, {
      fitStep: graphAt(s.fitStep, `graphs.${key}.fitStep`, 3 * k + 5, 3 * k + 1),
      evaluate: graphAt(s.evaluate, `graphs.${key}.evaluate`, k + 2, 1),
    });
  }
  return out;
}

function levelAt(value: unknown, key: string, maxBlock: number): InrLevel {
  const l = objectAt(value, key);
  return {
    quality: numberAt(l.quality, `${key}.quality`, 0, 255),
    block: numberAt(l.block, `${key}.block`, 2, maxBlock),
    width: numberAt(l.width, `${key}.width`, 1, 1024),
    depth: numberAt(l.depth, `${key}.depth`, 1, 16),
    frequencies: numberAt(l.frequencies, `${key}.frequencies`, 0, 16),
    bits: numberAt(l.bits, `${key}.bits`, 1, 16),
    lr: numberAt(l.lr, `${key}.lr`, 1e-7, 1, false),
    batch: numberAt(l.batch, `${key}.batch`, 1, 1 << 20),
    steps: numberAt(l.steps, `${key}.steps`, 1, 1e7),
  };
}

function mediaAt(value: unknown, key: string, graphs: Map<number, DepthGraphs>, maxBlock: number): InrMediaLevels {
  const m = objectAt(value, key);
  if (!Array.isArray(m.levels) || m.levels.length === 0) throw invalid(`${key}.levels`, 'a non-empty array');
  const levels = m.levels.map((l, i) => levelAt(l, `${key}.levels[${i}]`, maxBlock)).sort((a, b) => a.quality - b.quality);
  levels.forEach((l, i) => {
    if (i > 0 && l.quality === levels[i - 1]!.quality) throw invalid(`${key}.levels`, 'distinct quality values');
    if (!graphs.has(l.depth)) throw invalid(`graphs.${l.depth}`, `the graphs of depth ${l.depth} (used by ${key} quality ${l.quality})`);
  });
  const defaultQuality = numberAt(m.defaultQuality, `${key}.defaultQuality`, 0, 255);
  if (!levels.some((l) => l.quality === defaultQuality)) throw invalid(`${key}.defaultQuality`, 'one of the levels');
  return { levels, defaultQuality };
}

/** Largest image block side and audio block length a level may use (bounds a decoder's memory per block). */
export const MAX_IMAGE_BLOCK = 1024;
export const MAX_AUDIO_BLOCK = 1 << 15;

/** Checks a parsed `manifest.json` of the inr family; throws `ERR_MODEL_INVALID` naming the first bad key. */
export function parseManifest(raw: unknown): InrManifest {
  const m = objectAt(raw, 'manifest');
  if (m.family !== 'inr') throw invalid('family', "'inr'");
  if (typeof m.id !== 'string' || m.id.length === 0) throw invalid('id', 'a non-empty string');
  if (!Array.isArray(m.omega) || m.omega.length !== 2) throw invalid('omega', 'two numbers');
  const omega = [numberAt(m.omega[0], 'omega[0]', 1e-3, 1e4, false), numberAt(m.omega[1], 'omega[1]', 1e-3, 1e4, false)] as const;
  const graphs = graphsAt(m.graphs);
  return {
    id: m.id, omega, graphs,
    image: mediaAt(m.image, 'image', graphs, MAX_IMAGE_BLOCK),
    audio: mediaAt(m.audio, 'audio', graphs, MAX_AUDIO_BLOCK),
  };
}
