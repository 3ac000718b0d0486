/**
 * The INR model manifest (`models/inr/<id>/manifest.json`, written by models/train/inr/export.py),
 * parsed and checked once when a codec opens.
 *
 * An INR "model" holds no trained weights: it is the pair of graphs per network depth that fit and
 * evaluate SIREN networks (`fitStep`, `evaluate`), ω₀, and the rate levels — per medium, the block
 * size, network width and depth, positional-encoding octaves, quantization bits, learning rate,
 * minibatch and default step budget. A missing or malformed key fails with `ERR_MODEL_INVALID`.
 */
import { manifestFields, type GraphSpec } from '../../src/model/manifest.js';
import { NETWORK_SHAPES, sizeOf } from './coolchic-model.js';


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

/** One rate level of the Cool-chic image model. */
export interface CoolChicLevel {
  quality: number;
  /** Lagrangian of D + λR (D: MSE of the image in [0, 1]; R: bits per pixel). */
  lambda: number;
  /** Peak Adam learning rates of the latents and of the networks (cosine-decayed over the budget). */
  lr: number;
  lrNetwork: number;
  /** Default step budget when the caller gives neither `maxSteps` nor `maxSeconds`. */
  steps: number;
  /** Fraction of the budget fitted with rounded latents (straight-through), and its learning-rate factor. */
  hardFraction: number;
  hardLrScale: number;
}

/** The Cool-chic part of an inr model: its graphs and rate levels. */
export interface CoolChicSpec {
  fitStep: GraphSpec;
  decode: GraphSpec;
  levels: readonly CoolChicLevel[];
  defaultQuality: number;
  /** Initial network parameters (NETWORK names), when the model has a learned starting point. */
  init: ReadonlyMap<string, Float32Array> | null;
}

export interface InrManifest {
  id: string;
  /** ω₀ of the first sine layer and of the hidden sine layers. */
  omega: readonly [number, number];
  /** Graphs by depth. */
  graphs: ReadonlyMap<number, DepthGraphs>;
  /** SIREN image levels; null when the model codes images with Cool-chic. */
  image: InrMediaLevels | null;
  audio: InrMediaLevels;
  /** The Cool-chic image model, when the model has one (it then codes every image). */
  coolchic: CoolChicSpec | null;
}

const { invalid, objectAt, intAt, numberAt, floatsAt, graphsAt: graphsOf } = manifestFields('inr');

function graphsAt(value: unknown): Map<number, DepthGraphs> {
  const g = objectAt(value, 'graphs');
  const out = new Map<number, DepthGraphs>();
  for (const [key, spec] of Object.entries(g)) {
    const depth = intAt(Number(key), `graphs.${key}`, 1, 16);
    const k = 2 * (depth + 1);
    out.set(depth, graphsOf(spec, { fitStep: [3 * k + 5, 3 * k + 1], evaluate: [k + 2, 1] }, `graphs.${key}`));
  }
  return out;
}

function levelAt(value: unknown, key: string, maxBlock: number): InrLevel {
  const l = objectAt(value, key);
  return {
    quality: intAt(l.quality, `${key}.quality`, 0, 255),
    block: intAt(l.block, `${key}.block`, 2, maxBlock),
    width: intAt(l.width, `${key}.width`, 1, 1024),
    depth: intAt(l.depth, `${key}.depth`, 1, 16),
    frequencies: intAt(l.frequencies, `${key}.frequencies`, 0, 16),
    bits: intAt(l.bits, `${key}.bits`, 1, 16),
    lr: numberAt(l.lr, `${key}.lr`, 1e-7, 1),
    batch: intAt(l.batch, `${key}.batch`, 1, 1 << 20),
    steps: intAt(l.steps, `${key}.steps`, 1, 1e7),
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
  const defaultQuality = intAt(m.defaultQuality, `${key}.defaultQuality`, 0, 255);
  if (!levels.some((l) => l.quality === defaultQuality)) throw invalid(`${key}.defaultQuality`, 'one of the levels');
  return { levels, defaultQuality };
}

function coolchicLevelAt(value: unknown, key: string): CoolChicLevel {
  const l = objectAt(value, key);
  return {
    quality: intAt(l.quality, `${key}.quality`, 0, 255),
    lambda: numberAt(l.lambda, `${key}.lambda`, 1e-7, 10),
    lr: numberAt(l.lr, `${key}.lr`, 1e-7, 1),
    lrNetwork: numberAt(l.lrNetwork, `${key}.lrNetwork`, 1e-7, 1),
    steps: intAt(l.steps, `${key}.steps`, 1, 1e7),
    hardFraction: numberAt(l.hardFraction, `${key}.hardFraction`, 0, 1),
    hardLrScale: numberAt(l.hardLrScale, `${key}.hardLrScale`, 0, 1),
  };
}

/** Inputs and outputs of the Cool-chic graphs: 29 parameters with their Adam moments, 7 noise grids and 5 scalars/targets in; 87 + 2 out. */
const COOLCHIC_FIT_IO: [number, number] = [3 * 29 + 7 + 5, 3 * 29 + 2];
const COOLCHIC_DECODE_IO: [number, number] = [7 + 6 + 10, 1];

function coolchicAt(value: unknown): CoolChicSpec {
  const c = objectAt(value, 'coolchic');
  const graphs = graphsOf(c.graphs, { fitStep: COOLCHIC_FIT_IO, decode: COOLCHIC_DECODE_IO }, 'coolchic.graphs');
  if (!Array.isArray(c.levels) || c.levels.length === 0) throw invalid('coolchic.levels', 'a non-empty array');
  const levels = c.levels.map((l, i) => coolchicLevelAt(l, `coolchic.levels[${i}]`)).sort((a, b) => a.quality - b.quality);
  levels.forEach((l, i) => {
    if (i > 0 && l.quality === levels[i - 1]!.quality) throw invalid('coolchic.levels', 'distinct quality values');
  });
  const defaultQuality = intAt(c.defaultQuality, 'coolchic.defaultQuality', 0, 255);
  if (!levels.some((l) => l.quality === defaultQuality)) throw invalid('coolchic.defaultQuality', 'one of the levels');
  let init: Map<string, Float32Array> | null = null;
  if (c.init !== undefined) {
    const raw = objectAt(c.init, 'coolchic.init');
    init = new Map();
    for (const [name, shape] of NETWORK_SHAPES) {
      const values = floatsAt(raw[name], `coolchic.init.${name}`);
      if (values.length !== sizeOf(shape)) throw invalid(`coolchic.init.${name}`, `${sizeOf(shape)} numbers`);
      init.set(name, values);
    }
  }
  return { fitStep: graphs.fitStep, decode: graphs.decode, levels, defaultQuality, init };
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
  const omega = [numberAt(m.omega[0], 'omega[0]', 1e-3, 1e4), numberAt(m.omega[1], 'omega[1]', 1e-3, 1e4)] as const;
  const graphs = graphsAt(m.graphs);
  const coolchic = m.coolchic === undefined ? null : coolchicAt(m.coolchic);
  if (!coolchic && m.image === undefined) throw invalid('image', 'image levels (or a coolchic image model)');
  return {
    id: m.id, omega, graphs,
    image: m.image === undefined ? null : mediaAt(m.image, 'image', graphs, MAX_IMAGE_BLOCK),
    audio: mediaAt(m.audio, 'audio', graphs, MAX_AUDIO_BLOCK),
    coolchic,
  };
}
