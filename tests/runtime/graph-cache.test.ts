import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it } from 'vitest';
import { graphCacheDir } from '../../src/runtime/graph-cache.js';
import { Runtime } from '../../src/runtime/index.js';

const decoder = path.join(__dirname, '../../fixtures/models/wavelet/tiny-image/decoder.onnx');
const saved = process.env.NCODEC_CACHE;
afterEach(() => {
  if (saved === undefined) delete process.env.NCODEC_CACHE;
  else process.env.NCODEC_CACHE = saved;
});

/** x̂ of a fixed latent through the tiny wavelet decoder, in a fresh runtime. */
async function decodeOnce(): Promise<Float32Array> {
  await using runtime = await Runtime.create({ device: 'cpu', threads: 1 });
  const session = await runtime.session(decoder);
  const channels = 12;
  const yHat = new ort.Tensor('float32', Float32Array.from({ length: channels * 4 * 4 }, (_, i) => ((i * 7919) % 9) - 4), [1, channels, 4, 4]);
  const invGain = new ort.Tensor('float32', new Float32Array(channels).fill(0.5), [channels]);
  const inputs = Object.fromEntries(session.inputNames.map((name, i) => [name, i === 0 ? yHat : invGain]));
  return (await session.run(inputs))[session.outputNames[0]!]!.data as Float32Array;
}

describe('optimised graph cache', () => {
  it('saves the optimised graph on first use and gives the same outputs from it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ncodec-graphs-'));
    process.env.NCODEC_CACHE = dir;
    const fresh = await decodeOnce();
    const files = readdirSync(path.join(dir, 'graphs'));
    expect(files).toEqual([expect.stringMatching(/^decoder-[0-9a-f]{32}\.onnx$/)]);
    expect(await decodeOnce()).toEqual(fresh);
  });

  it('replaces a damaged cached graph and writes nothing when NCODEC_CACHE=off', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ncodec-graphs-'));
    process.env.NCODEC_CACHE = dir;
    const fresh = await decodeOnce();
    const [file] = readdirSync(path.join(dir, 'graphs'));
    writeFileSync(path.join(dir, 'graphs', file!), 'not a graph');
    expect(await decodeOnce()).toEqual(fresh);
    expect(await decodeOnce()).toEqual(fresh);

    process.env.NCODEC_CACHE = 'off';
    expect(graphCacheDir()).toBeNull();
    expect(await decodeOnce()).toEqual(fresh);
  });
});
