/**
 * The video benchmark's Markdown report: how it was measured (metrics, baseline configuration),
 * then per clip one row per codec and rate point, then the BD-rates against the anchor per clip and
 * their mean over clips.
 */
import { videoSettingLabel } from './runners.js';
import type { BaselineConfig, VideoBdEntry, VideoBenchReport, VideoClip, VideoMetric } from './types.js';

const METRIC_LABEL: Record<VideoMetric, string> = { psnrYuv: 'PSNR-YUV', psnrRgb: 'PSNR-RGB' };

function fmt(value: number | null | undefined, digits: number): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (value === Infinity) return '∞';
  return value.toFixed(digits);
}

function pct(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${value >= 0 ? '+' : ''}${value.toFixed(1)} %`;
}

function table(header: string[], rows: string[][], leftColumns = 1): string {
  const sep = header.map((_, i) => (i < leftColumns ? '---' : '---:'));
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

function fpsText(frames: number, ms: number | null): string {
  return ms === null || !(ms > 0) ? '—' : fmt((frames * 1000) / ms, 0);
}

function baselineText(b: BaselineConfig): string {
  return `- **${b.codec}**: \`${b.command}\` with CRF ${b.crf.join(', ')}; preset ${b.preset}, ${b.bframes} B-frames, keyint ${b.keyint}, ` +
    `${b.threads > 0 ? `${b.threads} thread${b.threads === 1 ? '' : 's'} (encoder and ffmpeg decoder)` : 'threads left to the encoder and decoder'}; ` +
    `bytes = the raw ${b.stream === 'h264' ? 'H.264' : 'HEVC'} Annex B elementary stream (no container)${b.seiRemoved ? ', SEI NAL units (encoder version and options text) removed' : ', SEI included'}.`;
}

function methodText(report: VideoBenchReport): string {
  const lines = [
    `Frames: ${report.frames === null ? 'every frame of each clip' : `the first ${report.frames} of each clip`}, read once as 8-bit 4:2:0 and fed identically to every codec; GOP (intra period) ${report.gop}. ` +
      'Decoded frame i is compared with source frame i (by index, never by timestamp).',
    'bpp = coded bytes × 8 / (width × height × frames). PSNR per plane with peak 255, capped at 100 dB; PSNR-YUV = (6·Y + U + V)/8 per frame; ' +
      'sequence figures are means of the per-frame values (the JSON also has PSNR-YUV from the mean MSE per plane). ' +
      'PSNR-RGB: both sides converted to 8-bit RGB with the clip\'s matrix and range (chroma repeated 2×2), one MSE over R, G and B per frame, averaged over frames.',
    'fps = frames / wall time of the whole encode or decode call (for the baselines an ffmpeg process fed raw frames on stdin, start-up included); ' +
      `"ffmpeg fps" uses ffmpeg's own -benchmark real time instead. ${report.environment.cpus} CPUs, load average ${report.environment.loadAverage.toFixed(2)} at the start.`,
  ];
  const baselines = report.baselines.map(baselineText);
  return [...lines, ...(baselines.length ? ['Baselines (ffmpeg ' + (report.environment.versions.ffmpeg ?? '?') + '):', ...baselines] : [])].join('\n\n');
}

function clipTable(clip: VideoClip): string {
  const rows = clip.results.flatMap((c) => c.points.map((p) => [
    c.codec, videoSettingLabel(p.setting), String(p.bytes), fmt(p.bpp, 4),
    fmt(p.psnrY, 2), fmt(p.psnrU, 2), fmt(p.psnrV, 2), fmt(p.psnrYuv, 2), fmt(p.psnrRgb, 2),
    fmt(p.encodeFps, 1), fmt(p.decodeFps, 1), fpsText(clip.frames, p.ffmpegEncodeMs), fpsText(clip.frames, p.ffmpegDecodeMs),
  ]));
  const fps = `${fmt(clip.fps.num / clip.fps.den, 2)} fps`;
  return `### ${clip.name}: ${clip.width}×${clip.height}, ${clip.frames} frames, ${fps}, colour ${clip.colour.matrix} ${clip.colour.range} range\n\n` +
    table(['codec', 'setting', 'bytes', 'bpp', 'PSNR-Y', 'PSNR-U', 'PSNR-V', 'PSNR-YUV', 'PSNR-RGB', 'enc fps', 'dec fps', 'enc fps (ffmpeg)', 'dec fps (ffmpeg)'], rows, 2);
}

function bdTables(report: VideoBenchReport): string {
  const tests = [...new Set(report.bd.map((e) => e.test))];
  if (tests.length === 0) {
    return report.clips.some((c) => c.results.some((r) => r.codec === report.anchor))
      ? `No BD-rate: no other codec ran beside the anchor '${report.anchor}', or no curve overlaps it.`
      : `No BD-rate: the anchor '${report.anchor}' was not run (choose one with --anchor).`;
  }
  const find = (clip: string, test: string, metric: VideoMetric): VideoBdEntry | undefined =>
    report.bd.find((e) => e.clip === clip && e.test === test && e.metric === metric);
  const header = ['clip', ...tests.flatMap((t) => [`${t} BD-rate YUV`, `${t} BD-PSNR-YUV (dB)`, `${t} BD-rate RGB`])];
  const rows = report.clips.map((c) => [c.name, ...tests.flatMap((t) => [
    pct(find(c.name, t, 'psnrYuv')?.bdRate), fmt(find(c.name, t, 'psnrYuv')?.bdQuality, 2), pct(find(c.name, t, 'psnrRgb')?.bdRate),
  ])]);
  const mean = (t: string, m: VideoMetric) => report.bdMean.find((e) => e.test === t && e.metric === m);
  rows.push([`**mean over clips**`, ...tests.flatMap((t) => [
    `${pct(mean(t, 'psnrYuv')?.bdRate)} (${mean(t, 'psnrYuv')?.clips ?? 0})`, fmt(mean(t, 'psnrYuv')?.bdQuality, 2),
    `${pct(mean(t, 'psnrRgb')?.bdRate)} (${mean(t, 'psnrRgb')?.clips ?? 0})`,
  ])]);
  return `Negative = fewer bits than ${report.anchor} at equal quality; the mean is over the clips with a BD-rate (their count in brackets).\n\n${table(header, rows)}`;
}

/** The whole report as Markdown. */
export function videoMarkdownReport(report: VideoBenchReport): string {
  const parts: string[] = [];
  parts.push(`## ncodec bench video: ${report.clips.length} clip${report.clips.length === 1 ? '' : 's'} from ${report.dataset}`);
  parts.push(methodText(report));
  parts.push(...report.clips.map(clipTable));
  parts.push(`### BD-rate against ${report.anchor} (Bjøntegaard, PCHIP over log-rate, overlapping quality range)`);
  parts.push(bdTables(report));
  const described = report.codecs.map((c) => `- ${c.codec}: ${c.description}`);
  if (described.length) parts.push(`Codecs:\n\n${described.join('\n')}`);
  if (report.skipped.length) parts.push(`Skipped: ${report.skipped.map((s) => `${s.codec} (${s.reason})`).join('; ')}`);
  return `${parts.join('\n\n')}\n`;
}
