/**
 * The video model manifest (`models/video/<id>/manifest.json`, written by models/train/video/export.py):
 * which image model codes the intra frames (family, id and the hash of its files, since the inter model
 * was trained on that model's latents), and the integer inter network that predicts each P-frame
 * latent's means and table indices from the previous decoded latent.
 */
import { exactInts as exactIntsOf, intLayerAt, type IntLayerSpec } from '../../src/model/int-layers.js';
import { manifestFields, type GraphSpec } from '../../src/model/manifest.js';
import type { CdfTableSet } from '../../src/entropy/index.js';

/**
 * The residual hyperprior: graphs h_a (y, hyper_gain → z) and h_s (ẑ, hyper_inv_gain → scales, means),
 * and optionally the encoder's own analysis transform of residuals, g_a (x, gain → y; the image model's
 * gain at the residual's level), trained with this prior (models/train/video/residual_encoder.py), and
 * a synthesis transform of residuals, g_s (ŷ, inv_gain → x̂; the image model's inv_gain), trained with it
 * (`--train-decoder`), which layout-3 streams decode residuals with.
 */
export interface ResidualPriorSpec {
  zChannels: number;
  graphs: { hA: GraphSpec; hS: GraphSpec; gA?: GraphSpec; gS?: GraphSpec };
  zMedians: Float32Array;
  zTables: CdfTableSet;
  /** Per rate level of the image model: the gains of z after h_a and before h_s (length zChannels). */
  levels: Array<{ hyperGain: Float32Array; hyperInvGain: Float32Array }>;
}

/** One integer 3×3 layer of the inter network as stored (src/model/int-layers.ts). */
export type InterLayerSpec = IntLayerSpec;

export interface VideoManifest {
  id: string;
  /** The image model of the intra frames and the hex SHA-256 of its folder (src/model/store.ts). */
  intra: { family: 'hyperprior'; id: string; hash: string };
  inter: {
    file: string;
    /** Decoded latents the network sees: 1 (ŷ_{t−1}) or 2 (ŷ_{t−1}, ŷ_{t−2}; ŷ_{t−1} twice for a GOP's first P-frame). */
    frames: 1 | 2;
    channels: number;
    hidden: number;
    levels: number;
    tableSize: number;
    fracBits: number;
    activationMax: number;
    outputMax: number;
    shift: number;
    layers: [InterLayerSpec, InterLayerSpec, InterLayerSpec];
  };
  /** The non-learned baseline's table index per rate level and channel. */
  staticTables: Int32Array[];
  defaultGop: number;
  /**
   * The hyperprior of motion-compensated residuals (models/train/video/residual_prior.py): its own h_a
   * and h_s graphs, z density and hyper gains per rate level, in the image model's layout; without it
   * residuals are coded with the image model's hyperprior.
   */
  residual?: ResidualPriorSpec;
  /** A context and the means/indices the integer network gives for it (checked by the tests). */
  parity: { level: number; height: number; width: number; ctx16: Int32Array; ctx16b?: Int32Array; mu16: Int32Array; index: Int32Array };
}

const fields = manifestFields('video');
const { invalid, objectAt, intAt, stringAt, fileAt, tablesAt, floatsAt, graphsAt } = fields;

function exactInts(value: unknown, key: string, length?: number): number[] {
  return exactIntsOf(fields, value, key, length);
}

function layerAt(value: unknown, key: string, inChannels: number, outChannels: number, levels: number): InterLayerSpec {
  return intLayerAt(fields, value, key, inChannels, outChannels, levels);
}

