/**
 * libopus.ts: the native fixed-point libopus 1.5.2 (native/src/opus_coder.h). Guards: coders alive at
 * once do not disturb each other (the WebAssembly build it replaced once corrupted its heap that way),
 * committed packets decode to the very samples the earlier WebAssembly libopus 1.4 gave (files made
 * before the switch decode unchanged, and every machine decodes the same: the decoder is integer),
 * and misuse gets a typed error instead of reaching libopus.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LibOpus, LibOpusError, MAX_PACKET_BYTES } from '../../../codecs/opuspf/libopus.js';
import { loadNative } from '../../../src/native.js';

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

describe('libopus (native, fixed point)', () => {
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

  it('decodes committed SILK packets to the samples the WebAssembly libopus 1.4 gave', () => {
    const fixture = JSON.parse(readFileSync(new URL('../../../fixtures/opuspf/silk-packets.json', import.meta.url), 'utf8')) as
      Record<string, { packets: string[]; sha256: string } | string>;
    for (const name of ['silk-nb-6k', 'silk-wb-12k']) {
      const { packets, sha256 } = fixture[name] as { packets: string[]; sha256: string };
      const coder = new LibOpus(48000, AUDIO);
      const hash = createHash('sha256');
      for (const p of packets) {
        const pcm = coder.decode(Uint8Array.from(Buffer.from(p, 'base64')));
        expect(pcm).toHaveLength(FRAME);
        hash.update(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
      }
      coder.dispose();
      expect(hash.digest('hex'), name).toBe(sha256);
    }
  });

  it('refuses controls that do not take one integer, and bad rates, applications and buffers', () => {
    const c = configured(12);
    expect(() => c.encoderCtl(4003, 0)).toThrow(/OPUS_SET_\* request/); // OPUS_GET_BITRATE takes a pointer
    expect(() => c.encoderCtl(4028, 0)).toThrow(RangeError); // OPUS_RESET_STATE takes none
    expect(() => c.encoderCtl(4010, 11)).toThrow(LibOpusError); // complexity 11: libopus' bad argument
    c.dispose();
    expect(() => new LibOpus(44100, AUDIO)).toThrow(/8000, 12000, 16000, 24000, 48000/);
    expect(() => new LibOpus(48000, 7)).toThrow(/OPUS_APPLICATION/);
    const raw = new (loadNative().OpusCoder)(48000, AUDIO);
    expect(() => raw.encode(new Int16Array(FRAME), new Uint8Array(100))).toThrow(/packet capacity/);
    expect(() => raw.encode(new Int16Array(0), new Uint8Array(MAX_PACKET_BYTES))).toThrow(/frame size/);
    expect(() => raw.encode(new Float32Array(FRAME) as unknown as Int16Array, new Uint8Array(MAX_PACKET_BYTES))).toThrow(/Int16Array/);
    expect(raw.encode(new Int16Array(1000), new Uint8Array(MAX_PACKET_BYTES))).toBe(-1); // not a frame size libopus codes
    expect(raw.decode(new Uint8Array([0x18, 1, 2, 3]), new Int16Array(100))).toBe(-2); // a 60 ms packet into 100 samples
    raw.dispose();
    expect(() => raw.decode(new Uint8Array(3), new Int16Array(FRAME))).toThrow(/disposed/);
  });
});
