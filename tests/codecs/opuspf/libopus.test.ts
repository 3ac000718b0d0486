/**
 * libopus.ts: the WebAssembly libopus called with buffers it owns. The regression this guards:
 * opusscript's own wrapper wrote PCM outside its allocations, so two coders alive at once corrupted
 * each other ("memory access out of bounds" in a bench of opuspf beside opuspf:core).
 */
import { describe, expect, it } from 'vitest';
import { LibOpus, LibOpusError, MAX_PACKET_BYTES } from '../../../codecs/opuspf/libopus.js';

const FRAME = 2880;
const AUDIO = 2049;

function tone(frames: number, hz: number, seed: number): Int16Array {
  const x = new Int16Array(frames * FRAME);
  let s = seed;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 48000) + ((s >>> 16) % 600) - 300);
  }
  return x;
}

function code(coder: LibOpus, x: Int16Array): Uint8Array[] {
  const packets: Uint8Array[] = [];
  for (let f = 0; f * FRAME < x.length; f++) packets.push(coder.encode(x.subarray(f * FRAME, (f + 1) * FRAME), FRAME));
  return packets;
}

function configured(kbps: number): LibOpus {
  const c = new LibOpus(48000, AUDIO);
  c.encoderCtl(4002, kbps * 1000); // OPUS_SET_BITRATE
  return c;
}

describe('libopus (WebAssembly)', () => {
  it('codes the same packets with other coders alive and interleaved, and decodes them back', () => {
    const x = tone(6, 440, 1), y = tone(6, 1000, 2);
    const alone = configured(24);
    const reference = code(alone, x);
    alone.dispose();
    const a = configured(24), b = configured(12);
    const pa: Uint8Array[] = [], pb: Uint8Array[] = [];
    for (let f = 0; f < 6; f++) {
      pa.push(a.encode(x.subarray(f * FRAME, (f + 1) * FRAME), FRAME));
      pb.push(b.encode(y.subarray(f * FRAME, (f + 1) * FRAME), FRAME));
    }
    expect(pa).toEqual(reference);
    for (const p of [...pa, ...pb]) expect(p.length).toBeGreaterThan(0);
    // decoding: the decoded tone matches the input after libopus' 312-sample delay
    const out = pa.flatMap((p) => Array.from(b.decode(p)));
    expect(out).toHaveLength(6 * FRAME);
    let err = 0, pow = 0;
    for (let i = FRAME; i < 5 * FRAME; i++) {
      err += (out[i]! - x[i - 312]!) ** 2;
      pow += x[i - 312]! ** 2;
    }
    expect(10 * Math.log10(pow / err)).toBeGreaterThan(10);
    a.dispose();
    b.dispose();
  });

  it('rejects a damaged or oversized packet, and use after dispose', () => {
    const c = configured(12);
    expect(() => c.decode(new Uint8Array(0))).toThrow(LibOpusError);
    expect(() => c.decode(new Uint8Array(MAX_PACKET_BYTES + 1))).toThrow(/invalid packet/);
    expect(() => c.encode(new Int16Array(100), FRAME)).toThrow(RangeError);
    c.dispose();
    c.dispose();
    expect(() => c.encode(new Int16Array(FRAME), FRAME)).toThrow(/disposed/);
  });
});