/** Checks a parsed video `manifest.json`; throws ERR_MODEL_INVALID naming the first bad key. */
export function parseManifest(raw: unknown): VideoManifest {
  const m = objectAt(raw, 'manifest');
  if (m.family !== 'video') throw invalid('family', "'video'");
  const intra = objectAt(m.intra, 'intra');
  if (intra.family !== 'hyperprior') throw invalid('intra.family', "'hyperprior'");
  const hash = stringAt(intra.hash, 'intra.hash');
  if (!/^[0-9a-f]{64}$/.test(hash)) throw invalid('intra.hash', 'a hex SHA-256');
  const inter = objectAt(m.inter, 'inter');
  if (inter.kind !== 'conditional-latent-cnn') throw invalid('inter.kind', "'conditional-latent-cnn'");
  const channels = intAt(inter.channels, 'inter.channels', 1, 114);
  const hidden = intAt(inter.hidden, 'inter.hidden', 1, 114);
  const levels = intAt(inter.levels, 'inter.levels', 1, 255);
  const tableSize = intAt(inter.tableSize, 'inter.tableSize', 2, 4096);
  const frames = intAt(inter.frames ?? 1, 'inter.frames', 1, 2) as 1 | 2;
  if (frames * channels > 114) throw invalid('inter.channels', 'at most 57 channels for a two-frame network (114 inputs)');
  if (!Array.isArray(inter.layers) || inter.layers.length !== 3) throw invalid('inter.layers', 'three layers');
  const layers: VideoManifest['inter']['layers'] = [
    layerAt(inter.layers[0], 'inter.layers[0]', frames * channels, hidden, levels),
    layerAt(inter.layers[1], 'inter.layers[1]', hidden, hidden, levels),
    layerAt(inter.layers[2], 'inter.layers[2]', hidden, 2 * channels, levels),
  ];
  if (!layers[0].levelBias || !layers[1].bias || !layers[2].bias) throw invalid('inter.layers', 'levelBias on layer 1 and bias on layers 2 and 3');
  const st = objectAt(m.staticTables, 'staticTables');
  if (!Array.isArray(st.index) || st.index.length !== levels) throw invalid('staticTables.index', `${levels} rows`);
  const staticTables = st.index.map((row, i) => {
    const ints = exactInts(row, `staticTables.index[${i}]`, channels);
    if (ints.some((v) => v < 0 || v >= tableSize)) throw invalid(`staticTables.index[${i}]`, `indices in 0..${tableSize - 1}`);
    return Int32Array.from(ints);
  });
  const p = objectAt(m.parity, 'parity');
  const ph = intAt(p.height, 'parity.height', 1, 64);
  const pw = intAt(p.width, 'parity.width', 1, 64);
  const n = channels * ph * pw;
  return {
    id: stringAt(m.id, 'id'),
    intra: { family: 'hyperprior', id: stringAt(intra.id, 'intra.id'), hash },
    inter: {
      file: fileAt(inter.file, 'inter.file'),
      frames, channels, hidden, levels, tableSize,
      fracBits: intAt(inter.fracBits, 'inter.fracBits', 4, 4),
      activationMax: intAt(inter.activationMax, 'inter.activationMax', 16383, 16383),
      outputMax: intAt(inter.outputMax, 'inter.outputMax', 1, 2 ** 24),
      shift: intAt(inter.shift, 'inter.shift', 1, 40),
      layers,
    },
    staticTables,
    defaultGop: intAt(m.defaultGop, 'defaultGop', 1, 1 << 16),
    ...(m.residual === undefined ? {} : { residual: residualAt(m.residual, levels) }),
    parity: {
      level: intAt(p.level, 'parity.level', 1, levels), height: ph, width: pw,
      ctx16: Int32Array.from(exactInts(p.ctx16, 'parity.ctx16', n)),
      ...(frames === 2 ? { ctx16b: Int32Array.from(exactInts(p.ctx16b, 'parity.ctx16b', n)) } : {}),
      mu16: Int32Array.from(exactInts(p.mu16, 'parity.mu16', n)),
      index: Int32Array.from(exactInts(p.index, 'parity.index', n)),
    },
  };
}

function residualAt(value: unknown, levels: number): ResidualPriorSpec {
  const r = objectAt(value, 'residual');
  if (r.kind !== 'mean-scale-hyperprior') throw invalid('residual.kind', "'mean-scale-hyperprior'");
  const zChannels = intAt(r.zChannels, 'residual.zChannels', 1, 1024);
  const graphs = graphsAt(r.graphs, { h_a: [2, 1], h_s: [2, 2] } as const, 'residual.graphs');
  const optional = objectAt(r.graphs, 'residual.graphs');
  const analysis = optional.g_a === undefined ? undefined : graphsAt(r.graphs, { g_a: [2, 1] } as const, 'residual.graphs').g_a;
  const synthesis = optional.g_s === undefined ? undefined : graphsAt(r.graphs, { g_s: [2, 1] } as const, 'residual.graphs').g_s;
  if (!Array.isArray(r.levels) || r.levels.length !== levels) throw invalid('residual.levels', `${levels} rate levels`);
  const zMedians = floatsAt(r.zMedians, 'residual.zMedians');
  if (zMedians.length !== zChannels) throw invalid('residual.zMedians', `${zChannels} medians`);
  return {
    zChannels,
    graphs: { hA: graphs.h_a, hS: graphs.h_s, ...(analysis ? { gA: analysis } : {}), ...(synthesis ? { gS: synthesis } : {}) },
    zMedians,
    zTables: tablesAt(r.zTables, 'residual.zTables', zChannels),
    levels: r.levels.map((l, i) => {
      const level = objectAt(l, `residual.levels[${i}]`);
      const gains = { hyperGain: floatsAt(level.hyperGain, `residual.levels[${i}].hyperGain`), hyperInvGain: floatsAt(level.hyperInvGain, `residual.levels[${i}].hyperInvGain`) };
      if (gains.hyperGain.length !== zChannels || gains.hyperInvGain.length !== zChannels) throw invalid(`residual.levels[${i}]`, `gains of ${zChannels} channels`);
      return gains;
    }),
  };
}
