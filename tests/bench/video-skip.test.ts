/**
 * An ffmpeg without libx265: the video bench says so and skips x265 instead of failing. The encoder
 * list is mocked; everything else runs for real.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runFfmpeg } from '../../src/media/ffmpeg.js';

vi.mock('../../src/bench/video/process.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/bench/video/process.js')>();
  return { ...actual, ffmpegVideoEncoders: async () => ['libx264', 'mpeg4'] };
});

const { videoBenchCommand } = await import('../../src/bench/video/command.js');

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ncodec-bench-video-skip-'));
  await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc=size=32x32:rate=10', '-frames:v', '2', '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', '-y', path.join(dir, 'a.y4m')]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('bench video without libx265', () => {
  it('skips x265 with the reason and still runs x264', async () => {
    const out = sink(), err = sink();
    const code = await videoBenchCommand(['--dataset', path.join(dir, 'a.y4m'), '--codecs', 'x264,x265', '--crf-x264', '30'],
      { stdout: out.stream, stderr: err.stream, isTTY: false });
    expect(code).toBe(0);
    expect(err.text()).toContain('skipping x265: the ffmpeg found has no libx265 encoder');
    expect(out.text()).toContain('| x264 | crf=30 |');
    expect(out.text()).toMatch(/Skipped: x265 \(the ffmpeg found has no libx265 encoder/);
  });

  it('fails (exit 1) when no codec can run', async () => {
    const err = sink();
    const code = await videoBenchCommand(['--dataset', path.join(dir, 'a.y4m'), '--codecs', 'x265'], { stdout: sink().stream, stderr: err.stream, isTTY: false });
    expect(code).toBe(1);
    expect(err.text()).toContain('no codec could be run');
  });
});
