/**
 * The Markdown report: one row per codec and rate setting, then the Bjøntegaard tables.
 */
import { METRIC_INFO, MEDIA_METRICS } from './curves.js';
import { realTimeFactor } from './measure.js';
import type { BdEntry, BenchReport, QualityMetric } from './types.js';

/** A number with `digits` decimals; — for a missing one, ∞ and −∞ spelled out. */
export function fmt(value: number | null | undefined, digits: number): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '−∞';
  return value.toFixed(digits);
}

function pct(value: number | null): string {
  return value === null ? '—' : `${value >= 0 ? '+' : ''}${value.toFixed(1)} %`;
}

/** A Markdown table: header, alignment row (l = left, r = right) and rows. */
export function table(header: string[], align: Array<'l' | 'r'>, rows: string[][]): string {
  const sep = align.map((a) => (a === 'r' ? '---:' : '---'));
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

function settingText(kind: 'quality' | 'bitrate', value: number): string {
  return kind === 'quality' ? `q=${value}` : `${value} kbps`;
}

function pointsTable(report: BenchReport): string {
  if (report.media === 'image') {
    const rows = report.codecs.flatMap((c) => c.points.map((p) => [
      c.codec, settingText(p.setting.kind, p.setting.value), fmt(p.bpp, 4), fmt(p.psnr, 2), fmt(p.msSsim, 4), fmt(p.msSsimDb, 2),
      fmt(p.encodeMsMedian, 1), fmt(p.decodeMsMedian, 1),
    ]));
    return table(['codec', 'setting', 'bpp', 'PSNR-RGB (dB)', 'MS-SSIM', 'MS-SSIM (dB)', 'encode ms', 'decode ms'], ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'], rows);
  }
  const rows = report.codecs.flatMap((c) => c.points.map((p) => [
    c.codec, settingText(p.setting.kind, p.setting.value), fmt(p.kbps, 2), fmt(p.melDistance, 3), fmt(p.siSnr, 2), fmt(p.stoi, 3),
    fmt(p.encodeMsMedian, 1), fmt(p.decodeMsMedian, 1), fmt(p.realTime ?? realTimeFactor(p.items), 1),
  ]));
  return table(['codec', 'setting', 'kbps', 'mel distance', 'SI-SNR (dB)', 'STOI', 'encode ms', 'decode ms', '× real time'], ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'], rows);
}

function qualityDeltaHeader(metric: QualityMetric): string {
  const info = METRIC_INFO[metric];
  return info.higherIsBetter ? `BD-${info.label}${info.unit ? ` (${info.unit})` : ''}` : `BD-${info.label} (anchor − test)`;
}

function anchorTable(report: BenchReport, metrics: readonly QualityMetric[]): string | null {
  const entries = report.bd.filter((e) => e.anchorKind === 'measured' && e.anchor === report.anchor);
  const tests = [...new Set(entries.map((e) => e.test))];
  if (tests.length === 0) return null;
  const used = metrics.filter((m) => entries.some((e) => e.metric === m));
  const find = (test: string, metric: QualityMetric): BdEntry | undefined => entries.find((e) => e.test === test && e.metric === metric);
  const header = ['codec', ...used.flatMap((m) => [`BD-rate ${METRIC_INFO[m].label}`, qualityDeltaHeader(m)])];
  const rows = tests.map((t) => [t, ...used.flatMap((m) => {
    const e = find(t, m);
    return [pct(e?.bdRate ?? null), fmt(e?.bdQuality ?? null, METRIC_INFO[m].digits)];
  })]);
  return table(header, ['l', ...header.slice(1).map(() => 'r' as const)], rows);
}

function publishedTables(report: BenchReport, metrics: readonly QualityMetric[]): string[] {
  const entries = report.bd.filter((e) => e.anchorKind === 'published');
  const codecs = report.codecs.map((c) => c.codec);
  return metrics.flatMap((metric) => {
    const own = entries.filter((e) => e.metric === metric);
    const refs = [...new Set(own.map((e) => e.anchor))];
    if (refs.length === 0) return [];
    const rows = refs.map((ref) => [ref, ...codecs.map((c) => pct(own.find((e) => e.anchor === ref && e.test === c)?.bdRate ?? null))]);
    return [`BD-rate (${METRIC_INFO[metric].label}) of each measured codec against each published curve (negative = the measured codec needs fewer bits):\n\n` +
      table(['published curve', ...codecs], ['l', ...codecs.map(() => 'r' as const)], rows)];
  });
}

/** The whole report as Markdown. */
export function markdownReport(report: BenchReport): string {
  const metrics = MEDIA_METRICS[report.media];
  const parts: string[] = [];
  parts.push(`## ncodec bench ${report.media}: ${report.items.length} item${report.items.length === 1 ? '' : 's'} from ${report.dataset}`);
  parts.push(
    report.media === 'image'
      ? 'Means over items of bpp (every byte of the file), PSNR over all RGB samples (peak 255) and MS-SSIM (RGB, per channel, pytorch-msssim); MS-SSIM (dB) = −10·log10(1 − mean MS-SSIM). Times: median per item, whole call.'
      : `Means over items of kbps (every byte of the file / clip duration), 7-scale log-mel distance (${report.mel === 'dac' ? "DAC's: librosa Slaney mel filters" : 'torchaudio-style HTK mel filters, unnormalised'}; lower is better), SI-SNR and STOI, each on the mono clip at its own sample rate. Times: median per item, whole call; × real time = seconds of audio / seconds of encode + decode, summed over all clips.`,
  );
  parts.push(pointsTable(report));
  const anchor = anchorTable(report, metrics);
  parts.push(`### BD-rate against ${report.anchor} (Bjøntegaard, PCHIP over log-rate, overlapping quality range)`);
  const anchorRun = report.codecs.some((c) => c.codec === report.anchor);
  parts.push(anchor ?? (anchorRun
    ? `No BD-rate: no other curve overlaps the anchor '${report.anchor}' (run more codecs, or add --reference).`
    : `No BD-rate: the anchor '${report.anchor}' was not run (choose one with --anchor).`));
  parts.push(...publishedTables(report, metrics));
  if (report.skipped.length) parts.push(`Skipped: ${report.skipped.map((s) => `${s.codec} (${s.reason})`).join('; ')}`);
  return `${parts.join('\n\n')}\n`;
}
