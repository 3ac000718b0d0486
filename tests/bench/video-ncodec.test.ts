/**
 * The ncodec side of `ncodec bench video`, with a video codec registered by the test (frames read with
 * src/media/video.ts, samples quantized by the quality level, stored raw): the options the bench hands
 * the codec (path, frames, GOP, quality; size and rate for raw .yuv), its points, and BD-rates
 * against x264.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCodec } from '../../src/api/registry.js';
import type { Codec, DecodedVideo, MediaInput } from '../../src/api/types.js';
import { runVideoBench } from '../../src/bench/video/bench.js';
import type { VideoEncodeOptions } from '../../src/bench/video/ncodec.js';
import { joinFrames, loadSourceClip, splitFrames } from '../../src/bench/video/source.js';
import { UnknownCodecError } from '../../src/bench/runners.js';
import { runFfmpeg } from '../../src/media/ffmpeg.js';
import { readVideoFrames } from '../../src/media/video.js';

let dir: string;
const calls: Array<{ input: string; options: VideoEncodeOptions; model?: string }> = [];

/** Quantizes every sample to a step of 2^(5 − quality): quality 1..4, low to high rate. */
function testVideoCodec(model?: string): Codec {
  const info = { id: 'test-video', description: 'test video codec (quantized raw)', media: ['video'] as const, modelId: model ?? 'tv-1', qualities: [1, 2, 3, 4], defaultQuality: 2 };
  return {
    id: 'test-video',
    info,
    async encode(input: MediaInput, options: VideoEncodeOptions = {}) {
      calls.push({ input: input as string, options, model });
      const frames = [];
      for await (const f of readVideoFrames(input as string, { maxFrames: options.frames, size: options.size, fps: options.fps })) frames.push(f);
      const step = 2 ** (5 - (options.quality ?? 2));
      const body = joinFrames(frames).map((v) => Math.min(255, Math.floor(v / step) * step + (step >> 1)));
      const header = new Uint8Array(new Uint16Array([frames[0]!.width, frames[0]!.height, frames.length]).buffer);
      return Uint8Array.from([...header, ...body]);
    },
    async decode(bytes: Uint8Array): Promise<DecodedVideo> {
      const [width, height, n] = new Uint16Array(bytes.slice(0, 6).buffer);
      return {
        kind: 'video',
        format: { width: width!, height: height!, fps: { num: 10, den: 1 }, colour: { matrix: 'bt601', range: 'limited' } },
        frames: splitFrames(bytes.slice(6), width!, height!, n!),
      };
    },
    async dispose() {},
    async [Symbol.asyncDispose]() {},
  };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ncodec-bench-video-ncodec-'));
  await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc=size=48x32:rate=10', '-frames:v', '5', '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', '-y', path.join(dir, 'a.y4m')]);
  const source = await loadSourceClip(path.join(dir, 'a.y4m'));
  await writeFile(path.join(dir, 'b_48x32_i420.yuv'), joinFrames(source.frames));
  registerCodec({ id: 'test-video', description: 'test video codec', media: ['video'], open: async (o) => testVideoCodec(o.model) });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bench video with an ncodec codec', () => {
  it('hands the codec the file, frames, GOP and quality, and compares it with x264', async () => {
    calls.length = 0;
    const report = await runVideoBench({
      dataset: dir, codecs: ['x264', 'test-video@m2'], frames: 4, gop: 2, qualities: [1, 2, 3, 9],
      crf: { x264: [20, 40] }, fps: { num: 10, den: 1 },
    });
    expect(report.codecs.map((c) => [c.codec, c.source])).toEqual([['x264', 'baseline'], ['test-video@m2', 'ncodec']]);
    expect(report.codecs[1]!.settings).toEqual([1, 2, 3].map((value) => ({ kind: 'quality', value })));
    expect(report.codecs[1]!.description).toBe('test video codec (quantized raw), model m2, GOP 2');
    expect(calls.map((c) => [path.basename(c.input), c.options.quality, c.options.frames, c.options.gop, c.options.audio, c.model])).toEqual([
      ['a.y4m', 1, 4, 2, 'none', 'm2'], ['a.y4m', 2, 4, 2, 'none', 'm2'], ['a.y4m', 3, 4, 2, 'none', 'm2'],
      ['b_48x32_i420.yuv', 1, 4, 2, 'none', 'm2'], ['b_48x32_i420.yuv', 2, 4, 2, 'none', 'm2'], ['b_48x32_i420.yuv', 3, 4, 2, 'none', 'm2'],
    ]);
    expect(calls[0]!.options.size).toBeUndefined();
    expect(calls[3]!.options).toMatchObject({ size: { width: 48, height: 32 }, fps: 10 });
    const points = report.clips[0]!.results[1]!.points;
    expect(points.map((p) => p.bytes)).toEqual([6 + 4 * 48 * 32 * 1.5, 6 + 4 * 48 * 32 * 1.5, 6 + 4 * 48 * 32 * 1.5]);
    expect(points[0]!.psnrYuv).toBeLessThan(points[2]!.psnrYuv);
    expect(points[0]!.ffmpegEncodeMs).toBeNull();
    // Same bytes at every quality: no BD-rate curve, but the entry is there (null) for each clip.
    expect(report.bd.filter((e) => e.test === 'test-video@m2' && e.metric === 'psnrYuv').map((e) => e.clip)).toEqual(['a.y4m', 'b_48x32_i420.yuv']);
  });

  it('lists the video codecs for an unknown id', async () => {
    await expect(runVideoBench({ dataset: dir, codecs: ['nope'] })).rejects.toThrow(UnknownCodecError);
    await expect(runVideoBench({ dataset: dir, codecs: ['nope'] })).rejects.toThrow(/Known: x264, x265, .*test-video/);
  });
});
