"""Checkerboard context for the mean-scale hyperprior (He et al., *Checkerboard Context Model for
Efficient Learned Image Compression*, CVPR 2021), in integer arithmetic.

The latent's positions split into anchors ((row + column) even) and non-anchors.  Anchors are coded
exactly as before, with the hyperprior's mean μ and table index k of h_s.  Non-anchors are coded
second, with means and tables refined from the anchors' decoded residuals v = round(y − μ):

    x = [16·ŷ = 16·v + round(16·μ) at anchors, round(16·μ) elsewhere (M) ; k (M)]   (integers)
    a1 = ReLU(conv3x3(x)),  a2 = ReLU(conv3x3(a1)),  o = conv3x3(a2)  (common/int_conv.py)
    non-anchor:  μ' = float32(μ + o[:M] / 16),   k' = clamp(k + ((o[M:] + 8) >> 4), 0, 63)

The decoder has v at the anchors and (μ, k) from ẑ, so it computes the same integers on any machine;
the network starts at zero output, i.e. at the plain hyperprior.  It is trained on the latents of a
frozen checkpoint (rate of the non-anchors only: anchors and distortion do not change), quantized
after training, and validated with the integer network on the validation split.

    /usr/bin/python3 models/train/hyperprior/context.py --run msh-wf [--steps 3000] [--threads 1]

A checkpoint trained jointly with its context (train.py --context-width; model.context_latents)
brings its own weights: ``--ckpt <it> --steps 0`` only quantizes and validates them.

writes models/.runs/hyperprior/<run>/context.pt (float weights, the integer layers, the source step);
export.py --context puts it beside the model as context.bin + the manifest's ``context`` section.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from common import checkpoint  # noqa: E402
from common.entropy import default_scale_table, gaussian_likelihood, scale_indexes  # noqa: E402
from common.int_conv import ACT_MAX, SHIFT, exponent, quantize_conv, run_layer  # noqa: E402

FRAC_BITS = 4
OUT_MAX = 1 << 20
TABLE = default_scale_table()
LOG_T0 = math.log(float(TABLE[0]))
LOG_STEP = math.log(float(TABLE[-1]) / float(TABLE[0])) / (len(TABLE) - 1)


def anchor_mask(h: int, w: int) -> torch.Tensor:
    """1 at anchors ((row + column) even), 0 at non-anchors; shape (1, 1, h, w)."""
    return (((torch.arange(h)[:, None] + torch.arange(w)[None, :]) % 2) == 0).float()[None, None]


class CheckerboardContext(nn.Module):
    """``mode`` "checker": inputs [ŷ at anchors and μ at non-anchors, k]; "hyper": inputs [μ, k] (a refinement of h_s at
    every position, no spatial context)."""
    def __init__(self, M: int = 48, width: int = 64, table_size: int = len(TABLE), mode: str = "checker"):
        super().__init__()
        self.M, self.width, self.table_size, self.mode = M, width, table_size, mode
        self.c1 = nn.Conv2d(2 * M, width, 3, padding=1)
        self.c2 = nn.Conv2d(width, width, 3, padding=1)
        self.c3 = nn.Conv2d(width, 2 * M, 3, padding=1)
        nn.init.zeros_(self.c3.weight)
        nn.init.zeros_(self.c3.bias)

    def inputs(self, v: torch.Tensor, k: torch.Tensor, amask: torch.Tensor, mu: torch.Tensor | None = None) -> torch.Tensor:
        if self.mode == "hyper":
            return torch.cat([torch.round(mu * 16) / 16, k.float() / 16], 1)
        mu16 = torch.round(mu * 16) / 16
        return torch.cat([v * amask + mu16, k.float() / 16], 1)

    def forward(self, v: torch.Tensor, k: torch.Tensor, amask: torch.Tensor, mu: torch.Tensor | None = None):
        """v: rounded residuals (anchors used), k: hyper table indexes.  Returns (Δμ, Δk) floats."""
        return self.net(self.inputs(v, k, amask, mu))

    def net(self, x: torch.Tensor):
        """The three layers on prepared inputs x (2M channels) -> (Δμ, Δk)."""
        a = F.relu(self.c2(F.relu(self.c1(x))))
        dmu, dk = self.c3(a).chunk(2, 1)
        return dmu, dk


def table_scale(k: torch.Tensor) -> torch.Tensor:
    """The scale of (continuous) table index k: the geometric table 0.11..256."""
    return torch.exp(LOG_T0 + k * LOG_STEP)


def quantize(model: CheckerboardContext, calib: tuple) -> dict:
    """Post-training quantization to integer layers (int8 weights per output channel, activation
    exponents from a calibration batch ``(v, k, amask)``)."""
    v, k, amask, mu = calib
    with torch.no_grad():
        a1 = F.relu(model.c1(model.inputs(v, k, amask, mu)))
        a2 = F.relu(model.c2(a1))
    f0, f1, f2, fo = FRAC_BITS, exponent(a1), exponent(a2), FRAC_BITS
    return {"layers": [quantize_conv(model.c1, f0, f1), quantize_conv(model.c2, f1, f2), quantize_conv(model.c3, f2, fo)],
            "exponents": [f0, f1, f2, fo], "M": model.M, "width": model.width, "tableSize": model.table_size, "mode": model.mode}


def int_network(q: dict, v: np.ndarray, k: np.ndarray, means: np.ndarray):
    """The integer network on one latent (M, H, W): v int residuals (anchors used), k hyper indexes,
    means float32.  Returns (o[:M], clamped k + ((o[M:] + 8) >> 4)) at every position."""
    M, (_, H, W) = q["M"], v.shape
    amask = anchor_mask(H, W).numpy()[0].astype(bool)
    mu16 = np.round(means.astype(np.float64) * 16).astype(np.int64)
    if q.get("mode") == "hyper":
        x = np.concatenate([mu16, k.astype(np.int64)])
    else:
        x = np.concatenate([np.where(amask, v.astype(np.int64) * 16, 0) + mu16, k.astype(np.int64)])
    x = np.clip(x, -ACT_MAX, ACT_MAX)
    l1, l2, l3 = q["layers"]
    a = run_layer(l1, x, 0, ACT_MAX)
    a = run_layer(l2, a, 0, ACT_MAX)
    o = run_layer(l3, a, -OUT_MAX, OUT_MAX)
    return o[:M], np.clip(k + ((o[M:] + 8) >> 4), 0, q["tableSize"] - 1)


def int_refine(q: dict, v: np.ndarray, k: np.ndarray, means: np.ndarray):
    """(means', k') of one latent: the non-anchors refined by :func:`int_network`, the anchors
    untouched (everything refined in the "hyper" experiment)."""
    _, H, W = v.shape
    amask = anchor_mask(H, W).numpy()[0].astype(bool)
    if q.get("mode") == "hyper":
        amask = np.zeros_like(amask)
    o16, k_out = int_network(q, v, k, means)
    mu = np.where(amask, means, (means.astype(np.float32) + (o16 / 16).astype(np.float32)).astype(np.float32))
    return mu.astype(np.float32), np.where(amask, k, k_out).astype(np.int64)


def gaussian_table_bits(y: np.ndarray, mu: np.ndarray, k: np.ndarray) -> float:
    """Bits of v = round(y − μ) under the table's Gaussians (what the rANS tables code, to ~0.1 %)."""
    yt, mt = torch.from_numpy(y), torch.from_numpy(mu)
    v = torch.round(yt - mt)
    lik = gaussian_likelihood(v + mt, torch.from_numpy(TABLE.astype(np.float32))[torch.from_numpy(k)], mt)
    return float(-torch.log2(lik).sum())


