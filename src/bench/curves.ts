/**
 * RD curves in one shape for plotting and BD-rates, whether measured here or published, and the
 * Bjøntegaard comparisons between them.
 */
import { bdQuality, bdRate } from './bdrate.js';
import type { AudioPoint, BdEntry, BenchMedia, CodecResult, ImagePoint, PublishedCurve, QualityMetric } from './types.js';

export interface MetricInfo {
  /** Axis / column label. */
  label: string;
  unit: string;
  higherIsBetter: boolean;
  /** Decimals in tables. */
  digits: number;
}

export const METRIC_INFO: Record<QualityMetric, MetricInfo> = {
  psnr: { label: 'PSNR-RGB', unit: 'dB', higherIsBetter: true, digits: 2 },
  msSsimDb: { label: 'MS-SSIM-RGB', unit: 'dB', higherIsBetter: true, digits: 2 },
  melDistance: { label: 'Mel distance', unit: '', higherIsBetter: false, digits: 3 },
  siSnr: { label: 'SI-SNR', unit: 'dB', higherIsBetter: true, digits: 2 },
  stoi: { label: 'STOI', unit: '', higherIsBetter: true, digits: 3 },
  psnrYuv: { label: 'PSNR-YUV', unit: 'dB', higherIsBetter: true, digits: 2 },
};

export const MEDIA_METRICS: Record<BenchMedia, readonly QualityMetric[]> = {
  image: ['psnr', 'msSsimDb'],
  audio: ['melDistance', 'siSnr', 'stoi'],
};

/** One curve, rate and per-metric qualities point by point (null where a point lacks a metric). */
export interface Curve {
  label: string;
  kind: 'measured' | 'published';
  rate: number[];
  quality: Partial<Record<QualityMetric, Array<number | null>>>;
}

export function imageCurve(result: CodecResult<ImagePoint>): Curve {
  return {
    label: result.codec,
    kind: 'measured',
    rate: result.points.map((p) => p.bpp),
    quality: { psnr: result.points.map((p) => p.psnr), msSsimDb: result.points.map((p) => p.msSsimDb) },
  };
}

export function audioCurve(result: CodecResult<AudioPoint>): Curve {
  return {
    label: result.codec,
    kind: 'measured',
    rate: result.points.map((p) => p.kbps),
    quality: {
      melDistance: result.points.map((p) => p.melDistance),
      siSnr: result.points.map((p) => p.siSnr),
      stoi: result.points.map((p) => p.stoi),
    },
  };
}

export function publishedCurve(curve: PublishedCurve): Curve {
  return { label: curve.label, kind: 'published', rate: curve.rate, quality: curve.quality };
}

/** Rate and quality of the points of `curve` that have `metric`, oriented so that higher is better. */
function rdOf(curve: Curve, metric: QualityMetric): { rate: number[]; quality: number[] } | null {
  const values = curve.quality[metric];
  if (!values) return null;
  const sign = METRIC_INFO[metric].higherIsBetter ? 1 : -1;
  const rate: number[] = [], quality: number[] = [];
  values.forEach((q, i) => {
    if (q !== null && Number.isFinite(q) && curve.rate[i] !== undefined) {
      rate.push(curve.rate[i]!);
      quality.push(sign * q);
    }
  });
  return rate.length >= 2 ? { rate, quality } : null;
}

function compare(anchor: Curve, test: Curve, metric: QualityMetric): BdEntry | null {
  const a = rdOf(anchor, metric), t = rdOf(test, metric);
  if (!a || !t) return null;
  return {
    metric, anchor: anchor.label, anchorKind: anchor.kind, test: test.label,
    bdRate: bdRate(a, t), bdQuality: bdQuality(a, t),
  };
}

/**
 * The Bjøntegaard comparisons of a run: every measured codec and every published curve against the
 * anchor, and every measured codec against every published curve, on each metric both have.
 */
export function bdComparisons(measured: readonly Curve[], published: readonly Curve[], anchorLabel: string, metrics: readonly QualityMetric[]): BdEntry[] {
  const out: BdEntry[] = [];
  const anchor = measured.find((c) => c.label === anchorLabel);
  for (const metric of metrics) {
    if (anchor) {
      for (const test of [...measured, ...published]) {
        if (test === anchor) continue;
        const e = compare(anchor, test, metric);
        if (e) out.push(e);
      }
    }
    for (const ref of published) {
      for (const test of measured) {
        const e = compare(ref, test, metric);
        if (e) out.push(e);
      }
    }
  }
  return out;
}
