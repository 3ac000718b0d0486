/**
 * The codec-agnostic pieces of chunked audio coding: chunk planning and streaming splitting, the
 * cross-fader, the streaming resampler and PCM framing.
 */
import { describe, expect, it } from 'vitest';
import { ChunkSplitter, CrossFader, chunkCount, fadeInCurve, planChunks, type ChunkLayout } from '../../src/media/split-crossfade.js';
import { PcmDeinterleaver, interleavePcm } from '../../src/media/pcm.js';
import { Resampler, resampleWhole, resampledLength } from '../../src/media/resampler.js';

function ramp(n: number, offset = 0): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin((i + offset) * 0.01) + (i + offset) * 1e-4);
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function tone(hz: number, rate: number, n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rate));
}

describe('chunk planning', () => {
  const layout: ChunkLayout = { chunkLength: 100, overlap: 20 };

  it('plans fixed-stride chunks whose last one ends with the signal and is longer than the overlap', () => {
    expect(planChunks(0, layout)).toEqual([]);
    expect(planChunks(1, layout)).toEqual([{ index: 0, start: 0, length: 1 }]);
    expect(planChunks(100, layout)).toEqual([{ index: 0, start: 0, length: 100 }]);
    expect(planChunks(101, layout)).toEqual([{ index: 0, start: 0, length: 100 }, { index: 1, start: 80, length: 21 }]);
    expect(planChunks(260, layout).map((c) => [c.start, c.length])).toEqual([[0, 100], [80, 100], [160, 100]]);
    for (let n = 1; n < 400; n++) {
      const chunks = planChunks(n, layout);
      expect(chunks).toHaveLength(chunkCount(n, layout));
      const last = chunks[chunks.length - 1]!;
      expect(last.start + last.length).toBe(n);
      if (chunks.length > 1) expect(last.length).toBeGreaterThan(layout.overlap);
    }
  });

  it('rejects bad layouts with the shared message shape', () => {
    expect(() => planChunks(10, { chunkLength: 10, overlap: 6 })).toThrow('Expected an integer between 0 and 5 (half the chunk length) for layout.overlap but received number 6');
    expect(() => planChunks(10, { chunkLength: 0, overlap: 0 })).toThrow(RangeError);
  });

  it('splits a stream pushed in any pieces into exactly the planned chunks, holding at most a chunk plus a piece', () => {
    const signal = ramp(1234);
    for (const piece of [1, 7, 100, 333, 5000]) {
      const splitter = new ChunkSplitter(layout, 2);
      const got = [];
      let maxHeld = 0;
      for (let at = 0; at < signal.length; at += piece) {
        const p = signal.subarray(at, at + piece);
        got.push(...splitter.push([p, p.map((v) => -v)]));
        maxHeld = Math.max(maxHeld, splitter.bufferedFrames);
      }
      got.push(...splitter.end());
      expect(got.map(({ index, start, length }) => ({ index, start, length }))).toEqual(planChunks(signal.length, layout));
      for (const c of got) {
        expect(c.channels[0]).toEqual(signal.slice(c.start, c.start + c.length));
        expect(c.channels[1]).toEqual(signal.slice(c.start, c.start + c.length).map((v) => -v));
      }
      expect(maxHeld).toBeLessThanOrEqual(layout.chunkLength + piece);
    }
  });
});

describe('CrossFader', () => {
  const layout: ChunkLayout = { chunkLength: 100, overlap: 20 };

  it('rebuilds the signal exactly from its own chunks with sum-to-one fades (linear, hann)', () => {
    const signal = ramp(517);
    for (const shape of ['linear', 'hann'] as const) {
      for (const fadeLength of [20, 8, 0]) {
        const fader = new CrossFader({ overlap: 20, fadeLength, shape, channels: 1 });
        const out = planChunks(signal.length, layout).flatMap((c) => fader.push([signal.slice(c.start, c.start + c.length)]));
        out.push(...fader.end());
        const joined = concat(out);
        expect(joined).toHaveLength(signal.length);
        for (let i = 0; i < signal.length; i++) expect(joined[i]).toBeCloseTo(signal[i]!, 5);
      }
    }
  });

  it('fades from one chunk into the next inside the centred fade window', () => {
    const fader = new CrossFader({ overlap: 20, fadeLength: 10, shape: 'linear', channels: 1 });
    const a = fader.push([new Float32Array(100).fill(1)])[0]!;
    const b = fader.push([new Float32Array(60).fill(0)])[0]!;
    expect(a).toHaveLength(80);
    expect(b).toHaveLength(40);
    expect([...b.subarray(0, 5)]).toEqual([1, 1, 1, 1, 1]); // before the fade: chunk 0 only
    expect(b[5]).toBeCloseTo(0.95, 6); // fade: 1 − (j + ½) / 10
    expect(b[14]).toBeCloseTo(0.05, 6);
    expect([...b.subarray(15, 20)]).toEqual([0, 0, 0, 0, 0]); // after the fade: chunk 1 only
    expect(fader.bufferedFrames).toBe(20);
    expect(fader.end(130)[0]).toHaveLength(10);
    expect(fader.emittedFrames).toBe(130);
  });

  it('has equal-power fades whose squares sum to one', () => {
    const w = fadeInCurve('equal-power', 16);
    for (let j = 0; j < 16; j++) expect(w[j]! ** 2 + w[15 - j]! ** 2).toBeCloseTo(1, 6);
    const h = fadeInCurve('hann', 16);
    for (let j = 0; j < 16; j++) expect(h[j]! + h[15 - j]!).toBeCloseTo(1, 6);
  });

  it('rejects chunks not longer than the overlap after the first, and impossible total lengths', () => {
    const fader = new CrossFader({ overlap: 20, channels: 1 });
    fader.push([new Float32Array(100)]);
    expect(() => fader.push([new Float32Array(20)])).toThrow(RangeError);
    const f2 = new CrossFader({ overlap: 20, channels: 1 });
    f2.push([new Float32Array(100)]);
    expect(() => f2.end(101)).toThrow('Expected an integer between 80 and 100 for totalLength but received number 101');
    expect(() => new CrossFader({ overlap: 4, fadeLength: 5, channels: 1 })).toThrow(RangeError);
  });
});

