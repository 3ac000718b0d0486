/** Report pieces: progress output, SVG axes, published-curve loading, Markdown formatting. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { markdownReport } from '../../src/bench/markdown.js';
import { realTimeFactor } from '../../src/bench/measure.js';
import { progressReporter } from '../../src/bench/progress.js';
import { loadReferences } from '../../src/bench/reference.js';
import { niceTicks, svgPlot } from '../../src/bench/svg.js';
import type { ImageBenchReport } from '../../src/bench/types.js';

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('progressReporter', () => {
  it('redraws one bar line on a terminal', () => {
    const out = sink();
    const p = progressReporter(out.stream, true, () => 0);
    p.update({ done: 1, total: 4, label: 'jpeg q=10 a.png' });
    p.update({ done: 4, total: 4, label: 'jpeg q=90 a.png' });
    p.finish();
    const text = out.text();
    expect(text.match(/\r/g)).toHaveLength(2);
    expect(text).toContain('██████░░░░░░░░░░░░░░░░░░ 1/4');
    expect(text).toContain('4/4');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('writes plain lines at most every 5 % otherwise', () => {
    const out = sink();
    const p = progressReporter(out.stream, false, () => 0);
    for (let i = 1; i <= 200; i++) p.update({ done: i, total: 200, label: `step ${i}` });
    const lines = out.text().trim().split('\n');
    expect(lines.length).toBe(21);
    expect(lines.at(-1)).toBe('bench: 200/200 (100 %), 0s elapsed, eta 0s: step 200');
    expect(out.text()).not.toContain('\r');
  });
});

describe('niceTicks', () => {
  it('covers the range with 1/2/2.5/5 × 10^k steps', () => {
    expect(niceTicks(0, 2.93).ticks).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3]);
    expect(niceTicks(0, 3.2).ticks).toEqual([0, 1, 2, 3, 4]);
    expect(niceTicks(25.7, 42.9).ticks).toEqual([25, 30, 35, 40, 45]);
    expect(niceTicks(0.62, 0.95).ticks).toEqual([0.6, 0.7, 0.8, 0.9, 1]);
    expect(niceTicks(5, 5).ticks.length).toBeGreaterThan(1);
  });
});

describe('svgPlot', () => {
  it('draws a panel per metric with data, dashed published curves and escaped labels', () => {
    const svg = svgPlot({
      title: 'A & B',
      rateLabel: 'bits per pixel (bpp)',
      metrics: ['psnr', 'msSsimDb'],
      curves: [
        { label: 'jpeg', kind: 'measured', rate: [0.2, 0.5, 1], quality: { psnr: [26, 30, 33], msSsimDb: [9, 12, null] } },
        { label: 'x <y> (published)', kind: 'published', rate: [0.3, 0.6], quality: { psnr: [29, 32] } },
      ],
    });
    expect(svg).toContain('A &amp; B');
    expect(svg).toContain('x &lt;y&gt; (published)');
    expect(svg.match(/stroke-dasharray/g)?.length).toBe(2); // the curve and its legend sample
    expect(svg).toContain('>PSNR-RGB</text>');
    expect(svg).toContain('>MS-SSIM-RGB</text>');
    expect(svg).toContain('bits per pixel (bpp)');
  });
});

describe('loadReferences', () => {
  it('reads single- and multi-curve files, converts MS-SSIM to dB and disambiguates repeated names', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ncodec-ref-'));
    try {
      await writeFile(path.join(dir, 'a_cpu.json'), JSON.stringify({ name: 'model', results: { bpp: [0.1, 0.2], 'psnr-rgb': [28, 30], 'ms-ssim-rgb': [0.9, 0.99] } }));
      await writeFile(path.join(dir, 'a_cuda.json'), JSON.stringify({ name: 'model', results: { bpp: [0.1, 0.2], 'psnr-rgb': [28, 30] } }));
      await writeFile(path.join(dir, 'many.json'), JSON.stringify({ results: { C3: { bpp: [0.1, 0.3], 'psnr-rgb': [27, 31] }, Other: { bpp: [0.1], note: 'x' } } }));
      await writeFile(path.join(dir, 'audio.json'), JSON.stringify({ name: 'a', results: { kbps: [6, 12], 'mel-distance': [2, 1] } }));
      const { curves, warnings } = await loadReferences([dir], 'image');
      expect(curves.map((c) => c.label)).toEqual(['model [a_cpu] (published)', 'model [a_cuda] (published)', 'C3 (published)']);
      curves[0]!.quality.msSsimDb!.forEach((v, i) => expect(v).toBeCloseTo([10, 20][i]!, 12));
      expect(warnings).toEqual([`${path.join(dir, 'audio.json')}: no bpp curve with a known quality metric`]);
      const audio = await loadReferences([path.join(dir, 'audio.json')], 'audio');
      expect(audio.curves[0]!.quality.melDistance).toEqual([2, 1]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('markdownReport', () => {
  it('prints points, BD-rates with signs, and dashes for missing values', () => {
    const report: ImageBenchReport = {
      format: 'neural-codec-bench/1', media: 'image', dataset: '/d', items: ['a.png'], anchor: 'jpeg', startedAt: '', elapsedMs: 1,
      environment: { node: 'v20', platform: 'linux-x64', cpus: 2, versions: {} }, skipped: [{ codec: 'hp', reason: 'model not found' }], references: [],
      codecs: [{
        codec: 'jpeg', source: 'baseline', description: '', points: [{
          setting: { kind: 'quality', value: 50 }, bpp: 0.5, psnr: 30.123, msSsim: null, msSsimDb: null, encodeMsMedian: 12.34, decodeMsMedian: 2, items: [],
        }],
      }],
      bd: [{ metric: 'psnr', anchor: 'jpeg', anchorKind: 'measured', test: 'webp', bdRate: -25.31, bdQuality: 1.56 }],
    };
    const md = markdownReport(report);
    expect(md).toContain('| jpeg | q=50 | 0.5000 | 30.12 | — | — | 12.3 | 2.0 |');
    expect(md).toContain('| webp | -25.3 % | 1.56 |');
    expect(md).toContain('Skipped: hp (model not found)');
  });
});

describe('svg tick labels', () => {
  it('use just enough decimals', () => {
    const svg = svgPlot({
      title: 't', rateLabel: 'kbps', metrics: ['stoi'],
      curves: [{ label: 'opus', kind: 'measured', rate: [6, 52], quality: { stoi: [0.701, 0.974] } }],
    });
    expect(svg).toContain('>0.75</text>');
    expect(svg).not.toContain('>0.750</text>');
  });
});

describe('realTimeFactor', () => {
  it('divides all audio seconds by all encode + decode seconds, so long clips weigh more', () => {
    const items = [
      { seconds: 10, encodeMs: 200, decodeMs: 300 }, // 20× on its own
      { seconds: 1, encodeMs: 400, decodeMs: 100 }, //  2× on its own
    ];
    expect(realTimeFactor(items)).toBeCloseTo(11, 10);
    expect(realTimeFactor([])).toBe(Infinity);
  });
});
