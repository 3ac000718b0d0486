/**
 * The hyperprior model manifest (`models/hyperprior/<id>/manifest.json`, schema in docs/MODELS.md),
 * parsed and checked once when a codec opens, into typed arrays the pipeline uses directly.
 *
 * Only the keys the codec needs are read; provenance, RD points and parity are documentation. A
 * manifest that is missing a key or has one of the wrong shape fails with `ERR_MODEL_INVALID`
 * (the model at hand is not a usable hyperprior) naming the key.
 */
import type { CdfTableSet } from '../../src/entropy/index.js';
import { exactInts, intLayerAt, type IntLayerSpec } from '../../src/model/int-layers.js';
import { manifestFields, type GraphSpec } from '../../src/model/manifest.js';

export type { GraphSpec } from '../../src/model/manifest.js';

/** The four graphs of a hyperprior, in the paper's names. */
export type GraphName = 'g_a' | 'h_a' | 'h_s' | 'g_s';

/** The gain vectors of one rate level (Cui et al. 2021), each fed to one graph as its second input. */
export interface RateLevel {
  quality: number;
  /** → g_a, length M. */
  gain: Float32Array;
  /** → h_a, length N. */
  hyperGain: Float32Array;
  /** → h_s, length N. */
  hyperInvGain: Float32Array;
  /** → g_s, length M. */
  invGain: Float32Array;
  /** The λ it was trained for (loss λ·255²·MSE + bpp), when the manifest records it. */
  lambda?: number;
}

export interface HyperpriorManifest {
  id: string;
  /** Padding multiple of the input (64: four stride-2 layers in g_a, two in h_a). */
  downsamplingFactor: number;
  /** Strides of y (16) and z (64) relative to the image. */
  yStride: number;
  zStride: number;
  /** Channels of z (N) and of y (M). */
  zChannels: number;
  yChannels: number;
  graphs: Readonly<Record<GraphName, GraphSpec>>;
  /** Sorted by quality, low to high rate. */
  rateLevels: readonly RateLevel[];
  defaultQuality: number;
  /** Entropy bottleneck of z: per-channel medians (float32) and one table per channel. */
  zMedians: Float32Array;
  zTables: CdfTableSet;
  /** Gaussian conditional of y: the ascending float32 scale table and one table per scale. */
  scaleTable: Float32Array;
  yTables: CdfTableSet;
  /** The checkerboard context (checkerboard.ts), when the model has one: y is then coded in two passes. */
  context?: ContextSpec;
}

/** The manifest's `context` section: an integer network over the anchors (checkerboard.ts). */
export interface ContextSpec {
  file: string;
  /** M: channels of y. */
  channels: number;
  hidden: number;
  tableSize: number;
  activationMax: number;
  outputMax: number;
  shift: number;
  layers: [IntLayerSpec, IntLayerSpec, IntLayerSpec];
  /** Inputs and outputs of the network on a small latent, written by the export and checked by the tests. */
  parity: { height: number; width: number; v: Int32Array; mu16: Int32Array; index: Int32Array; delta16: Int32Array; indexOut: Int32Array };
}

const GRAPH_ARITY: Record<GraphName, readonly [number, number]> = { g_a: [2, 1], h_a: [2, 1], h_s: [2, 2], g_s: [2, 1] };

const fields = manifestFields('hyperprior');
const { invalid, objectAt, intAt, stringAt, fileAt, floatsAt, tablesAt, graphsAt } = fields;

function contextAt(value: unknown, channels: number, tableSize: number): ContextSpec {
  const c = objectAt(value, 'context');
  if (c.kind !== 'checkerboard-int') throw invalid('context.kind', "'checkerboard-int'");
  intAt(channels, 'channels.y', 1, 57); // 2·M input channels within the integer convolution's bound
  const hidden = intAt(c.hidden, 'context.hidden', 1, 114);
  intAt(c.tableSize, 'context.tableSize', tableSize, tableSize);
  if (!Array.isArray(c.layers) || c.layers.length !== 3) throw invalid('context.layers', 'three layers');
  const layers: ContextSpec['layers'] = [
    intLayerAt(fields, c.layers[0], 'context.layers[0]', 2 * channels, hidden),
    intLayerAt(fields, c.layers[1], 'context.layers[1]', hidden, hidden),
    intLayerAt(fields, c.layers[2], 'context.layers[2]', hidden, 2 * channels),
  ];
  const p = objectAt(c.parity, 'context.parity');
  const height = intAt(p.height, 'context.parity.height', 1, 64);
  const width = intAt(p.width, 'context.parity.width', 1, 64);
  const n = channels * height * width;
  const ints = (key: string): Int32Array => Int32Array.from(exactInts(fields, p[key], `context.parity.${key}`, n));
  return {
    file: fileAt(c.file, 'context.file'),
    channels, hidden, tableSize,
    activationMax: intAt(c.activationMax, 'context.activationMax', 16383, 16383),
    outputMax: intAt(c.outputMax, 'context.outputMax', 1, 2 ** 24),
    shift: intAt(c.shift, 'context.shift', 1, 40),
    layers,
    parity: { height, width, v: ints('v'), mu16: ints('mu16'), index: ints('index'), delta16: ints('delta16'), indexOut: ints('indexOut') },
  };
}

