/**
 * The video model manifest (`models/video/<id>/manifest.json`, written by models/train/video/export.py):
 * which image model codes the intra frames (family, id and the hash of its files, since the inter model
 * was trained on that model's latents), and the integer inter network that predicts each P-frame
 * latent's means and table indices from the previous decoded latent.
 */
import { exactInts as exactIntsOf, intLayerAt, type IntLayerSpec } from '../../src/model/int-layers.js';
import { manifestFields } from '../../src/model/manifest.js';

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
  /** A context and the means/indices the integer network gives for it (checked by the tests). */
  parity: { level: number; height: number; width: number; ctx16: Int32Array; ctx16b?: Int32Array; mu16: Int32Array; index: Int32Array };
}

const fields = manifestFields('video');
const { invalid, objectAt, intAt, stringAt, fileAt } = fields;

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
    parity: {
      level: intAt(p.level, 'parity.level', 1, levels), height: ph, width: pw,
      ctx16: Int32Array.from(exactInts(p.ctx16, 'parity.ctx16', n)),
      ...(frames === 2 ? { ctx16b: Int32Array.from(exactInts(p.ctx16b, 'parity.ctx16b', n)) } : {}),
      mu16: Int32Array.from(exactInts(p.mu16, 'parity.mu16', n)),
      index: Int32Array.from(exactInts(p.index, 'parity.index', n)),
    },
  };
}
