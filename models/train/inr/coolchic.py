"""Cool-chic fitting written out as plain tensor ops, so that one fitting step exports to ONNX.

The image model of the `inr` codec (Ladune et al., "COOL-CHIC: Coordinate-based Low Complexity
Hierarchical Image Codec", ICCV 2023; Leguay et al., "Low-complexity overfitted neural image codec",
2023; Kim et al., "C3: High-performance and low-complexity neural compression from a single image or
video", CVPR 2024). Nothing is trained offline: encoding fits, for one image, seven latent grids, an
autoregressive entropy model (ARM), a learned upsampling and a small synthesis network, minimising
D + lambda R. onnxruntime-node has no training API, so, as for SIREN (siren.py), the backward pass is
written out by the chain rule and one exported graph runs forward, backward and Adam.

Model (H x W image, levels l = 0..6 of size h_l = ceil(H / 2^l), w_l = ceil(W / 2^l)):
    latents     y_l [1, 1, h_l, w_l]; quantized q_l = y_l + u_l, where the caller feeds u_l: uniform
                noise in [-0.5, 0.5) while fitting, round(y_l) - y_l at the end (straight-through:
                dq/dy = 1 either way)
    ARM         for each latent, the K = 16 causal neighbours (CONTEXT, zeros outside the grid) go
                through a residual MLP 16 -> 16 -> 16 -> 2 (ReLU) that gives mu and the log-scale s of a
                Laplace distribution; rate = -log2 of its mass on [q - 0.5, q + 0.5]. The native coder
                runs the same MLP in integer arithmetic (native/src/coolchic_arm.h; arm_int.py)
    upsampling  hierarchical: x_6 = q_6; x_l = [q_l, up_l(x_{l+1})], up_l = nearest x2, a 3x3 depthwise
                convolution with one learned kernel per stage (initialised bilinear), cropped to h_l x w_l
    synthesis   x_0 (7 channels) -> 1x1 16 -> ReLU -> 1x1 16 -> ReLU -> 1x1 3 = o;
                o1 = o + conv3x3(o); o2 = o1 + conv3x3(relu(o1)); image = o2 + 0.5
    loss        mean((image - target)^2) + lambda * bits / (H W)

Decoder cost per pixel (multiply-accumulates): ARM 16*16*2 + 16*2 = 544 per latent x 4/3 latents per
pixel = 725; upsampling about 68; synthesis 7*16 + 16*16 + 16*3 + 2*81 = 578: about 1,370 in all.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

LEVELS = 7
CONTEXT = [(-1, 0), (0, -1), (-1, -1), (-1, 1), (-2, 0), (0, -2), (-2, -1), (-2, 1), (-1, -2), (-1, 2),
           (-2, -2), (-2, 2), (-3, 0), (0, -3), (-1, -3), (-1, 3)]
K = len(CONTEXT)
ARM_HIDDEN = K
SYN_HIDDEN = 16
LOG_SCALE_MIN = -4.0   # the native coder's table range (Q8: -1024 .. 896)
LOG_SCALE_MAX = 3.5
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8

LATENTS = [f"y{l}" for l in range(LEVELS)]
UPSAMPLING = [f"k{l}" for l in range(LEVELS - 1)]
ARM = ["aw0", "ab0", "aw1", "ab1", "aw2", "ab2"]
SYNTHESIS = ["sw0", "sb0", "sw1", "sb1", "sw2", "sb2", "cw0", "cb0", "cw1", "cb1"]
NETWORK = UPSAMPLING + ARM + SYNTHESIS
PARAMS = LATENTS + NETWORK


def level_sizes(height: int, width: int) -> list[tuple[int, int]]:
    return [(-(-height // 2 ** l), -(-width // 2 ** l)) for l in range(LEVELS)]


def network_shapes() -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {k: (1, 1, 3, 3) for k in UPSAMPLING}
    shapes.update(aw0=(K, ARM_HIDDEN), ab0=(ARM_HIDDEN,), aw1=(ARM_HIDDEN, ARM_HIDDEN), ab1=(ARM_HIDDEN,),
                  aw2=(ARM_HIDDEN, 2), ab2=(2,))
    shapes.update(sw0=(LEVELS, SYN_HIDDEN), sb0=(SYN_HIDDEN,), sw1=(SYN_HIDDEN, SYN_HIDDEN), sb1=(SYN_HIDDEN,),
                  sw2=(SYN_HIDDEN, 3), sb2=(3,), cw0=(3, 3, 3, 3), cb0=(3,), cw1=(3, 3, 3, 3), cb1=(3,))
    return shapes


def macs_per_pixel() -> float:
    arm = K * ARM_HIDDEN + ARM_HIDDEN * ARM_HIDDEN + ARM_HIDDEN * 2
    latents_per_pixel = sum(4.0 ** -l for l in range(LEVELS))
    up = 9 * sum((LEVELS - 1 - l) * 4.0 ** -l for l in range(LEVELS - 1))
    syn = LEVELS * SYN_HIDDEN + SYN_HIDDEN * SYN_HIDDEN + SYN_HIDDEN * 3 + 2 * 81
    return arm * latents_per_pixel + up + syn


# ---------------------------------------------------------------------------------------------- blocks

def conv3x3(x, w, b=None):
    return F.conv2d(x, w, b, padding=1)


_FLIP = [2, 1, 0]


def conv3x3_input_grad(g, w):
    """Adjoint of conv3x3 in its input: the correlation with the flipped, transposed kernel."""
    idx = torch.tensor(_FLIP)
    wf = w.index_select(2, idx).index_select(3, idx).transpose(0, 1)
    return F.conv2d(g, wf, padding=1)


def conv3x3_weight_grad(x, g):
    """d loss / d w of conv3x3(x, w) given g = d loss / d out: [Co, Ci, 3, 3], summed over the batch."""
    h, w = x.shape[2], x.shape[3]
    xp = F.pad(x, (1, 1, 1, 1))
    gt = g.transpose(0, 1).reshape(g.shape[1], -1)                  # [Co, N*H*W]
    taps = []
    for ky in range(3):
        for kx in range(3):
            xs = xp[:, :, ky:ky + h, kx:kx + w].transpose(0, 1).reshape(x.shape[1], -1)  # [Ci, N*H*W]
            taps.append(torch.matmul(gt, xs.transpose(0, 1)))       # [Co, Ci]
    return torch.stack(taps, dim=2).reshape(g.shape[1], x.shape[1], 3, 3)


def nearest2(x):
    return F.interpolate(x, scale_factor=2.0, mode="nearest")


def up_forward(x, k, like):
    """x [1, C, h, w] -> [1, C, H', W'] (H', W' = like's), one depthwise 3x3 kernel for all channels."""
    n = nearest2(x)
    c = n.shape[1]
    out = conv3x3(n.reshape(c, 1, n.shape[2], n.shape[3]), k)
    out = out.reshape(1, c, n.shape[2], n.shape[3])
    return out[:, :, :like.shape[2], :like.shape[3]], n


def up_backward(g, n, k):
    """Adjoint of up_forward: g [1, C, H', W'] -> (d x [1, C, h, w], d k)."""
    c = n.shape[1]
    zeros = torch.zeros_like(n)
    # undo the crop: zero rows/columns below and right of g, up to n's size
    g = torch.cat([g, zeros[:, :, g.shape[2]:, :g.shape[3]]], dim=2)
    g = torch.cat([g, zeros[:, :, :, g.shape[3]:]], dim=3)
    g4 = g.reshape(c, 1, n.shape[2], n.shape[3])
    dk = conv3x3_weight_grad(n.reshape(c, 1, n.shape[2], n.shape[3]), g4)
    gn = conv3x3_input_grad(g4, k).reshape(1, c, n.shape[2], n.shape[3])
    dx = F.avg_pool2d(gn, 2) * 4.0
    return dx, dk


def contexts(q):
    """q [1, 1, h, w] -> [K, h*w]: the causal neighbours of every position (raster order), channel-major."""
    h, w = q.shape[2], q.shape[3]
    qp = F.pad(q, (3, 3, 3, 0))
    rows = [qp[0, :, 3 + dy:3 + dy + h, 3 + dx:3 + dx + w].reshape(1, -1) for dy, dx in CONTEXT]
    return torch.cat(rows, dim=0)


def contexts_backward(g, q):
    """Adjoint of contexts: g [K, h*w] -> d q [1, 1, h, w]."""
    h, w = q.shape[2], q.shape[3]
    total = None
    for i, (dy, dx) in enumerate(CONTEXT):
        gi = g[i:i + 1].reshape(1, 1, h, w)
        # the neighbour at (y + dy, x + dx) of position (y, x): shift back by (dy, dx) in a padded frame
        part = F.pad(gi, (3 + dx, 3 - dx, 3 + dy, -dy))
        total = part if total is None else total + part
    return total[:, :, 3:3 + h, 3:3 + w]


class _InwardClamp(torch.autograd.Function):
    """clamp(s) for the autograd reference, with laplace_bits_backward's gradient rule at the bounds."""

    @staticmethod
    def forward(ctx, s):
        ctx.save_for_backward(s)
        return torch.clamp(s, LOG_SCALE_MIN, LOG_SCALE_MAX)

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved_tensors
        inward = ((s > LOG_SCALE_MIN) & (s < LOG_SCALE_MAX)) | ((s <= LOG_SCALE_MIN) & (g < 0)) | ((s >= LOG_SCALE_MAX) & (g > 0))
        return g * inward.to(g.dtype)


def laplace_bits(q, mu, s):
    """-log2 P(q) of Laplace(mu, b = exp(clamp(s))) on [q - 0.5, q + 0.5], and what the backward pass needs.

    With a = |q - mu|: in the tails (a >= 0.5) P = 0.5 exp(-(a - 0.5) / b) (1 - exp(-1 / b)), taken in
    the log domain so that it never underflows and far outliers keep a gradient (-log P grows linearly
    in a / b); near the mean P = 1 - 0.5 exp(-(0.5 - a) / b) - 0.5 exp(-(a + 0.5) / b).
    """
    sc = _InwardClamp.apply(s) if s.requires_grad else torch.clamp(s, LOG_SCALE_MIN, LOG_SCALE_MAX)
    b = torch.exp(sc)
    d = q - mu
    a = torch.abs(d)
    r = torch.exp(-1.0 / b)
    tail = (a >= 0.5).to(q.dtype)
    log_tail = math.log(0.5) - torch.relu(a - 0.5) / b + torch.log(1.0 - r)
    e1 = 0.5 * torch.exp(-torch.relu(0.5 - a) / b)
    e2 = 0.5 * torch.exp(-(a + 0.5) / b)
    p_mid = 1.0 - e1 - e2
    log_mid = torch.log(torch.clamp(p_mid, 1e-30, 1.0))
    log_p = tail * log_tail + (1.0 - tail) * log_mid
    bits = -log_p / math.log(2.0)
    return bits, (s, b, d, a, r, tail, e1, e2, p_mid)


def laplace_bits_backward(cache):
    """d bits / d q (= - d bits / d mu) and d bits / d s, elementwise.

    The clamp of s passes the gradient where it points back into [LOG_SCALE_MIN, LOG_SCALE_MAX], so a
    log-scale pushed past a bound can always return.
    """
    s, b, d, a, r, tail, e1, e2, p_mid = cache
    inv_b = 1.0 / b
    # d log P / d a and d log P / d s (s = log b), tails then centre
    dlp_da_tail = -inv_b
    dlp_ds_tail = (a - 0.5) * inv_b - inv_b * r / (1.0 - r)
    pm = torch.clamp(p_mid, 1e-30, 1.0)
    dlp_da_mid = (e2 - e1) * inv_b / pm
    dlp_ds_mid = -(e1 * (0.5 - a) + e2 * (a + 0.5)) * inv_b / pm
    dlp_da = tail * dlp_da_tail + (1.0 - tail) * dlp_da_mid
    dlp_ds = tail * dlp_ds_tail + (1.0 - tail) * dlp_ds_mid
    scale = -1.0 / math.log(2.0)
    g_d = scale * dlp_da * torch.sign(d)
    g_s = scale * dlp_ds
    inward = ((s > LOG_SCALE_MIN) & (s < LOG_SCALE_MAX)) | ((s <= LOG_SCALE_MIN) & (g_s < 0)) | ((s >= LOG_SCALE_MAX) & (g_s > 0))
    return g_d, g_s * inward.to(s.dtype)


# -------------------------------------------------------------------------------------- model passes

def linear(x, w, b):
    """Channel-major dense layer: x [in, N], w [in, out] -> [out, N]."""
    return torch.matmul(w.transpose(0, 1), x) + b.reshape(-1, 1)


def linear_backward(g, x, w):
    """Adjoint of linear: (d x, d w, d b) for g = d loss / d out [out, N]."""
    return torch.matmul(w, g), torch.matmul(x, g.transpose(0, 1)), g.sum(1)


def arm_forward(ctx, p):
    """ctx [K, N] -> [2, N] (mu, log-scale), channel-major."""
    z0 = linear(ctx, p["aw0"], p["ab0"])
    h0 = torch.relu(z0) + ctx
    z1 = linear(h0, p["aw1"], p["ab1"])
    h1 = torch.relu(z1) + h0
    out = linear(h1, p["aw2"], p["ab2"])
    return out, (ctx, z0, h0, z1, h1)


def arm_backward(g_out, cache, p):
    ctx, z0, h0, z1, h1 = cache
    grads = {}
    g_h1, grads["aw2"], grads["ab2"] = linear_backward(g_out, h1, p["aw2"])
    g_z1 = g_h1 * (z1 > 0).to(z1.dtype)
    g_h0, grads["aw1"], grads["ab1"] = linear_backward(g_z1, h0, p["aw1"])
    g_h0 = g_h0 + g_h1
    g_z0 = g_h0 * (z0 > 0).to(z0.dtype)
    g_ctx, grads["aw0"], grads["ab0"] = linear_backward(g_z0, ctx, p["aw0"])
    return g_ctx + g_h0, grads


def upsample_forward(q, p):
    """Hierarchical upsampling of the quantized grids: [1, 7, H, W] and the stages' caches."""
    x = q[LEVELS - 1]
    caches = []
    for l in range(LEVELS - 2, -1, -1):
        u, n = up_forward(x, p[f"k{l}"], q[l])
        caches.append((l, n))
        x = torch.cat([q[l], u], dim=1)
    return x, caches


def upsample_backward(g, caches, p):
    """g [1, 7, H, W] -> (d q per level, d kernels)."""
    gq = [None] * LEVELS
    grads = {}
    for l, n in reversed(caches):
        gq[l] = g[:, 0:1]
        g, grads[f"k{l}"] = up_backward(g[:, 1:], n, p[f"k{l}"])
    gq[LEVELS - 1] = g
    return gq, grads


def synthesis_forward(x, p):
    h, w = x.shape[2], x.shape[3]
    xc = x.reshape(LEVELS, -1)                                          # [7, HW]
    z0 = linear(xc, p["sw0"], p["sb0"])
    h0 = torch.relu(z0)
    z1 = linear(h0, p["sw1"], p["sb1"])
    h1 = torch.relu(z1)
    o = linear(h1, p["sw2"], p["sb2"]).reshape(1, 3, h, w)
    o1 = o + conv3x3(o, p["cw0"], p["cb0"])
    r1 = torch.relu(o1)
    o2 = o1 + conv3x3(r1, p["cw1"], p["cb1"])
    return o2 + 0.5, (xc, z0, h0, z1, h1, o, o1, r1)


def synthesis_backward(g_img, cache, p):
    xc, z0, h0, z1, h1, o, o1, r1 = cache
    grads = {"cw1": conv3x3_weight_grad(r1, g_img), "cb1": g_img.sum((0, 2, 3))}
    g1 = g_img + conv3x3_input_grad(g_img, p["cw1"]) * (o1 > 0).to(o1.dtype)
    grads["cw0"] = conv3x3_weight_grad(o, g1)
    grads["cb0"] = g1.sum((0, 2, 3))
    g0 = g1 + conv3x3_input_grad(g1, p["cw0"])
    g_h1, grads["sw2"], grads["sb2"] = linear_backward(g0.reshape(3, -1), h1, p["sw2"])
    g_z1 = g_h1 * (z1 > 0).to(z1.dtype)
    g_h0, grads["sw1"], grads["sb1"] = linear_backward(g_z1, h0, p["sw1"])
    g_z0 = g_h0 * (z0 > 0).to(z0.dtype)
    g_x, grads["sw0"], grads["sb0"] = linear_backward(g_z0, xc, p["sw0"])
    return g_x.reshape(1, LEVELS, o.shape[2], o.shape[3]), grads


def decode_image(q, p):
    """Synthesis of the decoder: quantized grids -> image [1, 3, H, W] (float, not clamped)."""
    x, _ = upsample_forward(q, p)
    img, _ = synthesis_forward(x, p)
    return img


def loss_terms(p, noise, target, lam):
    """Forward pass of fitting: (loss, mse, bits) and the caches. p: name -> tensor; noise: 7 grids."""
    q = [p[f"y{l}"] + noise[l] for l in range(LEVELS)]
    ctx = torch.cat([contexts(q[l]) for l in range(LEVELS)], dim=1)
    flat = torch.cat([q[l].reshape(-1) for l in range(LEVELS)], dim=0)
    out, arm_cache = arm_forward(ctx, p)
    bits, rate_cache = laplace_bits(flat, out[0], out[1])
    x, up_caches = upsample_forward(q, p)
    img, syn_cache = synthesis_forward(x, p)
    diff = img - target
    mse = (diff * diff).mean()
    pixels = (torch.ones_like(target[0, 0]).sum())
    total_bits = bits.sum()
    loss = mse + lam * total_bits / pixels
    return loss, mse, total_bits, (q, arm_cache, rate_cache, up_caches, syn_cache, diff, pixels)


def gradients(p, noise, target, lam):
    """All gradients of the loss by the explicit backward pass; returns (grads, mse, bits)."""
    loss, mse, total_bits, cache = loss_terms(p, noise, target, lam)
    q, arm_cache, rate_cache, up_caches, syn_cache, diff, pixels = cache
    g_img = 2.0 * diff / (diff.shape[1] * pixels)
    g_x, grads = synthesis_backward(g_img, syn_cache, p)
    gq, up_grads = upsample_backward(g_x, up_caches, p)
    grads.update(up_grads)
    scale = lam / pixels
    g_d, g_s = laplace_bits_backward(rate_cache)
    g_out = torch.stack([-g_d, g_s], dim=0) * scale
    g_ctx, arm_grads = arm_backward(g_out, arm_cache, p)
    grads.update(arm_grads)
    start = 0
    for l in range(LEVELS):
        n = q[l].shape[2] * q[l].shape[3]
        part_ctx = g_ctx[:, start:start + n]
        part_d = g_d[start:start + n] * scale
        start += n
        grads[f"y{l}"] = gq[l] + part_d.reshape(q[l].shape) + contexts_backward(part_ctx, q[l])
    return grads, mse, total_bits


def adam(p, grads, m, v, lr, lr_net, t):
    """One Adam step (bias-corrected); the latents use lr, the networks lr_net."""
    c1 = 1.0 - torch.pow(torch.tensor(BETA1), t)
    c2 = 1.0 - torch.pow(torch.tensor(BETA2), t)
    out_p, out_m, out_v = {}, {}, {}
    for name in PARAMS:
        g = grads[name]
        mm = BETA1 * m[name] + (1.0 - BETA1) * g
        vv = BETA2 * v[name] + (1.0 - BETA2) * g * g
        rate = lr if name in LATENTS else lr_net
        out_p[name] = p[name] - rate * (mm / c1) / (torch.sqrt(vv / c2) + EPS)
        out_m[name], out_v[name] = mm, vv
    return out_p, out_m, out_v


# ---------------------------------------------------------------------------------------------- init

def bilinear_kernel() -> torch.Tensor:
    k = torch.tensor([1.0, 2.0, 1.0]) / 4.0
    return torch.outer(k, k).reshape(1, 1, 3, 3)


def init_params(height: int, width: int, seed: int = 0) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)

    def uniform(shape, bound):
        return (torch.rand(shape, generator=g) * 2.0 - 1.0) * bound

    p = {f"y{l}": torch.zeros(1, 1, h, w) for l, (h, w) in enumerate(level_sizes(height, width))}
    for k in UPSAMPLING:
        p[k] = bilinear_kernel()
    p["aw0"] = uniform((K, ARM_HIDDEN), 0.1 / math.sqrt(K))
    p["ab0"] = torch.zeros(ARM_HIDDEN)
    p["aw1"] = uniform((ARM_HIDDEN, ARM_HIDDEN), 0.1 / math.sqrt(ARM_HIDDEN))
    p["ab1"] = torch.zeros(ARM_HIDDEN)
    p["aw2"] = torch.zeros(ARM_HIDDEN, 2)
    p["ab2"] = torch.zeros(2)
    p["sw0"] = uniform((LEVELS, SYN_HIDDEN), math.sqrt(6.0 / LEVELS))
    p["sb0"] = torch.zeros(SYN_HIDDEN)
    p["sw1"] = uniform((SYN_HIDDEN, SYN_HIDDEN), math.sqrt(6.0 / SYN_HIDDEN))
    p["sb1"] = torch.zeros(SYN_HIDDEN)
    p["sw2"] = uniform((SYN_HIDDEN, 3), math.sqrt(1.0 / SYN_HIDDEN))
    p["sb2"] = torch.zeros(3)
    p["cw0"] = torch.zeros(3, 3, 3, 3)
    p["cb0"] = torch.zeros(3)
    p["cw1"] = torch.zeros(3, 3, 3, 3)
    p["cb1"] = torch.zeros(3)
    return p
