/**
 * Classic audio baselines through ffmpeg, at a target bitrate; the rate reported is measured from the
 * bytes of the file ffmpeg writes, container included.
 *
 * - `opus`: libopus (`-c:a libopus -b:a <k>k`, VBR, application audio) in Ogg
 * - `aac`: ffmpeg's native AAC-LC encoder (`-c:a aac -b:a <k>k`) in an .m4a (MP4) file
 * - `mp3`: LAME (`-c:a libmp3lame -b:a <k>k`, CBR); LAME clamps rates it cannot do at the input's
 *   sample rate (MPEG-1 Layer III at 44.1 kHz starts at 32 kbps), which the measured kbps shows
 *
 * Files go through a temporary folder rather than pipes because MP4 and MP3 need a seekable output to
 * record the encoder delay (edit list, LAME tag) that the decoder uses to trim it: decoded audio
 * then lines up with the source sample for sample. Input and output are mono 32-bit float at the
 * clip's own sample rate (ffmpeg resamples to 48 kHz for Opus and back).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runFfmpeg } from '../../media/ffmpeg.js';
import type { AudioRunner, MonoClip } from '../runners.js';
import type { BenchSetting } from '../types.js';

export const AUDIO_BASELINES = ['opus', 'aac', 'mp3'] as const;
export type AudioBaseline = (typeof AUDIO_BASELINES)[number];

/** Default bitrate sweep in kbps. */
export const DEFAULT_BITRATES: readonly number[] = [6, 12, 24, 48];

const SETUP: Record<AudioBaseline, { description: string; ext: string; args: (kbps: number) => string[] }> = {
  opus: { description: 'ffmpeg libopus -b:a <k>k (VBR) in Ogg', ext: 'ogg', args: (k) => ['-c:a', 'libopus', '-b:a', `${k}k`, '-f', 'ogg'] },
  aac: { description: 'ffmpeg native AAC-LC -b:a <k>k in .m4a', ext: 'm4a', args: (k) => ['-c:a', 'aac', '-b:a', `${k}k`, '-f', 'mp4'] },
  mp3: { description: 'ffmpeg libmp3lame -b:a <k>k (CBR)', ext: 'mp3', args: (k) => ['-c:a', 'libmp3lame', '-b:a', `${k}k`, '-f', 'mp3'] },
};

export function isAudioBaseline(id: string): id is AudioBaseline {
  return (AUDIO_BASELINES as readonly string[]).includes(id);
}

function floatBytes(samples: Float32Array): Uint8Array {
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}

/** A runner for one ffmpeg baseline over `bitrates` (kbps). */
export function audioBaseline(id: AudioBaseline, bitrates: readonly number[] = DEFAULT_BITRATES): AudioRunner {
  const setup = SETUP[id];
  let dir: string | undefined;
  let counter = 0;
  const workDir = async (): Promise<string> => (dir ??= await mkdtemp(path.join(tmpdir(), `ncodec-bench-${id}-`)));
  return {
    id,
    source: 'baseline',
    description: setup.description,
    settings: bitrates.map((value): BenchSetting => ({ kind: 'bitrate', value })),
    async encode(clip: MonoClip, setting: BenchSetting) {
      const file = path.join(await workDir(), `${counter++}.${setup.ext}`);
      const args = ['-f', 'f32le', '-ar', String(clip.sampleRate), '-ac', '1', '-i', 'pipe:0',
        '-map_metadata', '-1', ...setup.args(setting.value), '-y', file];
      try {
        await runFfmpeg(args, floatBytes(clip.samples), 'ERR_MEDIA_WRITE');
        return new Uint8Array(await readFile(file));
      } finally {
        await rm(file, { force: true });
      }
    },
    async decode(bytes: Uint8Array, source: MonoClip) {
      const file = path.join(await workDir(), `${counter++}.${setup.ext}`);
      await writeFile(file, bytes);
      try {
        const out = await runFfmpeg(['-i', file, '-f', 'f32le', '-ac', '1', '-ar', String(source.sampleRate), 'pipe:1']);
        const copy = new Uint8Array(out.byteLength);
        copy.set(out);
        return new Float32Array(copy.buffer, 0, copy.byteLength >> 2);
      } finally {
        await rm(file, { force: true });
      }
    },
    async dispose() {
      if (dir) await rm(dir, { recursive: true, force: true });
      dir = undefined;
    },
  };
}
