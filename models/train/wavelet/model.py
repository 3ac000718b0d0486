"""Wavelet-packet autoencoder after WaLLoC (Jacobellis & Yadwadkar, "Learned Compression for
Compressed Learning", 2024): a fixed invertible wavelet packet transform around a shallow,
asymmetric learned autoencoder, with a factorized entropy bottleneck.  Issue 6.

    encoder: x (3, H, W) - 1/2 -> 3-level CDF 9/7 packet (192 sub-bands, H/8 x W/8)
             -> 1x1 conv 192 -> C (48) -> * gain_l                                      -> y
    bottleneck: factorized EntropyBottleneck on y (per channel, medians subtracted); with
                ``per_level_prior`` one density per (rate level, channel) (LevelBottleneck)
    decoder: y_hat * inv_gain_l -> 1x1 conv C -> F (192), then R (3) residual blocks
             [3x3 conv, LeakyReLU, 3x3 conv] + skip, LeakyReLU, 1x1 conv F -> 192,
             plus a linear 1x1 path C -> 192 (the "pseudo-inverse" of the projection)
             -> inverse packet transform + 1/2                                          -> x_hat

Everything learned runs at 1/8 resolution; the encoder is linear (one 1x1 conv: ~9k MACs per
8x8 block), the decoder a few 3x3 convs.  Variable rate with gain units (Cui et al. 2021) as in
the hyperprior recipe: level l has ``gain`` (C) applied to y and ``inv_gain`` (C) to y_hat,
and is trained with lambda_l.

Quantization while training: additive uniform noise for the likelihoods; the decoder sees
round(y - median) + median through a straight-through estimator.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from common.entropy import EntropyBottleneck, LevelBottleneck
from common.wavelet import WaveletPacket2d
from common.rate import GainUnits

DEFAULT_LAMBDAS = (0.0018, 0.0035, 0.0067, 0.0130, 0.0250, 0.0483, 0.0932, 0.18)


class ResBlock(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(ch, ch, 3, padding=1), nn.LeakyReLU(0.1, inplace=True),
                                  nn.Conv2d(ch, ch, 3, padding=1))

    def forward(self, x):
        return x + self.body(x)


class Encoder(nn.Module):
    """x in [0, 1] -> unscaled latents (before the gain)."""

    def __init__(self, wpt: WaveletPacket2d, latent: int):
        super().__init__()
        self.wpt = wpt
        self.proj = nn.Conv2d(wpt.channels(3), latent, 1)

    def forward(self, x):
        return self.proj(self.wpt(x - 0.5))


class Decoder(nn.Module):
    """Latents (after the inverse gain) -> x_hat (not clamped)."""

    def __init__(self, wpt: WaveletPacket2d, latent: int, width: int, blocks: int):
        super().__init__()
        self.wpt = wpt
        sub = wpt.channels(3)
        self.linear = nn.Conv2d(latent, sub, 1)
        self.inp = nn.Conv2d(latent, width, 1)
        self.blocks = nn.Sequential(*[ResBlock(width) for _ in range(blocks)])
        self.out = nn.Sequential(nn.LeakyReLU(0.1, inplace=True), nn.Conv2d(width, sub, 1))
        nn.init.zeros_(self.out[1].weight)
        nn.init.zeros_(self.out[1].bias)

    def forward(self, y):
        sub = self.linear(y).float() + self.out(self.blocks(self.inp(y))).float()
        return self.wpt.inverse(sub) + 0.5  # synthesis in float32 even under bf16 autocast


class WaveletAE(nn.Module):
    def __init__(self, latent: int = 48, width: int = 192, blocks: int = 3, levels: int = 3,
                 wavelet: str = "cdf97", lambdas=DEFAULT_LAMBDAS, per_level_prior: bool = False):
        super().__init__()
        self.latent, self.width, self.blocks_n = latent, width, blocks
        self.wpt = WaveletPacket2d(levels, wavelet)
        self.register_buffer("lambdas", torch.tensor(lambdas, dtype=torch.float32))
        L = len(lambdas)
        self.encoder = Encoder(self.wpt, latent)
        self.decoder = Decoder(self.wpt, latent, width, blocks)
        # Step size ~ lambda^-1/2: gains start at sqrt(lambda / lambda_geomean) times a base gain
        # that puts the middle level's quantization step near the sub-band noise it tolerates.
        lg = 0.5 * (torch.log(self.lambdas) - torch.log(self.lambdas).mean()) + math.log(8.0)
        self.gain = GainUnits(L, latent, lg[:, None].repeat(1, latent))
        self.inv_gain = GainUnits(L, latent, -lg[:, None].repeat(1, latent))
        self.entropy_bottleneck = LevelBottleneck(latent, L) if per_level_prior else EntropyBottleneck(latent)
        self._init_lowpass()

    @torch.no_grad()
    def _init_lowpass(self):
        """Start as "keep the lowest-frequency sub-bands": the encoder selects the ``latent``
        packet channels of lowest frequency (first-level low/low first, so 48 latents = the
        half-resolution image) and the decoder's linear path is its transpose, so training
        starts from a sensible codec instead of a random 48-dimensional subspace."""
        sub = self.wpt.channels(3)
        levels = self.wpt.levels
        # channel = ((s_L * 4 + ...) * 4 + s_1) * 3 + colour; rank by (s_1, s_2, ..., s_L) with
        # the high/high band last at each level (0 low/low, 1 and 2 one high, 3 high/high).
        def key(ch):
            c, rest = ch % 3, ch // 3
            digits = []
            for _ in range(levels):
                digits.append(rest % 4)
                rest //= 4
            return tuple(digits) + (c,)
        order = sorted(range(sub), key=key)[: self.latent]
        w = torch.zeros(self.latent, sub)
        w[torch.arange(len(order)), torch.tensor(order)] = 1.0
        self.encoder.proj.weight.copy_(w[:, :, None, None])
        self.encoder.proj.bias.zero_()
        self.decoder.linear.weight.copy_(w.t()[:, :, None, None])
        self.decoder.linear.bias.zero_()

    @property
    def levels(self) -> int:
        return int(self.lambdas.numel())

    @property
    def factor(self) -> int:
        return self.wpt.factor

    def forward(self, x: torch.Tensor, level: torch.Tensor) -> dict:
        with torch.autocast(x.device.type, enabled=False):  # the cheap encoder stays float32
            y = self.encoder(x.float()) * self.gain(level)
        with torch.autocast(x.device.type, enabled=False):  # entropy model in float32
            y_hat, y_lik = self.entropy_bottleneck.mixed_quantize(y, self.training, level)
        x_hat = self.decoder(y_hat * self.inv_gain(level)).float()
        return {"x_hat": x_hat, "likelihoods": {"y": y_lik}, "y": y, "y_hat": y_hat}


def rd_loss(out: dict, x: torch.Tensor, lmbda: torch.Tensor) -> dict:
    """Per-image lambda * 255^2 * MSE + bpp, averaged over the batch (lambda has shape (B,))."""
    n, _, h, w = x.shape
    bits = sum(torch.log(l).reshape(n, -1).sum(1) for l in out["likelihoods"].values())
    bpp = bits / (-math.log(2) * h * w)
    mse = (out["x_hat"] - x).pow(2).reshape(n, -1).mean(1)
    loss = (lmbda * 255 ** 2 * mse + bpp).mean()
    return {"loss": loss, "bpp": bpp.detach(), "mse": mse.detach()}


def bottleneck_input(model: WaveletAE, x: torch.Tensor, level: torch.Tensor) -> torch.Tensor:
    """The entropy bottleneck's latents y (what forward() quantizes), without the decoder."""
    return model.encoder(x.float()) * model.gain(level)


def build(config: dict) -> WaveletAE:
    return WaveletAE(latent=config["latent"], width=config["width"], blocks=config["blocks"],
                     levels=config["levels"], wavelet=config["wavelet"], lambdas=config["lambdas"],
                     per_level_prior=config.get("perLevelPrior", False))
