/**
 * The opuspf model manifest (`models/opuspf/<id>/manifest.json`, written by
 * models/train/postfilter/export.py), parsed and checked once when a codec opens.
 *
 *   core        the libopus core the post-filter was trained on: 48 kHz, 60 ms frames (2,880
 *               samples), 312 samples of lookahead, application `audio` — fixed by core.ts, so the
 *               manifest must say exactly that
 *   levels      [{ kbps, coreKbps, coreComplexity? }]: the rates a user asks for, the core's budget
 *               and the encoder's libopus complexity at each
 *   defaultKbps the level used when no rate is asked for
 *   postfilter  the ONNX graph (input `magnitude` [1, T, bins] → output `gains` [1, T, 2·bins]:
 *               e^g and e^n, see postfilter.ts) and its STFT (nFft, hop, periodic Hann window,
 *               the log floor the graph applies)
 *
 * Provenance, parity and training are documentation. A manifest that is missing a key or has one of
 * the wrong shape fails with `ERR_MODEL_INVALID` naming the key.
 */
import { manifestFields, type GraphSpec } from '../../src/model/manifest.js';
import { COMPLEXITY, CORE_RATE, FRAME_SAMPLES, OPUS_LOOKAHEAD } from './core.js';

/**
 * A rate of the model: what a user asks for (`kbps`), the budget of the core's packets that keeps the
 * file within it, and the libopus complexity the encoder runs at (optional in the file: default
 * core.ts `COMPLEXITY`; the decoder does not depend on it).
 */
export interface OpusPfLevel {
  kbps: number;
  coreKbps: number;
  coreComplexity: number;
}

/** The post-filter graph and the STFT it works in. */
export interface PostFilterSpec extends GraphSpec {
  /** FFT size (a power of two; 1024). */
  nFft: number;
  /** Samples between frames (256), at most nFft / 2. */
  hop: number;
  /** The floor of the features ln(|X| + floor) (1e-5), applied inside the graph (documentation here). */
  floor: number;
  /** One-sided bins, nFft / 2 + 1 (513): the graph's input columns; it outputs twice as many. */
  bins: number;
}

export interface OpusPfManifest {
  id: string;
  /** The core's rate (48000) and samples per Opus frame (2880). */
  sampleRate: number;
  frameSamples: number;
  /** The rates, ascending by kbps; quality level i + 1 is levels[i]. */
  levels: readonly OpusPfLevel[];
  /** The kbps of the level used by default (one of the levels). */
  defaultKbps: number;
  postfilter: PostFilterSpec;
}

const { invalid, objectAt, intAt, numberAt, stringAt, fileAt } = manifestFields('opuspf');

/** Most rate levels: the parameters store the level in one byte. */
const MAX_LEVELS = 255;

function levelsAt(value: unknown): OpusPfLevel[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LEVELS) throw invalid('levels', `a non-empty array of at most ${MAX_LEVELS} levels`);
  const levels = value.map((entry, i) => {
    const l = objectAt(entry, `levels[${i}]`);
    return {
      kbps: numberAt(l.kbps, `levels[${i}].kbps`, 0.5, 512), coreKbps: numberAt(l.coreKbps, `levels[${i}].coreKbps`, 0.5, 256),
      coreComplexity: l.coreComplexity === undefined ? COMPLEXITY : intAt(l.coreComplexity, `levels[${i}].coreComplexity`, 0, 10),
    };
  });
  if (levels.some((l, i) => i > 0 && l.kbps <= levels[i - 1]!.kbps)) throw invalid('levels', 'levels in ascending order of kbps');
  return levels;
}

function coreAt(value: unknown): void {
  const core = objectAt(value, 'core');
  intAt(core.sampleRate, 'core.sampleRate', CORE_RATE, CORE_RATE);
  intAt(core.frameSamples, 'core.frameSamples', FRAME_SAMPLES, FRAME_SAMPLES);
  intAt(core.lookahead, 'core.lookahead', OPUS_LOOKAHEAD, OPUS_LOOKAHEAD);
  if (core.application !== 'audio') throw invalid('core.application', "'audio' (the application codecs/opuspf/core.ts runs)");
}

function postfilterAt(value: unknown): PostFilterSpec {
  const pf = objectAt(value, 'postfilter');
  // the names say the graph's contract: magnitudes in, exponentiated gains out, frame-major
  const oneName = (v: unknown, key: string, name: string): string[] => {
    if (!Array.isArray(v) || v.length !== 1 || v[0] !== name) throw invalid(key, `['${name}'] (a graph of this codec's interface: export.py)`);
    return [v[0]];
  };
  const graph = { file: fileAt(pf.file, 'postfilter.file'), inputs: oneName(pf.inputs, 'postfilter.inputs', 'magnitude'), outputs: oneName(pf.outputs, 'postfilter.outputs', 'gains') };
  const nFft = intAt(pf.nFft, 'postfilter.nFft', 16, 16384);
  if ((nFft & (nFft - 1)) !== 0) throw invalid('postfilter.nFft', 'a power of two');
  const hop = intAt(pf.hop, 'postfilter.hop', 1, nFft / 2);
  const bins = intAt(pf.bins, 'postfilter.bins', nFft / 2 + 1, nFft / 2 + 1);
  if (pf.window !== undefined && stringAt(pf.window, 'postfilter.window') !== 'periodic hann') throw invalid('postfilter.window', "'periodic hann'");
  const floor = numberAt(pf.floor, 'postfilter.floor', Number.MIN_VALUE, 1);
  return { ...graph, nFft, hop, bins, floor };
}

/**
 * Checks a parsed `manifest.json` of the opuspf family and returns the typed view of it.
 * Throws `CodecError` `ERR_MODEL_INVALID` naming the first key that is missing or malformed.
 */
export function parseManifest(raw: unknown): OpusPfManifest {
  const m = objectAt(raw, 'manifest');
  if (m.family !== 'opuspf') throw invalid('family', "'opuspf'");
  intAt(m.formatVersion, 'formatVersion', 1, 1);
  const id = stringAt(m.id, 'id');
  coreAt(m.core);
  const levels = levelsAt(m.levels);
  const defaultKbps = numberAt(m.defaultKbps, 'defaultKbps', 0.5, 512);
  if (!levels.some((l) => l.kbps === defaultKbps)) throw invalid('defaultKbps', `the kbps of one of the levels (${levels.map((l) => l.kbps).join(', ')})`);
  return { id, sampleRate: CORE_RATE, frameSamples: FRAME_SAMPLES, levels, defaultKbps, postfilter: postfilterAt(m.postfilter) };
}
