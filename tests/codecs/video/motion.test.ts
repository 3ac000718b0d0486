/**
 * Block motion of motion-compensated P-frames (codecs/video/motion.ts): the search finds a known
 * shift, compensation reproduces a shifted frame (whole and half pixels, clamped edges), the motion
 * stream round-trips, and damaged motion streams give typed errors.
 */
import { describe, expect, it } from 'vitest';
import { BLOCK, MV_RANGE, MotionContexts, OVERLAP, blockGrid, compensate, compensateOverlapped, decodeMotion, encodeMotion, estimateMotion, type MotionField } from '../../../codecs/video/motion.js';
import { CodecError } from '../../../src/errors.js';
import { mulberry32 } from '../../../src/prng.js';

const H = 64;
const W = 96;

/** A smooth random RGB texture (planar, [0, 1]) sampled at (y + oy, x + ox). */
function texture(oy: number, ox: number): Float32Array {
  const out = new Float32Array(3 * H * W);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const u = (y + oy) / 5;
        const v = (x + ox) / 7;
        out[c * H * W + y * W + x] = 0.5 + 0.2 * Math.sin(u + c) * Math.cos(v - c) + 0.15 * Math.sin(0.7 * u + 1.3 * v);
      }
    }
  }
  return out;
}

function field(mv: number[]): MotionField {
  const { rows, cols } = blockGrid(W, H);
  const out = new Int32Array(2 * rows * cols);
  for (let b = 0; b < rows * cols; b++) out.set([mv[0]!, mv[1]!], 2 * b);
  return { rows, cols, mv: out };
}

