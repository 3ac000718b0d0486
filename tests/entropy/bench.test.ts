/** `runEntropyBench` / `formatEntropyBench` on a small run. */
import { describe, expect, it } from 'vitest';
import { formatEntropyBench, runEntropyBench } from '../../src/bench/entropy.js';

describe('runEntropyBench', () => {
  it('measures both coders on seeded data and formats a Markdown table', async () => {
    const messages: string[] = [];
    const result = await runEntropyBench({ symbols: 20_000, seed: 7, reps: 1, onProgress: (m) => messages.push(m) });
    expect(result.seed).toBe(7);
    expect(result.rans.symbols).toBe(20_000);
    expect(result.rans.tables).toBe(64);
    expect(result.rans.escapes).toBeGreaterThan(0);
    expect(result.rans.overheadPercent).toBeGreaterThanOrEqual(0);
    expect(result.rans.overheadPercent).toBeLessThan(0.5);
    expect(result.adaptive.overheadPercent).toBeGreaterThanOrEqual(0);
    expect(result.adaptive.overheadPercent).toBeLessThan(1);
    for (const t of [result.rans.encode, result.rans.decode, result.adaptive.encode, result.adaptive.decode]) {
      expect(t.reps).toBe(1);
      expect(t.symbolsPerSecond).toBeGreaterThan(0);
      expect(t.bestSymbolsPerSecond).toBeGreaterThanOrEqual(t.symbolsPerSecond);
    }
    expect(messages.length).toBeGreaterThan(0);
    const again = await runEntropyBench({ symbols: 20_000, seed: 7, reps: 1 });
    expect(again.rans.codedBytes).toBe(result.rans.codedBytes);
    expect(again.adaptive.codedBytes).toBe(result.adaptive.codedBytes);
    const text = formatEntropyBench(result);
    expect(text).toContain('| coder | symbols | encode Msym/s | decode Msym/s | coded bytes | ideal bytes | overhead | bits/symbol |');
    expect(text).toContain('| rANS, 64 Gaussian tables');
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('rejects bad options', async () => {
    await expect(runEntropyBench({ symbols: 0 })).rejects.toThrow(
      new RangeError('Expected an integer between 1 and 100000000 for opts.symbols but received number 0'),
    );
  });
});
