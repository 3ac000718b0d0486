"""RVQ neural audio codec (SoundStream / EnCodec / DAC line), 24 kHz mono, 75 Hz frames.

- Encoder (SEANet): Conv1d(1, C, 7) -> 4 blocks [residual units (dilated k=3 conv -> k=1 conv,
  skip), ELU/Snake, strided Conv1d(k=2s) with channels x2] for strides 2, 4, 5, 8 (hop 320)
  -> Conv1d(16C, D, 3).  Non-causal, zero "same" padding; T must be a multiple of 320.
- Residual vector quantizer: n_q (16) codebooks of K=1024 factorized codes (DAC, Kumar et al.
  2023): per codebook an in-projection D -> d (8), nearest neighbour by cosine similarity
  (both sides L2-normalised), the raw code vector of the winner goes through an out-projection
  d -> D and is subtracted from the residual.  Straight-through estimator; commitment loss
  ||z_e - sg(q)||^2 and codebook loss ||sg(z_e) - q||^2 in the d-dim space.  Dead codes
  (unused for a while) are restarted from current projected residuals.
- Quantizer dropout: during training each example uses n_q drawn from ``bitrate_nq`` (2, 4, 8,
  16 codebooks = 1.5, 3, 6, 12 kbps at 75 Hz x 10 bits) with probability ``qdrop``, else all.
- Decoder: Conv1d(D, 16C, 7) -> 4 blocks [ELU/Snake, Conv1d(c, c/2 * s, 3) + reshape
  (1-D pixel shuffle, no ConvTranspose1d), residual units] for strides 8, 5, 4, 2 -> ELU ->
  Conv1d(C, 1, 7) -> tanh.

Losses: the VQ losses here; the audio losses every audio recipe shares (multi-scale log-mel L1,
multi-resolution STFT, SI-SNR, the EnCodec MS-STFT discriminator with hinge and feature-matching
losses) live in ``common/audio_losses.py``.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SAMPLE_RATE = 24000
DEFAULT_CONFIG = {
    "sample_rate": SAMPLE_RATE, "channels": 24, "strides": [2, 4, 5, 8], "latent_dim": 128,
    "n_codebooks": 16, "codebook_size": 1024, "codebook_dim": 8, "res_dilations": [1, 3],
    "activation": "elu", "bitrate_nq": [2, 4, 8, 16],
}
PRESETS = {  # overrides of DEFAULT_CONFIG
    "cpu": {"channels": 16, "res_dilations": [1]},  # 2-core CPU sessions
    "base": {},  # C=24, dilations 1, 3
    "gpu": {"channels": 32, "res_dilations": [1, 3, 9], "activation": "snake"},  # SEANet/DAC-like
}


def hop_of(config) -> int:
    return int(np.prod(config["strides"]))


# --------------------------------------------------------------------------- building blocks
class Snake(nn.Module):
    """x + sin^2(alpha x) / alpha, per channel (BigVGAN / DAC)."""

    def __init__(self, ch):
        super().__init__()
        self.alpha = nn.Parameter(torch.ones(1, ch, 1))

    def forward(self, x):
        return x + torch.sin(self.alpha * x) ** 2 / (self.alpha + 1e-9)


def act(kind: str, ch: int) -> nn.Module:
    return Snake(ch) if kind == "snake" else nn.ELU()


def conv(cin, cout, k, stride=1, dilation=1):
    """Conv1d with 'same' zero padding for stride 1; ceil((k - s)/2) each side when strided
    (k = 2s gives exactly T/s frames for T a multiple of s)."""
    pad = (k - stride + 1) // 2 if stride > 1 else dilation * (k - 1) // 2
    return nn.Conv1d(cin, cout, k, stride=stride, dilation=dilation, padding=pad)


class ResUnit(nn.Module):
    def __init__(self, ch, dilation, kind):
        super().__init__()
        self.block = nn.Sequential(act(kind, ch), conv(ch, ch // 2, 3, dilation=dilation),
                                   act(kind, ch // 2), conv(ch // 2, ch, 1))

    def forward(self, x):
        return x + self.block(x)


class EncBlock(nn.Module):
    def __init__(self, cin, stride, dilations, kind):
        super().__init__()
        self.res = nn.Sequential(*[ResUnit(cin, d, kind) for d in dilations])
        self.down = nn.Sequential(act(kind, cin), conv(cin, 2 * cin, 2 * stride, stride=stride))

    def forward(self, x):
        return self.down(self.res(x))


class Upsample(nn.Module):
    """Conv1d(cin, cout * s, 3) then interleave: [B, cout*s, T] -> [B, cout, T*s]."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.cout, self.s = cout, stride
        self.conv = conv(cin, cout * stride, 3)

    def forward(self, x):
        y = self.conv(x)
        b = y.shape[0]
        y = y.reshape(b, self.cout, self.s, -1).transpose(2, 3)
        return y.reshape(b, self.cout, -1)


