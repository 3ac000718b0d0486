/**
 * ONNX Runtime sessions for a codec: created once per (graph, device), cached, released on dispose.
 *
 * Table-selecting networks (a hyper-synthesis that yields scale indexes) must give identical floats
 * in encoder and decoder; `session(path, { deterministic: true })` therefore always runs on the CPU
 * execution provider with a fixed thread count, whatever device the big transforms use.
 */
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { CodecError } from '../errors.js';
import { checkInteger } from '../validate.js';
import { resolveDevice, type Device, type ResolvedDevice } from './device.js';
import { createOptimisedSession } from './graph-cache.js';

export interface RuntimeOptions {
  device?: Device;
  /** Intra-op threads; default: the number of cores. */
  threads?: number;
  /** Called once if `auto` falls back to the CPU. */
  notice?: (message: string) => void;
}

/** Thread count of the deterministic (table-selecting) sessions: fixed so results never depend on the machine. */
export const DETERMINISTIC_THREADS = 1;

export class Runtime implements AsyncDisposable {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();
  private disposed = false;

  private constructor(readonly device: ResolvedDevice, readonly threads: number) {}

  /** Resolves the device (probing CUDA if asked) and returns a runtime with an empty session cache. */
  static async create(options: RuntimeOptions = {}): Promise<Runtime> {
    const threads = options.threads ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
    checkInteger(threads, 'threads', 1, 1024);
    const device = await resolveDevice(options.device ?? 'cpu', options.notice);
    return new Runtime(device, threads);
  }

  /** The cached session for an ONNX file, created on first use. */
  session(path: string, options: { deterministic?: boolean } = {}): Promise<ort.InferenceSession> {
    if (this.disposed) throw new CodecError('ERR_DISPOSED', 'This codec has been disposed; open a new one.');
    const deterministic = options.deterministic ?? false;
    const key = `${deterministic ? 'cpu-det' : this.device}:${path}`;
    let session = this.sessions.get(key);
    if (!session) {
      session = this.createSession(path, deterministic);
      this.sessions.set(key, session);
      session.catch(() => this.sessions.delete(key));
    }
    return session;
  }

  private async createSession(path: string, deterministic: boolean): Promise<ort.InferenceSession> {
    const useCuda = this.device === 'cuda' && !deterministic;
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: useCuda ? ['cuda', 'cpu'] : ['cpu'],
      intraOpNumThreads: deterministic ? DETERMINISTIC_THREADS : this.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      // Idle intra-op threads would spin-wait for work; on a small, shared CPU that steals cycles
      // from the thread doing it (measured: h_s 128 → 90 ms, g_a/g_s 5–8 % faster on 2 cores).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    };
    try {
      // CPU graphs that select no tables start from their saved optimised form (graph-cache.ts).
      if (!useCuda && !deterministic) return await createOptimisedSession(path, options);
      return await ort.InferenceSession.create(path, options);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new CodecError('ERR_MODEL_NOT_FOUND', `Could not load the ONNX graph ${path}: ${reason}`, { cause: err });
    }
  }

  /** Runs a graph on named float32 tensors and returns its outputs. */
  async run(
    path: string,
    feeds: Record<string, ort.Tensor>,
    options: { deterministic?: boolean } = {},
  ): Promise<ort.InferenceSession.OnnxValueMapType> {
    const session = await this.session(path, options);
    return session.run(feeds);
  }

  /** Releases every session. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(sessions.map(async (s) => (await s).release()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
