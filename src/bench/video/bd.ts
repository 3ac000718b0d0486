/**
 * Bjøntegaard comparisons of the video benchmark (src/bench/bdrate.ts: PCHIP over log-rate, over the
 * overlapping quality range): per clip, every codec against the anchor (x264 by default) on PSNR-YUV
 * and PSNR-RGB; then, per codec and metric, the mean of its per-clip figures over the clips that have
 * one, as video BD-rates are usually averaged (per sequence, then the mean).
 */
import { bdQuality, bdRate } from '../bdrate.js';
import type { VideoBdEntry, VideoBdMean, VideoClip, VideoCurve, VideoMetric } from './types.js';

export const VIDEO_METRICS: readonly VideoMetric[] = ['psnrYuv', 'psnrRgb'];

function rd(curve: VideoCurve, metric: VideoMetric): { rate: number[]; quality: number[] } {
  return { rate: curve.points.map((p) => p.bpp), quality: curve.points.map((p) => p[metric]) };
}

/** Per-clip comparisons against `anchor` (none for a clip where the anchor did not run). */
export function clipBd(clip: VideoClip, anchor: string): VideoBdEntry[] {
  const a = clip.results.find((c) => c.codec === anchor);
  if (!a) return [];
  return VIDEO_METRICS.flatMap((metric) => clip.results.filter((c) => c !== a).map((t): VideoBdEntry => ({
    clip: clip.name, metric, anchor, test: t.codec,
    bdRate: bdRate(rd(a, metric), rd(t, metric)),
    bdQuality: bdQuality(rd(a, metric), rd(t, metric)),
  })));
}

function meanOf(values: Array<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return present.length ? present.reduce((s, v) => s + v, 0) / present.length : null;
}

/** Per codec and metric, the mean over clips of the per-clip entries that have a BD-rate. */
export function meanBd(entries: readonly VideoBdEntry[]): VideoBdMean[] {
  const keys = [...new Set(entries.map((e) => `${e.metric}\u0000${e.anchor}\u0000${e.test}`))];
  return keys.map((key) => {
    const [metric, anchor, test] = key.split('\u0000') as [VideoMetric, string, string];
    const own = entries.filter((e) => e.metric === metric && e.anchor === anchor && e.test === test && e.bdRate !== null);
    return {
      metric, anchor, test,
      bdRate: meanOf(own.map((e) => e.bdRate)),
      bdQuality: meanOf(own.map((e) => e.bdQuality)),
      clips: own.length,
    };
  });
}