class DecBlock(nn.Module):
    def __init__(self, cin, stride, dilations, kind):
        super().__init__()
        cout = cin // 2
        self.up = nn.Sequential(act(kind, cin), Upsample(cin, cout, stride))
        self.res = nn.Sequential(*[ResUnit(cout, d, kind) for d in dilations])

    def forward(self, x):
        return self.res(self.up(x))


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        ch, layers = c["channels"], [conv(1, c["channels"], 7)]
        for s in c["strides"]:
            layers.append(EncBlock(ch, s, c["res_dilations"], c["activation"]))
            ch *= 2
        layers += [act(c["activation"], ch), conv(ch, c["latent_dim"], 3)]
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class Decoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        ch = c["channels"] * 2 ** len(c["strides"])
        layers = [conv(c["latent_dim"], ch, 7)]
        for s in reversed(c["strides"]):
            layers.append(DecBlock(ch, s, c["res_dilations"], c["activation"]))
            ch //= 2
        layers += [act(c["activation"], ch), conv(ch, 1, 7), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z):
        return self.net(z)


# --------------------------------------------------------------------------- quantizer
class FactorizedVQ(nn.Module):
    """One DAC-style codebook: in-projection D->d, cosine nearest neighbour, out-projection d->D."""

    def __init__(self, dim, size, cdim):
        super().__init__()
        self.in_proj = nn.Conv1d(dim, cdim, 1)
        self.out_proj = nn.Conv1d(cdim, dim, 1)
        self.codebook = nn.Parameter(torch.randn(size, cdim))
        self.register_buffer("usage", torch.zeros(size))  # frames assigned since last restart

    def project(self, r):  # [B, D, F] -> [B, d, F]
        return self.in_proj(r)

    def nearest(self, e):  # e: [B, d, F] -> indices [B, F]
        en = F.normalize(e.transpose(1, 2), dim=-1)  # [B, F, d]
        cn = F.normalize(self.codebook, dim=-1)  # [K, d]
        return torch.matmul(en, cn.t()).argmax(-1)

    def lookup(self, idx):  # [B, F] -> raw code vectors [B, d, F]
        return F.embedding(idx, self.codebook).transpose(1, 2)

    def forward(self, r):
        e = self.project(r)
        idx = self.nearest(e.detach())
        q = self.lookup(idx)
        commit = F.mse_loss(e, q.detach(), reduction="none").mean(dim=(1, 2))
        cbook = F.mse_loss(q, e.detach(), reduction="none").mean(dim=(1, 2))
        q = e + (q - e).detach()  # straight-through
        if self.training:
            with torch.no_grad():
                self.usage += torch.bincount(idx.reshape(-1), minlength=self.usage.numel()).float()
        return self.out_proj(q), idx, e, commit, cbook

    @torch.no_grad()
    def restart_dead(self, e, min_usage: float = 1.0) -> int:
        """Replace codes used fewer than min_usage times since the last call by random
        projected residual vectors e [B, d, F] of the current batch."""
        dead = self.usage < min_usage
        n = int(dead.sum())
        if n:
            pool = e.transpose(1, 2).reshape(-1, e.shape[1])
            pick = torch.randint(pool.shape[0], (n,), device=pool.device)
            self.codebook.data[dead] = pool[pick] + 1e-3 * torch.randn_like(pool[pick])
        self.usage.zero_()
        return n


