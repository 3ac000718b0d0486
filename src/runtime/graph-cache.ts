/**
 * Optimised graphs, saved on first use. Creating a session at graph optimisation level `all` spends
 * most of its time optimising (constant folding, fusions, the NCHWc layout for convolutions); ONNX
 * Runtime can write the optimised graph out (`optimizedModelFilePath`), and a session created from
 * that file at level `disabled` runs the same kernels on the same graph but starts about 40 % sooner.
 *
 * The saved graph fits one ONNX Runtime version and one CPU (the NCHWc block size follows the vector
 * width), so the cache key holds both, with the source file's path, size and mtime. Only CPU sessions
 * that do not select entropy tables use it (see Runtime): table-selecting networks are always
 * optimised afresh, so encoder and decoder cannot differ by how their session was made.
 *
 * The folder is NCODEC_CACHE, else $XDG_CACHE_HOME/neural-codec, else ~/.cache/neural-codec;
 * NCODEC_CACHE=off turns the cache off. A cache that cannot be written is skipped silently.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';

/** Tells apart the files this process is writing (two sessions of one graph may be created at once). */
let partialCount = 0;

/** The cache folder, or null when NCODEC_CACHE=off. */
export function graphCacheDir(): string | null {
  const configured = process.env.NCODEC_CACHE;
  if (configured === 'off') return null;
  if (configured) return configured;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'neural-codec');
}

/** Where the optimised form of `file` is kept (null when the cache is off or the file is missing). */
function cachedPathOf(file: string): string | null {
  const dir = graphCacheDir();
  if (dir === null || !existsSync(file)) return null;
  const { size, mtimeMs } = statSync(file);
  const key = createHash('sha256')
    .update(JSON.stringify([path.resolve(file), size, mtimeMs, ort.env.versions.common, process.arch, os.cpus()[0]?.model ?? '']))
    .digest('hex').slice(0, 32);
  return path.join(dir, 'graphs', `${path.basename(file, '.onnx')}-${key}.onnx`);
}

/**
 * A session for `file` at optimisation level `all`: from the saved optimised graph when there is one,
 * else optimised now and saved for the next time.
 */
export async function createOptimisedSession(file: string, options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  const cached = cachedPathOf(file);
  if (cached === null) return ort.InferenceSession.create(file, { ...options, graphOptimizationLevel: 'all' });
  if (existsSync(cached)) {
    try {
      return await ort.InferenceSession.create(cached, { ...options, graphOptimizationLevel: 'disabled' });
    } catch {
      rmSync(cached, { force: true });
    }
  }
  const partial = `${cached}.${process.pid}-${++partialCount}.partial`;
  try {
    mkdirSync(path.dirname(cached), { recursive: true });
  } catch {
    return ort.InferenceSession.create(file, { ...options, graphOptimizationLevel: 'all' });
  }
  const session = await ort.InferenceSession.create(file, { ...options, graphOptimizationLevel: 'all', optimizedModelFilePath: partial });
  try {
    renameSync(partial, cached);
  } catch {
    rmSync(partial, { force: true });
  }
  return session;
}
