/**
 * One validation helper, one message shape: `Expected <what> for <name> but received <value>`.
 * Wrong kinds throw `TypeError`, out-of-range values `RangeError` (as onnxruntime-common does).
 */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as Uint8Array).length}`;
  if (typeof value === 'object') return `an object`;
  return `${typeof value} ${String(value)}`;
}

export function invalidType(what: string, name: string, value: unknown): TypeError {
  return new TypeError(`Expected ${what} for ${name} but received ${describe(value)}`);
}

export function invalidRange(what: string, name: string, value: unknown): RangeError {
  return new RangeError(`Expected ${what} for ${name} but received ${describe(value)}`);
}

/** Asserts an integer in [min, max]. */
export function checkInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidType('an integer', name, value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidRange(`an integer between ${min} and ${max}`, name, value);
  }
  return value;
}

export function checkInt32Array(value: unknown, name: string): Int32Array {
  if (!(value instanceof Int32Array)) throw invalidType('an Int32Array', name, value);
  return value;
}

export function checkUint8Array(value: unknown, name: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalidType('a Uint8Array', name, value);
  return value;
}
