"""NumPy reference of the native Cool-chic ARM's integer arithmetic (native/src/coolchic_arm.h).

The codec entropy-codes the latent grids with the ARM run in fixed-point integers, so that every machine
picks the same rANS table for every latent. This file is the bit-exact reference of the two steps that
pick a table: the integer MLP (`predict`: Q8 weights -> Q8 mean `mu_fix` and log-scale `s_fix`) and
the table index (`table_index`, `choice`). It does not build the tables themselves (a Laplace pmf per
(scale bin, mean bin), quantized in native code).

    a[i]  = 256 v[i]                                              (Q8 inputs: 16 causal neighbours)
    z     = (W0^T a + 256 b0 + 128) >> 8;  h = clamp(max(z, 0) + a, +-2^40)
    z     = (W1^T h + 256 b1 + 128) >> 8;  g = clamp(max(z, 0) + h, +-2^40)
    o     = (W2^T g + 256 b2 + 128) >> 8;  mu_fix, s_fix = o        (>> is floor division by 256)
    m     = clamp(mu_fix, +-2^28); mu_int = m >> 8; fidx = (m - 256 mu_int) >> 4
    sidx  = (clamp(s_fix, -1024, 896) + 1032) >> 4;  table = 16 sidx + fidx; coded value v - mu_int

Weights are one int array of 578 values in the order W0[16][16] (input-major, in x out), b0[16],
W1[16][16], b1[16], W2[16][2], b2[2] -- the float ARM's aw0, ab0, aw1, ab1, aw2, ab2 (coolchic.py)
times 256, rounded, |w| <= 2^15.

Run as a script, it checks `predict` against the native addon's armPredict (through node; needs
`npm run build`, or at least the addon in build/Release) and the table index against worked examples:

    /usr/bin/python3 models/train/inr/arm_int.py
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import numpy as np

CONTEXT_OFFSETS = [(-1, 0), (0, -1), (-1, -1), (-1, 1), (-2, 0), (0, -2), (-2, -1), (-2, 1), (-1, -2), (-1, 2),
                   (-2, -2), (-2, 2), (-3, 0), (0, -3), (-1, -3), (-1, 3)]
K = len(CONTEXT_OFFSETS)
HIDDEN = 16
WEIGHT_COUNT = K * HIDDEN + HIDDEN + HIDDEN * HIDDEN + HIDDEN + HIDDEN * 2 + 2  # 578
MAX_WEIGHT = 1 << 15
MAX_LATENT = 1 << 20
ACT_CLAMP = 1 << 40
MEAN_CLAMP = 1 << 28
LOG_SCALE_MIN, LOG_SCALE_MAX = -1024, 896  # Q8: [-4.0, 3.5]
MEAN_BINS, SCALE_BINS = 16, 121
TABLES = MEAN_BINS * SCALE_BINS


def unpack(weights_int) -> tuple[np.ndarray, ...]:
    """(W0 [16, 16], b0, W1 [16, 16], b1, W2 [16, 2], b2) as int64, checked like the native coder."""
    w = np.asarray(weights_int, dtype=np.int64).reshape(-1)
    if w.size != WEIGHT_COUNT:
        raise ValueError(f"expected {WEIGHT_COUNT} ARM weights, got {w.size}")
    if np.abs(w).max() > MAX_WEIGHT:
        raise ValueError(f"ARM weights must lie in [-{MAX_WEIGHT}, {MAX_WEIGHT}] (Q8)")
    parts, at = [], 0
    for shape in [(K, HIDDEN), (HIDDEN,), (HIDDEN, HIDDEN), (HIDDEN,), (HIDDEN, 2), (2,)]:
        n = int(np.prod(shape))
        parts.append(w[at:at + n].reshape(shape))
        at += n
    return tuple(parts)


def quantize_weights(aw0, ab0, aw1, ab1, aw2, ab2) -> np.ndarray:
    """The float ARM's parameters as the coder's Q8 integers (round half to even, as torch.round)."""
    flat = np.concatenate([np.asarray(p, dtype=np.float64).reshape(-1) for p in (aw0, ab0, aw1, ab1, aw2, ab2)])
    q = np.rint(flat * 256).astype(np.int64)
    if np.abs(q).max() > MAX_WEIGHT:
        raise ValueError("an ARM parameter is beyond +-128: it has no Q8 representation within +-2^15")
    return q


def _layer(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(x @ w + 256 b + 128) >> 8 for x [N, in] int64 (numpy's >> on int64 is floor)."""
    return (x @ w + b * 256 + 128) >> 8


