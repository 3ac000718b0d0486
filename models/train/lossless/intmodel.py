"""Bit-exact Python reference of the integer lossless model (native/src/lossless_mlp.{h,cc}): quantizes a
trained LosslessMLP into the model file and computes the exact code length of images under it.

The native coder and this file must agree bit for bit: export.py checks the coded size of real images
against this reference, and the test suite checks the native coder against a golden file.
"""
from __future__ import annotations

import math
import struct

import numpy as np

LS_MIN, LS_MAX = -768, 1536
SIG_HALF = 4096
EXP_SIZE = 4096
ACT_MAX = 4095
TOTAL = 1 << 16
MEAN_BOUND = 1 << 24
IN_FRAC, HIDDEN_FRAC, HEAD_FRAC = 5, 9, 8


def luts():
    inv = np.array([round(65536 * math.exp(-(i + LS_MIN) / 256)) for i in range(LS_MAX - LS_MIN + 1)], dtype=np.uint32)
    sig = np.array([round(65536 / (1 + math.exp(-(i - SIG_HALF) / 256))) for i in range(2 * SIG_HALF + 1)], dtype=np.uint32)
    ex = np.array([round(65536 * math.exp(-d / 256)) for d in range(EXP_SIZE)], dtype=np.uint32)
    return inv, sig, ex


def quantize(model):
    """Float LosslessMLP -> list of (weight int16 [out, in], bias int32 [out], shift)."""
    linears = list(model.body) + [model.head]
    layers = []
    for idx, lin in enumerate(linears):
        w = lin.weight.detach().double().numpy()
        b = lin.bias.detach().double().numpy()
        in_frac = IN_FRAC if idx == 0 else HIDDEN_FRAC
        out_frac = HEAD_FRAC if idx == len(linears) - 1 else HIDDEN_FRAC
        max_in = 255 if idx == 0 else ACT_MAX
        fw = 0
        for f in range(30, -1, -1):
            wq = np.round(w * 2.0 ** f)
            bq = np.round(b * 2.0 ** (f + in_frac))
            bound = np.abs(bq) + (np.abs(wq) * max_in).sum(axis=1)
            if np.abs(wq).max() <= 32767 and bound.max() < 2 ** 31:
                fw = f
                break
        shift = fw + in_frac - out_frac
        if shift < 0:
            raise ValueError(f"layer {idx}: weights too large for the integer format (fw={fw})")
        layers.append((np.round(w * 2.0 ** fw).astype(np.int16), np.round(b * 2.0 ** (fw + in_frac)).astype(np.int32), shift))
    return layers


def write_model(path, model, layers):
    inv, sig, ex = luts()
    out = bytearray(b"NCLM")
    out += struct.pack("<HBBHBB", 1, model.radius, len(layers) - 1, model.hidden, model.mixtures, 0)
    for w, b, shift in layers:
        out += struct.pack("<HHBB", w.shape[0], w.shape[1], shift, 0)
        out += w.astype("<i2").tobytes() + b.astype("<i4").tobytes()
    out += inv.astype("<u4").tobytes() + sig.astype("<u4").tobytes() + ex.astype("<u4").tobytes()
    with open(path, "wb") as f:
        f.write(bytes(out))
    return bytes(out)


