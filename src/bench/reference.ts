/**
 * Published RD curves (`--reference <dir|json>`), in the CompressAI results format:
 * `{ "name": ..., "results": { "bpp": [...], "psnr-rgb": [...], "ms-ssim-rgb": [...] } }`, or several
 * named curves in one file: `{ "results": { "<name>": { "bpp": [...], "psnr-rgb": [...] }, ... } }`.
 * MS-SSIM may be given linear (`ms-ssim-rgb`, converted to dB) or already in dB (`ms-ssim-db-rgb`).
 * Audio curves use `kbps` with `mel-distance`, `si-snr` and/or `stoi`.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { msSsimDb } from '../metrics/msssim.js';
import type { BenchMedia, PublishedCurve, QualityMetric } from './types.js';

const KEYS: Record<string, { metric: QualityMetric; convert?: (v: number) => number }> = {
  'psnr-rgb': { metric: 'psnr' },
  'ms-ssim-rgb': { metric: 'msSsimDb', convert: msSsimDb },
  'ms-ssim-db-rgb': { metric: 'msSsimDb' },
  'mel-distance': { metric: 'melDistance' },
  'si-snr': { metric: 'siSnr' },
  stoi: { metric: 'stoi' },
};

function numbers(value: unknown): number[] | null {
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number' && Number.isFinite(v)) ? value : null;
}

function curveFrom(name: string, results: Record<string, unknown>, file: string, media: BenchMedia): PublishedCurve | null {
  const rate = numbers(results[media === 'image' ? 'bpp' : 'kbps']);
  if (!rate) return null;
  const quality: PublishedCurve['quality'] = {};
  for (const [key, { metric, convert }] of Object.entries(KEYS)) {
    const values = numbers(results[key]);
    if (values && values.length === rate.length && quality[metric] === undefined) quality[metric] = convert ? values.map(convert) : values;
  }
  if (Object.keys(quality).length === 0) return null;
  return { label: `${name} (published)`, file, rate, quality };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The curves in one JSON file (none if it has no usable curve). Throws on unreadable JSON. */
export async function readReferenceFile(file: string, media: BenchMedia): Promise<PublishedCurve[]> {
  const json: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (!isObject(json) || !isObject(json.results)) return [];
  const stem = path.basename(file, '.json');
  const single = curveFrom(typeof json.name === 'string' ? json.name : stem, json.results, file, media);
  if (single) return [single];
  const curves: PublishedCurve[] = [];
  for (const [name, value] of Object.entries(json.results)) {
    if (isObject(value)) {
      const c = curveFrom(name, value, file, media);
      if (c) curves.push(c);
    }
  }
  return curves;
}

/**
 * Published curves from files and folders (every `*.json` in a folder, sorted). Labels that would
 * repeat (the same model published for CPU and GPU) get their file name added.
 * Returns the curves and one warning per file that held none.
 */
export async function loadReferences(sources: readonly string[], media: BenchMedia): Promise<{ curves: PublishedCurve[]; warnings: string[] }> {
  const curves: PublishedCurve[] = [];
  const warnings: string[] = [];
  for (const source of sources) {
    const files = (await stat(source)).isDirectory()
      ? (await readdir(source)).filter((n) => n.endsWith('.json')).sort().map((n) => path.join(source, n))
      : [source];
    for (const file of files) {
      const found = await readReferenceFile(file, media);
      if (found.length === 0) warnings.push(`${file}: no ${media === 'image' ? 'bpp' : 'kbps'} curve with a known quality metric`);
      curves.push(...found);
    }
  }
  const counts = new Map<string, number>();
  for (const c of curves) counts.set(c.label, (counts.get(c.label) ?? 0) + 1);
  for (const c of curves) {
    if (counts.get(c.label)! > 1) c.label = c.label.replace(/ \(published\)$/, ` [${path.basename(c.file, '.json')}] (published)`);
  }
  return { curves, warnings };
}
