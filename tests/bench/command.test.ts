/**
 * End-to-end runs of `ncodec bench` through benchCommand on media generated here (no committed
 * fixtures), plus the ncodec-codec path with codecs registered by the test, and usage errors.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchCommand } from '../../src/bench/command.js';
import { defaultDataset } from '../../src/bench/dataset.js';
import { packageRoot } from '../../src/package.js';
import type { AudioBenchReport, ImageBenchReport } from '../../src/bench/types.js';
import { registerCodec } from '../../src/api/registry.js';
import type { Codec, CodecFactory, DecodedImage, MediaInput } from '../../src/api/types.js';
import { CodecError } from '../../src/errors.js';
import { saveAudio } from '../../src/media/audio.js';
import { lcgNoise, testClip } from '../metrics/signals.js';

let dir: string;

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = capture(), err = capture();
  const code = await benchCommand(argv, { stdout: out.stream, stderr: err.stream, isTTY: false });
  return { code, stdout: out.text(), stderr: err.text() };
}

/** A smooth synthetic photo-like RGB image with a little noise. */
async function writeImage(file: string, width: number, height: number, seed: number): Promise<void> {
  const noise = lcgNoise(width * height * 3, seed);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const v = 128 + 70 * Math.sin((x + 13 * c) / 17 + seed) * Math.cos(y / 23) + (x * 40) / width + 12 * noise[(y * width + x) * 3 + c]!;
        data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  await sharp(data, { raw: { width, height, channels: 3 } }).png().toFile(file);
}

