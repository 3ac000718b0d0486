"""Train the video codec's inter model (model.py) on latent sequences from latents.py.

    /usr/bin/python3 models/train/video/train.py [--latents models/.runs/video/latents] \
        [--run cond-msh-wf] [--steps 4000] [--max-seconds S] [--threads 2]

Each step draws (ŷ_{t-1}, y_t) pairs from the training runs: a random rate level l scales the
gain-free latents by the intra model's gain vector, the context gets uniform noise in
[-0.5, 0.5) (what quantization leaves), and the loss is the rate of y_t + U(-0.5, 0.5) under
N(μ, σ(s)) in bits per pixel.  Only the inter model trains; the intra transforms are frozen.

Every ``--eval-every`` steps the validation runs (clips of validation-clips.txt) are coded for
real: v = round(y - μ), bits from the Gaussian at the rounded table index, per level, for the
float network, and at the end for the integer network (IntNet) too.  Beside them stands the
non-learned baseline: μ = ŷ_{t-1} with one static table per channel and level (fitted on the
training runs).  ``best.pt`` keeps the lowest validation rate; ``latest.pt`` resumes.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

from common.entropy import gaussian_likelihood  # noqa: E402
from model import ConditionalPrior, IntNet, dequantize_export, hyper_inputs, quantize, table_step, LOG_SCALE_MIN  # noqa: E402


def load_manifest(folder):
    with open(os.path.join(folder, "manifest.json")) as f:
        return json.load(f)


def bits_of(y, mu, index, log_step):
    """Bits of v = round(y - μ) under the Gaussian at integer table ``index`` (no CDF quantization)."""
    v = torch.round(y - mu)
    sigma = torch.exp(LOG_SCALE_MIN + index.float() * log_step)
    return -torch.log2(gaussian_likelihood(v, sigma, torch.zeros_like(v))).sum()


def static_tables(train: np.ndarray, gains: np.ndarray, log_step: float, table_size: int) -> np.ndarray:
    """The non-learned baseline's tables: per level and channel, the table index that codes
    y_t - ŷ_{t-1} of the training runs in the fewest bits.  Returns (levels, M) int."""
    rng = np.random.default_rng(0)
    pick = train[rng.choice(len(train), size=min(200, len(train)), replace=False)].astype(np.float32)
    out = np.zeros((len(gains), train.shape[2]), np.int64)
    idx = torch.arange(table_size).float()
    sig = torch.exp(LOG_SCALE_MIN + idx * log_step)
    for l, g in enumerate(gains):
        y = torch.from_numpy(pick) * torch.from_numpy(g)[None, None, :, None, None]
        ctx = torch.round(y[:, :-1])
        d = torch.round(y[:, 1:] - ctx)            # (R, T-1, M, H, W)
        d = d.permute(2, 0, 1, 3, 4).reshape(d.shape[2], -1)
        for c in range(d.shape[0]):
            vals, counts = torch.unique(d[c], return_counts=True)
            lik = gaussian_likelihood(vals[None, :], sig[:, None], torch.zeros(1))
            bits = -(torch.log2(lik) * counts[None, :]).sum(1)
            out[l, c] = int(torch.argmin(bits))
    return out


def sensitivity(intra_dir: str, latents: np.ndarray, delta: float = 0.05, samples: int = 16) -> np.ndarray:
    """s_c: squared pixel error (summed over the three colours and all pixels) per unit squared error
    of one element of latent channel c, in the gain-free domain g_s sees, linearised around real
    latents: every element of channel c gets a random ±delta and the pixel error energy is divided
    by delta² and the element count (independent signs cancel the cross terms on average)."""
    from latents import load_intra
    model, _ = load_intra(intra_dir)
    rng = np.random.default_rng(0)
    y = torch.from_numpy(latents[rng.choice(len(latents), samples, replace=False), 0].astype(np.float32))
    out = np.zeros(y.shape[1])
    with torch.no_grad():
        base = model.g_s(torch.round(y))
        for c in range(y.shape[1]):
            d = torch.zeros_like(y)
            d[:, c] = delta * torch.from_numpy(rng.choice([-1.0, 1.0], size=d[:, c].shape).astype(np.float32))
            err = model.g_s(torch.round(y) + d) - base
            out[c] = float(err.pow(2).sum()) / (delta ** 2 * d[:, c].numel())
    return out


def distortion(y, mu, weight):
    """Pixel MSE (per colour sample) that coding y around μ leaves, from the latent rounding error
    e = y - μ - round(y - μ) weighted by the per-channel sensitivity (B, M) of g_s; its gradient
    moves μ towards values that y rounds to closely."""
    e = y - mu - torch.round(y - mu).detach()
    return (e.pow(2) * weight[:, :, None, None]).flatten(1).sum(1) / (3 * 64 * e[0, 0].numel())


def evaluate(model, valid, gains, log_step, tables, intnet=None, weights=None, lambdas=None, intra=None, scale_table=None):
    """Real-rounding bits per pixel of the validation runs' inter frames per level -- the float
    network, the static-table baseline and (optionally) the integer network -- and, with
    ``weights`` (levels, M) and ``lambdas``, the pixel MSE their rounding leaves and the RD loss
    bpp + λ·255²·MSE.  Hyper models (``intra``: the frozen image model, ``scale_table``): the bits
    of each P-frame's ẑ count in the learned network's rate."""
    res = {"float": [], "delta": [], "int": [], "psnr": [], "psnrDelta": [], "rd": [], "rdDelta": []}
    v = torch.from_numpy(valid.astype(np.float32))
    R, T, M, H, W = v.shape
    pixels = R * (T - 1) * H * W * 64
    model.eval()
    with torch.no_grad():
        for l, g in enumerate(gains):
            y = v * torch.from_numpy(g)[None, None, :, None, None]
            lev = torch.full((R,), l, dtype=torch.long)
            w = torch.from_numpy(weights[l]).float()[None].expand(R, -1) if weights is not None else None
            # the decoder's chain: ŷ_0 = round(y_0) stands for the I-frame, then each P-frame's
            # context is the previous P-frame's reconstruction (learned) or ŷ_{t-1} (delta)
            ctx_l = ctx_d = torch.round(y[:, 0])
            ctx_l2 = ctx_l
            bits_l = bits_d = mse_l = mse_d = 0.0
            for t in range(1, T):
                tgt = y[:, t]
                hyp = None
                if intra is not None:
                    hyp, zb = hyper_inputs(intra, tgt, lev, scale_table)
                    bits_l += float(zb.sum())
                mu, s = model(ctx_l, lev, ctx_l2, hyp)
                mu = torch.round(mu * 16) / 16
                bits_l += float(bits_of(tgt, mu, torch.round(s), log_step))
                tab = torch.from_numpy(tables[l])[None, :, None, None].expand_as(tgt)
                bits_d += float(bits_of(tgt, ctx_d, tab, log_step))
                if w is not None:
                    mse_l += float(distortion(tgt, mu, w).mean()) / (T - 1)
                    mse_d += float(distortion(tgt, ctx_d, w).mean()) / (T - 1)
                ctx_l2, ctx_l = ctx_l, mu + torch.round(tgt - mu)
                ctx_d = ctx_d + torch.round(tgt - ctx_d)
            res["float"].append(bits_l / pixels)
            res["delta"].append(bits_d / pixels)
            if w is not None:
                for key, mse, rkey, b in (("psnr", mse_l, "rd", res["float"][-1]), ("psnrDelta", mse_d, "rdDelta", res["delta"][-1])):
                    res[key].append(10 * math.log10(1 / max(mse, 1e-12)))
                    res[rkey].append(b + float(lambdas[l]) * 255 ** 2 * mse)
            if intnet is not None:  # the integer network along the same decoder chain
                total = 0.0
                for r in range(R):
                    ctx16 = np.round(y[r, 0].numpy() * 16).astype(np.int64)
                    ctx16b = ctx16
                    for t in range(1, T):
                        mu16, index = intnet.run(ctx16, l, ctx16b)
                        tgt = y[r, t]
                        mu = torch.from_numpy(mu16 / 16.0).float()
                        total += float(bits_of(tgt, mu, torch.from_numpy(index), log_step))
                        ctx16b, ctx16 = ctx16, (16 * torch.round(tgt - mu)).numpy().astype(np.int64) + mu16
                res["int"].append(total / pixels)
    model.train()
    res = {k: x for k, x in res.items() if x}
    res["mean"] = {k: float(np.mean(x)) for k, x in res.items()}
    return res


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--latents", default=os.path.join(REPO, "models", ".runs", "video", "latents"))
    p.add_argument("--run", default="cond-msh-wf")
    p.add_argument("--runs-root", default=os.path.join(REPO, "models", ".runs", "video"))
    p.add_argument("--steps", type=int, default=4000)
    p.add_argument("--max-seconds", type=float, default=None)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--eval-every", type=int, default=500)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--context-frames", type=int, choices=(1, 2), default=1,
                   help="2: the network also sees ŷ_{t-2} (ŷ_{t-1} again for a GOP's first P-frame)")
    p.add_argument("--hyper", action="store_true",
                   help="experiment (float network only, not exportable): P-frames carry their own hyperprior, ẑ_t of "
                        "the image model's h_a, and the network also reads [μ_h ; k_h] of its h_s (model.hyper_inputs); "
                        "a non-hyper --init gets zero weights for them. Lost on validation on 2026-12-07")
    p.add_argument("--freeze-base", action="store_true",
                   help="--hyper from a non-hyper --init: train only the hyperprior's layer-1 weights (c1h)")
    p.add_argument("--rate-only", action="store_true",
                   help="train on the rate alone (the first recipe); default: rate + λ·255²·MSE of the rounding")
    p.add_argument("--init", metavar="CHECKPOINT.pt|EXPORT",
                   help="start a new run from this checkpoint's weights, or from an exported model folder "
                        "(models/video/<id>: its int8 weights dequantized, model.dequantize_export)")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    with open(os.path.join(args.latents, "meta.json")) as f:
        meta = json.load(f)
    intra = os.path.join(REPO, meta["intra"]["folder"])
    manifest = load_manifest(intra)
    gains = np.array([l["gain"] for l in manifest["rateLevels"]], np.float32)
    table = manifest["gaussianConditional"]["scaleTable"]
    log_step = table_step(table)
    train = np.load(os.path.join(args.latents, "train.npy"))
    valid = np.load(os.path.join(args.latents, "valid.npy"))
    R, T, M, H, W = train.shape
    print(f"train runs {train.shape}, valid runs {valid.shape}; intra {meta['intra']['id']}", flush=True)
    run_dir = os.path.join(args.runs_root, args.run)
    os.makedirs(run_dir, exist_ok=True)
    model = ConditionalPrior(M, args.hidden, len(gains), len(table), log_step, frames=args.context_frames, hyper=args.hyper)
    intra_model = None
    if args.hyper:
        from latents import load_intra
        intra_model, _ = load_intra(intra, entropy=True)
        for q in intra_model.parameters():
            q.requires_grad_(False)
    params = [q for n, q in model.named_parameters() if not args.freeze_base or n.startswith("c1h.")]
    opt = torch.optim.Adam(params, lr=args.lr)
    step, wall, best = 0, 0.0, math.inf
    latest = os.path.join(run_dir, "latest.pt")
    if not os.path.exists(latest) and args.init:
        init = dequantize_export(args.init) if os.path.isdir(args.init) else torch.load(args.init)["model"]
        w = init["c1.weight"]
        if w.shape[1] == M and model.frames == 2:  # a one-frame model: ŷ_{t-2} starts with zero weight
            init["c1.weight"] = torch.cat([w, torch.zeros_like(w)], 1)
        if model.hyper and "c1h.weight" not in init:  # from a model without the hyperprior: it starts unused
            init["c1h.weight"] = torch.zeros_like(model.c1h.weight)
        model.load_state_dict(init)
        print(f"weights from {args.init}", flush=True)
    if os.path.exists(latest):
        st = torch.load(latest)
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        step, wall, best = st["step"], st["wall"], st["best"]
        print(f"resumed at step {step}", flush=True)
    tables_path = os.path.join(run_dir, "static_tables.npy")
    if os.path.exists(tables_path):
        tables = np.load(tables_path)
    else:
        tables = static_tables(train, gains, log_step, len(table))
        np.save(tables_path, tables)
    g = torch.from_numpy(gains)
    lambdas = np.array([l["lambda"] for l in manifest["rateLevels"]], np.float64)
    inv_gains = np.array([l["invGain"] for l in manifest["rateLevels"]], np.float64)
    sens_path = os.path.join(run_dir, "sensitivity.npy")
    if not os.path.exists(sens_path):
        np.save(sens_path, sensitivity(intra, train))
    weights = np.load(sens_path)[None, :] * inv_gains ** 2      # (levels, M): scaled-domain weights
    print("g_s sensitivity per channel (gain-free):", np.round(np.load(sens_path), 1).tolist(), flush=True)
    t0 = time.time() - wall
    ema = None
    rng = np.random.default_rng(args.seed + step)
    def save(name, extra=None):
        st = {"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "wall": time.time() - t0,
              "best": best, "config": {"M": M, "hidden": args.hidden, "levels": len(gains), "tableSize": len(table), "frames": args.context_frames,
                                       "logStep": log_step, "hyper": args.hyper}, "meta": meta, **(extra or {})}
        torch.save(st, os.path.join(run_dir, name + ".tmp"))
        os.replace(os.path.join(run_dir, name + ".tmp"), os.path.join(run_dir, name))
    started, first_step = time.time(), step
    while step < args.steps:
        lr = args.lr * (0.1 if step > 0.8 * args.steps else 1.0) * min(1.0, (step + 1) / 100)
        for pg in opt.param_groups:
            pg["lr"] = lr
        ri = rng.integers(0, R, args.batch)
        lev = torch.from_numpy(rng.integers(0, len(gains), args.batch))
        seq = torch.from_numpy(train[ri].astype(np.float32)) * g[lev][:, None, :, None, None]
        if rng.random() < 0.5:  # random flips: the prior should not care about orientation
            seq = seq.flip(4)
        w = torch.from_numpy(weights[lev.numpy()]).float()
        lam = torch.from_numpy(lambdas[lev.numpy()]).float() * 255 ** 2
        # unrolled like the decoder: the I-frame's ŷ_0 ≈ y_0 + rounding noise, then every P-frame
        # predicts from the previous P-frame's reconstruction (straight-through rounding)
        ctx = seq[:, 0] + torch.empty_like(seq[:, 0]).uniform_(-0.5, 0.5)
        ctx2 = ctx
        bpp = loss = 0.0
        for t in range(1, T):
            y = seq[:, t]
            hyp = hyper_inputs(intra_model, y, lev, table)[0] if args.hyper else None
            mu, s = model(ctx, lev, ctx2, hyp)
            lik = gaussian_likelihood(y + torch.empty_like(y).uniform_(-0.5, 0.5), model.scales(s), mu)
            b = -torch.log2(lik).sum() / (args.batch * H * W * 64)
            bpp = bpp + b / (T - 1)
            loss = loss + b / (T - 1)
            if not args.rate_only:
                loss = loss + (lam * distortion(y, mu, w)).mean() / (T - 1)
            ctx2, ctx = ctx, mu + (torch.round(y - mu) - (y - mu)).detach() + (y - mu)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        ema = float(loss) if ema is None else 0.98 * ema + 0.02 * float(loss)
        if step % 50 == 0:
            print(f"step {step} loss {float(loss):.4f} bpp {float(bpp):.4f} ema {ema:.4f} lr {lr:.1e} s/step "
                  f"{(time.time() - started) / (step - first_step):.3f}", flush=True)
        if step % args.eval_every == 0 or step == args.steps:
            res = evaluate(model, valid, gains, log_step, tables, weights=weights, lambdas=lambdas,
                           intra=intra_model, scale_table=table)
            line = " ".join(f"{v:.4f}" for v in res["float"])
            print(f"valid step {step}: inter bpp {res['mean']['float']:.4f} (per level {line}), rounding PSNR "
                  f"{res['mean']['psnr']:.2f}, RD {res['mean']['rd']:.4f}; static-table delta {res['mean']['delta']:.4f} "
                  f"bpp, {res['mean']['psnrDelta']:.2f} dB, RD {res['mean']['rdDelta']:.4f}", flush=True)
            figure = res["mean"]["float" if args.rate_only else "rd"]
            improved = figure < best
            if improved:
                best = figure
            save("latest.pt", {"valid": res})
            if improved:
                save("best.pt", {"valid": res})
        if args.max_seconds and time.time() - started >= args.max_seconds:
            save("latest.pt")
            break
    print(f"done at step {step}, {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
