/**
 * Bjøntegaard delta rate and delta quality (G. Bjøntegaard, "Calculation of average PSNR differences
 * between RD-curves", VCEG-M33, 2001), with the piecewise cubic interpolation the JVET reporting
 * sheets and the common Python `bjontegaard` implementations use instead of the original cubic fit:
 *
 * - BD-rate: log-rate as a PCHIP (Fritsch–Carlson monotone cubic, SciPy's `PchipInterpolator`) of
 *   quality, for anchor and test; both integrated exactly over the overlapping quality range;
 *   BD-rate = exp(mean difference) − 1, in percent (negative = the test needs fewer bits).
 * - BD-quality (BD-PSNR): quality as a PCHIP of log-rate, integrated over the overlapping log-rate range.
 *
 * Points are sorted by the interpolation variable; points with a repeated value there are dropped after
 * the first (a PCHIP needs strictly increasing abscissae). For a quality where lower is better (mel
 * distance), negate it before calling.
 */

/** A piecewise cubic Hermite interpolant with SciPy's PCHIP derivatives. */
export class Pchip {
  readonly x: Float64Array;
  readonly y: Float64Array;
  private readonly d: Float64Array;

  /** `x` strictly increasing, at least 2 points. */
  constructor(x: ArrayLike<number>, y: ArrayLike<number>) {
    const n = x.length;
    if (n < 2 || y.length !== n) throw new RangeError(`Expected at least 2 points of x and y for pchip but received ${n} and ${y.length}`);
    this.x = Float64Array.from(x);
    this.y = Float64Array.from(y);
    for (let i = 1; i < n; i++) {
      if (!(this.x[i]! > this.x[i - 1]!)) throw new RangeError(`Expected strictly increasing x for pchip but received ${this.x[i - 1]} then ${this.x[i]}`);
    }
    this.d = pchipDerivatives(this.x, this.y);
  }

  /** Value at `t` (extrapolates with the end cubics outside [x0, xn]). */
  at(t: number): number {
    const k = this.segment(t);
    const { x, y, d } = this;
    const h = x[k + 1]! - x[k]!;
    const s = (t - x[k]!) / h;
    const s2 = s * s, s3 = s2 * s;
    return (2 * s3 - 3 * s2 + 1) * y[k]! + (s3 - 2 * s2 + s) * h * d[k]! + (-2 * s3 + 3 * s2) * y[k + 1]! + (s3 - s2) * h * d[k + 1]!;
  }

  /** Exact integral over [a, b] (a ≤ b, both inside [x0, xn]). */
  integrate(a: number, b: number): number {
    let total = 0;
    const { x } = this;
    for (let k = 0; k < x.length - 1; k++) {
      const lo = Math.max(a, x[k]!), hi = Math.min(b, x[k + 1]!);
      if (hi > lo) total += this.segmentIntegral(k, lo, hi);
    }
    return total;
  }

  private segment(t: number): number {
    const { x } = this;
    let k = 0;
    while (k < x.length - 2 && t > x[k + 1]!) k++;
    return k;
  }

  /** ∫ of segment k's cubic from `lo` to `hi`, via the antiderivatives of the Hermite basis. */
  private segmentIntegral(k: number, lo: number, hi: number): number {
    const { x, y, d } = this;
    const h = x[k + 1]! - x[k]!;
    const prim = (s: number): number => {
      const s2 = s * s, s3 = s2 * s, s4 = s3 * s;
      return (
        (s4 / 2 - s3 + s) * y[k]! +
        (s4 / 4 - (2 * s3) / 3 + s2 / 2) * h * d[k]! +
        (-s4 / 2 + s3) * y[k + 1]! +
        (s4 / 4 - s3 / 3) * h * d[k + 1]!
      );
    };
    return h * (prim((hi - x[k]!) / h) - prim((lo - x[k]!) / h));
  }
}

