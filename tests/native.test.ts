/** The addon loader and the mapping of native errors to CodecError. */
import { describe, expect, it } from 'vitest';
import { CodecError } from '../src/errors.js';
import { callNative, loadNative, rethrowNative } from '../src/native.js';

describe('native addon', () => {
  it('loads once and exposes the coders', () => {
    const addon = loadNative();
    expect(loadNative()).toBe(addon);
    expect(typeof addon.RansTables).toBe('function');
    expect(typeof addon.adaptiveEncode).toBe('function');
  });

  it('turns bitstream errors into CodecErrors and passes argument errors through', () => {
    const corrupt = Object.assign(new Error('bad stream'), { code: 'ERR_BITSTREAM_CORRUPT' });
    expect(() => rethrowNative(corrupt)).toThrow(CodecError);
    try {
      callNative(() => {
        throw Object.assign(new Error('cut'), { code: 'ERR_BITSTREAM_TRUNCATED' });
      });
    } catch (err) {
      expect(err).toBeInstanceOf(CodecError);
      expect((err as CodecError).code).toBe('ERR_BITSTREAM_TRUNCATED');
      expect((err as CodecError).message).toBe('cut');
      expect((err as CodecError).cause).toBeInstanceOf(Error);
    }
    const range = new RangeError('Expected something');
    expect(() => rethrowNative(range)).toThrow(range);
  });

  it('checks argument kinds natively too (when called directly)', () => {
    const addon = loadNative();
    expect(() => addon.adaptiveEncode(1 as unknown as Int32Array, new Int32Array(0), new Int32Array(0), 32, 65536)).toThrow(
      new TypeError('Expected an Int32Array for symbols'),
    );
    expect(() => addon.quantizeCdf(Float64Array.of(1), 17)).toThrow(
      new RangeError('Expected an integer between 1 and 16 for precision but received number 17'),
    );
  });
});
