"""SIREN fitting written out as plain tensor ops, so that one fitting step exports to ONNX.

onnxruntime-node has no training API, so the INR codec cannot ask the runtime for gradients. This
module writes the whole step by hand: the forward pass of a batch of SIREN networks (Sitzmann et
al., "Implicit Neural Representations with Periodic Activation Functions", NeurIPS 2020), the
backward pass by the chain rule, and an Adam update (Kingma & Ba 2015, with bias correction).
The TypeScript codec runs the loop, feeding each step's outputs back as the next step's inputs.

Batched networks: every parameter carries a leading dimension B, so B independent networks (one per
image block or audio block) fit in one call; a weight is [B, in, out], a bias [B, 1, out]. All
dimensions (B, samples N, input features F, width W, output channels C) are dynamic in the exported
graph; only the number of layers is fixed by the graph.

Network with L = depth sine layers and one linear output layer:
    h_0 = x                               (x: [B, N, F], positional features of the coordinates)
    z_i = h_i @ W_i + b_i,  h_{i+1} = sin(omega_i * z_i)    for i < L  (omega_0 first, omega_h after)
    out = h_L @ W_L + b_L                 ([B, N, C])
Loss per network: mse_b = mean over (N, C) of (out - y)^2; the gradient is that of sum_b mse_b, so
each network gets the gradient of its own mean error.

Backward:
    d out = 2 (out - y) / (N C)
    dW_i = h_i^T @ d z_i,  db_i = sum_N d z_i,  d h_i = d z_i @ W_i^T
    d z_i = d h_{i+1} * omega_i * cos(omega_i z_i)
Adam (step t starts at 1):
    m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2
    p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
"""
from __future__ import annotations

import math

import torch

BETA1 = 0.9
BETA2 = 0.999
EPS = 1e-8


def param_names(depth: int) -> list[str]:
    """Parameter names in graph order: w0, b0, w1, b1, ..., w{depth}, b{depth}."""
    return [f"{k}{i}" for i in range(depth + 1) for k in ("w", "b")]


def forward(params: list[torch.Tensor], x: torch.Tensor, omega: torch.Tensor):
    """Forward pass; returns the output and the per-layer (input, pre-activation) cache."""
    depth = len(params) // 2 - 1
    h = x
    cache = []
    for i in range(depth):
        w, b = params[2 * i], params[2 * i + 1]
        z = torch.matmul(h, w) + b
        om = omega[0] if i == 0 else omega[1]
        cache.append((h, z, om))
        h = torch.sin(om * z)
    out = torch.matmul(h, params[-2]) + params[-1]
    return out, cache, h


def backward(params, cache, h_last, out, y):
    """Gradients of sum_b mean_{N,C}(out - y)^2 with respect to every parameter, and the per-network mse."""
    diff = out - y
    count = torch.ones_like(y).sum(dim=(1, 2), keepdim=True)  # N * C, kept dynamic in the graph
    mse = (diff * diff).sum(dim=(1, 2)) / count.reshape(-1)
    d = 2.0 * diff / count
    grads = [None] * len(params)
    grads[-2] = torch.matmul(h_last.transpose(1, 2), d)
    grads[-1] = d.sum(dim=1, keepdim=True)
    dh = torch.matmul(d, params[-2].transpose(1, 2))
    for i in reversed(range(len(cache))):
        h, z, om = cache[i]
        dz = dh * (om * torch.cos(om * z))
        grads[2 * i] = torch.matmul(h.transpose(1, 2), dz)
        grads[2 * i + 1] = dz.sum(dim=1, keepdim=True)
        if i > 0:
            dh = torch.matmul(dz, params[2 * i].transpose(1, 2))
    return grads, mse


def adam(params, grads, ms, vs, lr, t):
    """One Adam step with bias correction; `t` is the 1-based step count (a float tensor)."""
    c1 = 1.0 - torch.pow(torch.tensor(BETA1), t)
    c2 = 1.0 - torch.pow(torch.tensor(BETA2), t)
    new_p, new_m, new_v = [], [], []
    for p, g, m, v in zip(params, grads, ms, vs):
        m2 = BETA1 * m + (1.0 - BETA1) * g
        v2 = BETA2 * v + (1.0 - BETA2) * g * g
        step = lr * (m2 / c1) / (torch.sqrt(v2 / c2) + EPS)
        new_p.append(p - step)
        new_m.append(m2)
        new_v.append(v2)
    return new_p, new_m, new_v


class FitStep(torch.nn.Module):
    """One Adam step of B SIREN networks on a minibatch; the module the `fitStep` graph exports.

    Inputs: the 2(L+1) parameters, their Adam first moments, their second moments, x [B, N, F],
    y [B, N, C], lr (scalar), t (scalar, 1-based), omega [2] (first-layer and hidden-layer ω₀).
    Outputs: the updated parameters, first and second moments, and mse [B].
    """

    def __init__(self, depth: int):
        super().__init__()
        self.depth = depth

    def forward(self, *inputs):
        k = 2 * (self.depth + 1)
        params, ms, vs = list(inputs[:k]), list(inputs[k:2 * k]), list(inputs[2 * k:3 * k])
        x, y, lr, t, omega = inputs[3 * k:]
        out, cache, h_last = forward(params, x, omega)
        grads, mse = backward(params, cache, h_last, out, y)
        new_p, new_m, new_v = adam(params, grads, ms, vs, lr, t)
        return (*new_p, *new_m, *new_v, mse)


class Evaluate(torch.nn.Module):
    """The `evaluate` graph: parameters, x [B, N, F], omega [2] → out [B, N, C]."""

    def __init__(self, depth: int):
        super().__init__()
        self.depth = depth

    def forward(self, *inputs):
        k = 2 * (self.depth + 1)
        params, x, omega = list(inputs[:k]), inputs[k], inputs[k + 1]
        return forward(params, x, omega)[0]


class Grads(torch.nn.Module):
    """Gradients and mse only (no Adam): used by the parity check against autograd."""

    def __init__(self, depth: int):
        super().__init__()
        self.depth = depth

    def forward(self, *inputs):
        k = 2 * (self.depth + 1)
        params, x, y, omega = list(inputs[:k]), inputs[k], inputs[k + 1], inputs[k + 2]
        out, cache, h_last = forward(params, x, omega)
        grads, mse = backward(params, cache, h_last, out, y)
        return (*grads, mse)


def siren_init(batch: int, features: int, width: int, depth: int, channels: int, omega: tuple[float, float],
               generator: torch.Generator | None = None) -> list[torch.Tensor]:
    """SIREN initialisation: first layer U(-1/F, 1/F), later layers U(-sqrt(6/n)/ω_h, sqrt(6/n)/ω_h)."""
    dims = [features] + [width] * depth + [channels]
    params = []
    for i in range(depth + 1):
        n_in, n_out = dims[i], dims[i + 1]
        bound = 1.0 / n_in if i == 0 else math.sqrt(6.0 / n_in) / omega[1]
        w = (torch.rand(batch, n_in, n_out, generator=generator) * 2 - 1) * bound
        b = (torch.rand(batch, 1, n_out, generator=generator) * 2 - 1) * (1.0 / math.sqrt(n_in))
        params += [w, b]
    return params
