/**
 * rvq through the command line (`ncodec encode --codec rvq --bitrate 6`, `ncodec decode`) and the
 * audio benchmark (its four bitrates), with the tiny test model.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../../../src/bench/index.js';
import { loadAudio } from '../../../src/media/audio.js';
import { cli } from '../../cli/helpers.js';
import { audio, TINY_MODEL } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ncodec-rvq-cli-'));
let saved: string | undefined;
beforeAll(() => {
  saved = process.env.NCODEC_MODELS;
  process.env.NCODEC_MODELS = TINY_MODEL.replace(/[\\/]rvq[\\/]tiny-test$/, '');
});
afterAll(() => {
  if (saved === undefined) delete process.env.NCODEC_MODELS;
  else process.env.NCODEC_MODELS = saved;
});

describe('rvq from the command line and the benchmark', () => {
  it('encodes at --bitrate and decodes back to the original rate, channels and length', async () => {
    const ncd = path.join(tmp, 'tones.ncd');
    const enc = await cli('encode', audio('tones-48k-s24-stereo.wav'), '-o', ncd, '--codec', 'rvq', '--bitrate', '6', '--model', 'tiny-test', '--threads', '1');
    expect(enc.code, enc.stderr).toBe(0);
    expect(enc.stderr).toMatch(/tones-48k-s24-stereo\.wav → .*tones\.ncd: \d+ bytes \([\d.]+ kbps\)/);
    const info = JSON.parse((await cli('info', ncd, '--json')).stdout);
    expect(info).toMatchObject({ codec: 'rvq', model: 'tiny-test', media: { kind: 'audio', sampleRate: 48000, channels: 2, frames: 72000 }, rate: { kind: 'bitrate', kbps: 6 } });
    const wav = path.join(tmp, 'tones.wav');
    const dec = await cli('decode', ncd, '-o', wav, '--threads', '1');
    expect(dec.code, dec.stderr).toBe(0);
    const back = await loadAudio(wav);
    expect(back.sampleRate).toBe(48000);
    expect(back.channels.map((c) => c.length)).toEqual([72000, 72000]);
    const bad = await cli('encode', audio('speech-8k-u8.wav'), '-o', ncd, '--codec', 'rvq', '--bitrate', '1', '--model', 'tiny-test');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Expected a bitrate of at least 1.5 kbps (the model codes at 1.5, 3, 6, 12 kbps)');
  });

  it('is benchmarked at each of its bitrates', async () => {
    const report = await runBench('audio', { codecs: ['rvq'], dataset: audio('speech-8k-u8.wav'), open: { model: 'tiny-test', threads: 1 }, stoi: false });
    expect(report.skipped).toEqual([]);
    const points = report.codecs[0]!.points;
    expect(points.map((p) => p.setting)).toEqual([1.5, 3, 6, 12].map((value) => ({ kind: 'bitrate', value })));
    for (const p of points) expect(Number.isFinite(p.melDistance)).toBe(true);
  });
});
