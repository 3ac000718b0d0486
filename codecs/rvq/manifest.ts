/**
 * The RVQ model manifest (`models/rvq/<id>/manifest.json`, written by models/train/rvq/export.py;
 * schema in docs/MODELS.md, section "rvq"), parsed and checked once when a codec opens.
 *
 * Only the keys the codec needs are read; architecture, provenance and parity are documentation. A
 * manifest that is missing a key or has one of the wrong shape fails with `ERR_MODEL_INVALID`
 * naming the key.
 */
import { manifestFields, type GraphSpec } from '../../src/model/manifest.js';


/** A bitrate the model was trained for: `nq` codebooks at the model's frame rate. */
export interface RvqBitrate {
  nq: number;
  kbps: number;
}

/** Offsets (float32 elements into quantizer.f32) of one codebook's six tensors, all row-major. */
export interface CodebookOffsets {
  /** [d, D]: latent → code space. */
  inProjWeight: number;
  /** [d]. */
  inProjBias: number;
  /** [K, d]: the code vectors (used to dequantize). */
  codebook: number;
  /** [K, d]: the code vectors L2-normalised (used to search). */
  codebookNormalized: number;
  /** [D, d]: code space → latent. */
  outProjWeight: number;
  /** [D]. */
  outProjBias: number;
}

export interface RvqManifest {
  id: string;
  /** Rate the networks run at (24000). */
  sampleRate: number;
  /** Audio samples per latent frame (320). */
  hop: number;
  /** Channels of the latent (D). */
  latentDim: number;
  /** Codebooks of the quantizer (16). */
  nCodebooks: number;
  /** Codes per codebook (K = 1024). */
  codebookSize: number;
  /** Dimension of the factorized code space (d = 8). */
  codebookDim: number;
  /** log2(codebookSize): bits per code with plain packing (10). */
  bitsPerCode: number;
  /** The trained bitrates, ascending. */
  bitrates: readonly RvqBitrate[];
  /** Codebooks used when no rate is asked for. */
  defaultNq: number;
  graphs: Readonly<{ encoder: GraphSpec; decoder: GraphSpec }>;
  quantizer: { file: string; codebooks: readonly CodebookOffsets[] };
}

const { invalid, objectAt, intAt, fileAt, graphsAt } = manifestFields('rvq');

function bitratesAt(value: unknown, nCodebooks: number): RvqBitrate[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid('bitrates', 'a non-empty array');
  const rates = value.map((entry, i) => {
    const b = objectAt(entry, `bitrates[${i}]`);
    const kbps = b.kbps;
    if (typeof kbps !== 'number' || !(kbps > 0) || !Number.isFinite(kbps)) throw invalid(`bitrates[${i}].kbps`, 'a positive number');
    return { nq: intAt(b.nq, `bitrates[${i}].nq`, 1, nCodebooks), kbps };
  }).sort((a, b) => a.nq - b.nq);
  if (rates.some((r, i) => i > 0 && (r.nq === rates[i - 1]!.nq || r.kbps <= rates[i - 1]!.kbps))) throw invalid('bitrates', 'distinct nq with rising kbps');
  return rates;
}

/** Offsets of codebook k's tensors, checking their shapes against D, d and K. */
function codebookAt(tensors: Record<string, unknown>, k: number, dims: { D: number; d: number; K: number }): CodebookOffsets {
  const { D, d, K } = dims;
  const shapes: Record<keyof CodebookOffsets, number[]> = {
    inProjWeight: [d, D], inProjBias: [d], codebook: [K, d], codebookNormalized: [K, d], outProjWeight: [D, d], outProjBias: [D],
  };
  const out = {} as CodebookOffsets;
  for (const [name, shape] of Object.entries(shapes) as [keyof CodebookOffsets, number[]][]) {
    const key = `quantizer.tensors.${k}.${name}`;
    const t = objectAt(tensors[`${k}.${name}`], key);
    const actual = t.shape;
    if (!Array.isArray(actual) || actual.length !== shape.length || actual.some((v, i) => v !== shape[i])) throw invalid(`${key}.shape`, `[${shape.join(', ')}]`);
    out[name] = intAt(t.offset, `${key}.offset`, 0, 2 ** 31);
  }
  return out;
}

/**
 * Checks a parsed `manifest.json` of the rvq family and returns the typed view of it.
 * Throws `CodecError` `ERR_MODEL_INVALID` naming the first key that is missing or malformed.
 */
export function parseManifest(raw: unknown): RvqManifest {
  const m = objectAt(raw, 'manifest');
  if (m.family !== 'rvq') throw invalid('family', "'rvq'");
  if (m.channels !== 1) throw invalid('channels', '1 (a mono model)');
  if (typeof m.id !== 'string' || m.id.length === 0) throw invalid('id', 'a non-empty string');
  const nCodebooks = intAt(m.nCodebooks, 'nCodebooks', 1, 255);
  const codebookSize = intAt(m.codebookSize, 'codebookSize', 2, 32768);
  const bitsPerCode = intAt(m.bitsPerCode, 'bitsPerCode', 1, 15);
  if (2 ** bitsPerCode !== codebookSize) throw invalid('bitsPerCode', 'log2(codebookSize)');
  const dims = { D: intAt(m.latentDim, 'latentDim', 1, 4096), d: intAt(m.codebookDim, 'codebookDim', 1, 1024), K: codebookSize };
  const bitrates = bitratesAt(m.bitrates, nCodebooks);
  const defaultNq = intAt(m.defaultNq, 'defaultNq', 1, nCodebooks);
  if (!bitrates.some((b) => b.nq === defaultNq)) throw invalid('defaultNq', 'the nq of one of the bitrates');
  const q = objectAt(m.quantizer, 'quantizer');
  if (q.dtype !== 'float32 little-endian') throw invalid('quantizer.dtype', "'float32 little-endian'");
  const tensors = objectAt(q.tensors, 'quantizer.tensors');
  return {
    id: m.id,
    sampleRate: intAt(m.sampleRate, 'sampleRate', 1, 768_000),
    hop: intAt(m.hop, 'hop', 1, 65535),
    latentDim: dims.D,
    nCodebooks,
    codebookSize,
    codebookDim: dims.d,
    bitsPerCode,
    bitrates,
    defaultNq,
    graphs: graphsAt(m.graphs, { encoder: [1, 1], decoder: [1, 1] }),
    quantizer: {
      file: fileAt(q.file, 'quantizer.file'),
      codebooks: Array.from({ length: nCodebooks }, (_, k) => codebookAt(tensors, k, dims)),
    },
  };
}
