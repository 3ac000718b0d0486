"""Generalized divisive normalization (GDN) and its inverse (IGDN).

Ballé, Laparra, Simoncelli, "Density modeling of images using a generalized normalization
transformation", ICLR 2016; the simplified form used by the hyperprior codecs is

    GDN:   y_i = x_i / sqrt(beta_i + sum_j gamma_ij * x_j^2)
    IGDN:  y_i = x_i * sqrt(beta_i + sum_j gamma_ij * x_j^2)

beta and gamma must stay positive.  As in CompressAI, they are stored reparametrised:
a stored value p maps to ``max(p, bound)^2 - pedestal`` (pedestal = 2^-36), and the lower
bound passes gradients through when they point back into the feasible region
("LowerBound" with its custom gradient).  When tracing for ONNX export the bound is a
plain clamp, so the exported graph holds only standard operators.
"""
from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F


class _LowerBoundFn(torch.autograd.Function):
    """max(x, bound) whose gradient passes where x >= bound or the gradient pushes x up."""

    @staticmethod
    def forward(ctx, x, bound):
        ctx.save_for_backward(x, bound)
        return torch.max(x, bound)

    @staticmethod
    def backward(ctx, grad):
        x, bound = ctx.saved_tensors
        pass_through = (x >= bound) | (grad < 0)
        return pass_through.type_as(grad) * grad, None


def lower_bound(x: torch.Tensor, bound: float) -> torch.Tensor:
    """Lower-bound ``x`` with CompressAI's gradient rule while training; a clamp otherwise."""
    if torch.jit.is_tracing() or not torch.is_grad_enabled():
        return torch.clamp(x, min=bound)
    return _LowerBoundFn.apply(x, torch.tensor(bound, dtype=x.dtype, device=x.device))


class NonNegative(nn.Module):
    """Reparametrisation p -> max(p, sqrt(minimum + pedestal))^2 - pedestal (values >= minimum)."""

    def __init__(self, minimum: float = 0.0, reparam_offset: float = 2 ** -18):
        super().__init__()
        self.pedestal = reparam_offset ** 2
        self.bound = (minimum + self.pedestal) ** 0.5

    def init(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sqrt(torch.clamp(x + self.pedestal, min=self.pedestal))

    def forward(self, p: torch.Tensor) -> torch.Tensor:
        return lower_bound(p, self.bound) ** 2 - self.pedestal


class GDN(nn.Module):
    """GDN (or IGDN with ``inverse=True``) over the channel dimension of an NCHW tensor."""

    def __init__(self, channels: int, inverse: bool = False, beta_min: float = 1e-6,
                 gamma_init: float = 0.1):
        super().__init__()
        self.inverse = inverse
        self.beta_reparam = NonNegative(minimum=beta_min)
        self.gamma_reparam = NonNegative()
        self.beta = nn.Parameter(self.beta_reparam.init(torch.ones(channels)))
        self.gamma = nn.Parameter(self.gamma_reparam.init(gamma_init * torch.eye(channels)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = self.beta.shape[0]
        beta = self.beta_reparam(self.beta)
        gamma = self.gamma_reparam(self.gamma).reshape(c, c, 1, 1)
        norm = F.conv2d(x * x, gamma, beta)
        return x * torch.sqrt(norm) if self.inverse else x * torch.rsqrt(norm)
