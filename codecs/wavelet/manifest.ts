/**
 * The wavelet-autoencoder model manifest (`models/wavelet/<id>/manifest.json`, written by
 * models/train/wavelet/export.py for images and export_audio.py for audio; docs/MODELS.md), parsed
 * and checked once when a model is opened. Image and audio models share one schema: two graphs,
 * rate levels with gain vectors (Cui et al. 2021), one factorized entropy-bottleneck table per
 * latent channel — shared by every level (`entropyBottleneck.medians` and `.tables`), or one set
 * per level (`entropyBottleneck.levels: [{ quality, medians, tables }]`, models trained with one
 * density per level and channel), each set optionally with `prediction: { predictor: 'med',
 * channels, tables }` (those channels coded as spatial prediction residuals); audio models add the
 * sample rate.
 */
import type { CdfTableSet, LatentPrediction } from '../../src/entropy/index.js';
import { manifestFields, type GraphSpec } from '../../src/model/manifest.js';

/** The two graphs: `encoder` (x, gain → y) and `decoder` (ŷ, invGain → x̂). */
export type WaveletGraph = 'encoder' | 'decoder';

/** The gain vectors of one rate level. */
export interface WaveletRateLevel {
  quality: number;
  /** → encoder, one per latent channel. */
  gain: Float32Array;
  /** → decoder, one per latent channel. */
  invGain: Float32Array;
  /** Index into `WaveletManifest.bottlenecks`: the tables this level codes with. */
  bottleneck: number;
}

/**
 * One set of entropy-bottleneck tables: a median and a CDF table per latent channel, and optionally
 * the channels coded as MED prediction residuals with their residual tables (`prediction`).
 */
export interface WaveletBottleneck {
  medians: Float32Array;
  tables: CdfTableSet;
  prediction?: LatentPrediction;
}

export interface WaveletManifest {
  id: string;
  media: 'image' | 'audio';
  /** Padding multiple of the input (2^levels per side / of the signal) and the latent's stride. */
  downsamplingFactor: number;
  /** Latent channels C. */
  latentChannels: number;
  /** Audio models: the rate the networks run at (mono). */
  sampleRate: number | null;
  graphs: Readonly<Record<WaveletGraph, GraphSpec>>;
  /** Sorted by quality, low to high rate. */
  rateLevels: readonly WaveletRateLevel[];
  defaultQuality: number;
  /** One entry shared by every level, or one per level (see `WaveletRateLevel.bottleneck`). */
  bottlenecks: readonly WaveletBottleneck[];
}

const f = manifestFields('wavelet');
const GRAPH_ARITY = { encoder: [2, 1], decoder: [2, 1] } as const;

function rateLevelsAt(value: unknown, c: number): WaveletRateLevel[] {
  if (!Array.isArray(value) || value.length === 0) throw f.invalid('rateLevels', 'a non-empty array');
  const levels = value.map((entry, i) => {
    const key = `rateLevels[${i}]`;
    const l = f.objectAt(entry, key);
    return { quality: f.intAt(l.quality, `${key}.quality`, 0, 255), gain: f.floatsAt(l.gain, `${key}.gain`, c), invGain: f.floatsAt(l.invGain, `${key}.invGain`, c), bottleneck: 0 };
  }).sort((a, b) => a.quality - b.quality);
  if (levels.some((l, i) => i > 0 && l.quality === levels[i - 1]!.quality)) throw f.invalid('rateLevels', 'distinct quality values');
  return levels;
}

function predictionAt(value: unknown, key: string, c: number): LatentPrediction {
  const p = f.objectAt(value, key);
  if (p.predictor !== 'med') throw f.invalid(`${key}.predictor`, "'med'");
  const channels = f.intsAt(p.channels, `${key}.channels`);
  if (channels.some((ch, i) => ch < 0 || ch >= c || channels.indexOf(ch) !== i)) throw f.invalid(`${key}.channels`, `distinct channel indexes below ${c}`);
  return { channels, tables: f.tablesAt(p.tables, `${key}.tables`, channels.length) };
}

function bottleneckAt(value: Record<string, unknown>, key: string, c: number): WaveletBottleneck {
  const b: WaveletBottleneck = { medians: f.floatsAt(value.medians, `${key}.medians`, c), tables: f.tablesAt(value.tables, `${key}.tables`, c) };
  if (value.prediction !== undefined) b.prediction = predictionAt(value.prediction, `${key}.prediction`, c);
  return b;
}

/** The bottleneck tables, shared or per level; per level, each rate level gets its entry's index. */
function bottlenecksAt(eb: Record<string, unknown>, levels: WaveletRateLevel[], c: number): WaveletBottleneck[] {
  if (eb.levels === undefined) return [bottleneckAt(eb, 'entropyBottleneck', c)];
  if (!Array.isArray(eb.levels)) throw f.invalid('entropyBottleneck.levels', 'an array with one entry per rate level');
  const byQuality = new Map<number, WaveletBottleneck>();
  eb.levels.forEach((entry, i) => {
    const key = `entropyBottleneck.levels[${i}]`;
    const l = f.objectAt(entry, key);
    const quality = f.intAt(l.quality, `${key}.quality`, 0, 255);
    if (byQuality.has(quality)) throw f.invalid(`${key}.quality`, 'a quality not listed before');
    byQuality.set(quality, bottleneckAt(l, key, c));
  });
  return levels.map((level, i) => {
    const b = byQuality.get(level.quality);
    if (!b) throw f.invalid('entropyBottleneck.levels', `an entry for quality ${level.quality} (rate level ${i})`);
    level.bottleneck = i;
    return b;
  });
}

/** Checks a parsed manifest of the wavelet family; `ERR_MODEL_INVALID` naming the first bad key. */
export function parseWaveletManifest(raw: unknown): WaveletManifest {
  const m = f.objectAt(raw, 'manifest');
  if (m.family !== 'wavelet') throw f.invalid('family', "'wavelet'");
  if (m.media !== 'image' && m.media !== 'audio') throw f.invalid('media', "'image' or 'audio'");
  const media = m.media;
  const latentChannels = media === 'image'
    ? f.intAt(f.objectAt(m.channels, 'channels').y, 'channels.y', 1, 4096)
    : f.intAt(m.channelsLatent, 'channelsLatent', 1, 4096);
  const rateLevels = rateLevelsAt(m.rateLevels, latentChannels);
  const defaultQuality = f.intAt(m.defaultQuality, 'defaultQuality', 0, 255);
  if (!rateLevels.some((l) => l.quality === defaultQuality)) throw f.invalid('defaultQuality', 'one of the rateLevels qualities');
  const eb = f.objectAt(m.entropyBottleneck, 'entropyBottleneck');
  if (eb.subtractMedians !== true) throw f.invalid('entropyBottleneck.subtractMedians', 'true');
  const bottlenecks = bottlenecksAt(eb, rateLevels, latentChannels);
  return {
    id: f.stringAt(m.id, 'id'),
    media,
    downsamplingFactor: f.intAt(m.downsamplingFactor, 'downsamplingFactor', 1, 1024),
    latentChannels,
    sampleRate: media === 'audio' ? f.intAt(m.sampleRate, 'sampleRate', 1000, 768000) : null,
    graphs: f.graphsAt(m.graphs, GRAPH_ARITY),
    rateLevels,
    defaultQuality,
    bottlenecks,
  };
}