function rateLevelsAt(value: unknown, n: number, m: number): RateLevel[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid('rateLevels', 'a non-empty array');
  const levels = value.map((entry, i) => {
    const l = objectAt(entry, `rateLevels[${i}]`);
    const key = `rateLevels[${i}]`;
    return {
      quality: intAt(l.quality, `${key}.quality`, 0, 255),
      gain: floatsAt(l.gain, `${key}.gain`, m),
      hyperGain: floatsAt(l.hyperGain, `${key}.hyperGain`, n),
      hyperInvGain: floatsAt(l.hyperInvGain, `${key}.hyperInvGain`, n),
      invGain: floatsAt(l.invGain, `${key}.invGain`, m),
      ...(typeof l.lambda === 'number' && Number.isFinite(l.lambda) && l.lambda > 0 ? { lambda: l.lambda } : {}),
    };
  }).sort((a, b) => a.quality - b.quality);
  if (levels.some((l, i) => i > 0 && l.quality === levels[i - 1]!.quality)) throw invalid('rateLevels', 'distinct quality values');
  return levels;
}

function isAscending(table: Float32Array): boolean {
  return table.every((v, i) => v > 0 && (i === 0 || v > table[i - 1]!));
}

/**
 * Checks a parsed `manifest.json` of the hyperprior family and returns the typed view of it.
 * Throws `CodecError` `ERR_MODEL_INVALID` naming the first key that is missing or malformed.
 */
export function parseManifest(raw: unknown): HyperpriorManifest {
  const m = objectAt(raw, 'manifest');
  if (m.family !== 'hyperprior') throw invalid('family', "'hyperprior'");
  const channels = objectAt(m.channels, 'channels');
  const n = intAt(channels.z, 'channels.z', 1, 4096);
  const yChannels = intAt(channels.y, 'channels.y', 1, 4096);
  const downsamplingFactor = intAt(m.downsamplingFactor, 'downsamplingFactor', 1, 1024);
  const strides = objectAt(m.latentStrides, 'latentStrides');
  const yStride = intAt(strides.y, 'latentStrides.y', 1, downsamplingFactor);
  const zStride = intAt(strides.z, 'latentStrides.z', 1, downsamplingFactor);
  if (downsamplingFactor % yStride !== 0) throw invalid('latentStrides.y', 'a divisor of downsamplingFactor');
  if (downsamplingFactor % zStride !== 0) throw invalid('latentStrides.z', 'a divisor of downsamplingFactor');
  const rateLevels = rateLevelsAt(m.rateLevels, n, yChannels);
  const defaultQuality = intAt(m.defaultQuality, 'defaultQuality', 0, 255);
  if (!rateLevels.some((l) => l.quality === defaultQuality)) throw invalid('defaultQuality', 'one of the rateLevels qualities');
  const eb = objectAt(m.entropyBottleneck, 'entropyBottleneck');
  if (eb.subtractMedians !== true) throw invalid('entropyBottleneck.subtractMedians', 'true');
  const gc = objectAt(m.gaussianConditional, 'gaussianConditional');
  const scaleTable = floatsAt(gc.scaleTable, 'gaussianConditional.scaleTable');
  if (scaleTable.length < 2 || !isAscending(scaleTable)) throw invalid('gaussianConditional.scaleTable', 'at least two positive ascending scales');
  return {
    id: stringAt(m.id, 'id'),
    downsamplingFactor,
    yStride,
    zStride,
    zChannels: n,
    yChannels,
    graphs: graphsAt(m.graphs, GRAPH_ARITY),
    rateLevels,
    defaultQuality,
    zMedians: floatsAt(eb.medians, 'entropyBottleneck.medians', n),
    zTables: tablesAt(eb.tables, 'entropyBottleneck.tables', n),
    scaleTable,
    yTables: tablesAt(gc.tables, 'gaussianConditional.tables', scaleTable.length),
    ...(m.context === undefined ? {} : { context: contextAt(m.context, yChannels, scaleTable.length) }),
  };
}
