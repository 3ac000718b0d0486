/**
 * Shared parts of the video codec tests: the tiny fixture (33×17, 5 frames, BT.601 limited, 25 fps),
 * opening the shipped model (models/video/cond-msh-wf over hyperprior/msh-wf-cpu) with one thread so
 * encodes are reproducible, reading every frame, PSNR-Y, and collecting `decodeFrames` up to its error.
 */
import path from 'node:path';
import { expect } from 'vitest';
import { openVideo, type NumberedFrame, type VideoCodec } from '../../../codecs/video/index.js';
import type { YuvFrame } from '../../../src/api/types.js';
import { CodecError } from '../../../src/errors.js';
import { readVideoFrames } from '../../../src/media/video.js';

export const root = path.join(__dirname, '../../..');
export const TINY = path.join(root, 'fixtures/video/tiny_33x17_5f.y4m');
/** 64×48, 10 fps, 10 frames, AAC mono 16 kHz (1 s). */
export const TONE_MP4 = path.join(root, 'fixtures/audio/tone-in-video.mp4');

/** The shipped video model, one intra-op thread. */
export function openShipped(): Promise<VideoCodec> {
  return openVideo({ threads: 1 });
}

export async function readAll(file: string, options: Parameters<typeof readVideoFrames>[1] = {}): Promise<YuvFrame[]> {
  const out: YuvFrame[] = [];
  for await (const f of readVideoFrames(file, options)) out.push(f);
  return out;
}

/** PSNR of the luma planes (peak 255), capped at 100 dB. */
export function psnrY(a: YuvFrame, b: YuvFrame): number {
  expect([b.width, b.height]).toEqual([a.width, a.height]);
  let sum = 0;
  for (let i = 0; i < a.y.length; i++) sum += (a.y[i]! - b.y[i]!) ** 2;
  const mse = sum / a.y.length;
  return mse === 0 ? 100 : Math.min(100, 10 * Math.log10((255 * 255) / mse));
}

/** True when two frames have the same size and planes. */
export function sameFrame(a: YuvFrame, b: YuvFrame): boolean {
  return a.width === b.width && a.height === b.height
    && Buffer.from(a.y).equals(Buffer.from(b.y)) && Buffer.from(a.u).equals(Buffer.from(b.u)) && Buffer.from(a.v).equals(Buffer.from(b.v));
}

/** The frames `decodeFrames` yields before it ends, and the error it ended with (undefined when none). */
export async function collect(gen: AsyncGenerator<NumberedFrame>): Promise<{ frames: NumberedFrame[]; error?: CodecError }> {
  const frames: NumberedFrame[] = [];
  try {
    for await (const f of gen) frames.push(f);
  } catch (err) {
    if (!(err instanceof CodecError)) throw err;
    return { frames, error: err };
  }
  return { frames };
}

/** The CodecError a promise rejects with (fails the test on anything else). */
export async function failure(p: Promise<unknown>): Promise<CodecError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    return err as CodecError;
  }
  throw new Error('expected a CodecError');
}
