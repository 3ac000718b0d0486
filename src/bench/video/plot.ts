/**
 * RD plots of the video benchmark: one SVG per clip (src/bench/svg.ts), panels PSNR-YUV and
 * PSNR-RGB against bpp, one line per codec.
 */
import type { Curve } from '../curves.js';
import { svgPlot } from '../svg.js';
import type { VideoBenchReport, VideoClip } from './types.js';

/** The clip's curves in the shape svg.ts draws (`psnr` = PSNR-RGB). */
export function clipCurves(clip: VideoClip): Curve[] {
  return clip.results.map((r) => ({
    label: r.codec,
    kind: 'measured',
    rate: r.points.map((p) => p.bpp),
    quality: { psnrYuv: r.points.map((p) => p.psnrYuv), psnr: r.points.map((p) => p.psnrRgb) },
  }));
}

/** The SVG of one clip of a report. */
export function videoClipPlot(report: VideoBenchReport, clip: VideoClip): string {
  return svgPlot({
    title: `ncodec bench video: ${clip.name}, ${clip.width}×${clip.height}, ${clip.frames} frames, GOP ${report.gop}`,
    rateLabel: 'bits per pixel (bpp)',
    curves: clipCurves(clip),
    metrics: ['psnrYuv', 'psnr'],
  });
}

/** A file name for a clip's plot: its name without extension, safe characters only, `.svg`. */
export function plotFileName(clip: VideoClip): string {
  return `${clip.name.replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9._-]+/g, '_')}.svg`;
}
