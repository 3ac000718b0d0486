"""Invertible wavelet (packet) transforms built from plain slice / arithmetic / concat ops.

Wavelet: CDF 9/7 biorthogonal (the JPEG 2000 irreversible filter) computed by lifting
(Daubechies & Sweldens 1998), with whole-sample symmetric extension at the borders.  Lifting
steps are invertible whatever the border rule, so synthesis(analysis(x)) == x up to float
rounding.  Scaling: low band * K, high band / K (K = 1.149604398), which gives a DC gain of
sqrt(2) per 1-D step, i.e. the transform is close to orthonormal (energy roughly preserved).
``wavelet="haar"`` selects the orthonormal Haar wavelet instead (no border handling at all).

* ``WaveletPacket2d(levels)``: every level splits *every* channel into LL, LH, HL, HH (a full
  packet tree), so x (B, C, H, W) -> (B, C * 4^levels, H / 2^levels, W / 2^levels); channel
  order: [sub-band of the last level][...][sub-band of the first level][input channel], i.e.
  output channel = ((s_L * 4 + ...) * 4 + s_1) * C + c with sub-band s = 0 low/low,
  1 high along H (low along W), 2 high along W (low along H), 3 high/high.  ``inverse`` undoes it.
* ``WaveletPacket1d(levels)``: the same for audio, x (B, C, T) -> (B, C * 2^levels, T / 2^levels).

Sizes must be multiples of 2^levels; ``pad_to_multiple`` replicate-pads right/bottom (crop the
reconstruction back).  Everything traces to ONNX (opset 17) with dynamic height/width: slices
with steps, Mul/Add, Concat and Reshape only.
"""
from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F

# CDF 9/7 lifting coefficients (Daubechies & Sweldens 1998, JPEG 2000 Part 1 Annex F).
ALPHA = -1.586134342059924
BETA = -0.052980118572961
GAMMA = 0.882911075530934
DELTA = 0.443506852043971
K = 1.149604398860241
LIFTING = ((ALPHA, "predict"), (BETA, "update"), (GAMMA, "predict"), (DELTA, "update"))
SQRT_HALF = 0.7071067811865476


def _next(t: torch.Tensor, dim: int) -> torch.Tensor:
    """t[n + 1] along ``dim`` with the last sample repeated (symmetric extension of the evens)."""
    n = t.shape[dim]
    return torch.cat([t.narrow(dim, 1, n - 1), t.narrow(dim, n - 1, 1)], dim)


def _prev(t: torch.Tensor, dim: int) -> torch.Tensor:
    """t[n - 1] along ``dim`` with the first sample repeated (symmetric extension of the odds)."""
    n = t.shape[dim]
    return torch.cat([t.narrow(dim, 0, 1), t.narrow(dim, 0, n - 1)], dim)


def _split(x: torch.Tensor, dim: int):
    if dim == -1:
        return x[..., 0::2], x[..., 1::2]
    if dim == -2:
        return x[..., 0::2, :], x[..., 1::2, :]
    raise ValueError("dim must be -1 or -2")


def _merge(even: torch.Tensor, odd: torch.Tensor, dim: int) -> torch.Tensor:
    """Interleave even/odd samples along ``dim`` (inverse of _split)."""
    if dim == -1:
        return torch.stack([even, odd], -1).flatten(-2)
    if dim == -2:
        return torch.stack([even, odd], -2).flatten(-3, -2)
    raise ValueError("dim must be -1 or -2")


def dwt_step(x: torch.Tensor, dim: int, wavelet: str = "cdf97"):
    """One 1-D analysis step along ``dim`` (-1 or -2): returns (low, high), half length each."""
    even, odd = _split(x, dim)
    if wavelet == "haar":
        return (even + odd) * SQRT_HALF, (odd - even) * SQRT_HALF
    for coef, kind in LIFTING:
        if kind == "predict":
            odd = odd + coef * (even + _next(even, dim))
        else:
            even = even + coef * (_prev(odd, dim) + odd)
    return even * K, odd * (1.0 / K)