def predict(weights_int, ctx) -> tuple[np.ndarray, np.ndarray]:
    """(mu_fix, s_fix) (Q8, int64) for contexts [..., 16] of integer latents, |v| <= 2^20."""
    w0, b0, w1, b1, w2, b2 = unpack(weights_int)
    c = np.asarray(ctx, dtype=np.int64)
    if c.shape[-1] != K:
        raise ValueError(f"contexts must have {K} values in the last axis, got shape {c.shape}")
    if c.size and np.abs(c).max() > MAX_LATENT:
        raise ValueError(f"latents must lie in [-{MAX_LATENT}, {MAX_LATENT}]")
    a = c.reshape(-1, K) * 256
    h = np.clip(np.maximum(_layer(a, w0, b0), 0) + a, -ACT_CLAMP, ACT_CLAMP)
    g = np.clip(np.maximum(_layer(h, w1, b1), 0) + h, -ACT_CLAMP, ACT_CLAMP)
    o = _layer(g, w2, b2)
    return o[:, 0].reshape(c.shape[:-1]), o[:, 1].reshape(c.shape[:-1])


def choice(mu_fix, s_fix) -> tuple[np.ndarray, np.ndarray]:
    """(table index 0..1935, integer mean mu_int): the coder codes v - mu_int with that table."""
    m = np.clip(np.asarray(mu_fix, dtype=np.int64), -MEAN_CLAMP, MEAN_CLAMP)
    mu_int = m >> 8
    fidx = (m - 256 * mu_int) >> 4
    sidx = (np.clip(np.asarray(s_fix, dtype=np.int64), LOG_SCALE_MIN, LOG_SCALE_MAX) - LOG_SCALE_MIN + 8) >> 4
    return sidx * MEAN_BINS + fidx, mu_int


def table_index(mu_fix, s_fix) -> np.ndarray:
    """The table index 16 sidx + fidx (sidx: scale bin 0..120, scale exp(-4 + sidx / 16); fidx: mean bin)."""
    return choice(mu_fix, s_fix)[0]


