/**
 * The lossless benchmark's Markdown report: how it was measured (pixels fed, threads, machine load,
 * each codec's settings), then one table: optionally a row per image and codec, always a row per
 * codec over the whole dataset (bpp = total bits / total pixels, mean times per image), then what
 * failed or was skipped.
 */
import { fmt, table } from '../markdown.js';
import type { LosslessBenchReport, LosslessCodecResult, LosslessItemResult } from './types.js';

export interface LosslessMarkdownOptions {
  /** Add a row per image and codec above the summary rows. */
  perImage?: boolean;
}

const HEADER = ['image', 'codec', 'bytes', 'bpp', 'encode ms', 'decode ms', 'exact'];
const ALIGN: Array<'l' | 'r'> = ['l', 'l', 'r', 'r', 'r', 'r', 'r'];

function itemRow(codec: string, i: LosslessItemResult): string[] {
  return [i.item, codec, i.bytes === null ? '—' : String(i.bytes), fmt(i.bpp, 3), fmt(i.encodeMs, 1), fmt(i.decodeMs, 1), i.exact ? 'yes' : '**NO**'];
}

function summaryRow(label: string, c: LosslessCodecResult): string[] {
  const s = c.summary;
  const exact = `${s.exact}/${s.images}`;
  return [label, `**${c.codec}**`, String(s.bytes), `**${fmt(s.bpp, 3)}**`, fmt(s.encodeMsMean, 1), fmt(s.decodeMsMean, 1), s.exact === s.images ? exact : `**${exact}**`];
}

function methodText(report: LosslessBenchReport): string {
  const env = report.environment;
  const converted = report.items.filter((i) => i.channels !== 3 || i.bitDepth !== 8).length;
  return [
    `Every codec codes the same pixels: each file as 8-bit RGB${converted ? ` (${converted} of the files are not 8-bit RGB and were converted: 16-bit rounded to 8, gray replicated, alpha dropped)` : ''}, ` +
      'and every decode is checked sample for sample against them (exact = images decoded bit-exactly / images). ' +
      'bpp = coded bytes × 8 / pixels, every byte of the file; the summary row is pixel-weighted (total bits / total pixels, over the images coded), ' +
      'its times are means per image of the wall time of one encode and one decode. Each codec first codes a 32×32 crop once, untimed.',
    `${env.threads} thread${env.threads === 1 ? '' : 's'} per codec; ${env.cpus} CPUs, load average ${env.loadAverage.toFixed(2)} at the start ` +
      `(other work on the machine slows every codec); node ${env.node}, sharp ${env.versions.sharp ?? '?'} (libvips ${env.versions.vips ?? '?'}, ` +
      `libpng ${env.versions.png ?? '?'}, zlib-ng ${env.versions['zlib-ng'] ?? '?'}, libwebp ${env.versions.webp ?? '?'}).`,
  ].join('\n\n');
}

/** The whole report as Markdown. */
export function losslessMarkdownReport(report: LosslessBenchReport, options: LosslessMarkdownOptions = {}): string {
  const n = report.items.length;
  const pixels = report.items.reduce((sum, i) => sum + i.width * i.height, 0);
  const parts: string[] = [];
  parts.push(`## ncodec bench image --lossless: ${n} image${n === 1 ? '' : 's'} (${(pixels / 1e6).toFixed(2)} Mpixels) from ${report.dataset}`);
  parts.push(methodText(report));
  parts.push(`Codecs:\n\n${report.codecs.map((c) => `- **${c.codec}**: ${c.description}`).join('\n')}`);
  const rows = options.perImage ? report.items.flatMap((item) => report.codecs.flatMap((c) => {
    const result = c.items.find((i) => i.item === item.item);
    return result ? [itemRow(c.codec, result)] : [];
  })) : [];
  rows.push(...report.codecs.map((c) => summaryRow(`**all ${c.summary.coded} (pixel-weighted)**`, c)));
  parts.push(table(HEADER, ALIGN, rows));
  const tools = report.codecs.filter((c) => c.summary.encodeToolMsMean !== null || c.summary.decodeToolMsMean !== null);
  if (tools.length) {
    parts.push(`The tools' own timing (their "MP/s" line, process start-up and file I/O left out), means per image:\n\n${tools.map((c) =>
      `- ${c.codec}: encode ${fmt(c.summary.encodeToolMsMean, 1)} ms, decode ${fmt(c.summary.decodeToolMsMean, 1)} ms`).join('\n')}`);
  }
  const failures = report.codecs.flatMap((c) => c.items.filter((i) => i.failure !== null).map((i) => `- ${c.codec}, ${i.item}: ${i.failure}`));
  if (failures.length) parts.push(`**Failures** (not lossless, or not coded):\n\n${failures.join('\n')}`);
  if (report.skipped.length) parts.push(`Skipped: ${report.skipped.map((s) => `${s.codec} (${s.reason})`).join('; ')}`);
  return `${parts.join('\n\n')}\n`;
}
