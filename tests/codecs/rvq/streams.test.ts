/**
 * The Node streams (src/api/streams.ts) with rvq: PCM → container and back in pieces, the same
 * sections as encode(), files of either kind read by both decoders, and flat memory on a clip longer
 * than ten minutes.
 */
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, pieces } from '../../api/stream-helpers.js';
import type { RvqCodec, RvqEncodeOptions } from '../../../codecs/rvq/index.js';
import { openCodec } from '../../../src/api/registry.js';
import { createDecodeStream, createEncodeStream, type PcmFormat } from '../../../src/api/streams.js';
import { decodeParams } from '../../../codecs/rvq/params.js';
import { readContainer } from '../../../src/container/index.js';
import { PcmDeinterleaver, interleavePcm } from '../../../src/media/pcm.js';
import { openTiny, raw, root, synthetic, TINY_MODEL } from './helpers.js';

let codec: RvqCodec;
beforeAll(async () => { codec = await openTiny(); });
afterAll(async () => { await codec?.dispose(); });

async function decodeStreamed(bytes: Uint8Array, options: Parameters<typeof createDecodeStream>[0] = {}): Promise<{ format: PcmFormat | null; channels: Float32Array[] }> {
  const stream = createDecodeStream({ codec, sampleFormat: 'f32le', ...options });
  const pcm = await collect(pieces(bytes, 5000), stream);
  const channels = stream.format ? new PcmDeinterleaver('f32le', stream.format.channels).push(pcm) : [];
  return { format: stream.format, channels };
}