def idwt_step(low: torch.Tensor, high: torch.Tensor, dim: int, wavelet: str = "cdf97") -> torch.Tensor:
    """Inverse of ``dwt_step``."""
    if wavelet == "haar":
        return _merge((low - high) * SQRT_HALF, (low + high) * SQRT_HALF, dim)
    even, odd = low * (1.0 / K), high * K
    for coef, kind in reversed(LIFTING):
        if kind == "predict":
            odd = odd - coef * (even + _next(even, dim))
        else:
            even = even - coef * (_prev(odd, dim) + odd)
    return _merge(even, odd, dim)


def analysis2d(x: torch.Tensor, wavelet: str = "cdf97") -> torch.Tensor:
    """(B, C, H, W) -> (B, 4C, H/2, W/2): channel blocks [low/low, high-H, high-W, high/high]."""
    lo, hi = dwt_step(x, -2, wavelet)          # along H
    ll, lh = dwt_step(lo, -1, wavelet)         # along W: lh = low H, high W
    hl, hh = dwt_step(hi, -1, wavelet)         # hl = high H, low W
    return torch.cat([ll, hl, lh, hh], 1)


def synthesis2d(y: torch.Tensor, wavelet: str = "cdf97") -> torch.Tensor:
    ll, hl, lh, hh = y.chunk(4, 1)
    lo = idwt_step(ll, lh, -1, wavelet)
    hi = idwt_step(hl, hh, -1, wavelet)
    return idwt_step(lo, hi, -2, wavelet)


class WaveletPacket2d(nn.Module):
    """Full 2-D wavelet packet analysis (``forward``) and synthesis (``inverse``); no parameters."""

    def __init__(self, levels: int = 3, wavelet: str = "cdf97"):
        super().__init__()
        if wavelet not in ("cdf97", "haar"):
            raise ValueError(f"unknown wavelet {wavelet!r}")
        self.levels, self.wavelet = levels, wavelet

    @property
    def factor(self) -> int:
        return 2 ** self.levels

    def channels(self, c: int) -> int:
        return c * 4 ** self.levels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for _ in range(self.levels):
            x = analysis2d(x, self.wavelet)
        return x

    def inverse(self, y: torch.Tensor) -> torch.Tensor:
        for _ in range(self.levels):
            y = synthesis2d(y, self.wavelet)
        return y


class WaveletPacketSynthesis2d(nn.Module):
    """``WaveletPacket2d.inverse`` as its own module (for nn.Sequential / ONNX wrappers)."""

    def __init__(self, levels: int = 3, wavelet: str = "cdf97"):
        super().__init__()
        self.wpt = WaveletPacket2d(levels, wavelet)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        return self.wpt.inverse(y)


class WaveletPacket1d(nn.Module):
    """Full 1-D wavelet packet: (B, C, T) -> (B, C * 2^levels, T / 2^levels); ``inverse`` undoes it."""

    def __init__(self, levels: int = 3, wavelet: str = "cdf97"):
        super().__init__()
        if wavelet not in ("cdf97", "haar"):
            raise ValueError(f"unknown wavelet {wavelet!r}")
        self.levels, self.wavelet = levels, wavelet

    @property
    def factor(self) -> int:
        return 2 ** self.levels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for _ in range(self.levels):
            lo, hi = dwt_step(x, -1, self.wavelet)
            x = torch.cat([lo, hi], 1)
        return x

    def inverse(self, y: torch.Tensor) -> torch.Tensor:
        for _ in range(self.levels):
            lo, hi = y.chunk(2, 1)
            y = idwt_step(lo, hi, -1, self.wavelet)
        return y


def pad_to_multiple(x: torch.Tensor, multiple: int) -> torch.Tensor:
    """Replicate-pad the last two dims (or the last, for 3-D input) up to a multiple."""
    if x.dim() == 3:
        p = (-x.shape[-1]) % multiple
        return F.pad(x, (0, p), mode="replicate") if p else x
    ph, pw = (-x.shape[-2]) % multiple, (-x.shape[-1]) % multiple
    return F.pad(x, (0, pw, 0, ph), mode="replicate") if ph or pw else x
