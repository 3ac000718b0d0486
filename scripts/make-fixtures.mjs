#!/usr/bin/env node
/**
 * Makes the project's own small test fixtures (never copied from ../shared/datasets):
 *   fixtures/images/  procedural "photo-like" scenes (smooth gradients, edges, texture, noise) in
 *                     several sizes incl. odd and 1×1, a gray, an RGBA and a 16-bit PNG
 *   fixtures/audio/   synthesized speech (espeak-ng) and tones/noise (sox) at several rates, bit depths
 *                     and channel counts
 * Deterministic (own PRNG). Needs sharp; the audio part needs espeak-ng and sox (Debian packages).
 * Run: node scripts/make-fixtures.mjs
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import sharp from 'sharp';

const img = 'fixtures/images';
const aud = 'fixtures/audio';
mkdirSync(img, { recursive: true });
mkdirSync(aud, { recursive: true });

function mulberry32(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Value noise with bilinear interpolation over a lattice of the given cell size. */
function valueNoise(w, h, cell, rand) {
  const gw = Math.ceil(w / cell) + 2, gh = Math.ceil(h / cell) + 2;
  const grid = Float32Array.from({ length: gw * gh }, rand);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const gx = x / cell, gy = y / cell, x0 = Math.floor(gx), y0 = Math.floor(gy);
    const fx = gx - x0, fy = gy - y0, sx = fx * fx * (3 - 2 * fx), sy = fy * fy * (3 - 2 * fy);
    const g = (i, j) => grid[(y0 + j) * gw + x0 + i];
    out[y * w + x] = (g(0, 0) * (1 - sx) + g(1, 0) * sx) * (1 - sy) + (g(0, 1) * (1 - sx) + g(1, 1) * sx) * sy;
  }
  return out;
}

/** A scene: sky gradient, fractal-noise hills, a few hard-edged shapes, fine texture and sensor noise. */
function scene(w, h, seed) {
  const rand = mulberry32(seed);
  const octaves = [64, 32, 16, 8, 4].map((cell, i) => [valueNoise(w, h, Math.max(2, cell * Math.max(w, h) / 256), rand), 0.5 ** i]);
  const shapes = Array.from({ length: 5 }, () => ({
    cx: rand() * w, cy: rand() * h, r: (0.05 + rand() * 0.15) * Math.max(w, h),
    c: [rand(), rand(), rand()], square: rand() < 0.5,
  }));
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x;
    let n = 0;
    for (const [o, a] of octaves) n += o[i] * a;
    n /= 1.9375;
    const horizon = h * (0.45 + 0.25 * (n - 0.5));
    let rgb = y < horizon
      ? [0.45 + 0.3 * (y / h), 0.6 + 0.25 * (y / h), 0.9 - 0.1 * n]
      : [0.25 + 0.4 * n, 0.35 + 0.35 * n, 0.15 + 0.2 * n];
    for (const s of shapes) {
      const dx = x - s.cx, dy = y - s.cy;
      const inside = s.square ? Math.max(Math.abs(dx), Math.abs(dy)) < s.r : dx * dx + dy * dy < s.r * s.r;
      if (inside) rgb = s.c.map((c) => c * (0.8 + 0.2 * n));
    }
    for (let c = 0; c < 3; c++) {
      const v = rgb[c] + 0.03 * (octaves[4][0][i] - 0.5) + 0.01 * (rand() - 0.5);
      data[i * 3 + c] = Math.max(0, Math.min(255, Math.round(v * 255)));
    }
  }
  return data;
}

async function png(data, w, h, channels, file, depth) {
  // sharp takes the sample depth of raw input from the typed array's type (Uint16Array = 16-bit).
  let p = sharp(data, { raw: { width: w, height: h, channels } });
  if (depth === 'ushort') p = p.toColourspace('rgb16');
  else if (channels === 1) p = p.toColourspace('b-w');
  await p.png({ compressionLevel: 9 }).toFile(file);
}

const sizes = [['scene-128x96', 128, 96, 1], ['scene-96x128', 96, 128, 2], ['scene-64x48', 64, 48, 3], ['odd-33x17', 33, 17, 4], ['tiny-1x1', 1, 1, 5], ['scene-256x192', 256, 192, 6]];
for (const [name, w, h, seed] of sizes) await png(scene(w, h, seed), w, h, 3, `${img}/${name}.png`);

const base = scene(48, 32, 7);
const gray = new Uint8Array(48 * 32).map((_, i) => Math.round((base[3 * i] + base[3 * i + 1] + base[3 * i + 2]) / 3));
await png(gray, 48, 32, 1, `${img}/gray-48x32.png`);
const rgba = new Uint8Array(48 * 32 * 4).map((_, i) => (i % 4 === 3 ? Math.round(255 * ((i >> 2) % 48) / 47) : base[(i >> 2) * 3 + (i % 4)]));
await png(rgba, 48, 32, 4, `${img}/rgba-48x32.png`);
const deep = new Uint16Array(48 * 32 * 3).map((_, i) => base[i] * 257 + (i % 7) * 13);
await png(deep, 48, 32, 3, `${img}/rgb16-48x32.png`, 'ushort');

function run(cmd, args) {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
}
const tmp = `${aud}/.speech-raw.wav`;
run('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', tmp, 'The quick brown fox jumps over the lazy dog. Neural codecs learn to compress speech.']);
run('sox', [tmp, '-r', '24000', '-b', '16', `${aud}/speech-24k-s16.wav`]);
run('sox', [tmp, '-r', '16000', '-b', '16', `${aud}/speech-16k-s16.wav`, 'trim', '0', '2']);
run('sox', [tmp, '-r', '8000', '-b', '8', '-e', 'unsigned-integer', `${aud}/speech-8k-u8.wav`, 'trim', '0', '1.5']);
run('sox', ['-n', '-r', '48000', '-b', '24', '-c', '2', `${aud}/tones-48k-s24-stereo.wav`, 'synth', '1.5', 'sine', '440', 'sine', '660', 'gain', '-6']);
run('sox', ['-n', '-r', '44100', '-e', 'floating-point', '-b', '32', `${aud}/chirp-44k-f32.wav`, 'synth', '1', 'sine', '100-8000', 'gain', '-3']);
run('sox', ['-n', '-r', '22050', '-b', '16', `${aud}/noise-22k-s16.wav`, 'synth', '0.5', 'pinknoise', 'gain', '-12']);
run('ffmpeg', ['-v', 'error', '-y', '-i', `${aud}/speech-16k-s16.wav`, '-c:a', 'libmp3lame', '-b:a', '64k', `${aud}/speech-16k.mp3`]);
run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000',
  '-t', '1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '32k', '-shortest', `${aud}/tone-in-video.mp4`]);
execFileSync('rm', ['-f', tmp]);
console.log('fixtures written');