def table_params(table) -> tuple[np.ndarray, np.ndarray]:
    """(Laplace scale b, mean offset c in [0, 1)) of a table index, as the native tables use them."""
    t = np.asarray(table)
    return np.exp(-4.0 + (t // MEAN_BINS) / 16.0), ((t % MEAN_BINS) + 0.5) / MEAN_BINS


def contexts(grid) -> np.ndarray:
    """The [H, W, 16] causal contexts of one integer grid (zeros outside it), in the coder's order."""
    q = np.asarray(grid, dtype=np.int64)
    h, w = q.shape
    padded = np.zeros((h + 3, w + 6), dtype=np.int64)
    padded[3:, 3:3 + w] = q
    return np.stack([padded[3 + dy:3 + dy + h, 3 + dx:3 + dx + w] for dy, dx in CONTEXT_OFFSETS], axis=-1)


# ---------------------------------------------------------------------------------------------------
# Self-test against the native addon

_NODE_SCRIPT = r"""
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const root = process.argv[2];
const dist = join(root, 'dist', 'src', 'entropy', 'arm.js');
let predict, via;
if (existsSync(dist)) {
  predict = (await import(pathToFileURL(dist).href)).armPredict;
  via = 'dist/src/entropy/arm.js';
} else {
  const addon = createRequire(import.meta.url)(join(root, 'build', 'Release', 'ncodec_native.node'));
  predict = (w, c) => addon.armPredict(w, Int32Array.from(c));
  via = 'build/Release/ncodec_native.node';
}
const cases = JSON.parse(readFileSync(0, 'utf8'));
const out = cases.map(({ weights, contexts }) => {
  const w = Int32Array.from(weights);
  return contexts.map((c) => predict(w, c));
});
process.stdout.write(JSON.stringify({ via, out }));
"""


def _native_predict(cases, root):
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "arm_predict.mjs")
        with open(script, "w") as f:
            f.write(_NODE_SCRIPT)
        payload = json.dumps([{"weights": [int(v) for v in w], "contexts": np.asarray(c).tolist()} for w, c in cases])
        result = subprocess.run(["node", script, root], input=payload, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"node failed (build the addon with `npm run build`):\n{result.stderr}")
    reply = json.loads(result.stdout)
    return reply["via"], reply["out"]


def _worked_example() -> np.ndarray:
    """The weights of tests/entropy/arm.test.ts's hand-computed example: (3, 2, 0, ...) -> (4316, 255)."""
    w = np.zeros(WEIGHT_COUNT, dtype=np.int64)
    w[0], w[16 + 1], w[256], w[256 + 2] = 256, -128, 10, -3
    w[272], w[272 + 16], w[528] = 512, -100, 1
    w[544], w[544 + 2], w[544 + 1], w[576], w[577] = 256, -64, 32, 5, -300
    return w


def _self_test() -> None:
    rng = np.random.default_rng(7)
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

    # Worked examples of the MLP and the table index.
    mu, s = predict(_worked_example(), [3, 2] + [0] * 14)
    assert (int(mu), int(s)) == (4316, 255), (mu, s)
    t, m = choice(4316, 255)
    assert (int(t), int(m)) == (80 * 16 + 13, 16), (t, m)
    t, m = choice([-1, -256, -257, 2 ** 40, -(2 ** 40)], [-5000, -1024, -1017, 896, 10 ** 9])
    assert t.tolist() == [15 * 1, 0 * 16 + 0, 0 * 16 + 15, 120 * 16 + 0, 120 * 16 + 0], t
    assert m.tolist() == [-1, -1, -2, 2 ** 20, -(2 ** 20)], m
    assert table_index(-1, -1024 + 7).item() == 15 and table_index(0, -1024 + 8).item() == 16

    # contexts() against a direct loop.
    grid = rng.integers(-5, 6, size=(5, 7))
    ctx = contexts(grid)
    for y in range(5):
        for x in range(7):
            want = [grid[y + dy, x + dx] if 0 <= y + dy < 5 and 0 <= x + dx < 7 else 0 for dy, dx in CONTEXT_OFFSETS]
            assert ctx[y, x].tolist() == want

    # predict() against the native integer MLP: small and large weights, small and extreme latents.
    cases = [(_worked_example(), np.array([[3, 2] + [0] * 14]))]
    for span in [16, 64, 300, 4000, MAX_WEIGHT]:
        for _ in range(3):
            w = rng.integers(-span, span + 1, size=WEIGHT_COUNT)
            mags = rng.choice([1, 4, 50, 3000, MAX_LATENT], size=(200, 1))
            c = rng.integers(-MAX_LATENT, MAX_LATENT + 1, size=(200, K)) % (2 * mags + 1) - mags
            c[rng.random((200, K)) < 0.3] = 0
            cases.append((w, c))
    for sign in (1, -1):
        cases.append((np.full(WEIGHT_COUNT, sign * MAX_WEIGHT), np.array([[MAX_LATENT] * K, [-MAX_LATENT] * K])))
    via, native = _native_predict(cases, root)
    count = 0
    for (w, c), got in zip(cases, native):
        mu, s = predict(w, c)
        want = np.stack([mu, s], axis=-1).tolist()
        if want != got:
            bad = next(i for i in range(len(want)) if want[i] != got[i])
            raise AssertionError(f"context {c[bad].tolist()}: numpy {want[bad]}, native {got[bad]}")
        count += len(want)
    print(f"arm_int: {count} contexts agree with the native armPredict (via {via}); table index examples pass")


if __name__ == "__main__":
    _self_test()
    sys.exit(0)