def read_model(path):
    """model.bin -> list of (weight int16 [out, in], bias int32 [out], shift)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"NCLM":
        raise ValueError(f"{path} is not a lossless model file")
    _, _, hidden_layers, _, _, _ = struct.unpack_from("<HBBHBB", data, 4)
    at, layers = 12, []
    for _ in range(hidden_layers + 1):
        out, lin, shift, _ = struct.unpack_from("<HHBB", data, at)
        at += 6
        w = np.frombuffer(data, "<i2", out * lin, at).reshape(out, lin).copy(); at += 2 * out * lin
        b = np.frombuffer(data, "<i4", out, at).copy(); at += 4 * out
        layers.append((w, b, shift))
    return layers


def floor_shift(v, s):
    return np.right_shift(v, s)  # numpy >> on int64 is arithmetic: floor division by 2^s


def features(image, radius):
    """HxWx3 uint8 -> (features N x 3n int64, ref N x 3, x N x 3), raster order."""
    from lossless.model import offsets
    h, w, _ = image.shape
    pad = np.full((h + radius, w + 2 * radius, 3), -1, dtype=np.int64)
    pad[radius:, radius:radius + w] = image
    centre = pad[radius:, radius:radius + w]
    west = pad[radius:, radius - 1:radius - 1 + w]
    north = pad[radius - 1:radius - 1 + h, radius:radius + w]
    ref = np.where(west >= 0, west, np.where(north >= 0, north, 128))
    feats = []
    for dy, dx in offsets(radius):
        v = pad[radius + dy:radius + dy + h, radius + dx:radius + dx + w]
        feats.append(np.where(v >= 0, v - ref, 0))
    f = np.stack(feats, axis=2).reshape(h * w, -1)  # offset-major, channel-minor
    return f, ref.reshape(-1, 3), centre.reshape(-1, 3)


def head(layers, f):
    a = f
    for w, b, s in layers[:-1]:
        a = np.clip(floor_shift(a @ w.astype(np.int64).T + b, s), 0, ACT_MAX)
    w, b, s = layers[-1]
    return floor_shift(a @ w.astype(np.int64).T + b, s)


def cdf(v, mu, inv, wts, sig):
    """cdf(v) for v (N,), per-component mu/inv/wts (N, K)."""
    b = 256 * v[:, None] - 128
    t = np.clip(floor_shift((b - mu) * inv, 16), -SIG_HALF, SIG_HALF)
    f = (wts * sig[t + SIG_HALF].astype(np.int64)).sum(axis=1)
    c = v + (((f >> 16) * (TOTAL - 256)) >> 16)
    return np.where(v <= 0, 0, np.where(v >= 256, TOTAL, c))


def image_bits(layers, radius, k, image, chunk=32768):
    """Exact ideal code length (bits) of an RGB uint8 image under the integer model."""
    inv_lut, sig, ex = luts()
    inv_lut, sig, ex = inv_lut.astype(np.int64), sig.astype(np.int64), ex.astype(np.int64)
    f_all, ref_all, x_all = features(image, radius)
    total = 0.0
    for s0 in range(0, len(f_all), chunk):
        f, ref, x = f_all[s0:s0 + chunk], ref_all[s0:s0 + chunk], x_all[s0:s0 + chunk]
        out = head(layers, f)
        logits, means, lsc, coefs = (out[:, i * 3 * k:(i + 1) * 3 * k].reshape(-1, 3, k) for i in range(4))
        coefs = np.clip(coefs, -256, 256)
        for c in range(3):
            lg = logits[:, c]
            e = ex[np.minimum(lg.max(axis=1, keepdims=True) - lg, EXP_SIZE - 1)]
            wts = (e << 16) // e.sum(axis=1, keepdims=True)
            mu = 256 * ref[:, c:c + 1] + 8 * np.clip(means[:, c], -MEAN_BOUND, MEAN_BOUND)
            if c == 1:
                mu = mu + coefs[:, 0] * (x[:, 0:1] - ref[:, 0:1])
            if c == 2:
                mu = mu + coefs[:, 1] * (x[:, 0:1] - ref[:, 0:1]) + coefs[:, 2] * (x[:, 1:2] - ref[:, 1:2])
            mu = np.clip(mu, -MEAN_BOUND, MEAN_BOUND)
            inv = inv_lut[np.clip(lsc[:, c], LS_MIN, LS_MAX) - LS_MIN]
            lo = cdf(x[:, c], mu, inv, wts, sig)
            hi = cdf(x[:, c] + 1, mu, inv, wts, sig)
            total += float((16 - np.log2(hi - lo)).sum())
    return total
