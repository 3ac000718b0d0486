/**
 * The classic core of `opuspf`: libopus 1.5.2, fixed point, in the native addon (libopus.ts; the
 * core encodes and decodes in-process, with no ffmpeg child, and its integer decoder gives the same
 * samples on every machine). Until 2026-12-06 it was libopus 1.4 in WebAssembly (opusscript); its
 * SILK packets decode to the very same samples here (tests/codecs/opuspf/libopus.test.ts).
 *
 * Settings (fixed; the post-filter was trained on this core's output): mono, 48 kHz, the `audio`
 * application, 60 ms frames (2,880 samples: the least packet overhead at low rates), VBR at the
 * target bitrate, complexity {@link COMPLEXITY}, bandwidth at most wide band (0–8 kHz). At 6 kbps
 * libopus codes SILK narrow band (0–4 kHz), at 12 kbps SILK wide band; the post-filter restores the
 * rest (postfilter.ts). The wide-band cap keeps 12 kbps where libopus 1.4 put it: 1.5.2 left alone
 * codes hybrid super-wide band there (SILK + CELT up to 12 kHz), which on audio/eval gave STOI 0.760
 * against 0.834 with the cap, the post-filter having been trained on wide-band SILK.
 *
 * Rate control ({@link OpusCore.encodeWithin}): libopus VBR lands below its target on most audio
 * (≈ 0.8–0.95 of it at 6 kbps) and above it on some, so the core aims 10 % above the budget and
 * re-encodes with a proportionally lower target when the packets (with their one-byte length
 * prefixes) came out above it — at most {@link MAX_RATE_PASSES} passes. Files then stay within the
 * level's bitrate whatever the content, and most chunks take one pass.
 *
 * The encoder's lookahead ({@link OPUS_LOOKAHEAD} = 312 samples at 48 kHz) delays the decoded
 * signal: `encode` pads the end with it and `decode` drops it from the start, so the decoded
 * samples line up with the input sample for sample.
 */
import { CodecError } from '../../src/errors.js';
import { LibOpus, MAX_PACKET_BYTES } from './libopus.js';

export { MAX_PACKET_BYTES };

/** The core's sample rate. */
export const CORE_RATE = 48000;
/** Samples per packet: 60 ms at 48 kHz. */
export const FRAME_SAMPLES = 2880;
/** The encoder's algorithmic delay at 48 kHz (2.5 ms + 4 ms). */
export const OPUS_LOOKAHEAD = 312;

/**
 * libopus' default complexity here: 8 codes SILK exactly as 10 does at these rates (same packets
 * and quality on the post-filter's validation audio) in 0.8× the time. A model level may ask for
 * less (manifest `levels[].coreComplexity`): on the validation audio at 6 kbps, 6 takes 0.65× the
 * encode time of 8 for −0.004 STOI and +0.013 mel distance after the post-filter; at 12 kbps it
 * costs more (its VBR undershoots the budget: −0.9 kbps, −0.017 STOI).
 */
export const COMPLEXITY = 8;
/** Most encodes {@link OpusCore.encodeWithin} tries before it settles for the smallest. */
export const MAX_RATE_PASSES = 4;
/** First target of {@link OpusCore.encodeWithin}, as a multiple of the budget. */
export const FIRST_TARGET = 1.1;

const OPUS_SET_BITRATE = 4002;
const OPUS_SET_VBR = 4006;
const OPUS_SET_COMPLEXITY = 4010;
const OPUS_SET_MAX_BANDWIDTH = 4004;
const OPUS_BANDWIDTH_WIDEBAND = 1103;
const OPUS_APPLICATION_AUDIO = 2049;

/** Number of packets the core writes for `samples` input samples. */
export function packetCount(samples: number): number {
  return Math.ceil((samples + OPUS_LOOKAHEAD) / FRAME_SAMPLES);
}

/** One libopus encoder/decoder pair (native memory: call {@link OpusCore.dispose}). */
export class OpusCore {
  /** Loads the native addon now rather than in the first encode or decode. */
  static warm(): void {
    LibOpus.warm();
  }

  private encoder: LibOpus | null = null;
  private decoder: LibOpus | null = null;