describe('video motion', () => {
  it('tiles the frame in 16×16 blocks', () => {
    expect(BLOCK).toBe(16);
    expect(blockGrid(96, 64)).toEqual({ rows: 4, cols: 6 });
    expect(blockGrid(33, 17)).toEqual({ rows: 2, cols: 3 });
  });

  it('compensates whole-pixel shifts exactly and fractional shifts by bilinear weights', () => {
    const ref = texture(0, 0);
    const pred = compensate(ref, 3, H, W, field([8, -12])); // (+2, −3) pixels
    for (const [y, x] of [[10, 20], [40, 70], [5, 50]] as const) {
      for (let c = 0; c < 3; c++) expect(pred[c * H * W + y * W + x]).toBe(ref[c * H * W + (y + 2) * W + (x - 3)]);
    }
    const half = compensate(ref, 3, H, W, field([2, 2]));
    const at = (y: number, x: number) => ref[y * W + x]!;
    expect(half[10 * W + 20]).toBeCloseTo((at(10, 20) + at(10, 21) + at(11, 20) + at(11, 21)) / 4, 6);
    const quarter = compensate(ref, 3, H, W, field([1, -3])); // (+¼, −¾) pixel: x − 1 weighs 3, x weighs 1
    expect(quarter[10 * W + 20]).toBeCloseTo((3 * (3 * at(10, 19) + at(10, 20)) + (3 * at(11, 19) + at(11, 20))) / 16, 6);
    // beyond the frame the edge repeats
    const edge = compensate(ref, 3, H, W, field([-MV_RANGE, 0]));
    expect(edge[0 * W + 5]).toBe(ref[0 * W + 5]);
  });

  it('gives every block, inside the frame or across its edge, the clamped bilinear taps exactly', () => {
    const ref = texture(1, 2);
    const random = mulberry32(7);
    const { rows, cols } = blockGrid(W, H);
    for (let trial = 0; trial < 4; trial++) {
      const mv = new Int32Array(2 * rows * cols);
      for (let i = 0; i < mv.length; i++) mv[i] = Math.floor(random() * (2 * MV_RANGE + 1)) - MV_RANGE;
      if (trial === 0) mv.fill(0);
      if (trial === 1) for (let i = 0; i < mv.length; i++) mv[i] = 4 * Math.round(mv[i]! / 4); // whole pixels
      const pred = compensate(ref, 3, H, W, { rows, cols, mv });
      let mismatches = 0;
      const tap = (o: number, y: number, x: number) => ref[o + Math.min(H - 1, Math.max(0, y)) * W + Math.min(W - 1, Math.max(0, x))]!;
      for (let c = 0; c < 3; c++) {
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            const b = Math.floor(y / BLOCK) * cols + Math.floor(x / BLOCK);
            const dy = mv[2 * b]!, dx = mv[2 * b + 1]!;
            const sy = y + (dy >> 2), sx = x + (dx >> 2), fy = dy & 3, fx = dx & 3;
            const o = c * H * W;
            const top = tap(o, sy, sx) * (4 - fx) + tap(o, sy, sx + 1) * fx;
            const bottom = tap(o, sy + 1, sx) * (4 - fx) + tap(o, sy + 1, sx + 1) * fx;
            if (pred[o + y * W + x] !== Math.fround((top * (4 - fy) + bottom * fy) / 16)) mismatches++;
          }
        }
      }
      expect(mismatches, `trial ${trial}`).toBe(0);
    }
  });

  it('overlaps blocks only near edges between different vectors, with dyadic ramps (layout 3)', () => {
    const ref = texture(2, 1);
    expect(OVERLAP).toBe(4);
    // one vector everywhere: the plain prediction
    expect(compensateOverlapped(ref, 3, H, W, field([5, -6]))).toEqual(compensate(ref, 3, H, W, field([5, -6])));
    // block (1, 2) moves differently from the rest
    const { cols } = blockGrid(W, H);
    const f = field([4, 4]);
    f.mv.set([-7, 9], 2 * (1 * cols + 2));
    const plain = compensate(ref, 3, H, W, f);
    const blended = compensateOverlapped(ref, 3, H, W, f);
    const inside = (y: number, x: number) => y * W + x;
    // 4 or more pixels from every edge of the block, and far from it: unchanged
    expect(blended[inside(16 + 8, 32 + 8)]).toBe(plain[inside(16 + 8, 32 + 8)]);
    expect(blended[inside(50, 80)]).toBe(plain[inside(50, 80)]);
    // its first column (offset 0: own weight 9/16), mid-height: own and left neighbour's vectors
    const left = compensate(ref, 3, H, W, field([4, 4]));
    const at = inside(16 + 8, 32);
    expect(blended[at]).toBe(Math.fround((9 / 16) * plain[at]! + (7 / 16) * left[at]!));
    // the left neighbour's last column sees this block's vector with weight 7/16
    const own = compensate(ref, 3, H, W, field([-7, 9]));
    const before = inside(16 + 8, 31);
    expect(blended[before]).toBe(Math.fround((9 / 16) * left[before]! + (7 / 16) * own[before]!));
  });

  it('finds the motion of a shifted frame and predicts it with a small error', () => {
    const ref = texture(0, 0);
    const cur = texture(-3, 2); // the content moved 3 pixels down and 2 left: mv = (−12, +8) quarter pels
    const found = estimateMotion(cur, ref, H, W, 10);
    const pred = compensate(ref, 3, H, W, found);
    // inside the frame's border blocks (those see content from beyond the edge) the prediction is exact
    let err = 0;
    let zero = 0;
    for (let y = BLOCK; y < H - BLOCK; y++) {
      for (let x = BLOCK; x < W - BLOCK; x++) {
        err += (cur[y * W + x]! - pred[y * W + x]!) ** 2;
        zero += (cur[y * W + x]! - ref[y * W + x]!) ** 2;
      }
    }
    expect(err).toBeLessThan(zero * 1e-6);
    // interior blocks (their search window inside the frame) get exactly the shift
    const { cols } = found;
    for (const b of [cols + 1, cols + 2, 2 * cols + 3]) expect([found.mv[2 * b], found.mv[2 * b + 1]]).toEqual([-12, 8]);
  });

  it('codes motion fields with contexts carried across frames and decodes the same vectors', () => {
    const rng = mulberry32(7);
    const { rows, cols } = blockGrid(W, H);
    const all = { rows, cols };
    const enc = new MotionContexts();
    const dec = new MotionContexts();
    const roundTrip = (mv: Int32Array): Uint8Array => {
      const bytes = encodeMotion({ rows, cols, mv }, all, enc);
      expect(decodeMotion(bytes, rows, cols, all, dec, 'frame 1')).toEqual({ rows, cols, mv });
      return bytes;
    };
    roundTrip(Int32Array.from({ length: 2 * rows * cols }, () => Math.floor(rng() * (2 * MV_RANGE + 1)) - MV_RANGE));
    // the largest differences (±2·MV_RANGE between neighbours) and every magnitude in between
    roundTrip(Int32Array.from({ length: 2 * rows * cols }, (_, i) => ((i >> 1) % 2 === 0 ? MV_RANGE : -MV_RANGE) >> (i % 7)));
    // one component zero, the other not (dx's "≠ 0" is implied when dy = 0)
    roundTrip(Int32Array.from({ length: 2 * rows * cols }, (_, i) => (i % 4 === 1 ? 3 : i % 4 === 2 ? -5 : 0)));
    // a still field costs a byte or two, less once the contexts have seen a few
    const first = roundTrip(field([0, 0]).mv);
    expect(first.length).toBeLessThanOrEqual(3);
    let later = first;
    for (let t = 0; t < 4; t++) later = roundTrip(field([0, 0]).mv);
    expect(later.length).toBeLessThanOrEqual(first.length);
    // a decoder with fresh contexts (a reader that did not see the GOP's earlier frames) decodes garbage
    // or fails, never the same field: the contexts are part of the stream's meaning
    const mv = Int32Array.from({ length: 2 * rows * cols }, () => Math.floor(rng() * 9) - 4);
    const bytes = encodeMotion({ rows, cols, mv }, all, enc);
    try {
      expect(decodeMotion(bytes, rows, cols, all, new MotionContexts(), 'frame 9').mv).not.toEqual(mv);
    } catch (err) {
      expect(err).toBeInstanceOf(CodecError);
    }
  });

  it('codes only the blocks that hold pixels of the frame; the others carry their predictor', () => {
    const { rows, cols } = blockGrid(W, H);
    const visible = { rows: rows - 1, cols: cols - 2 };
    const mv = new Int32Array(2 * rows * cols);
    for (let r = 0; r < visible.rows; r++) for (let c = 0; c < visible.cols; c++) mv.set([r - 1, 2 - c], 2 * (r * cols + c));
    // outside the visible blocks: the predictor (the encoder's search leaves them there)
    const ref = decodeMotion(encodeMotion({ rows, cols, mv: fillPredictors(mv, rows, cols, visible) }, visible, new MotionContexts()), rows, cols, visible, new MotionContexts(), 'frame 1');
    expect(ref.mv).toEqual(fillPredictors(mv, rows, cols, visible));
    const wrong = fillPredictors(mv, rows, cols, visible);
    wrong[2 * (rows * cols - 1)]! += 4;
    expect(() => encodeMotion({ rows, cols, mv: wrong }, visible, new MotionContexts())).toThrow(RangeError);
  });

  it('refuses damaged motion streams with typed errors naming the frame', () => {
    const { rows, cols } = blockGrid(W, H);
    const all = { rows, cols };
    const mv = new Int32Array(2 * rows * cols).map((_, i) => (i % 5) - 2);
    const bytes = encodeMotion({ rows, cols, mv }, all, new MotionContexts());
    // the decoder reads zeros past the end (the encoder drops trailing zeros: a still field is 0 bytes),
    // but a stream cut far before its decisions end is corrupt
    expect(decodeMotion(new Uint8Array(0), rows, cols, all, new MotionContexts(), 'frame 3').mv.every((v) => v === 0)).toBe(true);
    const busy = encodeMotion({ rows, cols, mv: Int32Array.from({ length: 2 * rows * cols }, (_, i) => ((i * 37) % 61) - 30) }, all, new MotionContexts());
    expect(busy.length).toBeGreaterThan(20);
    expect(() => decodeMotion(busy.subarray(0, 2), rows, cols, all, new MotionContexts(), 'frame 3')).toThrow(/^frame 3: the motion stream: the stream ends 8 bytes before its decisions do/);
    // random and cut bytes: never a crash or an out-of-range vector, only a typed error or some valid field
    const rng = mulberry32(3);
    for (let t = 0; t < 300; t++) {
      const junk = t % 3 === 0 ? bytes.subarray(0, Math.floor(rng() * bytes.length)) : bytes.map((b) => (rng() < 0.2 ? Math.floor(rng() * 256) : b));
      try {
        const f = decodeMotion(junk, rows, cols, all, new MotionContexts(), 'frame 3');
        expect(f.mv.every((v) => Math.abs(v) <= MV_RANGE)).toBe(true);
      } catch (err) {
        expect(err).toBeInstanceOf(CodecError);
        expect((err as CodecError).message).toMatch(/^frame 3: /);
      }
    }
  });
});

/** `mv` with every block outside `visible` set to its predictor (H.264's median of left, top, top-right). */
function fillPredictors(mv: Int32Array, rows: number, cols: number, visible: { rows: number; cols: number }): Int32Array {
  const out = mv.slice();
  const at = (r: number, c: number, k: number) => out[2 * (r * cols + c) + k]!;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (r < visible.rows && c < visible.cols) continue;
      for (let k = 0; k < 2; k++) {
        const left = c > 0 ? at(r, c - 1, k) : 0;
        let p: number;
        if (r === 0) p = left;
        else {
          const top = at(r - 1, c, k);
          const topRight = c + 1 < cols ? at(r - 1, c + 1, k) : c > 0 ? at(r - 1, c - 1, k) : top;
          p = c > 0 ? Math.max(Math.min(left, top), Math.min(Math.max(left, top), topRight)) : top;
        }
        out[2 * (r * cols + c) + k] = p;
      }
    }
  }
  return out;
}