describe('rvq encode and decode streams', () => {
  const clip = raw([synthetic(2.3, 16000), synthetic(2.3, 16000, 31)], 16000);
  const options: RvqEncodeOptions = { quality: 2, chunkFrames: 40, overlapFrames: 6 };

  it('writes the sections encode() writes, then an end section with the length', async () => {
    const pcm = interleavePcm(clip.channels, 'f32le');
    const streamed = await collect(pieces(pcm, 9000), createEncodeStream<RvqEncodeOptions>({ codec, sampleRate: 16000, channels: 2, sampleFormat: 'f32le', ...options }));
    const whole = await codec.encode(clip, options);
    const s = readContainer(streamed), w = readContainer(whole);
    expect(s.header.media).toEqual({ kind: 'audio', sampleRate: 16000, channels: 2, frames: 0 });
    expect(decodeParams(s.header.params).streamed).toBe(true);
    expect(s.sections.slice(0, -1)).toEqual(w.sections);
    expect(s.sections.length).toBe(w.sections.length + 1);
    expect((await codec.decode(streamed)).channels).toEqual((await codec.decode(whole)).channels);
  });

  it('decodes files from encode() and from the stream alike, announcing the PCM format first', async () => {
    const whole = await codec.encode(clip, options);
    const reference = (await codec.decode(whole)).channels;
    const streamedFile = await collect(pieces(interleavePcm(clip.channels, 'f32le'), 4000), createEncodeStream<RvqEncodeOptions>({ codec, sampleRate: 16000, channels: 2, sampleFormat: 'f32le', ...options }));
    for (const file of [whole, streamedFile]) {
      const { format, channels } = await decodeStreamed(file);
      expect(format).toEqual({ sampleRate: 16000, channels: 2, sampleFormat: 'f32le' });
      expect(channels).toEqual(reference);
    }
    const prefix = await decodeStreamed(whole, { maxCodebooks: 1 });
    expect(prefix.channels).toEqual((await codec.decode(whole, { maxCodebooks: 1 })).channels);
  });

  it('opens the codec and model the header names, and writes s16le by default', async () => {
    const saved = process.env.NCODEC_MODELS;
    process.env.NCODEC_MODELS = TINY_MODEL.replace(/[\\/]rvq[\\/]tiny-test$/, '');
    try {
      const s16 = interleavePcm([synthetic(0.7, 8000)], 's16le');
      const file = await collect(pieces(s16, 300), createEncodeStream({ codec: 'rvq', model: 'tiny-test', threads: 1, sampleRate: 8000, channels: 1, bitrateKbps: 3 }));
      expect(readContainer(file).header).toMatchObject({ codecId: 'rvq', modelId: 'tiny-test', rate: { kind: 'bitrate', kbps: 3 } });
      const decoder = createDecodeStream({ threads: 1 });
      const formats: PcmFormat[] = [];
      decoder.on('format', (f: PcmFormat) => formats.push(f));
      const pcm = await collect(pieces(file, 100), decoder);
      expect(formats).toEqual([{ sampleRate: 8000, channels: 1, sampleFormat: 's16le' }]);
      expect(pcm).toHaveLength(s16.length);
    } finally {
      if (saved === undefined) delete process.env.NCODEC_MODELS;
      else process.env.NCODEC_MODELS = saved;
    }
  });

  it('codes empty and one-frame streams', async () => {
    for (const frames of [0, 1]) {
      const file = await collect(pieces(interleavePcm([new Float32Array(frames).fill(0.5)], 'f32le'), 10), createEncodeStream({ codec, sampleRate: 44100, channels: 1, sampleFormat: 'f32le' }));
      expect((await codec.decode(file)).channels[0]).toHaveLength(frames);
      expect((await decodeStreamed(file)).channels[0]).toHaveLength(frames);
    }
  });

  it('reports bad options, partial frames, truncated files and images', async () => {
    expect(() => createEncodeStream({ codec, sampleRate: 0, channels: 1 })).toThrow(new RangeError('Expected an integer sample rate between 1 and 768000 for options.sampleRate but received number 0'));
    expect(() => createEncodeStream({ codec, sampleRate: 8000, channels: 1, sampleFormat: 'u8' as 's16le' })).toThrow(RangeError);
    await expect(collect(pieces(Uint8Array.of(1, 2, 3), 3), createEncodeStream({ codec, sampleRate: 8000, channels: 2 }))).rejects.toThrow(/whole number of 4-byte frames/);
    const file = await codec.encode(clip, options);
    await expect(decodeStreamed(file.subarray(0, file.length - 30))).rejects.toMatchObject({ code: 'ERR_BITSTREAM_TRUNCATED' });
    await using lossless = await openCodec('lossless');
    const image = await lossless.encode(path.join(root, 'fixtures/images/gray-48x32.png'));
    await expect(decodeStreamed(image)).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_MEDIA' });
  });

  it('pipes more than ten minutes through both streams in bounded memory', async () => {
    const rate = 24000, seconds = 630, piece = rate; // 10.5 minutes, one-second pieces
    let sent = 0;
    const second = interleavePcm([synthetic(1, rate)], 's16le'); // repeated: the signal has a 1 s period
    const source = new Readable({
      read() {
        if (sent >= seconds * rate) return void this.push(null);
        this.push(Buffer.from(second)); // a fresh copy each second, as a real source would allocate
        sent += piece;
      },
    });
    const encoder = createEncodeStream({ codec, sampleRate: rate, channels: 1, quality: 1 });
    // Live memory, not garbage awaiting collection: full GCs (two, so that freed backing stores are
    // counted out) before every fourth sample. Measured: 2.3 MB while encoding, 3.7 MB while decoding.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const baseline = process.memoryUsage().arrayBuffers;
    let maxEncodeBuffered = 0, maxDecodeBuffered = 0, maxArrayBuffers = 0, calls = 0;
    const sample = () => {
      if (calls++ % 4 !== 0) return;
      gc();
      gc();
      maxArrayBuffers = Math.max(maxArrayBuffers, process.memoryUsage().arrayBuffers - baseline);
    };
    const parts: Buffer[] = [];
    await pipeline(source, encoder, new Writable({
      write(chunk: Buffer, _e, done) {
        parts.push(chunk);
        maxEncodeBuffered = Math.max(maxEncodeBuffered, encoder.bufferedFrames);
        sample();
        done();
      },
    }));
    const file = new Uint8Array(Buffer.concat(parts));
    expect(readContainer(file).sections).toHaveLength(Math.ceil((seconds * rate - 240000) / (240000 - 2560)) + 1 + 1);
    const decoder = createDecodeStream({ codec });
    let frames = 0, finite = true;
    await pipeline(pieces(file, 65536), decoder, new Writable({
      write(chunk: Buffer, _e, done) {
        frames += chunk.length / 2;
        const s = new Int16Array(chunk.buffer, chunk.byteOffset, chunk.length / 2);
        finite &&= s.some((v) => v !== 0); // s16 output of finite samples; all-zero pieces would mean a dropped chunk
        maxDecodeBuffered = Math.max(maxDecodeBuffered, decoder.bufferedFrames);
        sample();
        done();
      },
    }));
    expect(frames).toBe(seconds * rate);
    expect(finite).toBe(true);
    // The encoder holds at most one 10 s chunk plus a one-second piece; the decoder the cross-fade tail.
    expect(maxEncodeBuffered).toBeLessThanOrEqual(240000 + piece);
    expect(maxDecodeBuffered).toBeLessThanOrEqual(2560);
    // 15 M samples went through (60 MB as float32); what stays allocated is a few 10 s chunks (1 MB each).
    expect(maxArrayBuffers).toBeLessThan(12e6);
  }, 120_000);
});
