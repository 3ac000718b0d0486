/**
 * Device choice for ONNX networks. `cpu` always works; `cuda` needs onnxruntime-node's CUDA execution
 * provider (installed on request, see README "CUDA") and an NVIDIA GPU; `auto` takes CUDA when its
 * provider loads and falls back to CPU otherwise, with one notice.
 */
import * as ort from 'onnxruntime-node';
import { CodecError } from '../errors.js';
import { invalidRange } from '../validate.js';

export type Device = 'cpu' | 'cuda' | 'auto';
/** A device after `auto` has been resolved. */
export type ResolvedDevice = 'cpu' | 'cuda';

/** A 69-byte ONNX model (one Identity node, opset 13) used to find out whether an execution provider loads. */
export const PROBE_MODEL = Buffer.from(
  'CAc6OwoQCgF4EgF5IghJZGVudGl0eRIFcHJvYmVaDwoBeBIKCggIARIECgIIAWIPCgF5EgoKCAgBEgQKAggBQgQKABAN',
  'base64',
);

export const CUDA_HELP =
  'To use CUDA, install the CUDA execution provider into onnxruntime-node ' +
  '(`npm install --onnxruntime-node-install=cuda12`, which downloads it from NuGet) on a machine with an ' +
  'NVIDIA GPU, its driver, CUDA 12 and cuDNN 9; or choose device "cpu".';

let cudaProbe: Promise<string | null> | undefined;

/** Resolves to null when the CUDA provider loads, else to the reason it does not. Probed once per process. */
export function probeCuda(): Promise<string | null> {
  // A failed provider load is logged by ORT's process-wide logger at ERROR level; this module reports
  // it itself, so the global logger only prints fatal errors (sessions keep their own severity).
  if (!cudaProbe) ort.env.logLevel = 'fatal';
  cudaProbe ??= ort.InferenceSession.create(PROBE_MODEL, { executionProviders: ['cuda'], logSeverityLevel: 4 })
    .then(async (session) => { await session.release(); return null; })
    .catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
  return cudaProbe;
}

let autoNoticeShown = false;

/**
 * Turns a requested device into the one sessions will use.
 * `cuda` where CUDA is unavailable throws ERR_DEVICE_UNAVAILABLE; `auto` falls back to CPU and calls
 * `notice` once per process with the reason.
 */
export async function resolveDevice(
  device: Device = 'cpu',
  notice: (message: string) => void = (m) => process.emitWarning(m, { code: 'NCODEC_CPU_FALLBACK' }),
): Promise<ResolvedDevice> {
  if (device === 'cpu') return 'cpu';
  if (device !== 'cuda' && device !== 'auto') throw invalidRange("'cpu', 'cuda' or 'auto'", 'device', device);
  const reason = await probeCuda();
  if (reason === null) return 'cuda';
  if (device === 'cuda') {
    throw new CodecError('ERR_DEVICE_UNAVAILABLE', `The CUDA execution provider is unavailable (${reason}). ${CUDA_HELP}`);
  }
  if (!autoNoticeShown) {
    autoNoticeShown = true;
    notice(`device "auto": CUDA is unavailable (${reason}); running on the CPU.`);
  }
  return 'cpu';
}
