/**
 * opuspf through the command line (`ncodec encode --codec opuspf --bitrate 6`, `ncodec decode`,
 * `ncodec info`) and the audio benchmark (its levels as bitrates, beside the core alone as
 * `opuspf:core` and ffmpeg's Opus), with the tiny test model.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../../../src/bench/index.js';
import { ncodecAudioRunner, splitAudioMode } from '../../../src/bench/ncodec.js';
import { SkipCodecError } from '../../../src/bench/runners.js';
import { loadAudio } from '../../../src/media/audio.js';
import { cli } from '../../cli/helpers.js';
import { audio, TINY_MODEL } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ncodec-opuspf-cli-'));
let saved: string | undefined;
beforeAll(() => {
  saved = process.env.NCODEC_MODELS;
  process.env.NCODEC_MODELS = TINY_MODEL.replace(/[\\/]opuspf[\\/]tiny-test$/, '');
});
afterAll(() => {
  if (saved === undefined) delete process.env.NCODEC_MODELS;
  else process.env.NCODEC_MODELS = saved;
});

describe('opuspf from the command line and the benchmark', () => {
  it('encodes at --bitrate and decodes back to the original rate, channels and length', async () => {
    const ncd = path.join(tmp, 'tones.ncd');
    const enc = await cli('encode', audio('tones-48k-s24-stereo.wav'), '-o', ncd, '--codec', 'opuspf', '--bitrate', '6', '--model', 'tiny-test', '--threads', '1');
    expect(enc.code, enc.stderr).toBe(0);
    expect(enc.stderr).toMatch(/tones-48k-s24-stereo\.wav → .*tones\.ncd: \d+ bytes \([\d.]+ kbps\)/);
    const info = JSON.parse((await cli('info', ncd, '--json')).stdout);
    expect(info).toMatchObject({ codec: 'opuspf', model: 'tiny-test', media: { kind: 'audio', sampleRate: 48000, channels: 2, frames: 72000 }, rate: { kind: 'bitrate', kbps: 6 } });
    const wav = path.join(tmp, 'tones.wav');
    const dec = await cli('decode', ncd, '-o', wav, '--threads', '1');
    expect(dec.code, dec.stderr).toBe(0);
    const back = await loadAudio(wav);
    expect(back.sampleRate).toBe(48000);
    expect(back.channels.map((c) => c.length)).toEqual([72000, 72000]);
    const bad = await cli('encode', audio('speech-8k-u8.wav'), '-o', ncd, '--codec', 'opuspf', '--bitrate', '3', '--model', 'tiny-test');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Expected a bitrate of at least 6 kbps (the model codes at 6, 12 kbps)');
  });

  it('is benchmarked at each of its bitrates, beside its core alone and ffmpeg Opus', async () => {
    const report = await runBench('audio', {
      codecs: ['opus', 'opuspf', 'opuspf:core'], bitrates: [6], dataset: audio('speech-8k-u8.wav'), open: { model: 'tiny-test', threads: 1 }, stoi: false,
    });
    expect(report.skipped).toEqual([]);
    expect(report.codecs.map((c) => c.codec)).toEqual(['opus', 'opuspf', 'opuspf:core']);
    const [, filtered, core] = report.codecs;
    for (const c of [filtered!, core!]) {
      expect(c.points.map((p) => p.setting)).toEqual([6, 12].map((value) => ({ kind: 'bitrate', value })));
      for (const p of c.points) expect(Number.isFinite(p.melDistance)).toBe(true);
    }
    expect(core!.description).toContain('core alone');
    // the same files: the core costs what the filtered codec costs
    expect(core!.points.map((p) => p.kbps)).toEqual(filtered!.points.map((p) => p.kbps));
  });

  it('parses the :core mode and skips it for codecs without a post-filter', async () => {
    expect(splitAudioMode('opuspf:core')).toEqual({ spec: 'opuspf', core: true });
    expect(splitAudioMode('opuspf@/models/a:b')).toEqual({ spec: 'opuspf@/models/a:b', core: false });
    const err = await ncodecAudioRunner(`rvq@${path.join(TINY_MODEL, '../../rvq/tiny-test')}:core`, { threads: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SkipCodecError);
    expect((err as Error).message).toBe("codec 'rvq@" + path.join(TINY_MODEL, '../../rvq/tiny-test') + "' has no decoder-side post-filter, so ':core' has nothing to leave out");
  });
});
