/**
 * `ncodec bench image --lossless` end to end on two small fixture images (ncodec's lossless codec in
 * both modes, sharp's PNG and lossless WebP; JPEG XL only where cjxl is installed), plus the pieces
 * that decide the verdict: the exactness check, a codec that is not lossless, a missing cjxl, PPM
 * reading and writing, and usage errors.
 */
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCodec } from '../../src/api/registry.js';
import type { Codec, DecodedImage, MediaInput } from '../../src/api/types.js';
import { exactDifference } from '../../src/bench/lossless/exact.js';
import { losslessBenchCommand } from '../../src/bench/lossless/command.js';
import { toolMsFromLog } from '../../src/bench/lossless/jxl.js';
import { readPpm, writePpm } from '../../src/bench/lossless/ppm.js';
import { modelSpec } from '../../src/bench/lossless/runners.js';
import type { LosslessBenchReport } from '../../src/bench/lossless/types.js';
import type { Rgb8Image } from '../../src/bench/runners.js';
import { onPath } from '../../src/media/ffmpeg.js';
import { packageRoot } from '../../src/package.js';
import { cli } from '../cli/helpers.js';

const FIXTURES = ['scene-64x48.png', 'gray-48x32.png'];
let dir: string;

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = capture(), err = capture();
  const code = await losslessBenchCommand(argv, { stdout: out.stream, stderr: err.stream, isTTY: false });
  return { code, stdout: out.text(), stderr: err.text() };
}

async function report(out: string): Promise<LosslessBenchReport> {
  return JSON.parse(await readFile(path.join(out, 'lossless-bench.json'), 'utf8')) as LosslessBenchReport;
}

