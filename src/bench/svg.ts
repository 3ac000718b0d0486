/**
 * RD plots as a standalone SVG: one panel per quality metric (rate on x, quality on y), one line per
 * codec, published curves dashed and labelled "(published)", a shared legend below the panels.
 */
import { METRIC_INFO, type Curve } from './curves.js';
import type { QualityMetric } from './types.js';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
const PANEL_W = 520, PANEL_H = 380;
const MARGIN = { left: 64, right: 18, top: 34, bottom: 50 };
const LEGEND_COL_W = 300, LEGEND_ROW_H = 20;

export interface PlotOptions {
  title: string;
  /** x-axis label, e.g. "bits per pixel (bpp)". */
  rateLabel: string;
  curves: readonly Curve[];
  metrics: readonly QualityMetric[];
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Ticks at 1, 2 or 5 × 10^k covering [min, max] with about `count` intervals. */
export function niceTicks(min: number, max: number, count = 6): { lo: number; hi: number; ticks: number[] } {
  if (!(max > min)) {
    const pad = Math.abs(min) * 0.1 || 1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const lo = Math.floor(min / step + 1e-9) * step, hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = lo; v <= hi + step * 1e-6; v += step) ticks.push(Number(v.toPrecision(12)));
  return { lo, hi, ticks };
}

function tickText(v: number, ticks: number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) : 1;
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  const scaled = step * 10 ** decimals;
  return v.toFixed(Math.abs(scaled - Math.round(scaled)) < 1e-9 ? decimals : decimals + 1).replace('-', '−');
}

interface Series {
  curve: Curve;
  color: string;
  points: Array<[number, number]>;
}

function seriesFor(curves: readonly Curve[], colors: Map<string, string>, metric: QualityMetric): Series[] {
  return curves.flatMap((curve) => {
    const q = curve.quality[metric];
    if (!q) return [];
    const points = curve.rate
      .map((r, i): [number, number | null | undefined] => [r, q[i]])
      .filter((p): p is [number, number] => typeof p[1] === 'number' && Number.isFinite(p[1]) && Number.isFinite(p[0]))
      .sort((a, b) => a[0] - b[0]);
    return points.length ? [{ curve, color: colors.get(curve.label)!, points }] : [];
  });
}

function panel(x0: number, y0: number, metric: QualityMetric, series: Series[], rateLabel: string, clipId: string): string {
  const info = METRIC_INFO[metric];
  const plotW = PANEL_W - MARGIN.left - MARGIN.right, plotH = PANEL_H - MARGIN.top - MARGIN.bottom;
  const left = x0 + MARGIN.left, top = y0 + MARGIN.top;
  const all = series.flatMap((s) => s.points);
  const xs = niceTicks(0, Math.max(...all.map((p) => p[0])), 6);
  const yMin = Math.min(...all.map((p) => p[1])), yMax = Math.max(...all.map((p) => p[1]));
  const pad = 0.03 * (yMax - yMin); // keep markers off the frame
  const ys = niceTicks(yMin - pad, yMax + pad, 6);
  const sx = (v: number): number => left + ((v - xs.lo) / (xs.hi - xs.lo)) * plotW;
  const sy = (v: number): number => top + plotH - ((v - ys.lo) / (ys.hi - ys.lo)) * plotH;
  const out: string[] = [];
  out.push(`<defs><clipPath id="${clipId}"><rect x="${left}" y="${top}" width="${plotW}" height="${plotH}"/></clipPath></defs>`);
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="#fff" stroke="#333"/>`);
  for (const t of xs.ticks) {
    const x = sx(t).toFixed(1);
    out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${top + plotH}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${x}" y1="${top + plotH}" x2="${x}" y2="${top + plotH + 5}" stroke="#333"/>`);
    out.push(`<text x="${x}" y="${top + plotH + 18}" text-anchor="middle">${tickText(t, xs.ticks)}</text>`);
  }
  for (const t of ys.ticks) {
    const y = sy(t).toFixed(1);
    out.push(`<line x1="${left}" y1="${y}" x2="${left + plotW}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${left - 5}" y1="${y}" x2="${left}" y2="${y}" stroke="#333"/>`);
    out.push(`<text x="${left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${tickText(t, ys.ticks)}</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  const yLabel = `${info.label}${info.unit ? ` (${info.unit})` : ''}${info.higherIsBetter ? '' : ', lower is better'}`;
  out.push(`<text x="${left + plotW / 2}" y="${top + plotH + 40}" text-anchor="middle" font-size="13">${escapeXml(rateLabel)}</text>`);
  out.push(`<text transform="translate(${x0 + 16},${top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="13">${escapeXml(yLabel)}</text>`);
  out.push(`<text x="${left + plotW / 2}" y="${y0 + 20}" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(info.label)}</text>`);
  out.push(`<g clip-path="url(#${clipId})">`);
  for (const s of series) {
    const published = s.curve.kind === 'published';
    const d = s.points.map(([r, q], i) => `${i ? 'L' : 'M'}${sx(r).toFixed(1)},${sy(q).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${published ? 1.5 : 2}"${published ? ' stroke-dasharray="6 4"' : ''}/>`);
    for (const [r, q] of s.points) {
      out.push(published
        ? `<circle cx="${sx(r).toFixed(1)}" cy="${sy(q).toFixed(1)}" r="2.5" fill="#fff" stroke="${s.color}"/>`
        : `<circle cx="${sx(r).toFixed(1)}" cy="${sy(q).toFixed(1)}" r="3.2" fill="${s.color}"/>`);
    }
  }
  out.push('</g>');
  return out.join('\n');
}

/** The plot as SVG text. Metrics without any data get no panel. */
export function svgPlot(options: PlotOptions): string {
  const colors = new Map<string, string>();
  options.curves.forEach((c, i) => colors.set(c.label, PALETTE[i % PALETTE.length]!));
  const panels = options.metrics
    .map((metric) => ({ metric, series: seriesFor(options.curves, colors, metric) }))
    .filter((p) => p.series.length > 0);
  const width = Math.max(1, panels.length) * PANEL_W;
  const legendCols = Math.max(1, Math.floor(width / LEGEND_COL_W));
  const legendRows = Math.ceil(options.curves.length / legendCols);
  const top = 36;
  const height = top + PANEL_H + 16 + legendRows * LEGEND_ROW_H + 12;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  out.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(options.title)}</text>`);
  panels.forEach((p, i) => out.push(panel(i * PANEL_W, top, p.metric, p.series, options.rateLabel, `clip${i}`)));
  const legendTop = top + PANEL_H + 16;
  options.curves.forEach((c, i) => {
    const x = 20 + (i % legendCols) * LEGEND_COL_W, y = legendTop + Math.floor(i / legendCols) * LEGEND_ROW_H;
    const color = colors.get(c.label)!;
    const published = c.kind === 'published';
    out.push(`<line x1="${x}" y1="${y}" x2="${x + 28}" y2="${y}" stroke="${color}" stroke-width="2"${published ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(published
      ? `<circle cx="${x + 14}" cy="${y}" r="2.5" fill="#fff" stroke="${color}"/>`
      : `<circle cx="${x + 14}" cy="${y}" r="3.2" fill="${color}"/>`);
    out.push(`<text x="${x + 36}" y="${y}" dominant-baseline="middle">${escapeXml(c.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
