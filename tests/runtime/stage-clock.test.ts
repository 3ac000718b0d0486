import { describe, expect, it } from 'vitest';
import { StageClock } from '../../src/runtime/stage-clock.js';

describe('StageClock', () => {
  it('adds work to its stage, passes results and errors through, and resets', async () => {
    const clock = new StageClock(['graph', 'entropy'] as const);
    expect(clock.snapshot()).toEqual({ graph: 0, entropy: 0 });
    expect(clock.time('entropy', () => 7)).toBe(7);
    expect(await clock.timeAsync('graph', async () => 'y')).toBe('y');
    expect(() => clock.time('entropy', () => { throw new RangeError('bad'); })).toThrow(RangeError);
    const times = clock.snapshot();
    expect(Object.keys(times)).toEqual(['graph', 'entropy']);
    expect(Object.values(times).every((ms) => ms >= 0)).toBe(true);
    clock.reset();
    expect(clock.snapshot()).toEqual({ graph: 0, entropy: 0 });
  });
});
