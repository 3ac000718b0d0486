/**
 * Option parsing shared by the bench commands (`bench image|audio`, `bench video`): the error a bad
 * flag raises and the comma-separated number lists several flags take.
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
