/**
 * Typed readers for the fields of a model's `manifest.json`, shared by every codec family's
 * manifest parser. Each reader checks one value and throws `CodecError` `ERR_MODEL_INVALID`
 * naming the key and what was expected, with the family in the message:
 *
 *   const f = manifestFields('wavelet');
 *   const factor = f.intAt(m.downsamplingFactor, 'downsamplingFactor', 1, 1024);
 */
import type { CdfTableSet } from '../entropy/index.js';
import { CodecError } from '../errors.js';

/** One ONNX graph: its file (relative to the model folder) and its input/output names in order. */
export interface GraphSpec {
  file: string;
  inputs: readonly string[];
  outputs: readonly string[];
}

/** The readers, bound to one family's name. */
export interface ManifestFields {
  invalid(key: string, what: string): CodecError;
  objectAt(value: unknown, key: string): Record<string, unknown>;
  intAt(value: unknown, key: string, min: number, max: number): number;
  numberAt(value: unknown, key: string, min: number, max: number): number;
  stringAt(value: unknown, key: string): string;
  /** A file name inside the model folder (no path separators, not hidden). */
  fileAt(value: unknown, key: string): string;
  /** A JSON number array as float32; `length` when given must match. */
  floatsAt(value: unknown, key: string, length?: number): Float32Array;
  intsAt(value: unknown, key: string): Int32Array;
  /** A table set of `count` tables; the native coder validates the CDFs themselves. */
  tablesAt(value: unknown, key: string, count: number): CdfTableSet;
  /**
   * The graphs named in `arity` (name → [inputs, outputs]) of the object at `key` (default `graphs`),
   * each a file inside the model folder.
   */
  graphsAt<G extends string>(value: unknown, arity: Readonly<Record<G, readonly [number, number]>>, key?: string): Record<G, GraphSpec>;
}

export function manifestFields(family: string): ManifestFields {
  const invalid = (key: string, what: string): CodecError =>
    new CodecError('ERR_MODEL_INVALID', `The ${family} manifest is not usable: expected ${what} for '${key}'. Re-export the model (docs/MODELS.md, "Export").`);

  const objectAt = (value: unknown, key: string): Record<string, unknown> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(key, 'an object');
    return value as Record<string, unknown>;
  };
  const numberAt = (value: unknown, key: string, min: number, max: number): number => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) throw invalid(key, `a number in ${min}..${max}`);
    return value;
  };
  const intAt = (value: unknown, key: string, min: number, max: number): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalid(key, `an integer in ${min}..${max}`);
    return value;
  };
  const stringAt = (value: unknown, key: string): string => {
    if (typeof value !== 'string' || value.length === 0) throw invalid(key, 'a non-empty string');
    return value;
  };
  const fileAt = (value: unknown, key: string): string => {
    const file = stringAt(value, key);
    if (file.includes('/') || file.includes('\\') || file.startsWith('.')) throw invalid(key, 'a file name inside the model folder');
    return file;
  };
  const floatsAt = (value: unknown, key: string, length?: number): Float32Array => {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) throw invalid(key, 'an array of finite numbers');
    if (length !== undefined && value.length !== length) throw invalid(key, `an array of ${length} numbers`);
    return Float32Array.from(value as number[]);
  };
  const intsAt = (value: unknown, key: string): Int32Array => {
    if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v) && Math.abs(v as number) < 2 ** 31)) throw invalid(key, 'an array of 32-bit integers');
    return Int32Array.from(value as number[]);
  };
  const tablesAt = (value: unknown, key: string, count: number): CdfTableSet => {
    const t = objectAt(value, key);
    const cdfLengths = intsAt(t.cdfLengths, `${key}.cdfLengths`);
    const offsets = intsAt(t.offsets, `${key}.offsets`);
    const cdfs = intsAt(t.cdfs, `${key}.cdfs`);
    if (cdfLengths.length !== count || offsets.length !== count) throw invalid(key, `${count} tables`);
    if (cdfLengths.reduce((a, b) => a + b, 0) !== cdfs.length) throw invalid(`${key}.cdfs`, 'the sum of cdfLengths entries');
    return { cdfs, cdfLengths, offsets, precision: intAt(t.precision, `${key}.precision`, 1, 16) };
  };
  const names = (value: unknown, n: number): value is string[] =>
    Array.isArray(value) && value.length === n && value.every((s) => typeof s === 'string');
  function graphsAt<G extends string>(
    value: unknown, arity: Readonly<Record<G, readonly [number, number]>>, key = 'graphs',
  ): Record<G, GraphSpec> {
    const g = objectAt(value, key);
    const out = {} as Record<G, GraphSpec>;
    for (const name of Object.keys(arity) as G[]) {
      const spec = objectAt(g[name], `${key}.${name}`);
      const [nIn, nOut] = arity[name];
      if (!names(spec.inputs, nIn)) throw invalid(`${key}.${name}.inputs`, `${nIn} input names`);
      if (!names(spec.outputs, nOut)) throw invalid(`${key}.${name}.outputs`, `${nOut} output names`);
      out[name] = { file: fileAt(spec.file, `${key}.${name}.file`), inputs: spec.inputs, outputs: spec.outputs };
    }
    return out;
  }
  return { invalid, objectAt, intAt, numberAt, stringAt, fileAt, floatsAt, intsAt, tablesAt, graphsAt };
}
