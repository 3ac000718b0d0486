// Run one ONNX graph with onnxruntime-node on raw float32 inputs; used by the Python export
// scripts to check ONNX-vs-PyTorch parity (Debian has no onnxruntime for Python).
//
//   node models/train/common/onnx_run.mjs spec.json
//
// spec: { "model": "g_a.onnx", "threads": 2, "repeat": 1,
//         "inputs": [{ "name": "x", "file": "x.f32", "dims": [1, 3, 512, 768] }, ...],
//         "outDir": "/tmp/out" }
// Inputs are little-endian float32 files.  Each output <name> is written to outDir/<name>.f32,
// and one JSON line { outputs: { name: dims }, ms: [per-run milliseconds] } goes to stdout.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const threads = spec.threads ?? 2;
const session = await ort.InferenceSession.create(spec.model, {
  executionProviders: ['cpu'],
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
});
const feeds = {};
for (const input of spec.inputs) {
  const buf = readFileSync(input.file);
  const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  feeds[input.name] = new ort.Tensor('float32', Float32Array.from(data), input.dims);
}
const ms = [];
let results;
for (let i = 0; i < (spec.repeat ?? 1); i++) {
  const t0 = performance.now();
  results = await session.run(feeds);
  ms.push(performance.now() - t0);
}
mkdirSync(spec.outDir, { recursive: true });
const outputs = {};
for (const [name, tensor] of Object.entries(results)) {
  const data = tensor.data;
  writeFileSync(join(spec.outDir, `${name}.f32`), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  outputs[name] = tensor.dims;
}
process.stdout.write(JSON.stringify({ outputs, ms }) + '\n');