/** A codec that is not lossless: the blue sample of the first pixel comes back one higher (mod 256). */
function nearlyLosslessCodec(id: string): Codec {
  return {
    id,
    info: { id, description: 'test codec (off by one)', media: ['image'], modelId: null, qualities: [0], defaultQuality: 0 },
    async encode(input: MediaInput) {
      const img = input as Rgb8Image;
      const out = new Uint8Array(8 + img.data.length);
      new DataView(out.buffer).setUint32(0, img.width);
      new DataView(out.buffer).setUint32(4, img.height);
      out.set(img.data, 8);
      return out;
    },
    async decode(bytes: Uint8Array): Promise<DecodedImage> {
      const view = new DataView(bytes.buffer, bytes.byteOffset);
      const data = bytes.slice(8);
      data[2] = (data[2]! + 1) & 255;
      return { kind: 'image', data, width: view.getUint32(0), height: view.getUint32(4), channels: 3 };
    },
    async dispose() {},
    async [Symbol.asyncDispose]() {},
  };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ncodec-lossless-bench-'));
  for (const name of FIXTURES) await copyFile(path.join(packageRoot(), 'fixtures', 'images', name), path.join(dir, name));
  registerCodec({ id: 'test-off-by-one', description: 'not lossless', media: ['image'], open: async () => nearlyLosslessCodec('test-off-by-one') });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ncodec bench image --lossless', () => {
  it('codes every image with every codec, checks each decode and writes the table and the JSON', async () => {
    const out = path.join(dir, 'out');
    const codecs = ['lossless', 'lossless:med', 'png', 'webp-lossless'];
    const { code, stdout, stderr } = await run(['--dataset', dir, '--codecs', codecs.join(','), '--per-image', '--out', out]);
    expect(stderr).toContain('bench: 8/8 (100 %)');
    expect(code).toBe(0);
    const r = await report(out);
    expect(r.format).toBe('neural-codec-lossless-bench/1');
    expect(r.items.map((i) => i.item)).toEqual(['gray-48x32.png', 'scene-64x48.png']);
    expect(r.items[0]).toMatchObject({ width: 48, height: 32, channels: 1, bitDepth: 8 });
    expect(r.codecs.map((c) => c.codec)).toEqual(codecs);
    expect(r.environment.threads).toBe(1);
    const pixels = 48 * 32 + 64 * 48;
    for (const c of r.codecs) {
      expect(c.items).toHaveLength(2);
      for (const i of c.items) {
        expect(i.exact).toBe(true);
        expect(i.failure).toBeNull();
        expect(i.bpp).toBeGreaterThan(0);
        expect(i.bpp).toBeCloseTo((i.bytes! * 8) / (i.width * i.height), 12);
        expect(i.encodeMs).toBeGreaterThan(0);
        expect(i.decodeMs).toBeGreaterThan(0);
        expect(i.encodeToolMs).toBeNull();
      }
      // Pixel-weighted: total bits over total pixels, not the mean of the two images' bpp.
      expect(c.summary).toMatchObject({ images: 2, coded: 2, exact: 2, pixels });
      expect(c.summary.bytes).toBe(c.items[0]!.bytes! + c.items[1]!.bytes!);
      expect(c.summary.bpp).toBeCloseTo((c.summary.bytes * 8) / pixels, 12);
      expect(c.summary.encodeMsMean).toBeCloseTo((c.items[0]!.encodeMs! + c.items[1]!.encodeMs!) / 2, 9);
      expect(c.description.length).toBeGreaterThan(10);
    }
    expect(r.codecs.find((c) => c.codec === 'lossless:med')!.description).toContain('model med');
    expect(r.codecs.find((c) => c.codec === 'png')!.description).toContain('compressionLevel: 9, adaptiveFiltering: true, palette: false');
    expect(r.codecs.find((c) => c.codec === 'webp-lossless')!.description).toContain('lossless: true, effort: 6');
    // The table: a row per image and codec, a summary row per codec, the settings of each codec above it.
    expect(stdout).toContain('| image | codec | bytes | bpp | encode ms | decode ms | exact |');
    for (const c of r.codecs) {
      expect(stdout).toContain(`| **all 2 (pixel-weighted)** | **${c.codec}** | ${c.summary.bytes} | **${c.summary.bpp!.toFixed(3)}** |`);
      expect(stdout).toContain(`- **${c.codec}**: ${c.description}`);
      for (const i of c.items) expect(stdout).toContain(`| ${i.item} | ${c.codec} | ${i.bytes} | ${i.bpp!.toFixed(3)} |`);
    }
    expect(stdout).toMatch(/\| 2\/2 \|\n/);
    expect(stdout).toContain('1 of the files are not 8-bit RGB and were converted');
    expect(stdout).not.toContain('Failures');
    expect(await readFile(path.join(out, 'lossless-bench.md'), 'utf8')).toBe(stdout);
  });

  it('leaves the per-image rows out unless asked for', async () => {
    const { code, stdout } = await run(['--dataset', path.join(dir, 'scene-64x48.png'), '--codecs', 'lossless:med']);
    expect(code).toBe(0);
    expect(stdout).toContain('| **all 1 (pixel-weighted)** | **lossless:med** |');
    expect(stdout).not.toContain('| scene-64x48.png |');
  });

  it('reports a decode that is not bit-exact as a failure and exits with 1', async () => {
    const out = path.join(dir, 'out-lossy');
    const { code, stdout, stderr } = await run(['--dataset', dir, '--codecs', 'test-off-by-one,png', '--out', out]);
    expect(code).toBe(1);
    expect(stderr).toContain('2 decodes were not bit-exact or failed');
    expect(stdout).toContain('| **all 2 (pixel-weighted)** | **test-off-by-one** |');
    expect(stdout).toMatch(/\*\*test-off-by-one\*\* \|.*\| \*\*0\/2\*\* \|/);
    expect(stdout).toContain('**Failures**');
    expect(stdout).toContain('- test-off-by-one, scene-64x48.png: not exact: 1 of 9216 samples differ (largest difference 1; first at x=0, y=0)');
    const r = await report(out);
    expect(r.codecs[0]!.items.every((i) => !i.exact && i.bpp! > 0)).toBe(true);
    expect(r.codecs[1]!.summary.exact).toBe(2);
  });

  it('skips JPEG XL with a note when cjxl is not on the PATH', async () => {
    const saved = process.env.PATH;
    process.env.PATH = path.join(dir, 'no-tools-here');
    try {
      const { code, stdout, stderr } = await run(['--dataset', dir, '--codecs', 'jxl,lossless:med']);
      expect(code).toBe(0);
      const reason = "cjxl and djxl not on the PATH: install libjxl's tools (Debian/Ubuntu: apt-get install libjxl-tools) to measure JPEG XL";
      expect(stderr).toContain(`skipping jxl: ${reason}`);
      expect(stdout).toContain(`Skipped: jxl (${reason})`);
      expect(stdout).toContain('**lossless:med**');
    } finally {
      process.env.PATH = saved;
    }
  });

  it.skipIf(!onPath('cjxl') || !onPath('djxl'))('measures JPEG XL through cjxl and djxl where installed', async () => {
    const out = path.join(dir, 'out-jxl');
    const { code, stdout } = await run(['--dataset', path.join(dir, 'scene-64x48.png'), '--codecs', 'jxl', '--jxl-effort', '3', '--out', out]);
    expect(code).toBe(0);
    const [jxl] = (await report(out)).codecs;
    expect(jxl!.items[0]).toMatchObject({ exact: true, failure: null });
    expect(jxl!.items[0]!.bpp).toBeGreaterThan(0);
    expect(jxl!.description).toContain('-d 0 -e 3 --num_threads=1');
    expect(stdout).toContain('| **all 1 (pixel-weighted)** | **jxl** |');
  });

  it('is reached from the CLI through bench image --lossless', async () => {
    const help = await cli('bench', 'image', '--lossless', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: ncodec bench image --lossless/);
    const { code, stdout } = await cli('bench', 'image', '--lossless', '--dataset', path.join(dir, 'gray-48x32.png'), '--codecs', 'png');
    expect(code).toBe(0);
    expect(stdout).toContain('| **all 1 (pixel-weighted)** | **png** |');
  });

  it('rejects bad flags and unknown codecs with usage errors', async () => {
    const effort = await run(['--jxl-effort', '10']);
    expect(effort.code).toBe(2);
    expect(effort.stderr).toContain("Expected an integer between 1 and 9 for --jxl-effort but received '10'");
    const threads = await run(['--threads', '0']);
    expect(threads.code).toBe(2);
    expect(threads.stderr).toContain("Expected an integer between 1 and 256 for --threads but received '0'");
    const unknown = await run(['--dataset', dir, '--codecs', 'jpeg']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown codec 'jpeg'\. Known: .*lossless, lossless:med, .*png, webp-lossless, jxl\./);
    const mode = await run(['--dataset', dir, '--codecs', 'lossless:fast,png']);
    expect(mode.code).toBe(0);
    expect(mode.stdout).toContain("Skipped: lossless:fast (unknown mode 'fast' (the lossless bench knows :med))");
  });
});

