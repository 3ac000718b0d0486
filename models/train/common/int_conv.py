"""Integer 3x3 convolutions: the numpy reference of native/src/int_conv.h (src/entropy/int-conv.ts),
for networks that pick entropy tables and means at decode time and so must give the same integers on
every machine (the video codec's inter model, the hyperprior's checkerboard context).

    out[o] = clamp((sum(weight * in) (3x3, zero padding) * mult[o] + bias[o] + 2^(shift-1)) >> shift, lo, hi)

``shift`` is SHIFT (16) for layers quantized before 2026-12-07, which stored none; since then every
layer carries its own (``quantize_conv``), chosen so that its multipliers keep 23 bits: with 16, a last
layer whose input exponent exceeds its output's had multipliers of 1..33, i.e. scales off by up to
50 %, which cost the video inter model 6 % of its rate.

int8 weights (|w| <= 127) with one int32 multiplier per output channel, inputs within +-ACT_MAX,
at most MAX_IN_CHANNELS input channels (the int32 accumulator cannot overflow), int64 rescaling.
A float layer is quantized post-training by :func:`quantize_conv`: a value v of a tensor with
exponent f travels as round(v * 2^f).
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

ACT_MAX = 16383          # activations are clamped to [-ACT_MAX, ACT_MAX] (ReLU: [0, ACT_MAX])
SHIFT = 16               # rescaling: out = (acc * mult + bias + 2^(shift-1)) >> shift; the shift of layers without their own
MAX_SHIFT = 40           # the native kernel's bound
MULT_BITS = 23           # quantize_conv picks the largest shift that keeps every |mult| below 2^MULT_BITS
MAX_IN_CHANNELS = 114    # 127 * 16383 * 9 * 114 < 2^31


def conv(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """3x3 'same' convolution with zero padding and exact integer accumulation: x (I, H, W), w (O, I, 3, 3)."""
    I, H, W = x.shape
    if I > MAX_IN_CHANNELS:
        raise ValueError(f"{I} input channels; at most {MAX_IN_CHANNELS}")
    xp = np.zeros((I, H + 2, W + 2), np.int64)
    xp[:, 1:-1, 1:-1] = x
    cols = np.stack([xp[:, dy:dy + H, dx:dx + W] for dy in range(3) for dx in range(3)], 1)  # I,9,H,W
    # float64 BLAS is exact here: every product and partial sum is an integer below 2^31 < 2^53
    acc = w.reshape(w.shape[0], I * 9).astype(np.float64) @ cols.reshape(I * 9, H * W).astype(np.float64)
    assert np.abs(acc).max(initial=0) < 2 ** 31, "int32 accumulator overflow"
    return acc.astype(np.int64).reshape(w.shape[0], H, W)


def rescale(acc: np.ndarray, mult: np.ndarray, bias: np.ndarray, shift: int = SHIFT) -> np.ndarray:
    t = acc * mult.astype(np.int64)[:, None, None] + bias.astype(np.int64)[:, None, None]
    return (t + (1 << (shift - 1))) >> shift


def run_layer(layer: dict, x: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """One quantized layer (``weight`` int8, ``mult`` int32, ``bias`` int64, ``shift``) on integer input x."""
    return np.clip(rescale(conv(x, layer["weight"]), layer["mult"], layer["bias"], layer.get("shift", SHIFT)), lo, hi)


def exponent(a: torch.Tensor, cap: int = 12) -> int:
    """The largest power-of-two exponent that keeps 1.25x the 99.99th percentile of ``a`` under ACT_MAX,
    at most ``cap`` (near-silent layers would otherwise get multipliers beyond int32)."""
    peak = float(torch.quantile(a.flatten()[:: max(1, a.numel() // 2_000_000)].float(), 0.9999)) * 1.25
    return min(cap, int(math.floor(math.log2(ACT_MAX / max(peak, 1e-6)))))


def layer_shift(s: np.ndarray, in_exp: int, out_exp: int, bias: np.ndarray) -> int:
    """The largest shift (at most MAX_SHIFT) that keeps the multipliers s·2^(out−in+shift) below
    2^MULT_BITS and the biases bias·2^(out+shift) below 2^51."""
    shift = MAX_SHIFT
    while shift > 1 and (np.abs(s).max() * 2.0 ** (out_exp - in_exp + shift) >= 2 ** MULT_BITS
                         or np.abs(bias).max(initial=0) * 2.0 ** (out_exp + shift) >= 2 ** 51):
        shift -= 1
    return shift


def quantize_conv(layer: nn.Conv2d, in_exp: int, out_exp: int, bias: np.ndarray | None = None, shift: int | None = None) -> dict:
    """int8 weights per output channel; the multiplier maps the input's exponent to the output's.
    ``shift``: default :func:`layer_shift` (23-bit multipliers)."""
    w = layer.weight.detach().double().numpy()
    s = np.abs(w).reshape(w.shape[0], -1).max(1) / 127.0
    s[s == 0] = 1.0
    wq = np.clip(np.round(w / s[:, None, None, None]), -127, 127).astype(np.int8)
    if bias is None:
        bias = layer.bias.detach().double().numpy() if layer.bias is not None else np.zeros(w.shape[0])
    bias = np.asarray(bias, np.float64)
    if shift is None:
        shift = layer_shift(s, in_exp, out_exp, bias)
    mult = np.round(s * 2.0 ** (out_exp - in_exp + shift)).astype(np.int64)
    if np.abs(mult).max() >= 2 ** 31:
        raise ValueError("a multiplier does not fit int32")
    b = np.round(bias * 2.0 ** (out_exp + shift)).astype(np.int64)
    return {"weight": wq, "mult": mult.astype(np.int32), "bias": b, "shift": int(shift)}


def dequantize_conv(weight: np.ndarray, mult, bias, in_exp: int, out_exp: int, shift: int = SHIFT) -> tuple[np.ndarray, np.ndarray]:
    """The float (weight, bias) of a quantized layer: the inverse of :func:`quantize_conv` up to rounding."""
    scale = np.asarray(mult, np.float64) / 2.0 ** (out_exp - in_exp + shift)
    w = weight.astype(np.float64) * scale.reshape(-1, *([1] * (weight.ndim - 1)))
    return w, np.asarray(bias, np.float64) / 2.0 ** (out_exp + shift)
