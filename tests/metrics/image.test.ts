/**
 * PSNR and MS-SSIM against values computed independently with NumPy/SciPy
 * (tests/metrics/reference.py, which re-expresses pytorch-msssim's ms_ssim).
 */
import { describe, expect, it } from 'vitest';
import { msSsim, msSsimDb, prepareMsSsim, MS_SSIM_MIN_SIDE } from '../../src/metrics/msssim.js';
import { mse, psnr } from '../../src/metrics/psnr.js';
import { invertedImage, noisyImage, patternImage } from './signals.js';

const odd = patternImage(193, 167);

describe('psnr', () => {
  it('matches NumPy over all RGB samples with peak 255', () => {
    expect(psnr(odd, noisyImage(odd))).toBeCloseTo(32.58541471711594, 10);
    expect(psnr(odd, noisyImage(odd, 90))).toBeCloseTo(14.632031921289236, 10);
  });

  it('is Infinity for identical images and 10·log10(255²) for an MSE of 1', () => {
    expect(psnr(odd, odd)).toBe(Infinity);
    const a = { data: new Uint8Array([10, 20, 30, 40]), width: 2, height: 2, channels: 1 as const };
    const b = { ...a, data: new Uint8Array([11, 19, 31, 39]) };
    expect(mse(a, b)).toBe(1);
    expect(psnr(a, b)).toBeCloseTo(20 * Math.log10(255), 12);
  });

  it('rejects images of different shapes with the one message shape', () => {
    expect(() => psnr(odd, patternImage(192, 167))).toThrow(
      new RangeError('Expected an image of 193×167×3 (as the reference) for distorted but received \'192×167×3\''),
    );
  });
});

describe('msSsim', () => {
  it('matches pytorch-msssim (re-expressed in NumPy) on odd sizes, where avg-pool pads', () => {
    expect(msSsim(odd, noisyImage(odd))).toBeCloseTo(0.9991239141482052, 9);
    expect(msSsim(odd, noisyImage(odd, 90))).toBeCloseTo(0.9060821784425319, 9);
  });

  it('matches on even sizes', () => {
    const even = patternImage(176, 180);
    expect(msSsim(even, noisyImage(even))).toBeCloseTo(0.999125016338115, 9);
  });

  it('clamps negative contrast-structure terms to 0 (ReLU) as pytorch-msssim does', () => {
    expect(msSsim(odd, invertedImage(odd))).toBe(0);
  });

  it('is 1 for identical images, and a prepared reference gives the same values', () => {
    expect(msSsim(odd, odd)).toBeCloseTo(1, 12);
    const prepared = prepareMsSsim(odd);
    expect(prepared.compare(noisyImage(odd))).toBe(msSsim(odd, noisyImage(odd)));
  });

  it('needs a shorter side above 160 pixels', () => {
    expect(MS_SSIM_MIN_SIDE).toBe(160);
    const small = patternImage(200, 160);
    expect(() => msSsim(small, small)).toThrow(
      new RangeError("Expected an image whose shorter side exceeds 160 pixels for reference but received '200×160'"),
    );
  });

  it('converts to decibels as −10·log10(1 − x)', () => {
    expect(msSsimDb(0.99)).toBeCloseTo(20, 12);
  });
});
