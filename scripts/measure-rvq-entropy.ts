/**
 * How much the rvq codec's adaptive range coding of RVQ codes saves over plain 10-bit packing, per
 * bitrate and adaptive increment, on real audio (README of codecs/rvq, "Entropy coding").
 *
 *   npx vite-node scripts/measure-rvq-entropy.ts -- <model id or folder> <audio file>...
 *
 * Each file is coded (mono: the first channel) with every codebook; the codes are then re-coded the
 * way the codec does — one stream per codebook and chunk, the shorter of adaptive and packed — for each
 * listed bitrate and each single increment, and as the codec does it (per stream the best of packing
 * and its three increments); the section bytes (stream lengths included) are compared with packing
 * (nq · 10 bits per frame, the nominal bitrate).
 */
import { readContainer } from '../src/container/format.js';
import { adaptiveEncode } from '../src/entropy/index.js';
import { loadAudio } from '../src/media/audio.js';
import { openRvq } from '../codecs/rvq/index.js';
import { decodeCodeStream, encodeCodeStream } from '../codecs/rvq/codes.js';
import { ADAPTIVE_INCREMENTS } from '../codecs/rvq/index.js';
import { decodeParams } from '../codecs/rvq/params.js';
import { parseSection } from '../codecs/rvq/sections.js';

const [modelArg, ...files] = process.argv.slice(2).filter((a) => a !== '--');
if (!modelArg || files.length === 0) {
  console.error('usage: npx vite-node scripts/measure-rvq-entropy.ts -- <model> <audio file>...');
  process.exit(2);
}
const INCREMENTS = [4, 8, 16, 32];
const varintBytes = (v: number) => (v < 128 ? 1 : v < 16384 ? 2 : 3);

const codec = await openRvq({ model: modelArg, threads: 2 });
const rates = codec.rates;
const maxNq = rates[rates.length - 1]!.nq;
/** Codes are 10-bit (K = 1024), as in every rvq recipe. */
const bits = 10;
/** codes[chunk][k] of all files. */
const chunks: Int32Array[][] = [];
let seconds = 0;
for (const file of files) {
  const audio = await loadAudio(file);
  const mono = { sampleRate: audio.sampleRate, channels: [audio.channels[0]!] };
  seconds += mono.channels[0]!.length / mono.sampleRate;
  const bytes = await codec.encode(mono, { quality: rates.length });
  const { header, sections } = readContainer(bytes);
  const params = decodeParams(header.params);
  for (const payload of sections) {
    const s = parseSection(payload, params.nq);
    if (s.kind !== 'chunk') continue;
    const alphabet = { size: 1024, bits: 10, increments: params.increments, limit: params.limit };
    chunks.push(s.streams.map((st) => decodeCodeStream(st, s.frames, alphabet)!));
  }
}
await codec.dispose();

const lines = [`${files.length} file(s), ${seconds.toFixed(1)} s, ${chunks.length} chunk(s), model ${modelArg}`, '',
  `| kbps | nq | packed kbps | ${INCREMENTS.map((i) => `inc ${i}: kbps (saving)`).join(' | ')} | codec (best mode per stream) |`,
  `|---|---|---|${INCREMENTS.map(() => '---').join('|')}|---|`];
for (const { nq, kbps } of rates) {
  if (nq > maxNq) continue;
  const cells: string[] = [];
  let packedBytes = 0;
  for (const [n, inc] of INCREMENTS.entries()) {
    let total = 0;
    for (const streams of chunks) {
      const frames = streams[0]!.length;
      total += varintBytes(frames);
      for (let k = 0; k < nq; k++) {
        const codes = streams[k]!;
        const packed = Math.ceil((frames * bits) / 8);
        const adaptive = adaptiveEncode(codes, new Int32Array(frames), Int32Array.of(1024), { increment: inc }).length;
        const len = Math.min(packed, adaptive);
        total += varintBytes(len * 4 + 1) + len;
        if (n === 0) packedBytes += packed + varintBytes(packed * 4);
      }
    }
    if (n === 0) packedBytes += chunks.reduce((s, st) => s + varintBytes(st[0]!.length), 0);
    const rate = (total * 8) / seconds / 1000;
    cells.push(`${rate.toFixed(3)} (${((1 - total / packedBytes) * 100).toFixed(1)} %)`);
  }
  let chosen = 0;
  for (const streams of chunks) {
    chosen += varintBytes(streams[0]!.length);
    for (let k = 0; k < nq; k++) {
      const { bytes } = encodeCodeStream(streams[k]!, { size: 1024, bits, increments: ADAPTIVE_INCREMENTS, limit: 1 << 16 });
      chosen += varintBytes(bytes.length * 4 + 3) + bytes.length;
    }
  }
  cells.push(`${((chosen * 8) / seconds / 1000).toFixed(3)} (${((1 - chosen / packedBytes) * 100).toFixed(1)} %)`);
  lines.push(`| ${kbps} | ${nq} | ${((packedBytes * 8) / seconds / 1000).toFixed(3)} | ${cells.join(' | ')} |`);
}
console.log(lines.join('\n'));