describe('Resampler', () => {
  it('makes ⌈N · to / from⌉ samples, whole or streamed in any pieces, identically', () => {
    const x = ramp(4801);
    for (const [from, to] of [[48000, 24000], [44100, 24000], [8000, 24000], [24000, 22050], [24000, 24000], [7999, 24000]] as const) {
      const whole = new Resampler(from, to);
      const a = concat([whole.push(x), whole.flush()]);
      expect(a).toHaveLength(resampledLength(x.length, from, to));
      const streamed = new Resampler(from, to);
      const parts: Float32Array[] = [];
      for (let at = 0; at < x.length; at += 333) parts.push(streamed.push(x.slice(at, at + 333)));
      parts.push(streamed.flush());
      expect(concat(parts)).toEqual(a);
      expect(streamed.bufferedFrames).toBeLessThan(200);
      expect(resampleWhole(x, from, to)).toEqual(a);
      expect(new Resampler(from, to).end(x)).toEqual(a);
    }
    expect(resampledLength(1, 48000, 24000)).toBe(1);
    expect(resampledLength(2 ** 47, 44100, 24000)).toBe(Math.ceil((2 ** 47 * 80) / 147));
  });

  it('keeps in-band tones (error below −60 dB) and removes what would alias', () => {
    for (const [from, to, hz] of [[48000, 24000, 1000], [16000, 24000, 3000], [44100, 24000, 5000], [24000, 44100, 7000]] as const) {
      const r = new Resampler(from, to);
      const y = concat([r.push(tone(hz, from, from)), r.flush()]);
      const ideal = tone(hz, to, y.length);
      let err = 0;
      for (let i = 500; i < y.length - 500; i++) err += (y[i]! - ideal[i]!) ** 2;
      expect(10 * Math.log10(err / (y.length - 1000) / 0.5)).toBeLessThan(-60);
    }
    const r = new Resampler(48000, 24000);
    const alias = concat([r.push(tone(15000, 48000, 48000)), r.flush()]);
    let power = 0;
    for (let i = 500; i < alias.length - 500; i++) power += alias[i]! ** 2;
    expect(10 * Math.log10(power / (alias.length - 1000) / 0.5)).toBeLessThan(-70);
  });
});

describe('PCM framing', () => {
  it('round-trips s16le and f32le through pieces that split samples and frames', () => {
    const channels = [Float32Array.of(0, 0.5, -0.5, 1, -1), Float32Array.of(0.25, -0.25, 0.125, 0, 0.75)];
    for (const format of ['s16le', 'f32le'] as const) {
      const bytes = interleavePcm(channels, format);
      const de = new PcmDeinterleaver(format, 2);
      const parts = [1, 3, 5, 100].map((n, i, a) => de.push(bytes.subarray(a.slice(0, i).reduce((s, v) => s + v, 0), a.slice(0, i + 1).reduce((s, v) => s + v, 0))));
      de.end();
      const got = [0, 1].map((c) => concat(parts.map((p) => p[c]!)));
      for (let c = 0; c < 2; c++) for (let i = 0; i < 5; i++) expect(got[c]![i]).toBeCloseTo(channels[c]![i]!, format === 's16le' ? 4 : 7);
    }
    const de = new PcmDeinterleaver('s16le', 2);
    de.push(Uint8Array.of(1, 2, 3));
    expect(() => de.end()).toThrow("Expected a whole number of 4-byte frames (2 × s16le) for the PCM input but received '3 extra bytes'");
  });
});