/** SciPy's `PchipInterpolator._find_derivatives` (weighted harmonic mean; one-sided 3-point ends). */
function pchipDerivatives(x: Float64Array, y: Float64Array): Float64Array {
  const n = x.length;
  const h = new Float64Array(n - 1), m = new Float64Array(n - 1);
  for (let k = 0; k < n - 1; k++) {
    h[k] = x[k + 1]! - x[k]!;
    m[k] = (y[k + 1]! - y[k]!) / h[k]!;
  }
  const d = new Float64Array(n);
  if (n === 2) {
    d[0] = m[0]!;
    d[1] = m[0]!;
    return d;
  }
  for (let k = 1; k < n - 1; k++) {
    const m0 = m[k - 1]!, m1 = m[k]!;
    if (m0 === 0 || m1 === 0 || Math.sign(m0) !== Math.sign(m1)) {
      d[k] = 0;
    } else {
      const w1 = 2 * h[k]! + h[k - 1]!, w2 = h[k]! + 2 * h[k - 1]!;
      d[k] = (w1 + w2) / (w1 / m0 + w2 / m1);
    }
  }
  d[0] = edge(h[0]!, h[1]!, m[0]!, m[1]!);
  d[n - 1] = edge(h[n - 2]!, h[n - 3]!, m[n - 2]!, m[n - 3]!);
  return d;
}

function edge(h0: number, h1: number, m0: number, m1: number): number {
  let d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
  if (Math.sign(d) !== Math.sign(m0)) d = 0;
  else if (Math.sign(m0) !== Math.sign(m1) && Math.abs(d) > Math.abs(3 * m0)) d = 3 * m0;
  return d;
}

/** One RD curve: rates (any positive unit: bpp, kbps) and qualities (higher is better). */
export interface RdCurve {
  rate: readonly number[];
  quality: readonly number[];
}

/** Sorted by `key`, keeping the first point of each distinct key value, finite and positive-rate only. */
function sortedPoints(curve: RdCurve, by: 'rate' | 'quality'): Array<{ rate: number; quality: number }> {
  const pts = curve.rate
    .map((rate, i) => ({ rate, quality: curve.quality[i]! }))
    .filter((p) => p.rate > 0 && Number.isFinite(p.rate) && Number.isFinite(p.quality))
    .sort((a, b) => a[by] - b[by]);
  return pts.filter((p, i) => i === 0 || p[by] !== pts[i - 1]![by]);
}

/**
 * BD-rate of `test` against `anchor` in percent, or null when fewer than 2 usable points or no
 * overlapping quality range exist. −50 means the test needs half the bits at equal quality.
 */
export function bdRate(anchor: RdCurve, test: RdCurve): number | null {
  const a = sortedPoints(anchor, 'quality'), t = sortedPoints(test, 'quality');
  if (a.length < 2 || t.length < 2) return null;
  const lo = Math.max(a[0]!.quality, t[0]!.quality);
  const hi = Math.min(a[a.length - 1]!.quality, t[t.length - 1]!.quality);
  if (!(hi > lo)) return null;
  const pa = new Pchip(a.map((p) => p.quality), a.map((p) => Math.log(p.rate)));
  const pt = new Pchip(t.map((p) => p.quality), t.map((p) => Math.log(p.rate)));
  const mean = (pt.integrate(lo, hi) - pa.integrate(lo, hi)) / (hi - lo);
  return (Math.exp(mean) - 1) * 100;
}

/**
 * BD-quality (e.g. BD-PSNR in dB) of `test` against `anchor`: the mean quality difference at equal
 * rate over the overlapping log-rate range; positive = the test is better. Null as for {@link bdRate}.
 */
export function bdQuality(anchor: RdCurve, test: RdCurve): number | null {
  const a = sortedPoints(anchor, 'rate'), t = sortedPoints(test, 'rate');
  if (a.length < 2 || t.length < 2) return null;
  const lo = Math.max(Math.log(a[0]!.rate), Math.log(t[0]!.rate));
  const hi = Math.min(Math.log(a[a.length - 1]!.rate), Math.log(t[t.length - 1]!.rate));
  if (!(hi > lo)) return null;
  const pa = new Pchip(a.map((p) => Math.log(p.rate)), a.map((p) => p.quality));
  const pt = new Pchip(t.map((p) => Math.log(p.rate)), t.map((p) => p.quality));
  return (pt.integrate(lo, hi) - pa.integrate(lo, hi)) / (hi - lo);
}
