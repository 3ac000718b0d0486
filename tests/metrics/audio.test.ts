/**
 * SI-SNR, the DAC multi-scale mel distance, STOI and the Octave-compatible resampler against values
 * computed independently with NumPy/SciPy (tests/metrics/reference.py: librosa's Slaney mel filters,
 * torch.stft's centring and pystoi 0.4 re-expressed there; SciPy's resample_poly does the resampling).
 */
import { describe, expect, it } from 'vitest';
import { RealFft } from '../../src/media/fft.js';
import { melDistance, melFilterBank, prepareMelDistance } from '../../src/metrics/mel.js';
import { resampleOctave } from '../../src/metrics/resample.js';
import { siSnr } from '../../src/metrics/sisnr.js';
import { stoi } from '../../src/metrics/stoi.js';
import { degradedClip, lcgNoise, testClip } from './signals.js';

const ref16 = testClip(16000, 2);
const deg16 = degradedClip(ref16);
const ref44 = testClip(44100, 1.5);
const deg44 = degradedClip(ref44);

describe('RealFft', () => {
  it('matches a direct DFT', () => {
    for (const n of [2, 4, 8, 32, 512]) {
      const x = lcgNoise(n, n);
      const fft = new RealFft(n);
      const re = new Float64Array(fft.bins), im = new Float64Array(fft.bins);
      fft.forward(x, re, im);
      for (let k = 0; k <= n / 2; k++) {
        let sr = 0, si = 0;
        for (let t = 0; t < n; t++) {
          sr += x[t]! * Math.cos((2 * Math.PI * k * t) / n);
          si -= x[t]! * Math.sin((2 * Math.PI * k * t) / n);
        }
        expect(re[k]).toBeCloseTo(sr, 10);
        expect(im[k]).toBeCloseTo(si, 10);
      }
    }
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => new RealFft(48)).toThrow(new RangeError('Expected a power of two between 2 and 2^24 for size but received number 48'));
  });
});

describe('siSnr', () => {
  it('matches NumPy', () => {
    expect(siSnr(ref16, deg16)).toBeCloseTo(18.162817006761387, 8);
  });

  it('ignores gain and offset (a scaled, shifted copy scores > 100 dB)', () => {
    const scaled = Float64Array.from(ref16, (v) => 0.5 * v + 0.1);
    expect(siSnr(ref16, scaled)).toBeGreaterThan(100);
  });

  it('needs equal lengths', () => {
    expect(() => siSnr(ref16, deg16.subarray(1))).toThrow(RangeError);
  });
});

describe('melDistance (DAC 7-scale log-mel L1)', () => {
  it('matches NumPy at 16 kHz and 44.1 kHz', () => {
    expect(melDistance(ref16, deg16, 16000)).toBeCloseTo(2.404895534514085, 8);
    expect(melDistance(ref44, deg44, 44100)).toBeCloseTo(2.6258689260019494, 8);
  });

  it('honours pow and the magnitude weight', () => {
    expect(melDistance(ref16, deg16, 16000, { pow: 2, magWeight: 1 })).toBeCloseTo(1.4879792433320436, 8);
  });

  it('matches NumPy with the torchaudio-style filter bank (HTK scale, unnormalised)', () => {
    expect(melDistance(ref16, deg16, 16000, { melScale: 'htk', norm: 'none' })).toBeCloseTo(2.883595904055981, 8);
  });

  it('is 0 for identical signals; a prepared reference gives the same value', () => {
    expect(melDistance(ref16, ref16, 16000)).toBe(0);
    expect(prepareMelDistance(ref16, 16000).compare(deg16)).toBe(melDistance(ref16, deg16, 16000));
  });

  it('builds one non-empty Slaney triangle per band', () => {
    const bank = melFilterBank(16000, 512, 40);
    expect(bank.weights).toHaveLength(40);
    for (const w of bank.weights) expect(w.length).toBeGreaterThan(0);
  });
});

describe('resampleOctave', () => {
  it('matches SciPy resample_poly with the Octave window', () => {
    const x = testClip(44100, 0.01);
    const y = resampleOctave(x, 10000, 44100);
    expect(y).toHaveLength(100);
    const expected = [-0.0054902208187742425, 0.027414123627724874, 0.05677989137294529, 0.07502149000594413,
      0.09993635419298828, 0.10244210425888454, 0.0878591682434043, 0.0856094571291827];
    expected.forEach((v, i) => expect(y[i]).toBeCloseTo(v, 9));
  });
});

describe('stoi', () => {
  it('matches pystoi (re-expressed in NumPy) at 16 kHz and 44.1 kHz', () => {
    expect(stoi(ref16, deg16, 16000)).toBeCloseTo(0.6344650341922101, 6);
    expect(stoi(ref44, deg44, 44100)).toBeCloseTo(0.7102207179173251, 6);
  });

  it('is 1 for identical speech at 10 kHz', () => {
    const x = testClip(10000, 2);
    expect(stoi(x, x, 10000)).toBeCloseTo(1, 9);
  });

  it('returns 1e-5 when fewer than 30 frames remain, as pystoi', () => {
    const x = testClip(10000, 0.2);
    expect(stoi(x, x, 10000)).toBe(1e-5);
  });
});