def export_context(path: str, out_dir: str, step: int | None = None) -> dict:
    """Writes ``context.bin`` (the int8 weights of the three layers, in order) into ``out_dir`` and
    returns the manifest's ``context`` section, with a parity sample (inputs and the outputs of the
    integer network on a random 6x7 latent) that the TypeScript tests recompute.  ``step``: the
    checkpoint step being exported, which the context must have been trained on."""
    st = torch.load(path, map_location="cpu")
    if step is not None and st["source"]["step"] != step:
        raise SystemExit(f"{path} was trained on step {st['source']['step']}, not the exported step {step}: "
                         f"run context.py --ckpt <the exported checkpoint> first")
    q = st["int"]
    if q.get("mode", "checker") != "checker":
        raise SystemExit(f"{path} is a '{q['mode']}' experiment, not a checkerboard context")
    M, hidden = q["M"], q["width"]
    blob, layers, offset = bytearray(), [], 0
    for layer in q["layers"]:
        w = np.ascontiguousarray(layer["weight"], np.int8)
        blob += w.tobytes()
        layers.append({"inChannels": int(w.shape[1]), "outChannels": int(w.shape[0]), "weightOffset": offset,
                       "mult": [int(m) for m in layer["mult"]], "bias": [int(b) for b in layer["bias"]],
                       "shift": int(layer.get("shift", SHIFT))})
        offset += w.size
    with open(os.path.join(out_dir, "context.bin"), "wb") as f:
        f.write(bytes(blob))
    rng = np.random.default_rng(7)
    h, w = 6, 7
    v = rng.integers(-6, 7, (M, h, w))
    mu16 = rng.integers(-400, 401, (M, h, w))
    k = rng.integers(0, q["tableSize"], (M, h, w))
    o16, k_out = int_network(q, v, k, (mu16 / 16).astype(np.float32))
    flat = lambda a: [int(t) for t in np.asarray(a).reshape(-1)]  # noqa: E731
    return {"kind": "checkerboard-int", "file": "context.bin", "hidden": hidden, "tableSize": q["tableSize"],
            "fracBits": FRAC_BITS, "activationMax": ACT_MAX, "outputMax": OUT_MAX, "shift": SHIFT,
            "exponents": q["exponents"], "layers": layers,
            "trainedOn": {"checkpointStep": st["source"]["step"], "validation": st.get("validation", {}).get("bdVsBase")},
            "parity": {"height": h, "width": w, "v": flat(v), "mu16": flat(mu16), "index": flat(k),
                       "delta16": flat(o16), "indexOut": flat(k_out)}}