describe('lossless bench parts', () => {
  const image: Rgb8Image = { data: Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => (i * 37) & 255), width: 3, height: 2, channels: 3 };

  it('finds the first differing sample, and a size that differs', () => {
    expect(exactDifference(image, { ...image, data: image.data.slice() })).toBeNull();
    const data = image.data.slice();
    data[13] = data[13]! + 5;
    data[16] = data[16]! - 2;
    expect(exactDifference(image, { ...image, data })).toBe('2 of 18 samples differ (largest difference 5; first at x=1, y=1)');
    expect(exactDifference(image, { ...image, width: 2, height: 3 })).toBe('decoded 2×3×3, expected 3×2×3');
  });

  it('writes and reads 8-bit PPM, comments included', () => {
    expect(readPpm(writePpm(image))).toEqual(image);
    const commented = Buffer.concat([Buffer.from('P6 # made here\n3 2\n# max\n255\n'), image.data]);
    expect(readPpm(commented)).toEqual(image);
    expect(() => readPpm(Buffer.from('P6\n3 2\n65535\n'))).toThrow('Expected an 8-bit binary PPM (P6, maxval 255) but received something else.');
    expect(() => readPpm(Buffer.concat([Buffer.from('P6\n3 2\n255\n'), image.data.subarray(1)]))).toThrow('Expected 18 samples in a 3×2 PPM but received 17.');
  });

  it('reads the tools\' own time and maps codec modes to models', () => {
    expect(toolMsFromLog('Compressed to 470123 bytes (9.565 bpp).\n768 x 512, 0.50 MP/s [0.37, 0.37], 1 reps, 1 threads.\n')).toBeCloseTo(786.432, 6);
    expect(toolMsFromLog('no speed line')).toBeNull();
    expect(modelSpec('lossless:med')).toBe('lossless@med');
    expect(modelSpec('lossless@mlp-v1')).toBe('lossless@mlp-v1');
    expect(modelSpec('lossless')).toBe('lossless');
  });
});
