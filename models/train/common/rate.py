"""Variable-rate building blocks shared by the image recipes.

Gain units (Cui et al., "Asymmetric gained deep image compression with continuous rate adaptation",
CVPR 2021): one positive channel-gain vector per rate level, stored as logs so it stays positive.
``ste_round``: rounding with a straight-through gradient (mixed quantization, Minnen & Singh 2020).
"""
from __future__ import annotations

import torch
from torch import nn


class GainUnits(nn.Module):
    """Per-level channel gains, stored as logs so they stay positive."""

    def __init__(self, levels: int, channels: int, init: torch.Tensor | None = None):
        super().__init__()
        init = torch.zeros(levels, channels) if init is None else init
        self.log_gain = nn.Parameter(init.clone())

    def forward(self, level: torch.Tensor) -> torch.Tensor:
        """Gain vectors for a batch of level indices, shaped (B, C, 1, 1)."""
        return torch.exp(self.log_gain[level])[:, :, None, None]

    def vectors(self) -> torch.Tensor:
        return torch.exp(self.log_gain.detach())


def ste_round(x: torch.Tensor) -> torch.Tensor:
    """round(x) in the forward pass, identity gradient in the backward pass."""
    return x + (torch.round(x) - x).detach()