def main() -> None:
    from common.data import CropSampler, load_rgb, to_tensor_batch, validation_images
    from common.validation import TRAIN_ROOT, _pad, bd_rate, jpeg_anchor, psnr8
    from hyperprior.model import build

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", default="msh-wf")
    p.add_argument("--ckpt", help="checkpoint of the frozen model (default: the run's best.pt)")
    p.add_argument("--crops", type=int, default=1600)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--mode", default="checker", choices=["checker", "hyper"])
    p.add_argument("--out", help="where to write the result (default: the run folder's context.pt)")
    p.add_argument("--init", help="start from this context.pt (e.g. the one trained on an earlier checkpoint)")
    p.add_argument("--export-to", metavar="EXPORT",
                   help="then replace the context of this export (context.bin, the manifest's context section and "
                        "file entry); its graphs must be of the checkpoint's step")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    run_dir = os.path.join(os.path.dirname(os.path.dirname(HERE)), ".runs", "hyperprior", args.run)
    ckpt_path = args.ckpt or os.path.join(run_dir, "best.pt")
    st = checkpoint.load(ckpt_path)
    model = build(st["config"])
    model.load_state_dict(st["model"])
    model.eval()
    for q in model.parameters():
        q.requires_grad_(False)
    M, L = model.M, model.levels
    print(f"frozen model: {ckpt_path} (step {st.get('step')}); M={M}, {L} levels", flush=True)

    @torch.no_grad()
    def latents(x, lv):
        y = model.g_a(x).float() * model.gain(lv)
        z = model.h_a(y) * model.hyper_gain(lv)
        z_hat = model.entropy_bottleneck.quantize(z, False)
        z_bits = -torch.log2(model.entropy_bottleneck.likelihood(z_hat)).reshape(x.shape[0], -1).sum(1)
        scales, means = model.h_s(z_hat * model.hyper_inv_gain(lv)).chunk(2, 1)
        return y, means.float(), scale_indexes(scales, TABLE), z_bits

    t0 = time.time()
    sampler = CropSampler([os.path.join(TRAIN_ROOT, f) for f in ("urban100", "sunhays80", "bsd100", "div2k")
                           if os.path.isdir(os.path.join(TRAIN_ROOT, f))], 256, seed=args.seed)
    Y, MU, K = [], [], []
    for _ in range(0, args.crops, 16):
        x = to_tensor_batch(sampler.batch(16))
        y, mu, k, _ = latents(x, torch.randint(0, L, (16,)))
        Y.append(y), MU.append(mu), K.append(k)
    Y, MU, K = torch.cat(Y), torch.cat(MU), torch.cat(K)
    print(f"cached {len(Y)} crops in {time.time() - t0:.0f} s", flush=True)

    ctx = CheckerboardContext(M, args.width, mode=args.mode)
    joint = {k[len("context."):]: v for k, v in st["model"].items() if k.startswith("context.")}
    if args.init:
        ctx.load_state_dict(torch.load(args.init, map_location="cpu")["state"])
        print(f"weights from {args.init}", flush=True)
    elif joint:  # a model trained jointly with its context (train.py --context-width)
        ctx.load_state_dict(joint)
        print(f"weights from the checkpoint's own context (trained jointly; --steps {args.steps} more here)", flush=True)
    opt = torch.optim.Adam(ctx.parameters(), lr=args.lr)
    h, w = Y.shape[2:]
    amask = anchor_mask(h, w)
    nmask = 1 - amask if args.mode == "checker" else torch.ones_like(amask)
    pixels = h * w * 64

    def nonanchor_bits(y, mu, k, train):
        v = torch.round(y - mu)
        dmu, dk = ctx(v, k, amask, mu)
        mu2 = mu + dmu
        k2 = (k.float() + dk).clamp(0, ctx.table_size - 1)
        yy = y + torch.empty_like(y).uniform_(-0.5, 0.5) if train else torch.round(y - mu2) + mu2
        lik = gaussian_likelihood(yy, table_scale(k2), mu2)
        return (-torch.log2(lik) * nmask).reshape(len(y), -1).sum(1)

    def base_bits(y, mu, k):
        lik = gaussian_likelihood(torch.round(y - mu) + mu, table_scale(k.float()), mu)
        return (-torch.log2(lik) * nmask).reshape(len(y), -1).sum(1)

    ref = float(base_bits(Y[:256], MU[:256], K[:256]).mean())
    t0 = time.time()
    for step in range(1, args.steps + 1):
        idx = torch.randint(0, len(Y), (args.batch,))
        loss = nonanchor_bits(Y[idx], MU[idx], K[idx], True).mean() / pixels
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step in (int(args.steps * 0.7), int(args.steps * 0.9)):
            for g in opt.param_groups:
                g["lr"] *= 0.3
        if step % 500 == 0 or step == args.steps:
            with torch.no_grad():
                b = float(nonanchor_bits(Y[:256], MU[:256], K[:256], False).mean())
            print(f"step {step}: non-anchor bits/crop {b:.0f} vs hyperprior {ref:.0f} ({100 * (b / ref - 1):+.2f} %), "
                  f"{(time.time() - t0) / step:.3f} s/step", flush=True)

    calib = torch.randint(0, len(Y), (64,))
    q = quantize(ctx, (torch.round(Y[calib] - MU[calib]), K[calib], amask, MU[calib]))

    # validation: the integer network, real rounding, table bits of y + likelihood bits of z
    images = validation_images(TRAIN_ROOT)
    acc_base, acc_ctx = np.zeros((L, 2)), np.zeros((L, 2))
    with torch.no_grad():
        for path in images:
            x = to_tensor_batch(load_rgb(path)[None])
            hh, ww = x.shape[2:]
            xp = _pad(x, 32)
            for lvl in range(L):
                lv = torch.tensor([lvl])
                y, mu, k, zb = latents(xp, lv)
                y0, mu0, k0 = y[0].numpy(), mu[0].numpy(), k[0].numpy()
                v = np.round(y0 - mu0).astype(np.int64)
                mu1, k1 = int_refine(q, v, k0, mu0)
                for acc, (m_, k_) in ((acc_base, (mu0, k0)), (acc_ctx, (mu1, k1))):
                    bits = gaussian_table_bits(y0, m_, k_) + float(zb)
                    y_hat = torch.from_numpy(np.round(y0 - m_) + m_)[None]
                    x_hat = model.g_s(y_hat * model.inv_gain(lv)).float()
                    acc[lvl] += (bits / (hh * ww), psnr8(x_hat[..., :hh, :ww], x))
    acc_base /= len(images)
    acc_ctx /= len(images)
    anchor = jpeg_anchor(images)
    pb = [{"quality": i + 1, "bpp": b, "psnr": s} for i, (b, s) in enumerate(acc_base)]
    pc = [{"quality": i + 1, "bpp": b, "psnr": s} for i, (b, s) in enumerate(acc_ctx)]
    for a, b in zip(pb, pc):
        print(f"q{a['quality']}: base {a['bpp']:.4f} bpp {a['psnr']:.3f} dB | context {b['bpp']:.4f} bpp {b['psnr']:.3f} dB "
              f"({100 * (b['bpp'] / a['bpp'] - 1):+.2f} % rate)")
    bd_base, bd_ctx, bd_rel = bd_rate(pb, anchor), bd_rate(pc, anchor), bd_rate(pc, pb)
    print(f"validation BD-rate vs Pillow JPEG (table bits): base {bd_base:.2f} %, context {bd_ctx:.2f} %; "
          f"context vs base {bd_rel:.2f} %", flush=True)
    out = args.out or os.path.join(run_dir, "context.pt" if args.mode == "checker" else f"context-{args.mode}.pt")
    torch.save({"state": ctx.state_dict(), "int": q, "source": {"path": ckpt_path, "step": st.get("step")},
                "validation": {"base": pb, "context": pc, "bdBase": bd_base, "bdContext": bd_ctx, "bdVsBase": bd_rel},
                "args": vars(args)}, out)
    print(f"wrote {out}")
    if args.export_to:
        replace_context(out, args.export_to)
        print(f"replaced the context of {args.export_to}")


def replace_context(path: str, folder: str) -> None:
    """Puts the context of ``path`` (context.pt) into the export ``folder`` in place of its own: the
    graphs and tables stay, so the export must be of the step the context was trained on."""
    import json

    from common.export_utils import sha256
    mpath = os.path.join(folder, "manifest.json")
    with open(mpath) as f:
        manifest = json.load(f)
    step = int(manifest.get("provenance", {}).get("steps") or -1)
    manifest["context"] = export_context(path, folder, step)
    cbin = os.path.join(folder, "context.bin")
    manifest.setdefault("files", {})["context.bin"] = {"sha256": sha256(cbin), "bytes": os.path.getsize(cbin)}
    with open(mpath, "w") as f:
        json.dump(manifest, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
