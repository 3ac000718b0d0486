"""Audio member of the wavelet-autoencoder family (WaLLoC, Jacobellis & Yadwadkar 2024): mono
24 kHz, a fixed 1-D wavelet packet around a shallow asymmetric autoencoder.  Issue 6.

    encoder: x (1, T) -> L-level CDF 9/7 packet (2^L sub-bands at 24000 / 2^L Hz)
             -> 1x1 conv 2^L -> C -> * gain_l                                              -> y
    bottleneck: factorized EntropyBottleneck on y (per channel, medians subtracted)
    decoder: y_hat * inv_gain_l -> 1x1 conv C -> F, R residual blocks [conv k=5 dilated,
             LeakyReLU, conv k=5] + skip, LeakyReLU, 1x1 conv F -> 2^L, plus a linear 1x1 path
             C -> 2^L -> inverse packet transform                                        -> x_hat

With L = 5 the latent frame rate is 750 Hz, so C = 16 latents give 12,000 symbols per second; the
rate (kbps) follows from how many of them the entropy bottleneck lets through.  Stereo or other
channel counts are coded one channel at a time by the codec.  The encoder is linear (one 1x1 conv:
32 x C MACs per 32 samples); all learned work runs at 1/32 of the sample rate.

Loss: kbps + lambda_l * (multi-scale log-mel L1 + multi-resolution STFT), with the rate measured in
kilobits per second of audio (training crops are 1 s), so the lambdas are comparable across
crop lengths.  Quantization while training as in the image model: additive uniform noise for the
likelihoods, straight-through rounding for the decoder.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from common.entropy import EntropyBottleneck
from common.rate import GainUnits
from common.wavelet import WaveletPacket1d

SAMPLE_RATE = 24000
DEFAULT_AUDIO_LAMBDAS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)


class ResBlock1d(nn.Module):
    def __init__(self, ch: int, dilation: int):
        super().__init__()
        self.body = nn.Sequential(nn.Conv1d(ch, ch, 5, padding=2 * dilation, dilation=dilation),
                                  nn.LeakyReLU(0.1, inplace=True), nn.Conv1d(ch, ch, 5, padding=2))

    def forward(self, x):
        return x + self.body(x)


class AudioEncoder(nn.Module):
    """x [B, 1, T] in [-1, 1] -> unscaled latents [B, C, T / 2^L]."""

    def __init__(self, wpt: WaveletPacket1d, latent: int):
        super().__init__()
        self.wpt = wpt
        self.proj = nn.Conv1d(wpt.factor, latent, 1)

    def forward(self, x):
        return self.proj(self.wpt(x))


class AudioDecoder(nn.Module):
    """Latents (after the inverse gain) -> x_hat [B, 1, T] (not clamped)."""

    def __init__(self, wpt: WaveletPacket1d, latent: int, width: int, blocks: int):
        super().__init__()
        self.wpt = wpt
        sub = wpt.factor
        self.linear = nn.Conv1d(latent, sub, 1)
        self.inp = nn.Conv1d(latent, width, 1)
        self.blocks = nn.Sequential(*[ResBlock1d(width, 3 ** (i % 3)) for i in range(blocks)])
        self.out = nn.Sequential(nn.LeakyReLU(0.1, inplace=True), nn.Conv1d(width, sub, 1))
        nn.init.zeros_(self.out[1].weight)
        nn.init.zeros_(self.out[1].bias)

    def forward(self, y):
        sub = self.linear(y).float() + self.out(self.blocks(self.inp(y))).float()
        return self.wpt.inverse(sub)


class WaveletAudioAE(nn.Module):
    def __init__(self, latent: int = 16, width: int = 192, blocks: int = 4, levels: int = 5,
                 wavelet: str = "cdf97", lambdas=DEFAULT_AUDIO_LAMBDAS, gain_base: float = 8.0):
        super().__init__()
        self.latent, self.width, self.blocks_n = latent, width, blocks
        self.wpt = WaveletPacket1d(levels, wavelet)
        self.register_buffer("lambdas", torch.tensor(lambdas, dtype=torch.float32))
        self.encoder = AudioEncoder(self.wpt, latent)
        self.decoder = AudioDecoder(self.wpt, latent, width, blocks)
        # Latents of speech at -32..-14 dBFS have a spread of ~0.1: a base gain of 8 puts the middle
        # level near 0.5 bit per latent (6 kbps at C = 16); step ~ lambda^-1/2 across levels.  (A
        # first run with base 64 started at 64 kbps on every level and the gains moved too slowly.)
        lg = 0.5 * (torch.log(self.lambdas) - torch.log(self.lambdas).mean()) + math.log(gain_base)
        L = len(lambdas)
        self.gain = GainUnits(L, latent, lg[:, None].repeat(1, latent))
        self.inv_gain = GainUnits(L, latent, -lg[:, None].repeat(1, latent))
        self.entropy_bottleneck = EntropyBottleneck(latent)
        self._init_lowpass()

    @torch.no_grad()
    def _init_lowpass(self):
        """Start as "keep the lowest sub-bands" (packet channel k of a full tree is, after the
        frequency-order permutation, the band that is low in the first split most often)."""
        levels, sub = self.wpt.levels, self.wpt.factor

        def key(ch):  # channel = s_L * 2^(L-1) + ... + s_1 (s_i = 0 low, 1 high at level i)
            return tuple((ch >> (levels - 1 - i)) & 1 for i in range(levels))
        order = sorted(range(sub), key=lambda ch: key(ch)[::-1])[: self.latent]
        w = torch.zeros(self.latent, sub)
        w[torch.arange(len(order)), torch.tensor(order)] = 1.0
        self.encoder.proj.weight.copy_(w[:, :, None])
        self.encoder.proj.bias.zero_()
        self.decoder.linear.weight.copy_(w.t()[:, :, None])
        self.decoder.linear.bias.zero_()

    @property
    def levels(self) -> int:
        return int(self.lambdas.numel())

    @property
    def factor(self) -> int:
        return self.wpt.factor

    def forward(self, x: torch.Tensor, level: torch.Tensor) -> dict:
        """x [B, 1, T] (T a multiple of ``factor``), level [B] rate-level indices."""
        with torch.autocast(x.device.type, enabled=False):
            y = self.encoder(x.float()) * self.gain(level)[..., 0]
            y_hat, y_lik = self.entropy_bottleneck.mixed_quantize(y, self.training)
        x_hat = self.decoder(y_hat * self.inv_gain(level)[..., 0]).float()
        return {"x_hat": x_hat, "likelihoods": {"y": y_lik}, "y": y, "y_hat": y_hat}


def kbps_of(likelihoods: torch.Tensor, samples: int, sample_rate: int = SAMPLE_RATE) -> torch.Tensor:
    """Estimated kilobits per second of audio, per example."""
    n = likelihoods.shape[0]
    bits = torch.log(likelihoods).reshape(n, -1).sum(1) / -math.log(2)
    return bits / (samples / sample_rate) / 1000


def build_audio(config: dict) -> WaveletAudioAE:
    return WaveletAudioAE(latent=config["latent"], width=config["width"], blocks=config["blocks"],
                          levels=config["levels"], wavelet=config["wavelet"], lambdas=config["lambdas"],
                          gain_base=config.get("gain_base", 64.0))
