/**
 * `ncodec bench video` on tiny clips generated here with ffmpeg (testsrc): the report's structure,
 * frame alignment by index (lossless x264 gives back every frame exactly), the bpp formula, raw .yuv
 * datasets, odd sizes, and usage errors; plus the pieces (Annex B SEI removal, padding, names).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annexBUnits, cropFrames, encoderArgs, padToEven, stripSei, videoBaseline } from '../../src/bench/baselines/video.js';
import { meanBd } from '../../src/bench/video/bd.js';
import { runVideoBench } from '../../src/bench/video/bench.js';
import { videoBenchCommand } from '../../src/bench/video/command.js';
import { listVideoDataset, parseFps, parseSize, sizeFromName } from '../../src/bench/video/dataset.js';
import { checkAlignment, videoBpp } from '../../src/bench/video/measure.js';
import { parseBenchmarkMs, parseEncoders } from '../../src/bench/video/process.js';
import { joinFrames, loadSourceClip } from '../../src/bench/video/source.js';
import type { VideoBenchReport } from '../../src/bench/video/types.js';
import { main } from '../../src/cli/main.js';
import { runFfmpeg } from '../../src/media/ffmpeg.js';
import type { YuvFrame } from '../../src/media/types.js';

let dir: string;
let clip: string; // 64×48, 6 frames, 10 fps y4m
let odd: string; // 63×47, 4 frames

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = capture(), err = capture();
  const code = await videoBenchCommand(argv, { stdout: out.stream, stderr: err.stream, isTTY: false });
  return { code, stdout: out.text(), stderr: err.text() };
}

async function testsrc(file: string, size: string, frames: number): Promise<void> {
  await runFfmpeg(['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=10`, '-frames:v', String(frames), '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', '-y', file]);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ncodec-bench-video-'));
  clip = path.join(dir, 'tiny.y4m');
  odd = path.join(dir, 'odd.y4m');
  await testsrc(clip, '64x48', 6);
  await testsrc(odd, '63x47', 4);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ncodec bench video', () => {
  it('measures x264 at two CRFs: report structure, bpp, outputs', async () => {
    const out = path.join(dir, 'out');
    const r = await run(['--dataset', clip, '--codecs', 'x264', '--crf-x264', '23,38', '--gop', '3', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/bench: 2\/2 \(100 %\)/);
    const report = JSON.parse(await readFile(path.join(out, 'video-bench.json'), 'utf8')) as VideoBenchReport;
    expect(report.format).toBe('neural-codec-bench-video/1');
    expect(report.gop).toBe(3);
    expect(report.frames).toBeNull();
    expect(report.baselines).toEqual([expect.objectContaining({ codec: 'x264', bframes: 0, keyint: 3, crf: [23, 38], threads: 1, stream: 'h264', seiRemoved: true })]);
    expect(report.clips).toHaveLength(1);
    const c = report.clips[0]!;
    expect(c).toMatchObject({ name: 'tiny.y4m', width: 64, height: 48, frames: 6, fps: { num: 10, den: 1 }, colour: { matrix: 'bt601', range: 'limited' } });
    expect(c.results.map((x) => x.codec)).toEqual(['x264']);
    const [hi, lo] = c.results[0]!.points;
    for (const p of [hi!, lo!]) {
      expect(p.bpp).toBeCloseTo((p.bytes * 8) / (64 * 48 * 6), 12);
      expect(p.framePsnrYuv).toHaveLength(6);
      expect(p.psnrYuv).toBeCloseTo(p.framePsnrYuv.reduce((s, x) => s + x, 0) / 6, 10);
      expect(p.psnrYuv).toBeCloseTo((6 * p.psnrY + p.psnrU + p.psnrV) / 8, 0); // means of weighted = weighted means
      expect(p.encodeFps).toBeGreaterThan(0);
      expect(p.seiBytesRemoved).toBeGreaterThan(100); // x264's version/options SEI
    }
    expect(hi!.setting).toEqual({ kind: 'crf', value: 23 });
    expect(hi!.bytes).toBeGreaterThan(lo!.bytes);
    expect(hi!.psnrYuv).toBeGreaterThan(lo!.psnrYuv);
    expect(r.stdout).toContain('| x264 | crf=23 |');
    expect(r.stdout).toContain('-bf 0 -g 3 -keyint_min 3 -sc_threshold 0 -crf <crf> -threads 1 -f h264');
    expect(r.stdout).toContain('Annex B elementary stream (no container)');
    expect(r.stdout).toContain('No BD-rate: no other codec ran');
    expect(await readFile(path.join(out, 'video-bench.md'), 'utf8')).toBe(r.stdout);
    expect(await readFile(path.join(out, 'tiny.svg'), 'utf8')).toMatch(/^<svg[\s\S]*PSNR-YUV[\s\S]*PSNR-RGB/);
  });

  it('aligns decoded frames with the source by index (lossless x264: every frame exact), odd sizes included', async () => {
    for (const file of [clip, odd]) {
      const source = await loadSourceClip(file);
      const runner = await videoBaseline('x264', { gop: 2 });
      const encoded = await runner.encode(source, { kind: 'crf', value: 0 });
      const decoded = await runner.decode(encoded.bytes, source);
      expect(decoded.frames).toHaveLength(source.frames.length);
      checkAlignment(source.frames, decoded.frames, 'x264');
      decoded.frames.forEach((f, i) => {
        expect(f.width).toBe(source.width);
        expect(Buffer.compare(Buffer.from(f.y), Buffer.from(source.frames[i]!.y))).toBe(0);
        expect(Buffer.compare(Buffer.from(f.v), Buffer.from(source.frames[i]!.v))).toBe(0);
      });
    }
  });

  it('takes a folder (y4m and raw .yuv with the size in its name), --frames, and averages BD-rates over clips', async () => {
    const ds = path.join(dir, 'ds');
    const source = await loadSourceClip(clip);
    await mkdir(ds);
    await writeFile(path.join(ds, 'tiny_64x48_6f_i420.yuv'), joinFrames(source.frames));
    await writeFile(path.join(ds, 'b.y4m'), await readFile(clip));
    await writeFile(path.join(ds, 'notes.txt'), 'not a video');
    expect((await listVideoDataset(ds)).map((f) => path.basename(f))).toEqual(['b.y4m', 'tiny_64x48_6f_i420.yuv']);
    const report = await runVideoBench({
      dataset: ds, codecs: ['x264', 'x265'], frames: 4, gop: 4, crf: { x264: [20, 40], x265: [22, 40] }, fps: { num: 10, den: 1 },
    });
    if (report.skipped.some((s) => s.codec === 'x265')) return; // an ffmpeg without libx265 (video-skip.test.ts covers that)
    expect(report.clips.map((c) => [c.name, c.frames, c.fps.num])).toEqual([['b.y4m', 4, 10], ['tiny_64x48_6f_i420.yuv', 4, 10]]);
    // The same frames at the same rate (x264's CRF depends on the rate), whatever the file: identical results.
    expect(report.clips[1]!.results[0]!.points.map((p) => p.bytes)).toEqual(report.clips[0]!.results[0]!.points.map((p) => p.bytes));
    const yuv = report.bd.filter((e) => e.metric === 'psnrYuv');
    expect(yuv.map((e) => [e.clip, e.anchor, e.test])).toEqual([['b.y4m', 'x264', 'x265'], ['tiny_64x48_6f_i420.yuv', 'x264', 'x265']]);
    const mean = report.bdMean.find((e) => e.metric === 'psnrYuv' && e.test === 'x265')!;
    expect(mean.clips).toBe(2);
    expect(mean.bdRate).toBeCloseTo((yuv[0]!.bdRate! + yuv[1]!.bdRate!) / 2, 10);
  });

  it('turns bad arguments into usage errors (exit 2)', async () => {
    const unknown = await run(['--dataset', clip, '--codecs', 'x264,jpeg']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown codec 'jpeg'\. Known: x264, x265/);
    expect(unknown.stderr).toContain('Usage: ncodec bench video');
    for (const [gop, shown] of [['0', '0'], ['abc', 'abc'], ['2.5', '2.5']]) {
      const bad = await run(['--dataset', clip, '--gop', gop!]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(`Expected an integer between 1 and 100000 for --gop but received '${shown}'`);
    }
    expect((await run(['--codecs', 'x264'])).stderr).toContain('Expected a video file or folder for --dataset but received nothing');
    expect((await run(['--dataset', clip, '--size', '64by48'])).stderr).toContain("Expected WxH (e.g. 176x144) for --size but received '64by48'");
    expect((await run(['--dataset', clip, '--crf-x264', '20,60'])).stderr).toContain('between 0 and 51 for --crf-x264');
    expect((await run(['--dataset', clip, '--bogus'])).code).toBe(2);
    const missing = await run(['--dataset', path.join(dir, 'nothing-here')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('does not exist');
  });

  it('is wired into the CLI as `ncodec bench video`', async () => {
    const out = capture(), err = capture();
    expect(await main(['bench', 'video', '--help'], { stdout: out.stream, stderr: err.stream })).toBe(0);
    expect(out.text()).toMatch(/^Usage: ncodec bench video --dataset/);
    const bad = capture();
    expect(await main(['bench', 'video', '--dataset', clip, '--gop', '0'], { stdout: capture().stream, stderr: bad.stream })).toBe(2);
    expect(bad.text()).toContain('for --gop');
  });
});

describe('video bench pieces', () => {
  it('bpp = bytes × 8 / (W × H × frames)', () => {
    expect(videoBpp(1000, 176, 144, 32)).toBeCloseTo(8000 / (176 * 144 * 32), 15);
  });

  it('checkAlignment fails on a missing frame or another size', () => {
    const f = (w: number, h: number): YuvFrame => ({ width: w, height: h, y: new Uint8Array(w * h), u: new Uint8Array(1), v: new Uint8Array(1) });
    expect(() => checkAlignment([f(2, 2), f(2, 2)], [f(2, 2)], 'x264 crf=23 on a.y4m')).toThrow('x264 crf=23 on a.y4m decoded 1 frames for 2 source frames');
    expect(() => checkAlignment([f(2, 2)], [f(2, 4)], 'v')).toThrow('v decoded frame 0 at 2×4, the source is 2×2');
  });

  it('takes SEI NAL units out of Annex B streams (H.264 type 6, HEVC 39/40), keeping the rest byte for byte', () => {
    const h264 = Uint8Array.from([0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x06, 9, 9, 9, 0, 0, 0, 1, 0x65, 7, 0, 3, 1]);
    expect(annexBUnits(h264)).toEqual([[0, 7], [7, 14], [14, 23]]);
    const { bytes, removed } = stripSei(h264, 'h264');
    expect(removed).toBe(7);
    expect([...bytes]).toEqual([0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 1, 0x65, 7, 0, 3, 1]);
    const hevc = Uint8Array.from([0, 0, 0, 1, 0x40, 1, 0, 0, 1, 0x4e, 1, 5, 0, 0, 1, 0x26, 1, 8, 0, 0, 1, 0x50, 1, 4]);
    expect(stripSei(hevc, 'hevc')).toEqual({ bytes: Uint8Array.from([0, 0, 0, 1, 0x40, 1, 0, 0, 1, 0x26, 1, 8]), removed: 12 });
    expect(stripSei(h264.subarray(14), 'h264').removed).toBe(0);
  });

  it('pads odd frames to even by repeating edges and crops back', () => {
    const frame: YuvFrame = { width: 3, height: 3, y: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), u: Uint8Array.from([1, 2, 3, 4]), v: Uint8Array.from([5, 6, 7, 8]) };
    const [padded] = padToEven([frame]);
    expect(padded).toMatchObject({ width: 4, height: 4 });
    expect([...padded!.y]).toEqual([1, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 9, 7, 8, 9, 9]);
    expect(padded!.u).toBe(frame.u);
    const [back] = cropFrames([padded!], 3, 3);
    expect([...back!.y]).toEqual([...frame.y]);
    expect([...back!.u]).toEqual([...frame.u]);
  });

  it('builds the low-delay encoder arguments', () => {
    expect(encoderArgs('x264', 23, 32, 1).join(' ')).toBe('-c:v libx264 -preset medium -bf 0 -g 32 -keyint_min 32 -sc_threshold 0 -crf 23 -threads 1 -f h264');
    expect(encoderArgs('x265', 30, 8, 0).join(' ')).toBe('-c:v libx265 -preset medium -crf 30 -x265-params bframes=0:keyint=8:min-keyint=8:scenecut=0:log-level=error -f hevc');
    expect(encoderArgs('x265', 30, 8, 1).join(' ')).toContain('scenecut=0:pools=1:frame-threads=1');
  });

  it('reads sizes and rates from names and flags', () => {
    expect(sizeFromName('foreman_176x144_10f_i420.yuv')).toEqual({ width: 176, height: 144 });
    expect(sizeFromName('/a/cisco_vt2people_320x192_i420.yuv')).toEqual({ width: 320, height: 192 });
    expect(sizeFromName('clip.yuv')).toBeUndefined();
    expect(parseSize('1280x720')).toEqual({ width: 1280, height: 720 });
    expect(parseSize('0x720')).toBeUndefined();
    expect(parseFps('29.97')).toEqual({ num: 30000, den: 1001 });
    expect(parseFps('30000/1001')).toEqual({ num: 30000, den: 1001 });
    expect(parseFps('25')).toEqual({ num: 25, den: 1 });
    expect(parseFps('-1')).toBeUndefined();
  });

  it('parses ffmpeg output: encoders and -benchmark', () => {
    const list = ' V..... = Video\n ------\n V....D libx264              libx264 H.264\n A....D aac   AAC\n V....D libx265              libx265 H.265 / HEVC (codec hevc)\n';
    expect(parseEncoders(list)).toEqual(['libx264', 'libx265']);
    expect(parseBenchmarkMs('x\nbench: utime=0.054s stime=0.016s rtime=0.142s\nbench: maxrss=1kB')).toBeCloseTo(142, 9);
    expect(parseBenchmarkMs('nothing')).toBeNull();
  });

  it('averages per-clip BD-rates over the clips that have one', () => {
    const mean = meanBd([
      { clip: 'a', metric: 'psnrYuv', anchor: 'x264', test: 'v', bdRate: -10, bdQuality: 1 },
      { clip: 'b', metric: 'psnrYuv', anchor: 'x264', test: 'v', bdRate: 30, bdQuality: -1 },
      { clip: 'c', metric: 'psnrYuv', anchor: 'x264', test: 'v', bdRate: null, bdQuality: null },
    ]);
    expect(mean).toEqual([{ metric: 'psnrYuv', anchor: 'x264', test: 'v', bdRate: 10, bdQuality: 0, clips: 2 }]);
  });
});
