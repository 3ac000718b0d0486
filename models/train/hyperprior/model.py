"""Variable-rate mean-scale hyperprior (Minnen, Ballé, Toderici, NeurIPS 2018) with gain units.

Transforms (CompressAI's ``mbt2018-mean`` layout, with every transposed convolution replaced by
3x3 conv + PixelShuffle(2), which trains ~50x faster on CPU PyTorch 1.13):

    g_a : x (3)  -> conv5s2 N, GDN, conv5s2 N, GDN, conv5s2 N, GDN, conv5s2 M        -> y (/16)
    h_a : y (M)  -> conv3 N, LReLU, conv5s2 N, LReLU, conv5s2 N                      -> z (/64)
    h_s : z (N)  -> up N->M, LReLU, up M->3M/2, LReLU, conv3 3M/2->2M  -> (scales, means)
    g_s : y (M)  -> up M->N, IGDN, up N->N, IGDN, up N->N, IGDN, up N->3                  -> x_hat

Variable rate: gain units (Cui et al., "Asymmetric gained deep image compression with continuous
rate adaptation", CVPR 2021).  Each rate level l has four positive vectors: ``gain`` (M) scales
y after g_a, ``inv_gain`` (M) scales y_hat before g_s, ``hyper_gain`` (N) scales z after h_a and
``hyper_inv_gain`` (N) scales z_hat before h_s.  Each training sample draws a level and is
trained with that level's lambda.  Intermediate rates: interpolate the vectors geometrically,
g = g_l^(1-t) * g_(l+1)^t.

Quantization while training: additive uniform noise for the rates; the synthesis sees
round(y - mu) + mu through a straight-through estimator (Minnen & Singh 2020's mixed scheme),
so it learns on the values the codec really decodes.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from common.entropy import EntropyBottleneck, gaussian_likelihood
from common.gdn import GDN
from common.rate import GainUnits, ste_round

# CompressAI's MSE lambdas for quality 1..8 (mbt2018-mean): Kodak ~0.12 .. 1.6 bpp when converged.
DEFAULT_LAMBDAS = (0.0018, 0.0035, 0.0067, 0.0130, 0.0250, 0.0483, 0.0932, 0.18)


def conv(cin: int, cout: int, k: int = 5, stride: int = 2) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2)


def up(cin: int, cout: int) -> nn.Sequential:
    """2x upsampling: 3x3 conv to 4*cout channels, then PixelShuffle(2) (sub-pixel convolution)."""
    return nn.Sequential(nn.Conv2d(cin, cout * 4, 3, padding=1), nn.PixelShuffle(2))


class MeanScaleHyperpriorVR(nn.Module):
    """Mean-scale hyperprior with gain units; see the module docstring."""

    y_stride, z_stride = 16, 64

    def __init__(self, N: int = 96, M: int = 160, lambdas=DEFAULT_LAMBDAS):
        super().__init__()
        self.N, self.M = N, M
        self.register_buffer("lambdas", torch.tensor(lambdas, dtype=torch.float32))
        L = len(lambdas)
        self.g_a = nn.Sequential(conv(3, N), GDN(N), conv(N, N), GDN(N), conv(N, N), GDN(N),
                                 conv(N, M))
        self.g_s = nn.Sequential(up(M, N), GDN(N, inverse=True), up(N, N), GDN(N, inverse=True),
                                 up(N, N), GDN(N, inverse=True), up(N, 3))
        self.h_a = nn.Sequential(conv(M, N, 3, 1), nn.LeakyReLU(inplace=True), conv(N, N),
                                 nn.LeakyReLU(inplace=True), conv(N, N))
        self.h_s = nn.Sequential(up(N, M), nn.LeakyReLU(inplace=True), up(M, M * 3 // 2),
                                 nn.LeakyReLU(inplace=True), conv(M * 3 // 2, M * 2, 3, 1))
        # High-rate theory: step size ~ lambda^-1/2, so start gains at sqrt(lambda / lambda_mid).
        lg = 0.5 * (torch.log(self.lambdas) - torch.log(self.lambdas).mean())
        self.gain = GainUnits(L, M, lg[:, None].repeat(1, M))
        self.inv_gain = GainUnits(L, M, -lg[:, None].repeat(1, M))
        self.hyper_gain = GainUnits(L, N)
        self.hyper_inv_gain = GainUnits(L, N)
        self.entropy_bottleneck = EntropyBottleneck(N)

    @property
    def levels(self) -> int:
        return int(self.lambdas.numel())

    def forward(self, x: torch.Tensor, level: torch.Tensor) -> dict:
        """Training/evaluation pass; ``level`` holds one rate-level index per image."""
        return code_latents(self, self.g_a(x).float() * self.gain(level), level)


def code_latents(model, y: torch.Tensor, level: torch.Tensor) -> dict:
    """Everything after g_a, shared by both variants: h_a, the z bottleneck, h_s, the Gaussian
    conditional on y (noise for the rates, straight-through rounding for g_s while training)
    and g_s.  The entropy models run in float32 even under autocast."""
    with torch.autocast(y.device.type, enabled=False):
        z = model.h_a(y) * model.hyper_gain(level)
        z_hat = model.entropy_bottleneck.quantize(z, model.training)
        z_lik = model.entropy_bottleneck.likelihood(z_hat)
        scales, means = model.h_s(z_hat * model.hyper_inv_gain(level)).chunk(2, 1)
        if getattr(model, "context", None) is not None:
            y_hat, y_lik, means, scales = context_latents(model.context, y, scales, means, model.training)
        elif model.training:
            y_lik = gaussian_likelihood(y + torch.empty_like(y).uniform_(-0.5, 0.5), scales, means)
            y_hat = ste_round(y - means) + means
        else:
            y_hat = torch.round(y - means) + means
            y_lik = gaussian_likelihood(y_hat, scales, means)
    x_hat = model.g_s(y_hat * model.inv_gain(level)).float()
    return {"x_hat": x_hat, "likelihoods": {"y": y_lik, "z": z_lik},
            "y": y, "z": z, "y_hat": y_hat, "z_hat": z_hat, "scales": scales, "means": means}


def context_latents(context, y: torch.Tensor, scales: torch.Tensor, means: torch.Tensor, training: bool):
    """The y path of a model trained jointly with its checkerboard context (hyperprior/context.py):
    anchors are coded with h_s's (μ, σ); the context, fed what the decoder has (the anchors' ŷ through
    straight-through rounding, round(16μ)/16 and the integer table index k), shifts the non-anchors'
    means by Δμ and their table index by Δk.  The index is k's integer in the forward pass and
    h_s's continuous log-scale in the backward pass (straight through), so h_s keeps learning the
    non-anchors' scales.  Eval mode rounds Δμ to 1/16 and Δk to an integer and uses the table's
    scales everywhere, as the codec does (so its bits are context.py's "table bits").
    Returns (y_hat, y likelihoods, means, scales) with the non-anchors' refined values."""
    from hyperprior.context import LOG_STEP, LOG_T0, TABLE, anchor_mask, table_scale
    from common.entropy import scale_indexes

    h, w = y.shape[2:]
    amask = anchor_mask(h, w).to(y.device)
    nmask = 1 - amask
    mu16 = ste_round(means * 16) / 16
    k_int = scale_indexes(scales.detach(), TABLE).float()
    k_cont = ((torch.log(scales.clamp(min=float(TABLE[0]))) - LOG_T0) / LOG_STEP).clamp(0, len(TABLE) - 1)
    k_ste = k_cont + (k_int - k_cont).detach()
    anchors_hat = ste_round(y - means) + mu16
    x = torch.cat([anchors_hat * amask + mu16 * nmask, k_int / 16], 1)
    dmu, dk = context.net(x)
    if not training:
        dmu, dk = torch.round(dmu * 16) / 16, torch.round(dk)
    means2 = means + dmu * nmask
    k2 = (k_ste + dk).clamp(0, len(TABLE) - 1)
    if not training:  # the codec's tables at every position (context.py's "table bits")
        scales = table_scale(k_int)
    scales2 = torch.where(nmask.bool(), table_scale(k2), scales)
    if training:
        y_lik = gaussian_likelihood(y + torch.empty_like(y).uniform_(-0.5, 0.5), scales2, means2)
        y_hat = ste_round(y - means2) + means2
    else:
        y_hat = torch.round(y - means2) + means2
        y_lik = gaussian_likelihood(y_hat, scales2, means2)
    return y_hat, y_lik, means2, scales2


def rd_loss(out: dict, x: torch.Tensor, lmbda: torch.Tensor) -> dict:
    """Per-image lambda * 255^2 * MSE + bpp, averaged over the batch (lambda has shape (B,))."""
    n, _, h, w = x.shape
    pixels = h * w
    bits = sum(torch.log(l).reshape(n, -1).sum(1) for l in out["likelihoods"].values())
    bpp = bits / (-math.log(2) * pixels)
    mse = (out["x_hat"] - x).pow(2).reshape(n, -1).mean(1)
    loss = (lmbda * 255 ** 2 * mse + bpp).mean()
    return {"loss": loss, "bpp": bpp.detach(), "mse": mse.detach()}


def bottleneck_input(model: MeanScaleHyperpriorVR, x: torch.Tensor, level: torch.Tensor) -> torch.Tensor:
    """The entropy bottleneck's latents z (what forward() quantizes), without h_s and g_s."""
    return model.h_a(model.g_a(x).float() * model.gain(level)) * model.hyper_gain(level)


def build(config: dict) -> nn.Module:
    """The model a config describes: ``transform`` "gdn" (default, this module) or "wavelet"
    (hyperprior/wavelet_front.py)."""
    if config.get("transform", "gdn") == "wavelet":
        from hyperprior.wavelet_front import build as build_wavelet_front
        return build_wavelet_front(config)
    return MeanScaleHyperpriorVR(N=config["N"], M=config["M"], lambdas=config["lambdas"])
