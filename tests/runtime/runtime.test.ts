import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../src/errors.js';
import { PROBE_MODEL, probeCuda } from '../../src/runtime/device.js';
import { Runtime, resolveDevice } from '../../src/runtime/index.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ncodec-rt-'));
const identity = path.join(tmp, 'identity.onnx');
writeFileSync(identity, PROBE_MODEL);
const cudaMissing = (await probeCuda()) !== null;

describe('runtime', () => {
  it('runs a graph on the CPU and caches its session', async () => {
    await using runtime = await Runtime.create({ device: 'cpu', threads: 1 });
    const a = await runtime.session(identity);
    expect(await runtime.session(identity)).toBe(a);
    expect(await runtime.session(identity, { deterministic: true })).not.toBe(a);
    const out = await runtime.run(identity, { x: new ort.Tensor('float32', Float32Array.of(2.5), [1]) });
    expect(out.y!.data).toEqual(Float32Array.of(2.5));
  });

  it('refuses use after dispose', async () => {
    const runtime = await Runtime.create({ device: 'cpu' });
    await runtime.dispose();
    await runtime.dispose();
    expect(() => runtime.session(identity)).toThrow(CodecError);
  });

  it('reports a missing graph with ERR_MODEL_NOT_FOUND', async () => {
    await using runtime = await Runtime.create();
    await expect(runtime.session(path.join(tmp, 'nope.onnx'))).rejects.toMatchObject({ code: 'ERR_MODEL_NOT_FOUND' });
  });

  it('validates device and threads', async () => {
    await expect(resolveDevice('gpu' as never)).rejects.toThrow("Expected 'cpu', 'cuda' or 'auto' for device but received 'gpu'");
    await expect(Runtime.create({ threads: 0 })).rejects.toThrow(RangeError);
  });

  it.runIf(cudaMissing)('refuses cuda where the provider is missing, explaining how to enable it', async () => {
    const err = await resolveDevice('cuda').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodecError);
    expect((err as CodecError).code).toBe('ERR_DEVICE_UNAVAILABLE');
    expect((err as CodecError).message).toContain('--onnxruntime-node-install=cuda12');
  });

  it.runIf(cudaMissing)('falls back from auto to cpu with exactly one notice', async () => {
    const notices: string[] = [];
    expect(await resolveDevice('auto', (m) => notices.push(m))).toBe('cpu');
    expect(await resolveDevice('auto', (m) => notices.push(m))).toBe('cpu');
    expect(notices.length).toBe(1);
    expect(notices[0]).toContain('running on the CPU');
  });
});
