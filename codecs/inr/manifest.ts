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

const { invalid, objectAt, intAt, numberAt, graphsAt: graphsOf } = manifestFields('inr');

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
  return {
    id: m.id, omega, graphs,
    image: mediaAt(m.image, 'image', graphs, MAX_IMAGE_BLOCK),
    audio: mediaAt(m.audio, 'audio', graphs, MAX_AUDIO_BLOCK),
  };
}
