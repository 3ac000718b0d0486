"""Learned lossless image model: a causal per-pixel MLP that predicts a discretized logistic mixture
for R, then G given R, then B given R and G (PixelCNN++'s channel conditioning), from the already
decoded neighbours of the pixel.

Context (all channels, differences to the per-channel reference ``ref``):
  rows y-R..y-1 at columns x-R..x+R, and row y at columns x-R..x-1   (R = ``radius``)
``ref`` = W if x > 0, else N if y > 0, else 128.  Neighbours outside the image contribute 0.
The same rule runs in native/src/lossless_model.cc, so the trained network is the coded one.
"""
from __future__ import annotations

import math

import numpy as np

import torch
import torch.nn as nn
import torch.nn.functional as F


# Integer inference (native/src/lossless_mlp.cc): inputs are integer differences (float input = f / 32),
# hidden activations Q9 saturated at 4095 (float 4095/512), head outputs Q8.
ACT_MAX = 4095.0 / 512.0


def offsets(radius: int) -> list[tuple[int, int]]:
    """Causal (dy, dx) neighbour offsets, raster order."""
    out = [(dy, dx) for dy in range(-radius, 0) for dx in range(-radius, radius + 1)]
    out += [(0, dx) for dx in range(-radius, 0)]
    return out


class Context:
    """Gathers causal contexts of pixels from padded int16 images (pad value -1 marks 'outside')."""

    def __init__(self, radius: int):
        self.radius = radius
        self.offsets = offsets(radius)

    def pad(self, image: torch.Tensor) -> torch.Tensor:
        """HxWx3 uint8 -> (H+R)x(W+2R)x3 int16 with -1 outside."""
        r = self.radius
        h, w, c = image.shape
        out = torch.full((h + r, w + 2 * r, c), -1, dtype=torch.int16)
        out[r:, r:r + w] = image.to(torch.int16)
        return out

    def gather(self, padded: torch.Tensor, ys: torch.Tensor, xs: torch.Tensor):
        """Contexts of pixels (ys, xs) of one padded image: (features Bx(3*n) float, ref Bx3, x Bx3)."""
        r = self.radius
        py, px = ys + r, xs + r
        x = padded[py, px].float()
        w = padded[py, px - 1]
        n = padded[py - 1, px]
        ref = torch.where(w >= 0, w, torch.where(n >= 0, n, torch.full_like(n, 128))).float()
        feats = []
        for dy, dx in self.offsets:
            v = padded[py + dy, px + dx]
            feats.append(torch.where(v >= 0, v.float() - ref, torch.zeros_like(ref)))
        return torch.cat(feats, dim=1), ref, x


class FlatImages:
    """Many padded images in one flat int16 buffer, so a batch's contexts are one gather."""

    def __init__(self, ctx: Context, images):
        self.ctx = ctx
        padded = [ctx.pad(torch.from_numpy(np.ascontiguousarray(im))) for im in images]
        self.heights = torch.tensor([p.shape[0] - ctx.radius for p in padded])
        self.widths = torch.tensor([p.shape[1] - 2 * ctx.radius for p in padded])
        self.strides = torch.tensor([p.shape[1] for p in padded])
        sizes = torch.tensor([p.shape[0] * p.shape[1] for p in padded])
        self.bases = torch.cumsum(sizes, 0) - sizes
        self.flat = torch.cat([p.reshape(-1, 3) for p in padded])
        self.pixels = self.heights * self.widths

    def gather(self, idx: torch.Tensor, ys: torch.Tensor, xs: torch.Tensor):
        r = self.ctx.radius
        stride = self.strides[idx]
        centre = self.bases[idx] + (ys + r) * stride + xs + r
        offs = torch.tensor([dy for dy, _ in self.ctx.offsets])[None, :] * stride[:, None] + \
            torch.tensor([dx for _, dx in self.ctx.offsets])[None, :]
        neigh = self.flat[centre[:, None] + offs]  # B x n x 3
        x = self.flat[centre].float()
        w, n = self.flat[centre - 1], self.flat[centre - stride]
        ref = torch.where(w >= 0, w, torch.where(n >= 0, n, torch.full_like(n, 128))).float()
        feats = torch.where(neigh >= 0, neigh.float() - ref[:, None, :], torch.zeros(()))
        return feats.reshape(len(idx), -1), ref, x

    def sample(self, rng, batch: int):
        idx = torch.from_numpy(rng.choice(len(self.pixels), batch, p=(self.pixels / self.pixels.sum()).numpy()))
        ys = (torch.from_numpy(rng.random(batch)) * self.heights[idx]).long()
        xs = (torch.from_numpy(rng.random(batch)) * self.widths[idx]).long()
        return self.gather(idx, ys, xs)


class LosslessMLP(nn.Module):
    def __init__(self, radius: int = 2, hidden: int = 64, layers: int = 2, mixtures: int = 3):
        super().__init__()
        self.radius, self.hidden, self.mixtures = radius, hidden, mixtures
        n_in = 3 * len(offsets(radius))
        dims = [n_in] + [hidden] * layers
        self.body = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        k = mixtures
        # per channel: logits k, means k, log-scales k; coefficients: G<-R k, B<-R k, B<-G k
        self.head = nn.Linear(hidden, 9 * k + 3 * k)
        self.input_scale = 1.0 / 32.0

    def params(self, feats: torch.Tensor):
        h = feats * self.input_scale
        for layer in self.body:
            h = layer(h).clamp(0.0, ACT_MAX)  # ReLU saturating where the integer activations do
        out = self.head(h)
        k = self.mixtures
        logits, means, log_scales, coeffs = out[:, :3 * k], out[:, 3 * k:6 * k], out[:, 6 * k:9 * k], out[:, 9 * k:]
        return (logits.view(-1, 3, k), means.view(-1, 3, k) * 8.0, log_scales.view(-1, 3, k).clamp(-3.0, 6.0),
                coeffs.view(-1, 3, k).clamp(-1.0, 1.0))

    def nll_bits(self, feats, ref, x):
        """Per-pixel bits (B,) of the 3 channels under the mixture, x in 0..255."""
        logits, dmeans, log_scales, c = self.params(feats)
        xr = x - ref  # B x 3
        mr = ref[:, 0:1] + dmeans[:, 0]
        mg = ref[:, 1:2] + dmeans[:, 1] + c[:, 0] * xr[:, 0:1]
        mb = ref[:, 2:3] + dmeans[:, 2] + c[:, 1] * xr[:, 0:1] + c[:, 2] * xr[:, 1:2]
        means = torch.stack([mr, mg, mb], dim=1)  # B x 3 x k
        return discretized_logistic_bits(x, means, log_scales, logits).sum(dim=1)


def discretized_logistic_bits(x, means, log_scales, logits):
    """-log2 P(x) per channel (B x 3) for x in 0..255 (edge bins take the tails)."""
    xe = x.unsqueeze(-1)
    inv = torch.exp(-log_scales)
    plus = torch.sigmoid((xe + 0.5 - means) * inv)
    minus = torch.sigmoid((xe - 0.5 - means) * inv)
    plus = torch.where(xe >= 255, torch.ones_like(plus), plus)
    minus = torch.where(xe <= 0, torch.zeros_like(minus), minus)
    prob = (plus - minus).clamp_min(1e-12)
    logp = torch.logsumexp(torch.log(prob) + F.log_softmax(logits, dim=-1), dim=-1)
    return -logp / math.log(2.0)