  /** Code `signal` (48 kHz mono, −1 … 1) at `kbps` as 60 ms packets, at libopus `complexity` (0 … 10). */
  encode(signal: Float32Array, kbps: number, complexity = COMPLEXITY): Uint8Array[] {
    if (!(kbps >= 0.5 && kbps <= 256)) throw new RangeError(`opus core bitrate ${kbps} kbps is outside 0.5 … 256`);
    if (!Number.isInteger(complexity) || complexity < 0 || complexity > 10) throw new RangeError(`opus complexity ${complexity} is not an integer in 0 … 10`);
    this.encoder?.dispose();
    const enc = new LibOpus(CORE_RATE, OPUS_APPLICATION_AUDIO);
    this.encoder = enc;
    enc.encoderCtl(OPUS_SET_BITRATE, Math.round(kbps * 1000));
    enc.encoderCtl(OPUS_SET_VBR, 1);
    enc.encoderCtl(OPUS_SET_COMPLEXITY, complexity);
    enc.encoderCtl(OPUS_SET_MAX_BANDWIDTH, OPUS_BANDWIDTH_WIDEBAND);
    const packets: Uint8Array[] = [];
    const pcm = new Int16Array(FRAME_SAMPLES);
    const n = packetCount(signal.length);
    for (let p = 0; p < n; p++) {
      const base = p * FRAME_SAMPLES;
      for (let j = 0; j < FRAME_SAMPLES; j++) {
        const i = base + j;
        const v = i < signal.length ? signal[i]! : 0;
        pcm[j] = Math.max(-32768, Math.min(32767, Math.round(v * 32768)));
      }
      packets.push(enc.encode(pcm, FRAME_SAMPLES));
    }
    return packets;
  }

  /**
   * Code `signal` within `budgetKbps`, counting each packet with its length prefix (one byte below
   * 128 bytes, LEB128 above): see the module comment. Returns the packets and the last target.
   */
  encodeWithin(signal: Float32Array, budgetKbps: number, complexity = COMPLEXITY): { packets: Uint8Array[]; targetKbps: number } {
    const seconds = Math.max(signal.length, 1) / CORE_RATE;
    let target = budgetKbps * FIRST_TARGET;
    let best: { packets: Uint8Array[]; targetKbps: number; kbps: number } | null = null;
    for (let pass = 0; pass < MAX_RATE_PASSES; pass++) {
      const packets = this.encode(signal, Math.max(target, 0.5), complexity);
      let bytes = 0;
      for (const p of packets) bytes += p.length + (p.length < 128 ? 1 : p.length < 16384 ? 2 : 3);
      const kbps = (bytes * 8) / seconds / 1000;
      if (!best || kbps < best.kbps) best = { packets, targetKbps: Math.max(target, 0.5), kbps };
      if (kbps <= budgetKbps || target <= 0.5) break;
      target *= (budgetKbps / kbps) * 0.97;
    }
    return { packets: best!.packets, targetKbps: best!.targetKbps };
  }

  /** Decode packets written by {@link encode} into `samples` samples aligned with the input. */
  decode(packets: readonly Uint8Array[], samples: number): Float32Array {
    if (packets.length !== packetCount(samples)) {
      throw new CodecError('ERR_BITSTREAM_CORRUPT', `the opus core holds ${packets.length} packets where ${samples} samples need ${packetCount(samples)}; the file is damaged`);
    }
    this.decoder?.dispose();
    const dec = new LibOpus(CORE_RATE, OPUS_APPLICATION_AUDIO);
    this.decoder = dec;
    const out = new Float32Array(samples);
    let t = -OPUS_LOOKAHEAD;
    for (const [p, packet] of packets.entries()) {
      let s: Int16Array;
      try {
        s = dec.decode(packet);
      } catch (e) {
        throw new CodecError('ERR_BITSTREAM_CORRUPT', `opus core packet ${p} does not decode (${(e as Error).message}); the file is damaged`);
      }
      if (s.length !== FRAME_SAMPLES) {
        throw new CodecError('ERR_BITSTREAM_CORRUPT', `opus core packet ${p} decodes to ${s.length} samples, not ${FRAME_SAMPLES}; the file is damaged`);
      }
      for (let j = 0; j < s.length; j++, t++) if (t >= 0 && t < samples) out[t] = s[j]! / 32768;
    }
    return out;
  }

  dispose(): void {
    this.encoder?.dispose();
    this.decoder?.dispose();
    this.encoder = null;
    this.decoder = null;
  }
}
