/**
 * Option parsing shared by the bench commands (`bench image|audio`, `bench image --lossless`,
 * `bench video`): the error a bad flag raises, the comma-separated number lists several flags take,
 * bounded integers and the `--codecs` list.
 */

/** A malformed command line: the command prints the message and its usage, and exits with 2. */
export class UsageError extends Error {}

/** `--name 1,2,3` as numbers in [min, max] (integers when `integer`); undefined when absent. */
export function numberList(value: string | undefined, name: string, integer: boolean, min: number, max: number): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((s) => s.trim());
  const numbers = parts.map(Number);
  const ok = parts.length > 0 && parts.every((p) => p !== '') &&
    numbers.every((n) => Number.isFinite(n) && (!integer || Number.isInteger(n)) && n >= min && n <= max);
  if (!ok) {
    throw new UsageError(`Expected a comma-separated list of ${integer ? 'integers' : 'numbers'} between ${min} and ${max} for --${name} but received '${value}'`);
  }
  return numbers;
}

/** `--name n` as an integer in [min, max]; undefined when absent. */
export function integerOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`Expected an integer between ${min} and ${max} for --${name} but received '${value}'`);
  }
  return n;
}

/** `--codecs a,b,c` as ids (blanks dropped); undefined when absent, a usage error when empty. */
export function codecList(value: string | undefined): string[] | undefined {
  const codecs = value?.split(',').map((s) => s.trim()).filter(Boolean);
  if (codecs !== undefined && codecs.length === 0) throw new UsageError(`Expected a comma-separated list of codec ids for --codecs but received '${value}'`);
  return codecs;
}
