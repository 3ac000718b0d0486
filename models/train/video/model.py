"""The video codec's inter model: a conditional entropy model for the intra model's latent.

For an inter frame t the encoder has y_t = g_a(x_t)·gain (the frozen intra encoder) and both sides
have ŷ_{t-1}, the previous frame's decoded latent.  A small CNN maps ŷ_{t-1} to the mean μ_t and
the scale-table index s_t of each element of y_t; the frame is coded as v = round(y_t - μ_t) with
the Gaussian table s_t and decodes as ŷ_t = v + μ_t, which g_s turns into the frame (conditional
coding in the latent domain, cf. Ladune et al. 2020, Li et al. DCVC 2021, without motion).

    ctx (M ch, ŷ_{t-1}) ─conv3×3─ +bias[level] ─ReLU─ conv3×3 ─ReLU─ conv3×3 ─┬─ Δμ (M) → μ = ctx + Δμ
                                                                             └─ s  (M) → table index

The decoder must pick exactly the encoder's tables and means on every machine, so the network runs
in integer arithmetic there (``IntNet`` below is the bit-exact reference of native/src/int_net.cc):
int8 weights with one multiplier per output channel, int16 activations, int32 accumulation, int64
rescaling with a rounding shift.  Values in the latent domain travel as multiples of 1/16.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from common.int_conv import ACT_MAX, SHIFT, conv as int_conv, dequantize_conv, exponent, quantize_conv, rescale as int_rescale

FRAC_BITS = 4            # latents, means and table indices travel as multiples of 1/16
OUT_MAX = 1 << 20        # bound of the last layer's outputs
LOG_SCALE_MIN = math.log(0.11)


def table_step(scale_table) -> float:
    """The log-spacing of a geometric scale table (CompressAI's default 0.11..256, 64 entries)."""
    t = np.asarray(scale_table, np.float64)
    step = math.log(t[-1] / t[0]) / (len(t) - 1)
    if not np.allclose(np.log(t), math.log(t[0]) + step * np.arange(len(t)), atol=1e-5):
        raise ValueError("the scale table is not geometric")
    return step


class ConditionalPrior(nn.Module):
    def __init__(self, M: int = 48, hidden: int = 64, levels: int = 8, table_size: int = 64,
                 log_step: float = 0.1231, frames: int = 1, hyper: bool = False):
        super().__init__()
        self.M, self.hidden, self.levels, self.table_size, self.log_step = M, hidden, levels, table_size, log_step
        self.frames = frames  # 2: ŷ_{t-2} is a second input (ŷ_{t-1} again for a GOP's first P-frame)
        # an experiment (2026-12-07, not exportable): the P-frame's own hyperprior [μ_h ; k_h] of the
        # image model's h_s (hyper_inputs) as a second input of layer 1; it lost on validation
        self.hyper = hyper
        self.c1 = nn.Conv2d(frames * M, hidden, 3, padding=1, bias=False)
        if hyper:  # a second layer-1 convolution (int8 layers take at most 114 input channels), zero at the start
            self.c1h = nn.Conv2d(2 * M, hidden, 3, padding=1, bias=False)
            nn.init.zeros_(self.c1h.weight)
        self.level_bias = nn.Parameter(torch.zeros(levels, hidden))
        self.c2 = nn.Conv2d(hidden, hidden, 3, padding=1)
        self.c3 = nn.Conv2d(hidden, 2 * M, 3, padding=1)
        with torch.no_grad():
            self.c3.weight.mul_(0.1)
            self.c3.bias.zero_()
            self.c3.bias[M:] = 16.0  # start near scale 0.11·e^(16·0.123) ≈ 0.8

    def forward(self, ctx: torch.Tensor, level: torch.Tensor, ctx2: torch.Tensor | None = None,
                hyp: torch.Tensor | None = None):
        """ctx: (B, M, H, W) previous decoded latent (rate-level domain); level: (B,) long; ctx2: the
        one before it (two-frame models); hyp: [μ_h ; k_h / 16] (hyper models, :func:`hyper_inputs`).
        Returns (means, continuous table index)."""
        x = torch.cat([ctx, ctx if ctx2 is None else ctx2], 1) if self.frames == 2 else ctx
        pre = self.c1(x) + self.level_bias[level][:, :, None, None]
        if self.hyper:
            pre = pre + self.c1h(hyp)
        a = F.relu(pre)
        a = F.relu(self.c2(a))
        dmu, s = self.c3(a).chunk(2, 1)
        return ctx + dmu, s.clamp(0, self.table_size - 1)

    def scales(self, index: torch.Tensor) -> torch.Tensor:
        return torch.exp(LOG_SCALE_MIN + index * self.log_step)


def hyper_inputs(intra, y: torch.Tensor, level: torch.Tensor, scale_table) -> tuple[torch.Tensor, torch.Tensor]:
    """The P-frame hyperprior of a hyper model, with the FROZEN image model ``intra`` (a hyperprior
    PyTorch model): z = h_a(y)·hyper_gain coded with the image model's factorized prior, (σ_h, μ_h) =
    h_s(ẑ·hyper_inv_gain).  Returns (hyp = [round(16·μ_h)/16 ; k_h/16] with k_h the table index of σ_h,
    as the integer network reads them, and the bits of ẑ per sample (B,))."""
    from common.entropy import scale_indexes
    with torch.no_grad():
        z = intra.h_a(y) * intra.hyper_gain(level)
        z_hat = intra.entropy_bottleneck.quantize(z, False)
        z_bits = -torch.log2(intra.entropy_bottleneck.likelihood(z_hat)).flatten(1).sum(1)
        scales, means = intra.h_s(z_hat * intra.hyper_inv_gain(level)).chunk(2, 1)
        k = scale_indexes(scales, np.asarray(scale_table, np.float32)).float()
        return torch.cat([torch.round(means * 16) / 16, k / 16], 1), z_bits


# --------------------------------------------------------------------------- integer network

class IntNet:
    """The integer network (numpy reference of native/src/int_net.cc).  ``layers``: three dicts with
    ``weight`` int8 (O, I, 3, 3), ``mult`` int32 (O,), ``bias`` int64 (O,) or, for layer 1,
    (levels, O); each with its ``shift`` (SHIFT when it has none: layers quantized before 2026-12-07)."""

    def __init__(self, layers: list[dict], M: int, table_size: int):
        self.layers, self.M, self.table_size = layers, M, table_size

    conv = staticmethod(int_conv)
    rescale = staticmethod(int_rescale)

    def run(self, ctx16: np.ndarray, level: int, ctx16b: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """ctx16: (M, H, W) int, ŷ_{t-1}·16 (and ctx16b, ŷ_{t-2}·16, for a two-frame network).
        Returns (μ·16 as int64, table index as int64)."""
        x = np.clip(ctx16.astype(np.int64), -ACT_MAX, ACT_MAX)
        l1, l2, l3 = self.layers
        x1 = x
        if l1["weight"].shape[1] == 2 * self.M:
            x1 = np.concatenate([x, np.clip((ctx16 if ctx16b is None else ctx16b).astype(np.int64), -ACT_MAX, ACT_MAX)])
        sh = lambda l: l.get("shift", SHIFT)  # noqa: E731  (layers quantized before per-layer shifts: SHIFT)
        a = np.clip(self.rescale(self.conv(x1, l1["weight"]), l1["mult"], l1["bias"][level], sh(l1)), 0, ACT_MAX)
        a = np.clip(self.rescale(self.conv(a, l2["weight"]), l2["mult"], l2["bias"], sh(l2)), 0, ACT_MAX)
        o = np.clip(self.rescale(self.conv(a, l3["weight"]), l3["mult"], l3["bias"], sh(l3)), -OUT_MAX, OUT_MAX)
        mu16 = np.clip(x + o[:self.M], -OUT_MAX, OUT_MAX)
        index = np.clip((o[self.M:] + 8) >> 4, 0, self.table_size - 1)
        return mu16, index


def quantize(model: ConditionalPrior, calib_ctx: torch.Tensor, calib_level: torch.Tensor) -> tuple[IntNet, dict]:
    """Post-training quantization of ``model`` to an IntNet: int8 weights per output channel,
    activation exponents from the calibration batch (largest power of two keeping the 99.99th
    percentile ×1.25 under ACT_MAX)."""
    with torch.no_grad():
        # two-frame models: calib_ctx holds [ŷ_{t-1}; ŷ_{t-2}] (2M channels), or ŷ_{t-1} alone (used twice)
        x = torch.cat([calib_ctx, calib_ctx], 1) if model.frames == 2 and calib_ctx.shape[1] == model.M else calib_ctx
        a1 = F.relu(model.c1(x) + model.level_bias[calib_level][:, :, None, None])
        a2 = F.relu(model.c2(a1))
    f0, f1, f2, fo = FRAC_BITS, exponent(a1), exponent(a2), FRAC_BITS
    def layer(conv: nn.Conv2d, f_in: int, out_exp: np.ndarray, bias: np.ndarray):
        return quantize_conv(conv, f_in, int(out_exp[0]), bias)
    M = model.M
    hid = model.hidden
    level_bias = model.level_bias.detach().double().numpy()
    l1 = layer(model.c1, f0, np.full(hid, f1), np.abs(level_bias).max(0))  # the shift allows for the largest level bias
    l1["bias"] = np.round(level_bias * 2.0 ** (f1 + l1["shift"])).astype(np.int64)
    l2 = layer(model.c2, f1, np.full(hid, f2), model.c2.bias.detach().double().numpy())
    l3 = layer(model.c3, f2, np.full(2 * M, fo), model.c3.bias.detach().double().numpy())
    return IntNet([l1, l2, l3], M, model.table_size), {"exponents": [f0, f1, f2, fo]}


def dequantize_export(folder: str) -> dict:
    """The float weights of an exported inter model (``manifest.json`` + ``inter.bin``), as a
    ``ConditionalPrior`` state dict: the inverse of :func:`quantize` up to its int8 rounding
    (weight = int8 · mult / 2^(out_exp − in_exp + shift), bias = int / 2^(out_exp + shift)).
    A warm start when the run's checkpoints were lost with their machine."""
    import json
    import os
    with open(os.path.join(folder, "manifest.json")) as f:
        inter = json.load(f)["inter"]
    raw = np.fromfile(os.path.join(folder, inter["file"]), np.int8)
    exps = inter["exponents"]                       # [in of layer 1, out 1, out 2, out 3]
    state, names = {}, ["c1", "c2", "c3"]
    for i, (name, layer) in enumerate(zip(names, inter["layers"])):
        o, c = layer["outChannels"], layer["inChannels"]
        wq = raw[layer["weightOffset"]:layer["weightOffset"] + o * c * 9].reshape(o, c, 3, 3)
        out_exp, in_exp = exps[i + 1], exps[i]
        bias_key = "levelBias" if i == 0 else "bias"
        w, b = dequantize_conv(wq, layer["mult"], np.asarray(layer[bias_key], np.float64), in_exp, out_exp,
                               layer.get("shift", inter["shift"]))
        state[f"{name}.weight"] = torch.from_numpy(w.astype(np.float32))
        state["level_bias" if i == 0 else f"{name}.bias"] = torch.from_numpy(b.astype(np.float32))
    return state