class ResidualVQ(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.n_q = c["n_codebooks"]
        self.layers = nn.ModuleList([FactorizedVQ(c["latent_dim"], c["codebook_size"], c["codebook_dim"])
                                     for _ in range(self.n_q)])
        self._last_e = [None] * self.n_q

    def forward(self, z, n_q):
        """z [B, D, F]; n_q: int or LongTensor [B] (per-example number of codebooks).
        Returns z_q (sum of the first n_q[b] codebooks' outputs), codes [B, n_q_max, F] and
        per-example commitment/codebook losses averaged over the codebooks in use."""
        b = z.shape[0]
        nq = torch.full((b,), int(n_q), device=z.device) if not torch.is_tensor(n_q) else n_q.to(z.device)
        n_max = int(nq.max())
        residual, z_q = z, torch.zeros_like(z)
        commit = torch.zeros(b, device=z.device)
        cbook = torch.zeros(b, device=z.device)
        codes = []
        for i in range(n_max):
            out, idx, e, cl, bl = self.layers[i](residual)
            mask = (i < nq).to(z.dtype)
            z_q = z_q + out * mask.view(-1, 1, 1)
            residual = residual - out.detach() * mask.view(-1, 1, 1)
            commit, cbook = commit + cl * mask, cbook + bl * mask
            codes.append(idx)
            self._last_e[i] = e.detach()
        denom = nq.to(z.dtype)
        return z_q, torch.stack(codes, 1), commit / denom, cbook / denom

    @torch.no_grad()
    def restart_dead(self, min_usage: float = 1.0) -> list[int]:
        return [l.restart_dead(e, min_usage) if e is not None else 0
                for l, e in zip(self.layers, self._last_e)]

    @torch.no_grad()
    def encode(self, z, n_q):
        residual, codes = z, []
        for layer in self.layers[:n_q]:
            idx = layer.nearest(layer.project(residual))
            out = layer.out_proj(layer.lookup(idx))
            residual = residual - out
            codes.append(idx)
        return torch.stack(codes, 1)

    @torch.no_grad()
    def decode(self, codes):  # [B, n_q, F] -> z_q [B, D, F]
        z_q = 0
        for i in range(codes.shape[1]):
            layer = self.layers[i]
            z_q = z_q + layer.out_proj(layer.lookup(codes[:, i]))
        return z_q


class RVQCodec(nn.Module):
    def __init__(self, config=None):
        super().__init__()
        self.config = dict(DEFAULT_CONFIG, **(config or {}))
        self.hop = hop_of(self.config)
        self.encoder = Encoder(self.config)
        self.quantizer = ResidualVQ(self.config)
        self.decoder = Decoder(self.config)

    def frame_rate(self) -> float:
        return self.config["sample_rate"] / self.hop

    def kbps(self, n_q: int) -> float:
        return self.frame_rate() * n_q * math.log2(self.config["codebook_size"]) / 1000

    def forward(self, x, n_q):
        """x [B, 1, T] with T a multiple of hop."""
        z = self.encoder(x)
        with torch.autocast(z.device.type, enabled=False):  # nearest neighbours and VQ losses in fp32
            z_q, codes, commit, cbook = self.quantizer(z.float(), n_q)
        return {"x_hat": self.decoder(z_q), "z": z, "codes": codes, "commit": commit, "codebook": cbook}


def build(config=None) -> RVQCodec:
    return RVQCodec(config)


def pad_to_hop(x, hop):
    """Zero-pad the last axis to a multiple of hop (the codec must do the same)."""
    p = (-x.shape[-1]) % hop
    return F.pad(x, (0, p)) if p else x
