// Opus-decoded partners of the post-filter's cached training arrays (data.py), made with the very
// libopus build the codec runs (libopus 1.5.2 fixed point in the native addon; until 2026-12-06
// opusscript 0.1.1 = libopus 1.4, WebAssembly, which opuspf-v1 trained on) and the codec's own
// core settings (codecs/opuspf/core.ts: application audio, 60 ms frames, VBR with the codec's rate
// control within the level's budget, one fresh encoder per chunk of 168 frames = 10.08 s as the
// codec's default chunks), so the filter trains on what the decoder gives it.
//
//   node models/train/postfilter/opus_pairs.mjs [--kbps 5.8,11.7] [--complexity 6,8] [--cache models/.runs/postfilter/cache]
//
// Writes <name>.opus<kbps>.f32 (libopus complexity 8, the default) or <name>.opus<kbps>c<complexity>.f32
// beside every <name>.clean.f32, aligned sample for sample with it (the encoder's 312-sample lookahead
// removed), and prints the measured bitrate of each. `--complexity` pairs with `--kbps` (the model's
// levels[].coreComplexity).
import fs from 'node:fs';
import path from 'node:path';
import { FRAME_SAMPLES, OpusCore } from '../../../dist/codecs/opuspf/core.js';

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const cache = opt('--cache', 'models/.runs/postfilter/cache');
const kbpsList = opt('--kbps', '5.8,11.7').split(',').map(Number);
const complexities = opt('--complexity', kbpsList.map(() => 8).join(',')).split(',').map(Number);
if (complexities.length !== kbpsList.length) throw new Error('--complexity needs one value per --kbps');
/** The cache file suffix of a core setting (train.py `core_suffix`). */
const suffix = (kbps, complexity) => `.opus${kbps}${complexity === 8 ? '' : `c${complexity}`}.f32`;
const CHUNK = 168 * FRAME_SAMPLES;

for (const file of fs.readdirSync(cache).filter((f) => f.endsWith('.clean.f32')).sort()) {
  const raw = fs.readFileSync(path.join(cache, file));
  const clean = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  for (const [level, kbps] of kbpsList.entries()) {
    const complexity = complexities[level];
    const t0 = performance.now();
    const core = new OpusCore();
    try {
      const decoded = new Float32Array(clean.length);
      let bytes = 0;
      for (let o = 0; o < clean.length; o += CHUNK) {
        const piece = clean.subarray(o, Math.min(clean.length, o + CHUNK));
        const { packets } = core.encodeWithin(piece, kbps, complexity);
        decoded.set(core.decode(packets, piece.length), o);
        bytes += packets.reduce((s, p) => s + p.length + 1, 0);
      }
      const out = path.join(cache, file.replace('.clean.f32', suffix(kbps, complexity)));
      fs.writeFileSync(out, Buffer.from(decoded.buffer, decoded.byteOffset, decoded.byteLength));
      const seconds = clean.length / 48000;
      console.log(`${file} @ ${kbps} kbps, complexity ${complexity}: ${(bytes * 8 / seconds / 1000).toFixed(2)} kbps measured, `
        + `${seconds.toFixed(0)} s in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } finally {
      core.dispose();
    }
  }
}