/** A test image codec: lossless PNG inside, "quality" levels 1 and 2 that change nothing. */
function pngCodecFactory(id: string): CodecFactory {
  return {
    id,
    description: 'test codec (PNG)',
    media: ['image'],
    async open(): Promise<Codec> {
      const codec: Codec = {
        id,
        info: { id, description: 'test codec (PNG)', media: ['image'], modelId: 'png-test', qualities: [1, 2], defaultQuality: 1 },
        async encode(input: MediaInput) {
          const img = input as { data: Uint8Array; width: number; height: number; channels: 3 };
          return new Uint8Array(await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer());
        },
        async decode(bytes: Uint8Array): Promise<DecodedImage> {
          const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
          return { kind: 'image', data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels as 3 };
        },
        async dispose() {},
        async [Symbol.asyncDispose]() {},
      };
      return codec;
    },
  };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ncodec-bench-test-'));
  await writeImage(path.join(dir, 'a.png'), 192, 176, 1);
  await writeImage(path.join(dir, 'b.png'), 177, 165, 2);
  await writeImage(path.join(dir, 'small.png'), 33, 17, 3);
  await writeFile(path.join(dir, 'notes.txt'), 'not media');
  await mkdir(path.join(dir, 'empty'));
  await saveAudio({ channels: [testClip(16000, 1.5)], sampleRate: 16000 }, path.join(dir, 'clip.wav'));
  await writeFile(path.join(dir, 'published.json'), JSON.stringify({
    name: 'Made-up codec',
    results: { bpp: [0.25, 0.5, 1, 2], 'psnr-rgb': [27, 30, 33, 36], 'ms-ssim-rgb': [0.9, 0.95, 0.975, 0.99] },
  }));
  registerCodec(pngCodecFactory('test-png'));
  registerCodec({
    id: 'test-missing', description: 'model never installed', media: ['image'],
    open: () => Promise.reject(new CodecError('ERR_MODEL_NOT_FOUND', 'no model test-missing in models/')),
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ncodec bench image', () => {
  it('measures baselines, keeps per-item results, compares with the anchor and a published curve', async () => {
    const json = path.join(dir, 'out', 'image.json');
    const plot = path.join(dir, 'out', 'image.svg');
    const { code, stdout, stderr } = await run(['image', '--dataset', dir, '--codecs', 'jpeg,webp', '--qualities', '30,60,90',
      '--reference', path.join(dir, 'published.json'), '--json', json, '--plot', plot]);
    expect(stderr).toContain('bench: 18/18 (100 %)');
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8')) as ImageBenchReport;
    expect(report.media).toBe('image');
    expect(report.items).toEqual(['a.png', 'b.png', 'small.png']);
    expect(report.codecs.map((c) => c.codec)).toEqual(['jpeg', 'webp']);
    for (const codec of report.codecs) {
      expect(codec.points.map((p) => p.setting)).toEqual([30, 60, 90].map((value) => ({ kind: 'quality', value })));
      for (const [i, p] of codec.points.entries()) {
        expect(p.items).toHaveLength(3);
        expect(p.bpp).toBeGreaterThan(0.05);
        expect(p.psnr).toBeGreaterThan(25);
        expect(p.psnr).toBeLessThan(60);
        // MS-SSIM over the two images large enough for it; the 33×17 one has none.
        expect(p.items.find((it) => it.item === 'small.png')!.msSsim).toBeNull();
        expect(p.msSsim).toBeGreaterThan(0.8);
        expect(p.msSsimDb).toBeCloseTo(-10 * Math.log10(1 - p.msSsim!), 10);
        const a = p.items.find((it) => it.item === 'a.png')!;
        expect(a.bpp).toBeCloseTo((a.bytes * 8) / (192 * 176), 12);
        expect(a.encodeMs).toBeGreaterThan(0);
        if (i > 0) {
          expect(p.bpp).toBeGreaterThan(codec.points[i - 1]!.bpp);
          expect(p.psnr).toBeGreaterThan(codec.points[i - 1]!.psnr);
        }
      }
    }
    const vsAnchor = report.bd.filter((e) => e.anchor === 'jpeg');
    expect(vsAnchor.map((e) => `${e.test}/${e.metric}`)).toEqual(expect.arrayContaining(['webp/psnr', 'webp/msSsimDb', 'Made-up codec (published)/psnr']));
    expect(report.references[0]!.quality.msSsimDb![1]).toBeCloseTo(13.0103, 4);
    expect(report.bd.some((e) => e.anchorKind === 'published' && e.test === 'webp' && e.bdRate !== null)).toBe(true);
    expect(stdout).toContain('| jpeg | q=30 |');
    expect(stdout).toContain('### BD-rate against jpeg');
    const svg = await readFile(plot, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Made-up codec (published)');
    expect(svg).toContain('stroke-dasharray');
    expect(svg).toContain('MS-SSIM-RGB');
  });

  it('re-renders a saved report with --from, another anchor and no references', async () => {
    const saved = path.join(dir, 'out', 'image.json');
    const json = path.join(dir, 'out', 'again.json');
    const { code, stdout, stderr } = await run(['image', '--from', saved, '--anchor', 'webp', '--reference', path.join(dir, 'empty'), '--json', json]);
    expect(code).toBe(0);
    expect(stderr).toContain(`re-rendered ${saved}`);
    expect(stdout).toContain('### BD-rate against webp');
    const report = JSON.parse(await readFile(json, 'utf8')) as ImageBenchReport;
    expect(report.references).toEqual([]);
    expect(report.bd.map((e) => `${e.anchor}>${e.test}/${e.metric}`)).toEqual(['webp>jpeg/psnr', 'webp>jpeg/msSsimDb']);
    const r = await run(['audio', '--from', saved]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is not a saved 'ncodec bench audio' report");
  });

  it('runs a registered ncodec codec over its quality levels and skips one whose model is missing', async () => {
    const json = path.join(dir, 'ncodec.json');
    const { code, stderr } = await run(['image', '--dataset', dir, '--limit', '1', '--codecs', 'test-png,test-missing,jpeg',
      '--qualities', '2,50', '--json', json]);
    expect(code).toBe(0);
    expect(stderr).toContain('skipping test-missing: model not found');
    const report = JSON.parse(await readFile(json, 'utf8')) as ImageBenchReport;
    expect(report.skipped).toEqual([{ codec: 'test-missing', reason: expect.stringContaining('no model test-missing') }]);
    const png = report.codecs.find((c) => c.codec === 'test-png')!;
    expect(png.source).toBe('ncodec');
    expect(png.points.map((p) => p.setting.value)).toEqual([2]);
    expect(png.points[0]!.psnr).toBeNull(); // lossless: Infinity, written to JSON as null
    expect(png.points[0]!.items[0]!.msSsim).toBeCloseTo(1, 12);
  });
});

describe('ncodec bench audio', () => {
  it('measures Opus and AAC with mel distance, SI-SNR, STOI and kbps from the file bytes', async () => {
    const json = path.join(dir, 'audio.json');
    const { code, stdout } = await run(['audio', '--dataset', path.join(dir, 'clip.wav'), '--codecs', 'opus,aac', '--bitrates', '16,32', '--json', json]);
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8')) as AudioBenchReport;
    expect(report.mel).toBe('dac');
    expect(report.codecs.map((c) => c.codec)).toEqual(['opus', 'aac']);
    for (const codec of report.codecs) {
      for (const p of codec.points) {
        const item = p.items[0]!;
        expect(item.seconds).toBeCloseTo(1.5, 6);
        expect(item.kbps).toBeCloseTo((item.bytes * 8) / 1.5 / 1000, 10);
        expect(p.kbps).toBeGreaterThan(p.setting.value * 0.5);
        expect(p.kbps).toBeLessThan(p.setting.value * 2.5);
        expect(p.melDistance).toBeGreaterThan(0);
        expect(p.melDistance).toBeLessThan(10);
        expect(p.siSnr).toBeGreaterThan(0); // decoded audio lines up with the source
        expect(p.stoi).toBeGreaterThan(0.5);
      }
      expect(codec.points[1]!.melDistance).toBeLessThan(codec.points[0]!.melDistance);
    }
    expect(report.bd.find((e) => e.anchor === 'opus' && e.test === 'aac' && e.metric === 'melDistance')).toBeDefined();
    expect(stdout).toContain('| opus | 16 kbps |');
  });
});

describe('ncodec bench audio with an ncodec codec', () => {
  it('encodes raw audio through the codec and brings its decoded output back to the source rate', async () => {
    registerCodec({
      id: 'test-pcm8k', description: 'test codec: float PCM at 8 kHz', media: ['audio'],
      async open(): Promise<Codec> {
        return {
          id: 'test-pcm8k',
          info: { id: 'test-pcm8k', description: 'test codec: float PCM at 8 kHz', media: ['audio'], modelId: null, qualities: [1], defaultQuality: 1 },
          async encode(input: MediaInput) {
            const { channels } = input as { channels: Float32Array[]; sampleRate: number };
            const x = channels[0]!;
            const y = Float32Array.from({ length: Math.floor(x.length / 2) }, (_, i) => x[2 * i]!); // 16 kHz → 8 kHz, crudely
            return new Uint8Array(y.buffer);
          },
          async decode(bytes: Uint8Array) {
            return { kind: 'audio' as const, channels: [new Float32Array(bytes.slice().buffer)], sampleRate: 8000 };
          },
          async dispose() {},
          async [Symbol.asyncDispose]() {},
        };
      },
    });
    const json = path.join(dir, 'pcm.json');
    const { code } = await run(['audio', '--dataset', path.join(dir, 'clip.wav'), '--codecs', 'test-pcm8k', '--no-stoi', '--json', json]);
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8')) as AudioBenchReport;
    const p = report.codecs[0]!.points[0]!;
    expect(p.setting).toEqual({ kind: 'quality', value: 1 });
    expect(p.kbps).toBeCloseTo(8000 * 32 / 1000, 0);
    expect(p.stoi).toBeNull();
    expect(p.siSnr).toBeGreaterThan(10); // back at 16 kHz and aligned
  });
});

describe('usage', () => {
  it('prints help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: ncodec bench <image|audio>');
  });

  it('rejects a missing kind, bad lists and unknown codecs with exit code 2', async () => {
    let r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Expected 'image' or 'audio' for the bench kind but received nothing");
    r = await run(['image', '--qualities', '10,x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Expected a comma-separated list of integers between 1 and 100 for --qualities but received '10,x'");
    r = await run(['image', '--dataset', dir, '--codecs', 'jpeg,nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown codec 'nope'. Known: jpeg, webp, avif");
    r = await run(['audio', '--dataset', dir, '--codecs', 'jpeg']);
    expect(r.code).toBe(2);
    r = await run(['image', '--frobnicate']);
    expect(r.code).toBe(2);
  });

  it('fails with exit code 1 on a dataset without media', async () => {
    const r = await run(['audio', '--dataset', path.join(dir, 'empty')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No audio files');
  });

  it('defaults to the package fixtures, resolved from the package root', () => {
    expect(defaultDataset('image')).toBe(path.join(packageRoot(), 'fixtures', 'images'));
    expect(defaultDataset('audio')).toBe(path.join(packageRoot(), 'fixtures', 'audio'));
  });
});
